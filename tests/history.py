"""Seeding finished sessions and set-up users straight into the store (for progress tests)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import insert

from bot.store.models import GuidedSession, SessionLog
from bot.store.repo import Store
from bot.subscription import Subscriptions


async def set_up_user(
    store: Store, subscriptions: Subscriptions, user_id: int, zone: str, now: datetime
) -> None:
    """A user past onboarding in `zone`, with the default nudges (and the weekly summary)."""
    await store.upsert_user(user_id, user_id, f"U{user_id}", "en", now)
    await store.update_user(user_id, now, timezone=zone, onboarding=None)
    await subscriptions.ensure_nudges(user_id)


async def seed_sessions(
    store: Store,
    user_id: int,
    finished: Iterable[datetime],
    zone: str = "UTC",
    seconds: int = 300,
) -> None:
    """One finished session (five minutes unless told) ending at each instant."""
    async with store.writing() as db:
        for at in finished:
            result = await db.execute(
                insert(GuidedSession)
                .values(
                    user_id=user_id,
                    chat_id=user_id,
                    routine_id="quick",
                    status="done",
                    phase="intro",
                    stretch_index=1,
                    side=0,
                    holds_done=3,
                    stretches_done=2,
                    stretches_skipped=0,
                    shown_version=2,
                    started_at=at - timedelta(seconds=seconds),
                    ended_at=at,
                    end_reason="finished",
                    version=2,
                    updated_at=at,
                )
                .returning(GuidedSession.id)
            )
            await db.execute(
                insert(SessionLog).values(
                    user_id=user_id,
                    session_id=result.scalar_one(),
                    routine_id="quick",
                    started_at=at - timedelta(seconds=seconds),
                    finished_at=at,
                    holds_done=3,
                    holds_total=3,
                    stretches_done=2,
                    duration_seconds=seconds,
                    timezone=zone,
                )
            )
