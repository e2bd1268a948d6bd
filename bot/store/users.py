"""The store's user rows: sign-up, settings, unsubscribe, erasure."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError

from bot.domain import onboarding
from bot.store.models import Nudge, User
from bot.store.records import UserRecord, user_record
from bot.store.transactions import Transactions


class Users(Transactions):
    async def upsert_user(
        self,
        user_id: int,
        chat_id: int,
        first_name: str,
        language_code: str | None,
        now: datetime,
    ) -> tuple[UserRecord, bool]:
        """Create or reactivate a user; return it and whether it is new."""
        for attempt in range(2):
            try:
                async with self.writing() as db:
                    row = await db.get(User, user_id)
                    created = row is None
                    if row is None:
                        row = User(
                            id=user_id,
                            chat_id=chat_id,
                            first_name=first_name[:128],
                            language_code=language_code,
                            active=True,
                            timezone="UTC",
                            # No nudges until they tell us their zone (see subscription).
                            onboarding=onboarding.encode(onboarding.FIRST_QUESTION),
                            created_at=now,
                            updated_at=now,
                        )
                        db.add(row)
                    else:
                        row.chat_id = chat_id
                        row.first_name = first_name[:128]
                        row.language_code = language_code or row.language_code
                        row.active = True
                        row.updated_at = now
                    await db.flush()
                    return user_record(row), created
            except IntegrityError:
                # Another worker inserted the same user a moment ago: take the update path.
                if attempt:
                    raise
        raise AssertionError("unreachable")

    async def get_user(self, user_id: int) -> UserRecord | None:
        async with self.reading() as db:
            row = await db.get(User, user_id)
            return user_record(row) if row else None

    async def set_active(self, user_id: int, active: bool, now: datetime) -> None:
        """Mark a user (in)active. Inactive users (blocked the bot, /stop) get no nudges."""
        async with self.writing() as db:
            await db.execute(
                update(User).where(User.id == user_id).values(active=active, updated_at=now)
            )
            if not active:
                await db.execute(
                    update(Nudge).where(Nudge.user_id == user_id).values(next_nudge_at=None)
                )

    async def update_user(self, user_id: int, now: datetime, **values: object) -> None:
        """Set user columns (timezone, onboarding, paused_until)."""
        allowed = {"timezone", "onboarding", "paused_until"}
        if set(values) - allowed:
            raise ValueError(f"not a user setting: {sorted(set(values) - allowed)}")
        async with self.writing() as db:
            await db.execute(
                update(User).where(User.id == user_id).values(updated_at=now, **values)
            )

    async def delete_user(self, user_id: int) -> None:
        """Erase every row of a user (cascades to sessions, log and nudges)."""
        async with self.writing() as db:
            await db.execute(delete(User).where(User.id == user_id))
