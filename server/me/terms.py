"""The terms of use (利用規約): each user accepts the city's current version once, and again
when the city publishes a new one.

The server records and reports; it never refuses a request for want of an acceptance, so
a nurse whose tablet comes back online mid-visit still sends what she wrote offline. The
PWA asks at the next start that reaches the server (sign-in, or unlocking the app), before
it shows anything else. The ledger shows who accepted which version when.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import TermsAcceptance, User
from store.writer import begin_write

from ..accounts.schemas import MyTermsOut
from ..admin.help import load_help
from ..audit import service as audit
from ..auth.context import AuthContext
from ..errors import Conflict


async def terms_status(session: AsyncSession, user: User) -> MyTermsOut | None:
    """Where the user stands with the current terms; None while the city has published none."""
    current = (await load_help(session)).terms.version
    if not current:
        return None
    rows = list(
        await session.scalars(
            select(TermsAcceptance)
            .where(TermsAcceptance.user_id == user.id)
            .order_by(TermsAcceptance.accepted_at.desc())
        )
    )
    latest = rows[0] if rows else None
    return MyTermsOut(
        version=current,
        required=not any(row.version == current for row in rows),
        accepted_version=latest.version if latest else None,
        accepted_at=latest.accepted_at if latest else None,
    )


def _outdated(current: str) -> Conflict:
    return Conflict(
        "利用規約が更新されています。画面を再読み込みし、最新の利用規約を確認してください。",
        "The terms of use have changed. Reload and read the current terms.",
        code="terms_outdated",
        currentVersion=current,
    )


async def accept_terms(session: AsyncSession, ctx: AuthContext, version: str) -> MyTermsOut:
    """Records the acceptance of `version`, which must be the current one; twice is once."""
    assert ctx.user is not None
    user = ctx.user
    current = (await load_help(session)).terms.version
    if not current:
        raise Conflict(
            "現在、同意が必要な利用規約はありません。",
            "There are no terms of use to accept.",
            code="no_terms",
        )
    if version.strip() != current:
        raise _outdated(current)
    await begin_write(session)
    known = await session.scalar(
        select(TermsAcceptance.id).where(
            TermsAcceptance.user_id == user.id, TermsAcceptance.version == current
        )
    )
    if known is None:
        session.add(TermsAcceptance(user_id=user.id, version=current, accepted_at=ctx.now))
        await audit.record(
            session,
            at=ctx.now,
            actor=ctx.actor,
            action="user.terms_accepted",
            target_type="user",
            target_id=user.id,
            details={"version": current},
        )
        try:
            await session.commit()
        except IntegrityError:  # the same user accepted on two devices at once: one row wins
            await session.rollback()
    else:
        await session.rollback()
    status = await terms_status(session, user)
    assert status is not None
    return status
