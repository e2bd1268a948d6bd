"""Bad input, fuzzed: parsers with hypothesis, hostile updates through the running bot.

Three layers. The parsers get random text. A fixed corpus of hostile updates goes through the
stand-in. And hypothesis drives the running bot itself (`test_fuzzed_updates_...`): random texts
(empty, 4096 characters, emoji, right-to-left, control characters), every command with garbage
arguments, forged callback data, presses on another user's live session, presses on messages
Telegram no longer shows, edited messages, media, locations, channel posts and group chats.
No unhandled exception; a reply to every private message; in a group at most one answer a
command, nothing in a channel; an answer to every press; and the database unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import random
import threading
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from telegram import Update
from telegram.ext import ApplicationHandlerStop, CallbackContext, TypeHandler

from bot.app import COMMANDS
from bot.clock import MovableClock
from bot.domain.nudge_rules import BEDTIME, MORNING
from bot.domain.timeinput import parse_time_of_day
from bot.keyboards import NudgePress, PainPress, RoutinePress, SessionPress, families
from bot.places.zones import is_utc_offset, resolve_zone, zone_from_location
from bot.routines import load_routines
from bot.sandbox.emulator import BotApiEmulator
from bot.store.models import Base
from tests.conftest import SHARED_SPEC
from tests.harness import QUICK_ROUTINES, Harness, next_message

ANN = 7001


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_parsers_never_raise(text: str) -> None:
    for family in families():
        family.unpack(text)
    parse_time_of_day(text)
    resolve_zone(text)
    is_utc_offset(text)


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"s:[0-9]{0,25}:[a-z]{0,8}:[0-9-]{0,12}", fullmatch=True))
def test_forged_session_data_is_parsed_or_refused(data: str) -> None:
    parsed = SessionPress.unpack(data)
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


# Not anyone's state: the file_ids Telegram gave pictures the bot drew. Whichever input first
# shows a picture (a /reach, a stretch card) uploads it and keeps its id.
CACHES = {"picture_uploads"}


async def snapshot(bot: Harness) -> dict[str, list[tuple[object, ...]]]:
    out = {}
    async with bot.services.store.reading() as db:
        for table in Base.metadata.sorted_tables:
            if table.name in CACHES:
                continue
            rows = (await db.execute(select(table))).all()
            # Timestamps of "updated_at" move on harmless upserts; compare the rest.
            out[table.name] = sorted(
                tuple(v for k, v in row._mapping.items() if k != "updated_at") for row in rows
            )
    return out


@pytest.mark.slow  # over ~2.5 s of real waiting (--durations)
async def test_hostile_updates_get_replies_and_change_nothing(
    emu: BotApiEmulator, bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
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
        if sent % 10 == 0:
            # In tens: more at once from one chat is a flood, cut short (bot/flood.py).
            await emu.wait_for(
                lambda n=replies_before + sent: len(emu.messages(ANN)) >= n, timeout=30
            )
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


# Hypothesis driving the running bot -------------------------------------------------------------
#
# The bot and the stand-in run once, on an event loop in a thread of their own (hypothesis calls a
# sync test many times; pytest-asyncio cannot run an async one under @given). Each example is a
# plan of many inputs pushed at once, then one wait until every update has been handled, which
# keeps a thousand inputs within half a minute. Derandomized: CI fuzzes the same inputs.
#
# Replies are told apart by chat: the fuzzed users are pools of real users in four states (set
# up; asked for their time zone; asked for their morning time; never seen), and an example gives
# each user at most one private input, so "every message gets a reply" is checked per message.
#
# Inputs that legitimately change state are left out by the strategies (`_changes_state`,
# `_press_changes_state`) rather than compared around: a forged `tz:Europe/Berlin` or a
# `/timezone Berlin` drawn by chance is a valid request, and every other row must stay as it
# was. The oracles are conservative (an `int()` that might read as a number of days counts as
# valid) and ask the bot's own parsers, which `test_parsers_never_raise` covers; what they
# check here is that the handlers agree with their parsers and that the rest stays untouched.
# Two rules are the bot's own: a location only answers the time-zone question, and a button on
# a message the bot can no longer see (date 0) is refused.

BOT_USERNAME = "limber_test_bot"
FROZEN_AT = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
LIBRARY = load_routines(QUICK_ROUTINES)

IDLE, ASK_ZONE, ASK_TIME, STRANGER = "idle", "ask-zone", "ask-time", "stranger"
POOLS: dict[str, tuple[int, ...]] = {
    IDLE: tuple(range(91_000, 91_010)),  # set up: zone and both nudge times
    ASK_ZONE: tuple(range(92_000, 92_005)),  # after /start: typed text is read as a zone
    ASK_TIME: tuple(range(93_000, 93_005)),  # zone given: typed text is read as a time
    STRANGER: tuple(range(94_000, 94_005)),  # never sent /start
}
SETUP = {
    IDLE: ["/start", "Berlin", "7:30", "22:00"],
    ASK_ZONE: ["/start"],
    ASK_TIME: ["/start", "Berlin"],
    STRANGER: [],
}
BOB = 95_000  # has a live session whose buttons the others press
EDITOR = 96_000  # set up; the edited messages are his
SENTINEL = 97_000  # a stranger whose /help closes every example
COMMAND_NAMES = [c.command for c in COMMANDS]

# Characters that break naive code: bidi controls, right-to-left scripts, emoji sequences,
# control characters and odd spaces, digits that are not ASCII (int() reads some of them and
# str.isdigit() accepts more), compatibility forms, and the delimiters of commands and data.
SPECIALS = [
    *"\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
    *"שלוםمرحباܐ",
    "😀",
    "👍🏽",
    "👨\u200d👩\u200d👧",
    "🇩🇪",
    "🧘",
    "\ufe0f",
    "\u200d",
    *"\x00\x01\x07\x1b\x7f\t\n\r\x0b\x0c\x1c\x85\u2028\u2029",
    *"\u00a0\u3000\u200b\ufeff",
    *"²³½٣٧७７𝟕①",
    "e\u0301",
    *"\u0301Ⅻﬁßİ",
    *":/@_-+. 0159amph",
]
ATOM = st.one_of(st.sampled_from(SPECIALS), st.characters())
LONG_UNITS = ["x", "😀", "ש", "\u202e", "\x00", "/", " ", "a ", "👨\u200d👩\u200d👧", "e\u0301"]


def garbage(max_size: int = 40) -> st.SearchStrategy[str]:
    return st.lists(ATOM, max_size=max_size).map("".join)


LONG = st.tuples(st.sampled_from(LONG_UNITS), st.integers(1000, 4096)).map(
    lambda t: (t[0] * t[1])[:4096]
)
BLANK = st.sampled_from(["", " ", "\n\n", "\t\u3000\u00a0", "\u200b", "\x00", "\u200f", "\ufeff"])
PHRASES = st.sampled_from(
    [
        "שלום עולם",
        "مرحبا بالعالم",
        "\u202eevil right-to-left",
        "Berlin\u202e",
        "7:30\u200f",
        "\u2067ברלין\u2069",
        "Mars/Olympus",
        "UTC+5:30",
        "25:99",
        "13pm",
        "'; DROP TABLE users; --",
        "%s%n{0}\\",
        "🧘" * 50,
    ]
)
TEXT = st.one_of(garbage(), LONG, BLANK, PHRASES)
# Near misses of what each command and button expects: numbers in other scripts (int() reads
# "٣" and "７"; str.isdigit() also passes "²", which int() refuses), times, zones and routine
# names with a character too many. Blind garbage rarely gets past the first check.
DIGITS = st.text(alphabet="0123456789²³①٣७７𝟕", min_size=1, max_size=3)
NUMBER = st.one_of(
    DIGITS,
    DIGITS,
    st.builds("".join, st.tuples(st.sampled_from(["-", "+", " ", "0", "1_"]), DIGITS)),
    st.sampled_from(["-1", "0", "61", "1e3", "7 8", "5_0", "9" * 20, "NaN", "½"]),
)
NOISE = st.one_of(st.just(""), st.sampled_from(SPECIALS), garbage(3))
TIME = st.builds(
    lambda h, sep, m, tail, noise: f"{h}{sep}{m}{tail}{noise}",
    DIGITS,
    st.sampled_from([":", ".", "h", " ", "", "::"]),
    st.one_of(DIGITS, st.just("")),
    st.sampled_from(["", "am", "pm", "h", "a.m.", " PM", "pm!"]),
    NOISE,
)
ZONE = st.builds(
    lambda zone, noise, where: zone[:where] + noise + zone[where:],
    st.sampled_from(["Europe/Berlin", "Berlin", "America/New_York", "UTC", "Mars/Olympus"]),
    NOISE,
    st.integers(0, 16),
)
ROUTINE = st.builds(
    lambda name, noise: name + noise, st.sampled_from(["quick", "single", "QUICK", "desk"]), NOISE
)
NEAR_ARGS: dict[str, st.SearchStrategy[str]] = {
    "pause": NUMBER,
    MORNING: TIME,
    BEDTIME: TIME,
    "timezone": st.one_of(ZONE, st.sampled_from(["UTC+5:30", "GMT-3", "+02:00", "-１"])),
    "stretch": ROUTINE,
}
ARGS = st.one_of(garbage(), LONG, NUMBER, TIME, ZONE, PHRASES)
KNOWN_NAME = st.sampled_from(COMMAND_NAMES)
COMMAND_NAME = st.one_of(
    KNOWN_NAME,  # weighted: one_of picks its branches evenly
    KNOWN_NAME,
    KNOWN_NAME,
    KNOWN_NAME.map(str.upper),
    garbage(12),
)
SUFFIX = st.sampled_from(["", "", "", f"@{BOT_USERNAME}", "@LIMBER_TEST_BOT", "@other_bot", "@"])
SEPARATOR = st.sampled_from([" ", "  ", "\n", "\t", "\u3000"])
COMMAND = COMMAND_NAME.flatmap(
    lambda name: st.builds(
        lambda suffix, sep, args: f"/{name}{suffix}{sep}{args}",
        SUFFIX,
        SEPARATOR,
        st.one_of(*[NEAR_ARGS.get(name.lower(), ARGS)] * 3, ARGS),
    )
)
# In a group any command is fair: none may change anything there (a non-admin's
# /deskbreak or /deletedata is refused: the fuzzer's groups have no admins).
ANY_COMMAND = st.one_of(
    COMMAND,
    st.sampled_from(
        ["/start", "/stop", "/stretch", "/deletedata", "/timezone Berlin", "/pause 3", "/"]
    ),
)
MEDIA_KINDS = ["sticker", "photo", "document", "voice", "dice", "contact"]
LATITUDE = st.one_of(st.floats(-90, 90), st.sampled_from([90.0, -90.0, 0.0, 91.0, -1e9]))
LONGITUDE = st.one_of(st.floats(-180, 180), st.sampled_from([180.0, -180.0, 0.0, 181.0, 1e9]))


@dataclass(frozen=True)
class Say:
    """One message from a user: text (a command if it starts with /), media or a location."""

    kind: str = "text"
    text: str = ""  # the text, or the caption of a photo or document
    latitude: float = 0.0
    longitude: float = 0.0


@dataclass(frozen=True)
class Press:
    """A button press by pool user `presser` on `where`: the presser's latest message from the
    bot ("own"), a message Telegram no longer shows ("gone", date 0), or Bob's session message
    ("bob"). `data` is forged, or with `bob` set, Bob's real data with (action, version offset).
    """

    pool: str
    index: int
    where: str
    data: str = ""
    bob: tuple[str, int] | None = None


@dataclass(frozen=True)
class Plan:
    private: dict[str, tuple[Say, ...]] = field(default_factory=dict)  # pool -> one per user
    presses: tuple[Press, ...] = ()
    group_type: str = "group"
    group: tuple[tuple[int, Say], ...] = ()  # (sender, message), all in one fresh group
    channel: tuple[str, ...] = ()
    edits: tuple[str, ...] = ()


def _safe(check: Callable[[], object]) -> bool:
    """An oracle that raises says "invalid": the input goes to the bot, which must cope."""
    try:
        return bool(check())
    except Exception:
        return False


def _could_be_days(args: list[str]) -> bool:
    if len(args) != 1:
        return False
    try:
        return 1 <= int(args[0]) <= 60
    except ValueError:
        return False


def _command_changes_state(pool: str, text: str) -> bool:
    token, *args = text.split()
    # As PTB reads it: the command and the bot it is addressed to (none: this bot).
    parts = [*token[1:].split("@"), BOT_USERNAME]
    if parts[1].lower() != BOT_USERNAME:
        return False  # for another bot: "unknown command"
    name, joined = parts[0].lower(), " ".join(args)
    known = pool != STRANGER
    if name == "stretch":
        return not args or LIBRARY.get(joined) is not None  # a session (and a user) begins
    if name == "start":
        return not known  # subscribes; for a known user it only greets again
    if name == "stop":
        return known
    if name == "timezone":
        return known and (not args or resolve_zone(joined) is not None)
    if name in (MORNING, BEDTIME):
        return known and (not args or parse_time_of_day(joined) is not None)
    if name == "pause":
        return known and (not args or _could_be_days(args))
    return False


def _changes_state(pool: str, say: Say) -> bool:
    """Whether `say` is a valid request from a user of `pool` (left out: see above)."""
    if say.kind in ("location", "venue"):
        # A location answers the time-zone question; asked nothing, it changes nothing.
        return pool == ASK_ZONE and zone_from_location(say.latitude, say.longitude) is not None
    if say.kind != "text":
        return False
    if say.text.startswith("/"):
        return _command_changes_state(pool, say.text)
    if pool == ASK_ZONE:
        return resolve_zone(say.text) is not None
    if pool == ASK_TIME:
        return parse_time_of_day(say.text) is not None
    return False


def _press_changes_state(data: str, pool: str, user_id: int, where: str) -> bool:
    known = pool != STRANGER
    parts = data.split(":")
    kinds = (MORNING, BEDTIME)
    if data.startswith("r:"):
        pressed = RoutinePress.unpack(data)
        return pressed is not None and LIBRARY.get(pressed.routine_id) is not None
    if where == "gone":
        return False  # a button on a message the bot can no longer see is refused
    if data.startswith("del:"):
        # Anyone's own confirmation acts, even with nothing to erase; "no" edits: left out too.
        return data in (f"del:yes:{user_id}", f"del:no:{user_id}")
    if not known:
        return False
    if data.startswith("n:"):
        return NudgePress.unpack(data) is not None
    if data.startswith("tz:"):
        return _safe(lambda: resolve_zone(data[3:]) is not None)
    if data.startswith("tm:"):
        if len(parts) != 3 or parts[1] not in kinds:
            return False
        digits = parts[2]
        return digits == "off" or (
            len(digits) == 4 and _safe(lambda: parse_time_of_day(f"{digits[:2]}:{digits[2:]}"))
        )
    if data.startswith("st:"):
        return (parts[1:] == ["tz"]) or (
            len(parts) == 3 and parts[1] in ("time", "on", "off") and parts[2] in kinds
        )
    if data.startswith("p:"):
        return PainPress.unpack(data) is not None
    return False  # session data: no fuzzed user has a session of their own


def _cut64(data: str) -> str:
    """Callback data is 1-64 bytes of UTF-8."""
    return data.encode()[:64].decode(errors="ignore")


ALL_IDS = [str(u) for users in POOLS.values() for u in users]
ACTION = st.sampled_from(["ready", "pause", "resume", "skip", "stop", "hurt", "timer", "READY"])
KIND = st.one_of(st.sampled_from([MORNING, BEDTIME, "Morning", "noon"]), garbage(4))
FIELD = st.one_of(garbage(12), NUMBER, st.sampled_from(["", "on", "off", "yes", "no", "tz"]))


def _data(*parts: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(*parts).map(":".join)


FORGED_DATA = st.one_of(
    _data(st.just("s"), NUMBER, ACTION, NUMBER),
    _data(st.just("s"), NUMBER, ACTION, NUMBER),
    _data(st.just("s"), FIELD, st.one_of(ACTION, FIELD), FIELD, FIELD),
    _data(st.just("r"), st.one_of(ROUTINE, FIELD)),
    _data(st.just("n"), st.sampled_from(["go", "snooze", "skip", "later"]), KIND),
    _data(st.just("n"), st.just("snooze"), KIND, NUMBER),
    _data(st.just("tz"), st.one_of(ZONE, FIELD)),
    _data(st.just("tm"), KIND, st.one_of(NUMBER, TIME, FIELD)),
    _data(st.just("st"), st.sampled_from(["tz", "time", "on", "off", "menu"]), KIND),
    _data(st.just("st"), FIELD),
    _data(st.just("del"), st.sampled_from(["yes", "no", "YES"]), st.sampled_from(ALL_IDS)),
    _data(st.just("del"), FIELD, FIELD),
    _data(
        st.just("p"),
        st.one_of(st.just("20261124"), st.sampled_from(["20261301", "2026112", "١٢"]), NUMBER),
        NUMBER,
    ),
    _data(
        st.just("p"),
        st.one_of(st.just("20261124"), st.sampled_from(["20261301", "2026112", "١٢"]), NUMBER),
        NUMBER,
    ),
    st.builds(
        lambda p, fs: ":".join([p, *fs]),
        st.sampled_from(["x", "", "S", "s ", "tz ", "P"]),
        st.lists(FIELD, max_size=4),
    ),
    garbage(64),
    LONG,
).map(_cut64)
REAL_DATA = [
    *["tz:Europe/Berlin", "tm:morning:0730", "tm:bedtime:off", "st:tz", "st:time:morning"],
    *["st:off:bedtime", "n:go:morning", "n:skip:bedtime", "n:snooze:morning:15", "p:20261124:3"],
    *["del:yes:{me}", "del:no:{me}"],
]
BOB_DATA = st.one_of(
    st.sampled_from([("ready", 0), ("skip", 0), ("stop", 0)]),  # his buttons as they are
    st.tuples(
        st.sampled_from(["ready", "pause", "resume", "skip", "stop", "hurt"]), st.integers(-2, 2)
    ),
)


@st.composite
def presses(draw: st.DrawFn) -> Press:
    pool = draw(st.sampled_from(list(POOLS)))
    index = draw(st.integers(0, len(POOLS[pool]) - 1))
    where = draw(st.sampled_from(["own", "own", "gone", "bob"]))
    if draw(st.integers(0, 2)) == 0 or (where == "bob" and draw(st.booleans())):
        return Press(pool, index, where, bob=draw(BOB_DATA))
    user_id = POOLS[pool][index]
    if where == "gone" and draw(st.booleans()):
        # Real buttons, pressed on a message the bot can no longer see: refused, not acted on
        # (the message could not be edited afterwards).
        return Press(pool, index, where, draw(st.sampled_from(REAL_DATA)).format(me=user_id))
    data = draw(
        FORGED_DATA.filter(lambda d: bool(d) and not _press_changes_state(d, pool, user_id, where))
    )
    return Press(pool, index, where, data)


def says(pool: str) -> st.SearchStrategy[Say]:
    return st.one_of(
        st.builds(Say, text=TEXT),
        st.builds(Say, text=COMMAND),
        st.builds(Say, text=COMMAND),
        st.builds(Say, kind=st.sampled_from(MEDIA_KINDS), text=st.one_of(BLANK, TEXT, COMMAND)),
        st.builds(
            Say, kind=st.sampled_from(["location", "venue"]), latitude=LATITUDE, longitude=LONGITUDE
        ),
    ).filter(lambda say: not _changes_state(pool, say))


GROUP_SAY = st.one_of(
    st.builds(Say, text=ANY_COMMAND),
    st.builds(Say, text=TEXT),
    st.builds(Say, kind=st.sampled_from(MEDIA_KINDS)),
    st.builds(Say, kind=st.just("location"), latitude=LATITUDE, longitude=LONGITUDE),
)
EVERYONE = [u for users in POOLS.values() for u in users]

PLANS = st.builds(
    Plan,
    private=st.fixed_dictionaries(
        {
            pool: st.lists(says(pool), max_size=len(users)).map(tuple)
            for pool, users in POOLS.items()
        }
    ),
    presses=st.lists(presses(), max_size=8).map(tuple),
    group_type=st.sampled_from(["group", "supergroup"]),
    group=st.lists(st.tuples(st.sampled_from(EVERYONE), GROUP_SAY), max_size=4).map(tuple),
    channel=st.lists(st.one_of(TEXT, ANY_COMMAND), max_size=2).map(tuple),
    edits=st.lists(
        says(IDLE).filter(lambda s: s.kind == "text").map(lambda s: s.text), max_size=2
    ).map(tuple),
)

T = TypeVar("T")


class _ErrorRecords(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _is_clean(text: str) -> bool:
    """No control character but newlines, and bidi controls only as closed isolates: a reply
    that echoes the user's text must not let it flip or garble the bot's own words."""
    depth = 0
    for ch in text:
        if ch == "\n":
            continue
        if (
            unicodedata.category(ch) == "Cc"
            or ch in "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e"
        ):
            return False
        if ch in "\u2066\u2067\u2068":
            depth += 1
        elif ch == "\u2069":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


class LiveBot:
    """The running bot, its stand-in and the fuzzed users, on a loop in a thread of their own."""

    def __init__(self, db_url: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="fuzz-bot", daemon=True)
        self.thread.start()
        self.db_url = db_url
        self.errors = _ErrorRecords()
        self.exceptions: list[str] = []
        self.handled: set[int] = set()
        self._progress = asyncio.Event()
        self.counts: Counter[str] = Counter()
        self.examples = 0
        self.last_after: dict[str, list[tuple[object, ...]]] | None = None
        # Every other id: in a real chat the bot's answer takes an id between two messages of
        # the user, and back-to-back ids mean "sent before any answer" (bot/flood.py).
        self._message_ids = itertools.count(1_000_000, 2)
        self._press_ids = itertools.count(1)
        self._groups = itertools.count(-1_000_000_001, -1)
        self._channels = itertools.count(-1_002_000_000_001, -1)

    def call(self, coro: Coroutine[Any, Any, T], timeout: float = 120) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()

    # Setting up ---------------------------------------------------------------------------------

    async def start(self) -> None:
        self.emu = BotApiEmulator(SHARED_SPEC if SHARED_SPEC.exists() else None)
        await self.emu.start()
        # A frozen clock: nothing falls due while fuzzing, so any change is the input's doing.
        # No rate limiter: it is not under test, and it would cap the run at 29 replies/s.
        self.bot = Harness(
            self.emu,
            self.db_url,
            clock=MovableClock(FROZEN_AT, frozen=True),
            overrides={"rate_limit": False},
        )
        await self.bot.start()
        assert self.bot.app is not None
        self.app = self.bot.app

        async def caught(update: object, context: CallbackContext[Any, Any, Any, Any]) -> None:
            self.exceptions.append(f"{type(context.error).__name__}: {context.error}")

        self.app.add_error_handler(caught)

        async def handled(update: object, context: CallbackContext[Any, Any, Any, Any]) -> None:
            if isinstance(update, Update):
                self.handled.add(update.update_id)
                self._progress.set()

        self.app.add_handler(TypeHandler(Update, handled), group=99)
        # The flood gate (group -1) stops a repeated message before the marker above: a
        # message it drops on purpose has been handled too.
        for gate in self.app.handlers.get(-1, []):
            gate.callback = self._counting_drops(gate.callback)
        logging.getLogger().addHandler(self.errors)
        jobs = [self._onboard(u, SETUP[pool]) for pool, users in POOLS.items() for u in users]
        jobs += [self._onboard(EDITOR, SETUP[IDLE]), self._onboard(BOB, SETUP[IDLE])]
        await asyncio.gather(*jobs)
        shown = len(self.emu.messages(BOB))
        self.emu.send_text(BOB, "/stretch")
        intro = await next_message(self.emu, BOB, shown)
        assert any(data.startswith("s:") for _, data in self.emu.buttons(intro)), intro
        await self.emu.settled(quiet=0.3)
        session = await self.bot.services.store.live_session_of(BOB)
        assert session is not None
        self.bob_session, self.bob_message = session, intro
        self.bob_view = self._bob_view()
        async with self.bot.services.store.reading() as db:
            self.baseline = {
                t.name: [dict(r._mapping) for r in await db.execute(select(t))]
                for t in Base.metadata.sorted_tables
            }
        self.errors.records.clear()

    def _counting_drops(self, callback: Any) -> Any:
        async def counted(update: object, context: CallbackContext[Any, Any, Any, Any]) -> None:
            try:
                await callback(update, context)
            except ApplicationHandlerStop:
                if isinstance(update, Update):
                    self.handled.add(update.update_id)
                    self._progress.set()
                raise

        return counted

    async def _onboard(self, user_id: int, steps: list[str]) -> None:
        for text in steps:
            shown = len(self.emu.messages(user_id))
            self.emu.send_text(user_id, text)
            # Each set-up step answers twice: a confirmation and the next question.
            await self.emu.wait_for(lambda n=shown: len(self.emu.messages(user_id)) >= n + 2, 10)

    async def restore(self) -> None:
        """Back to the state after set-up, once an example changed it: hypothesis replays and
        shrinks a failing example, which must meet the same rows to fail the same way."""
        async with self.bot.services.store.writing() as db:
            for table in reversed(Base.metadata.sorted_tables):
                await db.execute(table.delete())
            for table in Base.metadata.sorted_tables:
                if self.baseline[table.name]:
                    await db.execute(table.insert(), self.baseline[table.name])
        self.bob_view = self._bob_view()

    async def stop(self) -> None:
        logging.getLogger().removeHandler(self.errors)
        await self.bot.stop()
        await self.emu.stop()

    def _bob_view(self) -> list[tuple[int, str, int, object]]:
        return [
            (m.message_id, m.text, len(m.edits), m.reply_markup) for m in self.emu.messages(BOB)
        ]

    # Sending ------------------------------------------------------------------------------------

    def _message(self, sender: int, chat: dict[str, Any], say: Say) -> dict[str, Any]:
        content: dict[str, Any]
        if say.kind == "text":
            content = {"text": say.text}
            if say.text.startswith("/"):
                token = say.text.split()[0] if say.text.split() else "/"
                content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(token)}]
        elif say.kind in ("location", "venue"):
            where = {"latitude": say.latitude, "longitude": say.longitude}
            content = {"location": where}
            if say.kind == "venue":
                content["venue"] = {"location": where, "title": "Café ☕", "address": "Somewhere"}
        else:
            content = {
                "sticker": {
                    "sticker": {
                        "file_id": "st1",
                        "file_unique_id": "st1",
                        "type": "regular",
                        "width": 512,
                        "height": 512,
                        "is_animated": False,
                        "is_video": False,
                    }
                },
                "photo": {
                    "photo": [
                        {"file_id": "ph1", "file_unique_id": "ph1", "width": 90, "height": 90}
                    ]
                },
                "document": {
                    "document": {"file_id": "dc1", "file_unique_id": "dc1", "file_name": "x.pdf"}
                },
                "voice": {"voice": {"file_id": "vc1", "file_unique_id": "vc1", "duration": 3}},
                "dice": {"dice": {"emoji": "🎲", "value": 4}},
                "contact": {"contact": {"phone_number": "+15550100", "first_name": "Ann"}},
            }[say.kind]
            if say.kind in ("photo", "document") and say.text:
                content["caption"] = say.text
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": {"id": sender, "is_bot": False, "first_name": "Ann", "language_code": "en"},
            **content,
        }

    @staticmethod
    def _private(user_id: int) -> dict[str, Any]:
        return {"id": user_id, "type": "private", "first_name": "Ann"}

    def _press(self, press: Press) -> dict[str, Any]:
        presser = POOLS[press.pool][press.index]
        data = press.data
        if press.bob is not None:
            action, offset = press.bob
            data = f"s:{self.bob_session.id}:{action}:{self.bob_session.version + offset}"
        bot_user = {
            "id": self.emu.bot_id,
            "is_bot": True,
            "first_name": "Limber",
            "username": BOT_USERNAME,
        }
        if press.where == "bob":
            chat_id, message_id = BOB, self.bob_message.message_id
            message: dict[str, Any] = {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": self._private(BOB),
                "from": bot_user,
                "text": self.bob_message.text,
            }
        elif press.where == "gone":
            # Telegram's InaccessibleMessage: a button on a message too old to be shown.
            chat_id = presser
            message = {"message_id": 1, "date": 0, "chat": self._private(presser)}
        else:
            chat_id = presser
            latest = self.emu.last_message(presser)
            message = {
                "message_id": latest.message_id if latest else 1,
                "date": int(time.time()),
                "chat": self._private(presser),
                "from": bot_user,
                "text": (latest.text if latest else "") or "…",
            }
        return self.emu.push_update(
            {
                "callback_query": {
                    "id": f"fz{next(self._press_ids)}",
                    "from": {"id": presser, "is_bot": False, "first_name": "Ann"},
                    "chat_instance": str(chat_id),
                    "data": data,
                    "message": message,
                }
            }
        )

    # One example --------------------------------------------------------------------------------

    async def run(self, plan: Plan) -> list[str]:
        emu, problems = self.emu, []
        before = await snapshot(self.bot)
        if self.last_after is not None and before != self.last_after:
            problems.append(
                f"the database changed after the last example settled: "
                f"{_diff(self.last_after, before)}"
            )
        self.errors.records.clear()
        self.exceptions.clear()
        emu.violations.clear()
        first_call = len(emu.calls)
        watched = [*EVERYONE, EDITOR, SENTINEL]
        shown = {u: len(emu.messages(u)) for u in watched}
        group, channel = next(self._groups), next(self._channels)
        self.examples += 1

        # Edited messages and channel posts are not in ALLOWED_UPDATES, so the stand-in holds
        # them back as Telegram would; each also goes straight into the Application, to prove
        # the handlers cope should the list ever grow (no crash, no change, nothing in a
        # channel; an edited command is answered like a new one, PTB's default for commands,
        # so the editor's replies are not counted). Pushed first: the stand-in re-serves
        # held-back updates until a later one moves the offset past them.
        direct: list[dict[str, Any]] = []
        for text in plan.edits:
            edited = self._message(EDITOR, self._private(EDITOR), Say(text=text))
            edited["edit_date"] = edited["date"]
            direct.append(emu.push_update({"edited_message": edited}))
            self.counts["edited message"] += 1
        for text in plan.channel:
            post = self._message(
                0, {"id": channel, "type": "channel", "title": "A channel"}, Say(text=text)
            )
            del post["from"]
            direct.append(emu.push_update({"channel_post": post}))
            self.counts["channel post"] += 1
        targets: dict[int, Say] = {}
        expected = {update["update_id"] for update in direct}
        for pool, inputs in plan.private.items():
            for user_id, say in zip(POOLS[pool], inputs, strict=False):
                sent = {"message": self._message(user_id, self._private(user_id), say)}
                expected.add(emu.push_update(sent)["update_id"])
                targets[user_id] = say
                kind = (
                    say.kind
                    if say.kind != "text"
                    else ("command" if say.text.startswith("/") else "text")
                )
                self.counts[f"private {kind}"] += 1
        press_ids = []
        for press in plan.presses:
            pressed = self._press(press)
            expected.add(pressed["update_id"])
            press_ids.append(pressed["callback_query"]["id"])
            me = POOLS[press.pool][press.index]
            real = any(press.data == d.format(me=me) for d in REAL_DATA)
            what = "bob's data" if press.bob else "real data" if real else "forged data"
            self.counts[f"press, {what}, on {press.where}"] += 1
        group_chat = {"id": group, "type": plan.group_type, "title": "A group"}
        for sender, say in plan.group:
            expected.add(
                emu.push_update({"message": self._message(sender, group_chat, say)})["update_id"]
            )
            self.counts["group message"] += 1
        expected.add(emu.send_text(SENTINEL, "/help")["update_id"])
        for update in direct:
            await self.app.update_queue.put(Update.de_json(update, self.app.bot))

        def answers(query_id: str) -> int:
            return sum(
                1
                for c in emu.calls[first_call:]
                if c.method == "answerCallbackQuery"
                and c.params.get("callback_query_id") == query_id
            )

        # Done when every update has been through all its handlers (a marker in the last
        # group), so a slow second reply cannot spill into the next example; the short quiet
        # after catches anything a handler left running.
        deadline = time.monotonic() + 20
        while not expected <= self.handled and time.monotonic() < deadline:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._progress.wait(), 0.5)
            self._progress.clear()
        if not expected <= self.handled:
            problems.append(f"updates never handled: {sorted(expected - self.handled)}")
        await emu.settled(quiet=0.1, timeout=30)

        problems += [
            f"ERROR logged: {r.getMessage()} {r.exc_text or ''}" for r in self.errors.records
        ]
        problems += [f"error handler reached: {e}" for e in self.exceptions]
        problems += [f"Bot API violation: {v}" for v in emu.violations]
        for user_id in watched:
            new = emu.messages(user_id)[shown[user_id] :]
            if user_id in targets and not new:
                problems.append(f"no reply to {targets[user_id]!r} from user {user_id}")
            if user_id not in targets and user_id not in (EDITOR, SENTINEL) and new:
                problems.append(f"user {user_id} sent nothing, yet got {[m.text for m in new]}")
            problems += [
                f"garbled reply to {user_id}: {m.text!r}" for m in new if not _is_clean(m.text)
            ]
        for query_id in press_ids:
            if answers(query_id) != 1:
                problems.append(f"press {query_id} answered {answers(query_id)} times")
        commands = sum(say.kind == "text" and say.text.startswith("/") for _, say in plan.group)
        notes = [m.text for m in emu.messages(group)]
        # A group gets answers to commands only (issue 25: /deskbreak, /help, /privacy and
        # /deletedata have answers there; the rest a one-time note), never more than one each.
        if len(notes) > commands or (notes and not commands):
            problems.append(f"group got {notes} (commands sent: {commands})")
        if emu.messages(channel):
            problems.append(f"channel got {[m.text for m in emu.messages(channel)]}")
        edits = [c for c in emu.calls[first_call:] if c.method.startswith("editMessage")]
        if edits:
            problems.append(f"messages were edited: {[c.params for c in edits]}")
        if self._bob_view() != self.bob_view:
            problems.append("Bob's chat changed")
        session = await self.bot.services.store.get_session(self.bob_session.id)
        if session is None or (session.version, session.state.status) != (
            self.bob_session.version,
            self.bob_session.state.status,
        ):
            problems.append(f"Bob's session changed: {session}")
        after = await snapshot(self.bot)
        if after != before:
            problems.append(f"the database changed: {_diff(before, after)}")
        self.last_after = None if problems else after
        if problems:
            await self.restore()
        return problems


def _diff(
    before: dict[str, list[tuple[object, ...]]], after: dict[str, list[tuple[object, ...]]]
) -> str:
    out = []
    for table in before:
        gone = [r for r in before[table] if r not in after[table]]
        new = [r for r in after[table] if r not in before[table]]
        if gone or new:
            out.append(f"{table}: -{gone[:3]} +{new[:3]}")
    return "; ".join(out)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveBot]:
    path = tmp_path_factory.mktemp("fuzz") / "limber.db"
    bot = LiveBot(f"sqlite+aiosqlite:///{path}")
    try:
        bot.call(bot.start())
        yield bot
        bot.call(bot.stop())
        bot.emu.assert_no_violations()
        print(f"\nfuzzed {bot.examples} examples: {sum(bot.counts.values())} inputs")
        for kind, n in sorted(bot.counts.items()):
            print(f"  {kind}: {n}")
    finally:
        bot.close()


@pytest.mark.slow  # hypothesis through the running bot: ~17 s
@settings(
    max_examples=90,
    deadline=None,
    derandomize=True,  # the same inputs on every run and in CI
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
@given(plan=PLANS)
# What fuzzing found, kept: int() refusing what str.isdigit() let through ("²"), in a command
# and in button data; a real button on a message the bot can no longer see (its edit failed,
# after acting); a location nobody asked for re-zoning a user and dropping a set-up question;
# echoed input whose bidi controls reversed the bot's own sentence.
@example(plan=Plan(private={IDLE: (Say(text="/pause ²"),)}))
@example(plan=Plan(presses=(Press(IDLE, 0, "own", "s:7²:ready:1"),)))
@example(plan=Plan(presses=(Press(IDLE, 0, "own", "p:20261124:²"),)))
@example(plan=Plan(presses=(Press(IDLE, 0, "gone", "tz:Europe/Berlin"),)))
@example(plan=Plan(presses=(Press(IDLE, 1, "gone", "st:off:bedtime"),)))
@example(plan=Plan(private={IDLE: (Say("location", latitude=19.07, longitude=72.88),)}))
@example(plan=Plan(private={ASK_TIME: (Say("venue", latitude=0.0, longitude=0.0),)}))
@example(
    plan=Plan(
        private={STRANGER: (Say(text="/\u202eevil"),), IDLE: (Say(text="/stretch quick\u200e"),)}
    )
)
def test_fuzzed_updates_through_the_running_bot(live: LiveBot, plan: Plan) -> None:
    problems = live.call(live.run(plan))
    assert not problems, "\n".join(problems)
