"""`/api/push/*`: translate HTTP to the push services; the rules live in `services.py`."""

from __future__ import annotations

from litestar import Controller, delete, get, post, put
from sqlalchemy.ext.asyncio import AsyncSession

from ..auth.context import AuthContext
from ..route_policy import policy
from ..settings import Settings
from .keys import load_vapid_keys
from .schemas import KeyOut, PreferencesIn, PreferencesOut, SubscriptionIn, SubscriptionOut
from .services import Preferences, Subscriptions


class PushController(Controller):
    path = "/api/push"
    tags = ["push"]

    @get(
        "/key",
        opt=policy(auth="public"),
        summary="The VAPID public key (applicationServerKey, base64url uncompressed point)",
    )
    async def key(self, settings: Settings) -> KeyOut:
        keys = load_vapid_keys(settings.data_dir, settings.push.vapid_private_key)
        return KeyOut(public_key=keys.public_key)

    @get("/subscriptions", summary="Whether this device has a push subscription")
    async def subscription_status(
        self, auth: AuthContext, db_session: AsyncSession
    ) -> SubscriptionOut:
        return SubscriptionOut(subscribed=await Subscriptions(db_session, auth).status())

    @post("/subscriptions", status_code=201, opt=policy(rate="push"),
           summary="Store this device's push subscription")
    async def subscribe(
        self, data: SubscriptionIn, auth: AuthContext, db_session: AsyncSession
    ) -> SubscriptionOut:
        await Subscriptions(db_session, auth).subscribe(data)
        return SubscriptionOut(subscribed=True)

    @delete("/subscriptions", status_code=200, opt=policy(rate="push"),
             summary="Remove this device's push subscription")
    async def unsubscribe(self, auth: AuthContext, db_session: AsyncSession) -> SubscriptionOut:
        await Subscriptions(db_session, auth).unsubscribe()
        return SubscriptionOut(subscribed=False)

    @get("/preferences", summary="The signed-in user's notification settings")
    async def preferences(self, auth: AuthContext, db_session: AsyncSession) -> PreferencesOut:
        return await Preferences(db_session, auth).get()

    @put("/preferences", opt=policy(rate="push", refuses={404}),
         summary="Replace the signed-in user's notification settings")
    async def set_preferences(
        self, data: PreferencesIn, auth: AuthContext, db_session: AsyncSession
    ) -> PreferencesOut:
        return await Preferences(db_session, auth).put(data)
