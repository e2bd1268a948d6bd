"""Pictures Telegram already holds for this bot: each is uploaded once, then sent by file_id.

Telegram returns a file_id for every upload, valid for that bot for good; the store keeps it
per (bot, picture key) so a restart or another worker sends by id too. This keeps two more
things per process:

- The ids in memory: they never change once kept, and reading one from the database was a
  query in front of every stretch card.
- One upload per picture at a time. Twenty people sending /stretch at the same moment right
  after a deploy (no file_id known yet) made twenty uploads of the same 124 KB GIF, as no id
  was back when the others sent (tests/sessions/test_floor.py); a crowd of 300 would push 37 MB
  through the send path. Now the first sender uploads and the others wait for its id (one
  upload per worker at most).

A stretch card never waits on an upload (issue 29: Telegram answering 500 to uploads for 20 s
left 5 of 5 people without their card, straight into "Hold"; uploads answered after the 5 s
read timeout started the hold 11 s late, and a second copy of the card came after it). So a
card's picture is uploaded alone (`upload_alone`: no caption, no buttons, in a task of its
own) and the card follows as text; a late upload that lands after all is a picture, never a
second card. Once the id is back, cards go as the picture with the card as its caption.
A file_id Telegram refuses is dropped from the store too, so the next upload replaces it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from telegram import InputFile, Message
from telegram.error import BadRequest

from bot.store.repo import Store

log = logging.getLogger(__name__)

Send = Callable[[InputFile | str], Awaitable[Message]]
Draw = Callable[[], Awaitable[InputFile]]


def uploaded_file_id(message: Message) -> str | None:
    """The file_id Telegram gave the picture in `message` (the largest size of a photo)."""
    if message.animation is not None:
        return message.animation.file_id
    if message.document is not None:
        return message.document.file_id
    if message.photo:
        return message.photo[-1].file_id
    return None


@dataclass(frozen=True, slots=True)
class Pending:
    """A picture being uploaded alone: its file_id once done (None if it failed), when it
    was drawn (a card's wait for Telegram starts then), and whether this caller started it."""

    done: asyncio.Future[str | None]
    drawn: asyncio.Event
    mine: bool


def _drawn(picture: InputFile) -> Draw:
    async def again() -> InputFile:
        return picture

    return again


class PictureUploads:
    """Sends pictures by file_id once Telegram has one, uploading each at most once at a
    time in this process."""

    def __init__(self, store: Store, now: Callable[[], datetime]) -> None:
        self.store = store
        self.now = now
        self._ids: dict[tuple[int, str], str] = {}
        # The upload under way per picture: its file_id when it is done, None if it failed.
        self._uploading: dict[tuple[int, str], asyncio.Future[str | None]] = {}
        self.uploads = 0  # uploads made by this process (for tests and metrics)
        self._tasks: set[asyncio.Task[None]] = set()  # uploads of pictures sent alone
        self._alone: dict[tuple[int, str], Pending] = {}

    async def file_id(self, bot_id: int, key: str) -> str | None:
        """The file_id of the picture `key` for this bot, if it was uploaded."""
        known = self._ids.get((bot_id, key))
        if known is None:
            known = await self.store.file_id_of(bot_id, key)
            if known is not None:
                self._ids[(bot_id, key)] = known
        return known

    async def send(self, bot_id: int, key: str, draw: Draw, send: Send) -> Message:
        """Send the picture by its file_id, or upload it (drawn by `draw`) and keep the id.
        Errors from `send` propagate. While one upload is under way the others wait for its
        id; if it fails they each upload at once (Telegram slow or refusing: waiting in line
        behind one another would hold every card up by a whole timeout each)."""
        known = await self.file_id(bot_id, key)
        if known is not None:
            try:
                return await send(known)
            except BadRequest as exc:
                # A file_id Telegram no longer takes: uploaded again, so the picture is
                # never left out (and the new id replaces it, here and in the store).
                await self.refused(bot_id, key, known, exc)
                return await self._upload(bot_id, key, draw, send)
        under_way = self._uploading.get((bot_id, key))
        if under_way is not None:
            got = await asyncio.shield(under_way)
            if got is not None:
                return await send(got)
            return await self._upload(bot_id, key, draw, send)
        done = self._start(bot_id, key)
        got = None
        try:
            message = await self._upload(bot_id, key, draw, send)
            got = uploaded_file_id(message)
            return message
        finally:
            self._finish(bot_id, key, done, got)

    async def refused(self, bot_id: int, key: str, file_id: str, exc: BadRequest) -> None:
        """Telegram refused the kept file_id: forget it here and in the store (another
        worker, or this one after a restart, would otherwise try it again every time)."""
        log.warning("picture %s refused by file_id, uploading it again: %s", key, exc.message)
        self._ids.pop((bot_id, key), None)
        try:
            await self.store.forget_file_id(bot_id, key, file_id)
        except Exception as exc2:  # the next refusal forgets it then
            log.warning("refused file_id of picture %s not dropped: %s", key, type(exc2).__name__)

    def upload_alone(self, bot_id: int, key: str, draw: Draw, send: Send) -> Pending:
        """The upload of the picture under way, started now (by `send`, in a task of its
        own) if none is. The caller waits for it as long as it likes; the upload goes on
        regardless, so its picture arrives late rather than twice."""
        under_way = self._alone.get((bot_id, key))
        if under_way is not None and not under_way.done.done():
            return dataclasses.replace(under_way, mine=False)
        pending = Pending(self._start(bot_id, key), asyncio.Event(), mine=True)
        self._alone[(bot_id, key)] = pending

        async def upload() -> None:
            got = None
            try:
                picture = await draw()
                pending.drawn.set()
                got = uploaded_file_id(await self._upload(bot_id, key, _drawn(picture), send))
            except Exception as exc:  # Telegram down or slow: the card went as text
                log.warning("picture %s not uploaded (%s: %s)", key, type(exc).__name__, exc)
            finally:
                pending.drawn.set()
                self._finish(bot_id, key, pending.done, got)

        task = asyncio.create_task(upload())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return pending

    async def close(self) -> None:
        """Cancel the uploads still under way (at shutdown)."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _start(self, bot_id: int, key: str) -> asyncio.Future[str | None]:
        done: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        self._uploading[(bot_id, key)] = done
        return done

    def _finish(
        self, bot_id: int, key: str, done: asyncio.Future[str | None], got: str | None
    ) -> None:
        if not done.done():
            done.set_result(got)
        if self._uploading.get((bot_id, key)) is done:
            del self._uploading[(bot_id, key)]

    async def _upload(self, bot_id: int, key: str, draw: Draw, send: Send) -> Message:
        message = await send(await draw())
        self.uploads += 1
        got = uploaded_file_id(message)
        if got is not None:
            self._ids[(bot_id, key)] = got
            try:
                await self.store.remember_file_id(bot_id, key, got, self.now())
            except Exception as exc:  # the card is out: a lost id only costs a later upload
                log.warning("file_id of picture %s not kept: %s", key, type(exc).__name__)
        return message
