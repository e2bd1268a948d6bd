"""/deletedata erases every row of the user; the token never reaches a log, at any level."""

from __future__ import annotations

import io
import logging
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from bot import logs, texts
from bot.sandbox.emulator import BotApiEmulator
from bot.store.models import Base
from tests.harness import Harness, next_message

ANN, BOB = 6001, 6002


async def rows_of(bot: Harness, user_id: int) -> dict[str, int]:
    """Rows mentioning the user, in every table of the schema."""
    counts = {}
    async with bot.services.store.reading() as db:
        for table in Base.metadata.sorted_tables:
            column = table.c.get("user_id")
            if column is None:
                column = table.c.get("id") if table.name == "users" else None
            if column is None:
                continue
            counts[table.name] = int(
                await db.scalar(select(func.count()).select_from(table).where(column == user_id))
                or 0
            )
    return counts


@pytest.mark.slow  # over ~2.5 s of real waiting (--durations)
async def test_deletedata_erases_every_row_after_confirmation(
    emu: BotApiEmulator, bot: Harness
) -> None:
    for uid in (ANN, BOB):
        emu.send_text(uid, "/start")
        await next_message(emu, uid, 1)
        emu.send_text(uid, "/stretch single")
        intro = await next_message(emu, uid, 2)
        emu.press(uid, intro.message_id, text=texts.BUTTON_READY)
        await next_message(emu, uid, 4)  # done
    await bot.services.store.record_pain(ANN, date(2026, 11, 24), 4, datetime.now(UTC))
    before = await rows_of(bot, ANN)
    assert before["users"] == 1 and before["sessions"] >= 1 and before["session_log"] >= 1
    assert before["nudges"] == 3 and before["pain_reports"] == 1  # morning, bedtime, weekly

    emu.send_text(ANN, "/deletedata")
    confirm = await emu.wait_for_message(ANN, "cannot be undone")
    # Someone else's press on it changes nothing.
    emu.press(BOB, confirm.message_id, text=texts.BUTTON_DELETE, chat_id=ANN)
    await emu.settled(quiet=0.3)
    assert await rows_of(bot, ANN) == before
    emu.press(ANN, confirm.message_id, text=texts.BUTTON_DELETE)
    await emu.wait_for(lambda: confirm.text == texts.DELETED)
    assert set((await rows_of(bot, ANN)).values()) == {0}
    assert (await rows_of(bot, BOB))["users"] == 1  # nobody else's data


@pytest.mark.slow  # over ~2.5 s of real waiting (--durations)
async def test_the_token_never_appears_in_logs_even_at_debug(
    emu: BotApiEmulator, sqlite_url: str
) -> None:
    root = logging.getLogger()
    saved = (root.level, list(root.handlers))
    sink = io.StringIO()
    capture = logging.StreamHandler(sink)
    capture.setLevel(logging.DEBUG)
    try:
        logs.configure("DEBUG", emu.token)
        root.addHandler(capture)  # added after configure: it has no redaction filter of its own
        bot = Harness(emu, sqlite_url)
        await bot.start()
        try:
            emu.send_text(ANN, "/stretch single")
            intro = await next_message(emu, ANN, 1)
            emu.press(ANN, intro.message_id, text=texts.BUTTON_READY)
            await next_message(emu, ANN, 3)
            emu.fail_next("sendMessage", error_code=500)  # errors are logged too
            emu.send_text(ANN, "/help")
            await emu.settled(quiet=0.5)
        finally:
            await bot.stop()
    finally:
        root.removeHandler(capture)
        root.setLevel(saved[0])
    text = sink.getvalue()
    assert "DEBUG" in text or len(text) > 1000  # the capture did see the bot's logging
    secret = emu.token.split(":", 1)[1]
    assert secret not in text


def test_the_redaction_filter_masks_a_token_in_a_message_and_a_traceback() -> None:
    sink = io.StringIO()
    handler = logging.StreamHandler(sink)
    logger = logging.getLogger("limber.test.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    logs.install_redaction("123:SECRET-VALUE", [handler])
    logger.error("url https://api.telegram.org/bot%s/getMe", "123:SECRET-VALUE")
    try:
        raise RuntimeError("failed calling /bot123:SECRET-VALUE/sendMessage")
    except RuntimeError:
        logger.exception("boom")
    assert "SECRET-VALUE" not in sink.getvalue()
    assert logs.REDACTED in sink.getvalue()
