"""Pictures Telegram already holds for this bot: each is uploaded once, then sent by file_id.

Telegram returns a file_id for every upload, valid for that bot for good; the store keeps it
per (bot, picture key) so a restart or another worker sends by id too. This keeps two more
things per process:

- The ids in memory: they never change once kept, and reading one from the database was a
  query in front of every stretch card.
- One upload per picture at a time. Twenty people sending /stretch at the same moment right
  after a deploy (no file_id known yet) made twenty uploads of the same 124 KB GIF, as no id
  was back when the others sent (tests/test_floor.py); a crowd of 300 would push 37 MB
  through the send path. Now the first sender uploads and the others wait for its id (one
  upload per worker at most).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
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
                # never left out (and this process keeps the new id).
                log.error("picture %s refused by file_id, uploading it: %s", key, exc.message)
                self._ids.pop((bot_id, key), None)
                return await self._upload(bot_id, key, draw, send)
        under_way = self._uploading.get((bot_id, key))
        if under_way is not None:
            got = await asyncio.shield(under_way)
            if got is not None:
                return await send(got)
            return await self._upload(bot_id, key, draw, send)
        done: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        self._uploading[(bot_id, key)] = done
        got = None
        try:
            message = await self._upload(bot_id, key, draw, send)
            got = uploaded_file_id(message)
            return message
        finally:
            done.set_result(got)
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
