"""Bad input, fuzzed: parsers with hypothesis, and a corpus of hostile updates through the bot.

Through the stand-in: random texts (empty, 4096 characters, emoji, right-to-left, control
characters), commands with garbage arguments, forged and foreign callback data, edited
messages, stickers, photos, locations, channel posts and group chats. No unhandled exception,
a reply in private chats, and the database unchanged.
"""

from __future__ import annotations

import logging
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.domain.timeinput import parse_time_of_day
from bot.domain.timezones import is_utc_offset, resolve_zone
from bot.keyboards import parse_nudge_data, parse_routine_data, parse_session_data
from bot.progress import parse_pain_data
from bot.sandbox.emulator import BotApiEmulator
from bot.store.models import Base
from tests.harness import Harness, next_message

ANN = 7001


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_parsers_never_raise(text: str) -> None:
    parse_session_data(text)
    parse_nudge_data(text)
    parse_routine_data(text)
    parse_pain_data(text)
    parse_time_of_day(text)
    resolve_zone(text)
    is_utc_offset(text)


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"s:[0-9]{0,25}:[a-z]{0,8}:[0-9-]{0,12}", fullmatch=True))
def test_forged_session_data_is_parsed_or_refused(data: str) -> None:
    parsed = parse_session_data(data)
    if parsed is not None:
        assert parsed.session_id >= 0 and parsed.version >= 0


def corpus(seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    alphabet = "aé漢😀\u202e\u200fשׁلا\x00\x07\t\n /:@#"
    texts = [
        "x" * 4096,
        "😀" * 1000,
        "\u202eevil right-to-left",
        "שלום עולם",
        "\x00\x01\x02 control",
        "/stretch " + "a" * 3000,
        "/stretch ../../etc/passwd",
        "/timezone " + "🙂" * 50,
        "/morning 99:99:99",
        "/bedtime -1",
        "/pause 999999999999999999999",
        "/pause -3",
        "/resume now please",
        "/start " + "x" * 200,
        "/stats extra args",
        "/export ; DROP TABLE users",
        "/deletedata please",
        "/unknown@limber_test_bot",
        "/",
    ]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 60))) for _ in range(20)]
    return texts


FORGED = [
    "s:1:ready:1",
    "s:999999999999999999:stop:1",
    "s:abc:ready:1",
    "s:1:explode:1",
    "n:go:midnight",
    "n:snooze:morning:7",
    "p:20261301:5",
    "p:20261124:11",
    "tz:Mars/Olympus",
    "tm:morning:9999",
    "st:nothing",
    "del:yes:1",
    "r:nosuch",
    "x" * 64,
]


async def snapshot(bot: Harness) -> dict[str, list[tuple[object, ...]]]:
    out = {}
    async with bot.services.store.reading() as db:
        for table in Base.metadata.sorted_tables:
            rows = (await db.execute(select(table))).all()
            # Timestamps of "updated_at" move on harmless upserts; compare the rest.
            out[table.name] = sorted(
                tuple(v for k, v in row._mapping.items() if k != "updated_at") for row in rows
            )
    return out


async def test_hostile_updates_get_replies_and_change_nothing(
    emu: BotApiEmulator, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    bot = Harness(emu, sqlite_url)
    await bot.start()
    try:
        emu.send_text(ANN, "/start")
        await next_message(emu, ANN, 1)
        emu.send_text(ANN, "Berlin")  # set up, so free text is not an answer to a question
        await next_message(emu, ANN, 3)
        emu.send_text(ANN, "/settings")  # and out of the "awaiting" state
        await emu.settled(quiet=0.3)
        from bot.store.models import User

        async with bot.services.store.writing() as db:
            from sqlalchemy import update

            await db.execute(update(User).where(User.id == ANN).values(onboarding=None))
        before = await snapshot(bot)
        caplog.set_level(logging.ERROR)
        replies_before = len(emu.messages(ANN))
        sent = 0
        for text in corpus():
            if text.startswith(("/start", "/deletedata", "/stats", "/export", "/pause", "/resume")):
                continue  # commands that legitimately change state are checked elsewhere
            emu.send_text(ANN, text)
            sent += 1
        target = next(m for m in reversed(emu.messages(ANN)) if emu.buttons(m))
        for data in FORGED:
            emu.press(ANN, target.message_id, data=data)
        emu.send_sticker(ANN)
        emu.send_photo(ANN)
        emu.edit_text(ANN, 1, "edited")
        emu.channel_post(-100123, "a channel post")
        emu.send_text(ANN, "/stretch", chat_id=-42, chat_type="group")
        emu.send_text(ANN, "/stretch", chat_id=-42, chat_type="group")
        await emu.settled(quiet=1.0, timeout=60)
        answered = [c for c in emu.calls if c.method == "answerCallbackQuery"]
        assert len(answered) >= len(FORGED)  # every forged press got a short answer
        errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert not errors, [r.getMessage() for r in errors]
        # Every private message got a reply (stickers and photos included).
        assert len(emu.messages(ANN)) - replies_before >= sent + 2
        assert len(emu.messages(-42)) == 1  # one note in the group, then silence
        after = await snapshot(bot)
        assert after == before
    finally:
        await bot.stop()
