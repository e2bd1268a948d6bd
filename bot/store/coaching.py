"""The store's part for sessions on the floor: how a user's sessions run (/settings), the
next-day question after "This hurts", and the file_ids of uploaded pictures."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from bot.store.models import PictureUpload, User
from bot.store.transactions import Transactions

# What `set_session_prefs` leaves unchanged (None is a value there: the routine's hold).
KEEP = object()


class Coaching(Transactions):
    async def set_session_prefs(
        self,
        user_id: int,
        now: datetime,
        *,
        hands_free: bool | None = None,
        hold_seconds: int | object | None = KEEP,
        pace: str | None = None,
    ) -> None:
        """Change how the user's next sessions run (the one under way keeps its own)."""
        values: dict[str, object] = {"updated_at": now}
        if hands_free is not None:
            values["hands_free"] = hands_free
        if hold_seconds is not KEEP:
            values["hold_seconds"] = hold_seconds
        if pace is not None:
            values["pace"] = pace
        async with self.writing() as db:
            await db.execute(update(User).where(User.id == user_id).values(**values))

    async def schedule_pain_check(self, user_id: int, at: datetime | None) -> None:
        """Ask how the back is at `at` (None: don't)."""
        async with self.writing() as db:
            await db.execute(update(User).where(User.id == user_id).values(pain_check_at=at))

    async def pain_check_at(self, user_id: int) -> datetime | None:
        """When the user's next pain check is due (the sandbox's `:nudge` stops there)."""
        async with self.reading() as db:
            found = await db.scalar(select(User.pain_check_at).where(User.id == user_id))
            return found if isinstance(found, datetime) else None

    async def claim_pain_checks(self, now: datetime, limit: int = 200) -> list[tuple[int, int]]:
        """(user id, chat id) of the users whose check is due, each claimed once (the column
        is cleared by a compare-and-set, so two workers never ask twice)."""
        async with self.reading() as db:
            rows = (
                await db.execute(
                    select(User.id, User.chat_id, User.pain_check_at)
                    .where(User.pain_check_at <= now, User.active.is_(True))
                    .order_by(User.pain_check_at)
                    .limit(limit)
                )
            ).all()
        claimed: list[tuple[int, int]] = []
        for user_id, chat_id, due in rows:
            async with self.writing() as db:
                result = await db.execute(
                    update(User)
                    .where(User.id == user_id, User.pain_check_at == due)
                    .values(pain_check_at=None)
                )
                if result.rowcount == 1:  # type: ignore[attr-defined]
                    claimed.append((user_id, chat_id))
        return claimed

    async def file_id_of(self, bot_id: int, picture_key: str) -> str | None:
        """The file_id this bot got when it uploaded the picture, if it did."""
        async with self.reading() as db:
            found = await db.scalar(
                select(PictureUpload.file_id).where(
                    PictureUpload.bot_id == bot_id, PictureUpload.picture_key == picture_key
                )
            )
            return str(found) if found is not None else None

    async def remember_file_id(
        self, bot_id: int, picture_key: str, file_id: str, now: datetime
    ) -> None:
        """Keep the file_id of a picture just uploaded; the first one kept wins (two sessions
        uploading at once both got valid ids)."""
        try:
            async with self.writing() as db:
                if await db.get(PictureUpload, (bot_id, picture_key)) is None:
                    db.add(
                        PictureUpload(
                            bot_id=bot_id, picture_key=picture_key, file_id=file_id, created_at=now
                        )
                    )
        except IntegrityError:
            pass  # another worker kept one first: either id works

    async def forget_file_id(self, bot_id: int, picture_key: str, file_id: str) -> None:
        """Drop a file_id Telegram refused, so the next upload's id replaces it. Only that id:
        a fresh one another worker kept meanwhile stays (issue 29: the refused id stayed, and
        every restart and every worker tried it again, logged an ERROR and uploaded)."""
        async with self.writing() as db:
            await db.execute(
                delete(PictureUpload).where(
                    PictureUpload.bot_id == bot_id,
                    PictureUpload.picture_key == picture_key,
                    PictureUpload.file_id == file_id,
                )
            )
