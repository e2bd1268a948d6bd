"""The one callback-data scheme (bot/keyboards/callback.py): every button already sent still
reads, the same, and packs back to itself; forged data is refused; the registry and pack keep
the scheme's promises (unique prefixes, at most 64 bytes, data that reads back)."""

from __future__ import annotations

from datetime import date, time
from typing import Annotated

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram.ext import CallbackQueryHandler

from bot.app import FEATURES
from bot.domain.session import Event
from bot.handlers.registry import chats
from bot.keyboards import (
    CallbackData,
    DaysPress,
    DeletePress,
    DeskPress,
    HurtPausePress,
    LanguagePress,
    MenuPress,
    NudgePress,
    PainCheckPress,
    PainPress,
    ReachPress,
    RestartPress,
    RoutinePress,
    SessionPress,
    SessionSettingPress,
    TeamPress,
    TimePress,
    ZonePress,
    families,
)
from bot.keyboards.callback import CallbackDataError, NoneAs, Tokens

# Every callback data the builders wrote before the scheme (generated from them at the commit
# before it, frozen here), with what the hand-written codecs read from it. Buttons live in
# chats for weeks: each must keep reading the same.
SENT = [
    ("dk:1000", DeskPress(time(10, 0))),
    ("dk:1100", DeskPress(time(11, 0))),
    ("dk:1200", DeskPress(time(12, 0))),
    ("dk:1400", DeskPress(time(14, 0))),
    ("dk:1500", DeskPress(time(15, 0))),
    ("dk:1600", DeskPress(time(16, 0))),
    ("dk:1700", DeskPress(time(17, 0))),
    ("dk:back", DeskPress("back")),
    ("st:tz", MenuPress("tz")),
    ("st:time:morning", MenuPress("time", "morning")),
    ("st:time:bedtime", MenuPress("time", "bedtime")),
    ("st:off:morning", MenuPress("off", "morning")),
    ("st:on:bedtime", MenuPress("on", "bedtime")),
    ("st:on:morning", MenuPress("on", "morning")),
    ("st:off:bedtime", MenuPress("off", "bedtime")),
    ("st:off:desk", MenuPress("off", "desk")),
    ("dk:ask", DeskPress("ask")),
    ("wd:morning", DaysPress("morning")),
    ("st:on:weekly", MenuPress("on", "weekly")),
    ("st:on:desk", MenuPress("on", "desk")),
    ("st:off:weekly", MenuPress("off", "weekly")),
    ("sr:keep:123456789012345678", RestartPress(False, 123456789012345678)),
    ("sr:new:123456789012345678:desk", RestartPress(True, 123456789012345678, "desk")),
    ("sr:keep:7", RestartPress(False, 7)),
    ("sr:new:7:morning-long_2", RestartPress(True, 7, "morning-long_2")),
    ("hp:3", HurtPausePress(3)),
    ("hp:7", HurtPausePress(7)),
    ("hp:0", HurtPausePress(0)),
    ("ss:hold:20", SessionSettingPress("hold", "20")),
    ("ss:hold:30", SessionSettingPress("hold", "30")),
    ("ss:hold:45", SessionSettingPress("hold", "45")),
    ("ss:hold:60", SessionSettingPress("hold", "60")),
    ("ss:pace:relaxed", SessionSettingPress("pace", "relaxed")),
    ("ss:pace:normal", SessionSettingPress("pace", "normal")),
    ("ss:pace:quick", SessionSettingPress("pace", "quick")),
    ("ss:mode:free", SessionSettingPress("mode", "free")),
    ("ss:mode:tap", SessionSettingPress("mode", "tap")),
    ("lang:en", LanguagePress("en")),
    ("lang:es", LanguagePress("es")),
    ("lang:pt_BR", LanguagePress("pt_BR")),
    ("lang:de", LanguagePress("de")),
    ("lang:fr", LanguagePress("fr")),
    ("lang:ru", LanguagePress("ru")),
    ("n:go:morning", NudgePress("go", "morning")),
    ("n:snooze:morning:15", NudgePress("snooze", "morning", 15)),
    ("n:snooze:morning:30", NudgePress("snooze", "morning", 30)),
    ("n:snooze:morning:60", NudgePress("snooze", "morning", 60)),
    ("n:skip:morning", NudgePress("skip", "morning")),
    ("n:go:bedtime", NudgePress("go", "bedtime")),
    ("n:snooze:bedtime:15", NudgePress("snooze", "bedtime", 15)),
    ("n:snooze:bedtime:30", NudgePress("snooze", "bedtime", 30)),
    ("n:snooze:bedtime:60", NudgePress("snooze", "bedtime", 60)),
    ("n:skip:bedtime", NudgePress("skip", "bedtime")),
    ("n:go:desk", NudgePress("go", "desk")),
    ("n:snooze:desk:15", NudgePress("snooze", "desk", 15)),
    ("n:snooze:desk:30", NudgePress("snooze", "desk", 30)),
    ("n:snooze:desk:60", NudgePress("snooze", "desk", 60)),
    ("n:skip:desk", NudgePress("skip", "desk")),
    ("p:20260105:0", PainPress(date(2026, 1, 5), 0)),
    ("p:20260105:1", PainPress(date(2026, 1, 5), 1)),
    ("p:20260105:2", PainPress(date(2026, 1, 5), 2)),
    ("p:20260105:3", PainPress(date(2026, 1, 5), 3)),
    ("p:20260105:4", PainPress(date(2026, 1, 5), 4)),
    ("p:20260105:5", PainPress(date(2026, 1, 5), 5)),
    ("p:20260105:6", PainPress(date(2026, 1, 5), 6)),
    ("p:20260105:7", PainPress(date(2026, 1, 5), 7)),
    ("p:20260105:8", PainPress(date(2026, 1, 5), 8)),
    ("p:20260105:9", PainPress(date(2026, 1, 5), 9)),
    ("p:20260105:10", PainPress(date(2026, 1, 5), 10)),
    ("p:20251231:0", PainPress(date(2025, 12, 31), 0)),
    ("pc:default:0", PainCheckPress("default", 0)),
    ("pc:default:1", PainCheckPress("default", 1)),
    ("pc:default:2", PainCheckPress("default", 2)),
    ("pc:default:3", PainCheckPress("default", 3)),
    ("pc:default:4", PainCheckPress("default", 4)),
    ("pc:default:5", PainCheckPress("default", 5)),
    ("pc:default:6", PainCheckPress("default", 6)),
    ("pc:default:7", PainCheckPress("default", 7)),
    ("pc:default:8", PainCheckPress("default", 8)),
    ("pc:default:9", PainCheckPress("default", 9)),
    ("pc:default:10", PainCheckPress("default", 10)),
    ("pc:default:go", PainCheckPress("default", "go")),
    ("pc:default:no", PainCheckPress("default", "no")),
    ("pc:desk:10", PainCheckPress("desk", 10)),
    ("pc:desk:go", PainCheckPress("desk", "go")),
    ("pc:desk:no", PainCheckPress("desk", "no")),
    ("del:yes:987654321", DeletePress(True, 987654321)),
    ("del:no:987654321", DeletePress(False, 987654321)),
    ("rc:20261125:l:30", ReachPress(date(2026, 11, 25), "left", 30)),
    ("rc:20261125:l:45", ReachPress(date(2026, 11, 25), "left", 45)),
    ("rc:20261125:l:60", ReachPress(date(2026, 11, 25), "left", 60)),
    ("rc:20261125:l:75", ReachPress(date(2026, 11, 25), "left", 75)),
    ("rc:20261125:l:90", ReachPress(date(2026, 11, 25), "left", 90)),
    ("rc:20261125:r:30", ReachPress(date(2026, 11, 25), "right", 30)),
    ("rc:20261125:r:45", ReachPress(date(2026, 11, 25), "right", 45)),
    ("rc:20261125:r:60", ReachPress(date(2026, 11, 25), "right", 60)),
    ("rc:20261125:r:75", ReachPress(date(2026, 11, 25), "right", 75)),
    ("rc:20261125:r:90", ReachPress(date(2026, 11, 25), "right", 90)),
    ("rc:go", ReachPress()),
    ("r:full", RoutinePress("full")),
    ("r:desk", RoutinePress("desk")),
    ("r:bedtime", RoutinePress("bedtime")),
    ("s:1:ready:0", SessionPress(1, Event.READY, 0)),
    (
        "s:123456789012345678:ready:123456789",
        SessionPress(123456789012345678, Event.READY, 123456789),
    ),
    ("s:1:pause:0", SessionPress(1, Event.PAUSE, 0)),
    (
        "s:123456789012345678:pause:123456789",
        SessionPress(123456789012345678, Event.PAUSE, 123456789),
    ),
    ("s:1:resume:0", SessionPress(1, Event.RESUME, 0)),
    (
        "s:123456789012345678:resume:123456789",
        SessionPress(123456789012345678, Event.RESUME, 123456789),
    ),
    ("s:1:skip:0", SessionPress(1, Event.SKIP, 0)),
    (
        "s:123456789012345678:skip:123456789",
        SessionPress(123456789012345678, Event.SKIP, 123456789),
    ),
    ("s:1:stop:0", SessionPress(1, Event.STOP, 0)),
    (
        "s:123456789012345678:stop:123456789",
        SessionPress(123456789012345678, Event.STOP, 123456789),
    ),
    ("s:1:hurt:0", SessionPress(1, Event.HURT, 0)),
    (
        "s:123456789012345678:hurt:123456789",
        SessionPress(123456789012345678, Event.HURT, 123456789),
    ),
    ("tz:America/New_York", ZonePress("America/New_York")),
    ("tz:Europe/London", ZonePress("Europe/London")),
    ("tz:America/Los_Angeles", ZonePress("America/Los_Angeles")),
    ("tz:Asia/Kolkata", ZonePress("Asia/Kolkata")),
    ("tz:Europe/Berlin", ZonePress("Europe/Berlin")),
    ("tz:Europe/Vienna", ZonePress("Europe/Vienna")),
    ("tz:Europe/Zurich", ZonePress("Europe/Zurich")),
    ("tz:Europe/London:2655603", ZonePress("Europe/London", 2655603)),
    ("tz:America/Chicago:0", ZonePress("America/Chicago", 0)),
    (
        "tz:America/Argentina/ComodRivadavia:123456",
        ZonePress("America/Argentina/ComodRivadavia", 123456),
    ),
    ("tm:morning:0630", TimePress("morning", time(6, 30))),
    ("tm:morning:0700", TimePress("morning", time(7, 0))),
    ("tm:morning:0730", TimePress("morning", time(7, 30))),
    ("tm:morning:0800", TimePress("morning", time(8, 0))),
    ("tm:morning:0830", TimePress("morning", time(8, 30))),
    ("tm:morning:0900", TimePress("morning", time(9, 0))),
    ("tm:morning:off", TimePress("morning", None)),
    ("tm:bedtime:2100", TimePress("bedtime", time(21, 0))),
    ("tm:bedtime:2130", TimePress("bedtime", time(21, 30))),
    ("tm:bedtime:2200", TimePress("bedtime", time(22, 0))),
    ("tm:bedtime:2230", TimePress("bedtime", time(22, 30))),
    ("tm:bedtime:2300", TimePress("bedtime", time(23, 0))),
    ("tm:bedtime:2330", TimePress("bedtime", time(23, 30))),
    ("tm:bedtime:off", TimePress("bedtime", None)),
    ("tm:bedtime:1930", TimePress("bedtime", time(19, 30))),
    ("tm:bedtime:0730", TimePress("bedtime", time(7, 30))),
    ("tm:morning:0005", TimePress("morning", time(0, 5))),
    ("tb:4242:in", TeamPress(4242, True)),
    ("tb:4242:out", TeamPress(4242, False)),
    ("tb:123456789012345678:in", TeamPress(123456789012345678, True)),
    ("tb:123456789012345678:out", TeamPress(123456789012345678, False)),
    ("wd:bedtime", DaysPress("bedtime")),
    ("wd:desk", DaysPress("desk")),
    ("wd:morning:30", DaysPress("morning", 30)),
    ("wd:morning:29", DaysPress("morning", 29)),
    ("wd:morning:27", DaysPress("morning", 27)),
    ("wd:morning:23", DaysPress("morning", 23)),
    ("wd:morning:15", DaysPress("morning", 15)),
    ("wd:morning:63", DaysPress("morning", 63)),
    ("wd:morning:95", DaysPress("morning", 95)),
    ("wd:morning:31", DaysPress("morning", 31)),
    ("wd:morning:127", DaysPress("morning", 127)),
    ("wd:back", DaysPress(None)),
    ("wd:bedtime:30", DaysPress("bedtime", 30)),
    ("wd:bedtime:29", DaysPress("bedtime", 29)),
    ("wd:bedtime:27", DaysPress("bedtime", 27)),
    ("wd:bedtime:23", DaysPress("bedtime", 23)),
    ("wd:bedtime:15", DaysPress("bedtime", 15)),
    ("wd:bedtime:63", DaysPress("bedtime", 63)),
    ("wd:bedtime:95", DaysPress("bedtime", 95)),
    ("wd:bedtime:31", DaysPress("bedtime", 31)),
    ("wd:bedtime:127", DaysPress("bedtime", 127)),
    ("wd:desk:30", DaysPress("desk", 30)),
    ("wd:desk:29", DaysPress("desk", 29)),
    ("wd:desk:27", DaysPress("desk", 27)),
    ("wd:desk:23", DaysPress("desk", 23)),
    ("wd:desk:15", DaysPress("desk", 15)),
    ("wd:desk:63", DaysPress("desk", 63)),
    ("wd:desk:95", DaysPress("desk", 95)),
    ("wd:desk:31", DaysPress("desk", 31)),
    ("wd:desk:127", DaysPress("desk", 127)),
    ("wd:morning:126", DaysPress("morning", 126)),
    ("wd:morning:125", DaysPress("morning", 125)),
    ("wd:morning:123", DaysPress("morning", 123)),
    ("wd:morning:119", DaysPress("morning", 119)),
    ("wd:morning:111", DaysPress("morning", 111)),
    ("wd:bedtime:5", DaysPress("bedtime", 5)),
    ("wd:bedtime:6", DaysPress("bedtime", 6)),
    ("wd:bedtime:0", DaysPress("bedtime", 0)),
    ("wd:bedtime:12", DaysPress("bedtime", 12)),
    ("wd:bedtime:20", DaysPress("bedtime", 20)),
    ("wd:bedtime:36", DaysPress("bedtime", 36)),
    ("wd:bedtime:68", DaysPress("bedtime", 68)),
]


@pytest.mark.parametrize(("data", "pressed"), SENT, ids=[data for data, _ in SENT])
def test_every_button_already_sent_reads_the_same_and_packs_back(
    data: str, pressed: CallbackData
) -> None:
    assert type(pressed).unpack(data) == pressed
    assert pressed.pack() == data


def test_each_sent_button_belongs_to_one_family_only() -> None:
    for data, pressed in SENT:
        readers = [f for f in families() if f.unpack(data) is not None]
        assert readers == [type(pressed)], data


def test_every_family_is_in_the_table_and_routed_to_a_handler() -> None:
    assert {type(p) for _, p in SENT} == set(families())
    patterns = [
        handler.pattern.pattern
        for feature in FEATURES
        for handler in feature(chats(set()))
        if isinstance(handler, CallbackQueryHandler) and handler.pattern is not None
    ]
    for family in families():
        assert patterns.count(family.pattern) == 1, family.__name__


REFUSED = [
    "",
    "s",
    "s:1:pause",  # a field short
    "s:1:pause:1:1",  # one too many
    "s:1:timer:1",  # an event the buttons never carry
    "s:1:READY:1",
    "s:01:pause:1",  # a leading zero: never written, and would not pack back the same
    "s:1²:pause:1",
    "s:-1:pause:1",
    "s:1234567890123456789:pause:1",  # 19 digits
    "s:1:pause:1234567890",  # a version of 10 digits
    "x:1:pause:1",
    "n:go:weekly",
    "n:go:morning:15",  # Start now carries no minutes
    "n:snooze:morning",  # a snooze does
    "n:snooze:morning:20",
    "p:20261301:3",
    "p:2026112:3",
    "p:20261124:11",
    "p:20261124:03",
    "pc::3",
    "pc:desk:11",
    "pc:desk:maybe",
    "del:YES:5",
    "del:yes:",
    "dk:2400",
    "dk:0960",
    "dk:15:00",
    "dk:now",
    "tm:lunch:0730",
    "tm:desk:0730",  # the desk break's time has buttons of its own (dk:)
    "tm:morning:730",
    "tz:",
    "tz:Europe/Berlin:",
    "tz:Europe/Berlin:x",
    "tz:Zürich",
    "st:tz:morning",
    "st:time:desk",
    "st:on",
    "wd:weekly:3",  # the summary's day is not the user's to choose
    "wd:morning:128",
    "wd:back:3",
    "wd:noon",
    "rc:go:1",
    "rc:20261125:x:60",
    "rc:20261125:l:50",
    "rc:20261125:l",
    "rc:20261125:l:６０",
    "r:",
    "r:a:b",
    "sr:new:7",  # Start over names its routine
    "sr:keep:7:desk",
    "hp:5",
    "ss:hold:25",
    "ss:pace:free",
    "ss:speed:normal",
    "tb:1:maybe",
    "tb::in",
    "lang:xx",
    "lang:",
]


@pytest.mark.parametrize("data", REFUSED)
def test_forged_or_malformed_data_is_refused_by_every_family(data: str) -> None:
    assert all(f.unpack(data) is None for f in families())


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.text(max_size=70),
        st.lists(
            st.one_of(
                st.sampled_from([f.prefix for f in families()]),
                st.sampled_from(["0", "00", "7", "10", "go", "off", "back", "l", "morning"]),
                st.text("0123456789", min_size=1, max_size=20),
                st.text(min_size=0, max_size=8),
            ),
            min_size=1,
            max_size=5,
        ).map(":".join),
    )
)
def test_whatever_a_family_reads_packs_back_to_the_same_data(data: str) -> None:
    for family in families():
        pressed = family.unpack(data)
        if pressed is not None:
            assert pressed.pack() == data


@pytest.mark.parametrize(
    "pressed",
    [
        RoutinePress("x" * 70),  # over Telegram's 64 bytes
        RoutinePress("a:b"),  # would read as two fields
        RoutinePress(""),
        RoutinePress("zürich"),
        SessionPress(-1, Event.READY, 1),
        SessionPress(1, Event.TIMER, 1),  # not a button's event
        SessionPress(1, Event.READY, 10**9),
        RestartPress(True, 7),  # Start over without its routine
        NudgePress("go", "morning", 15),
        ReachPress(date(2026, 1, 5)),  # an answer without its side and angle
        ReachPress(None, "left", 30),
        TimePress("morning", time(7, 30, 15)),  # seconds would not come back
        PainPress(date(2026, 1, 5), 11),
        ZonePress("Europe/Berlin", -1),
    ],
    ids=repr,
)
def test_pack_refuses_what_would_not_read_back(pressed: CallbackData) -> None:
    with pytest.raises(ValueError):
        pressed.pack()


def test_a_second_family_with_a_taken_prefix_fails_at_definition() -> None:
    with pytest.raises(CallbackDataError, match="taken by SessionPress"):

        class Again(CallbackData, prefix="s"):
            n: int

    assert SessionPress.unpack("s:1:ready:1") == SessionPress(1, Event.READY, 1)


def test_a_family_the_scheme_cannot_write_fails_at_definition() -> None:
    with pytest.raises(CallbackDataError, match="needs Tokens"):

        class Flag(CallbackData, prefix="zz-flag"):
            on: bool

    with pytest.raises(CallbackDataError, match="only the last"):

        class Gap(CallbackData, prefix="zz-gap"):
            first: int | None = None
            then: Annotated[int | None, NoneAs("none")] = None

    with pytest.raises(CallbackDataError, match="not a word"):

        class Colon(CallbackData, prefix="z:z"):
            n: int

    with pytest.raises(CallbackDataError, match="Tokens value"):

        class Side(CallbackData, prefix="zz-side"):
            side: Annotated[str, Tokens({1: "one"})]

    assert not any(f.prefix.startswith("z") for f in families())


def test_a_family_declares_only_its_fields() -> None:
    """The scheme's by-products stay off the instances: a press compares, hashes and shows
    by its fields alone."""
    pressed = TeamPress(7, True)
    assert pressed == TeamPress(7, True) and hash(pressed) == hash(TeamPress(7, True))
    assert repr(pressed) == "TeamPress(break_id=7, joining=True)"
    with pytest.raises(AttributeError):
        pressed.joining = False  # type: ignore[misc]
