"""The daily mail's unsubscribe link: one click, no sign-in (server/mail/daily.py).

`GET` shows a page with one button (mail scanners open links; opening must not unsubscribe);
`POST` unsubscribes — from that button, or straight from a mail program's own button
(RFC 8058 one-click, body `List-Unsubscribe=One-Click`). The signed token in the URL is the
authority, so the handlers are public and exempt from the cookie-bound CSRF check. They are
also *bare* (docs/api/requests.md): the link is opened by a mail program or a browser tab, not
by the app, so it names no device and is a navigation; it reads nothing but whether the token
is good, and changes nothing but that one person's mail setting.
"""

from __future__ import annotations

from html import escape

from litestar import Controller, MediaType, Response, get, post
from sqlalchemy.ext.asyncio import AsyncSession

from ..clock import Clock
from ..route_policy import policy
from ..settings import Settings
from .daily import unsubscribe, user_of_token

_PAGE = """<!doctype html>
<html lang="ja"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>carebook {title}</title></head>
<body style="font-family: sans-serif; max-width: 36rem; margin: 2rem auto; padding: 0 1rem">
<h1>{title}</h1>{body}</body></html>"""

_BAD = ("<p>このリンクは正しくありません。メールのリンクをそのまま開くか、アプリの設定から"
        "停止してください。</p><p lang=\"en\">This link is not valid. Open the link in the mail "
        "as it is, or turn the mail off in the app's settings.</p>")


# Public and bare: a signed token in the URL, opened from a mail (not the app).
UNSUBSCRIBE = policy(auth="public", bare=True)


def _page(title: str, body: str, status: int = 200) -> Response[str]:
    return Response(_PAGE.format(title=escape(title), body=body), status_code=status,
                    media_type=MediaType.HTML)


class MailController(Controller):
    path = "/api/mail"
    tags = ["mail"]

    @get("/unsubscribe", opt=UNSUBSCRIBE, summary="The daily mail's unsubscribe page",
         include_in_schema=False)
    async def unsubscribe_page(self, token: str, settings: Settings) -> Response[str]:
        if user_of_token(settings.secret_key, token) is None:
            return _page("配信停止", _BAD, 400)
        form = (
            "<p>1日1回のお知らせメールの配信を停止します。</p>"
            f"<form method=\"post\" action=\"/api/mail/unsubscribe?token={escape(token)}\">"
            "<button type=\"submit\" style=\"font-size: 1.1rem; padding: .6rem 1.2rem\">"
            "配信を停止する / Unsubscribe</button></form>"
        )
        return _page("配信停止", form)

    # The body is a mail program's form (`List-Unsubscribe=One-Click`), never read as JSON.
    @post("/unsubscribe", opt=policy(auth="public", bare=True, csrf=False, json_body=False),
          status_code=200,
          summary="Unsubscribe from the daily mail (one click, signed link)",
          include_in_schema=False)
    async def unsubscribe(self, token: str, settings: Settings, clock: Clock,
                          db_session: AsyncSession) -> Response[str]:
        user_id = user_of_token(settings.secret_key, token)
        if user_id is None or not await unsubscribe(db_session, user_id, clock.now()):
            return _page("配信停止", _BAD, 400)
        return _page("配信を停止しました",
                     "<p>1日1回のお知らせメールの配信を停止しました。再開はアプリの設定から"
                     "できます。</p><p lang=\"en\">You will no longer get the daily mail. You can "
                     "turn it on again in the app's settings.</p>")
