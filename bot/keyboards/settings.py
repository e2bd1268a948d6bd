"""Time zone and nudge-time buttons: the zone suggestions (`tz:<zone>`), the time choices
(`tm:<kind>:<HHMM>` or `tm:<kind>:off`) and the /settings menu (`st:tz`, `st:time:<kind>`,
`st:on:<kind>`, `st:off:<kind>`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import i18n, texts
from bot.domain.nudge_rules import BEDTIME, DESK, KINDS, MORNING, WEEKLY
from bot.domain.timeinput import parse_time_of_day
from bot.keyboards.desk import DESK_PREFIX
from bot.keyboards.weekdays import DAYS_PREFIX
from bot.places.zones import suggest_zones

ZONE_PREFIX = "tz"
TIME_PREFIX = "tm"
MENU_PREFIX = "st"
TIME_CHOICES = {
    MORNING: ("06:30", "07:00", "07:30", "08:00", "08:30", "09:00"),
    BEDTIME: ("21:00", "21:30", "22:00", "22:30", "23:00", "23:30"),
}


@dataclass(frozen=True, slots=True)
class TimePress:
    kind: str
    local: time | None  # None: turn this nudge off


@dataclass(frozen=True, slots=True)
class MenuPress:
    action: str  # "tz", "time", "on", "off"
    kind: str | None = None


def zone_keyboard(language_code: str | None) -> InlineKeyboardMarkup:
    """Zones guessed from the Telegram app's language, named in the language read."""
    matches = suggest_zones(language_code, limit=4, shown_in=i18n.current())
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(m.label, callback_data=f"{ZONE_PREFIX}:{m.zone}")] for m in matches]
    )


@dataclass(frozen=True, slots=True)
class ZonePress:
    zone: str  # still to be resolved
    city: int | None  # the city index's number for a place choice (`tz:<zone>:<n>`)


def place_keyboard(choices: list[tuple[str, str, int]]) -> InlineKeyboardMarkup:
    """One button per place an ambiguous name may mean: (label, zone, city number). The zone
    rides along so a button stays right even if the index changed under it (a deploy)."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=f"{ZONE_PREFIX}:{zone}:{number}")]
            for label, zone, number in choices
        ]
    )


def parse_zone_press(data: str) -> ZonePress | None:
    prefix, _, rest = data.partition(":")
    zone, _, number = rest.partition(":")
    if prefix != ZONE_PREFIX or not zone:
        return None
    if not number:
        return ZonePress(zone, None)
    return ZonePress(zone, int(number)) if number.isascii() and number.isdigit() else None


def parse_zone_data(data: str) -> str | None:
    """The zone name a zone button carries (still to be resolved), or None."""
    press = parse_zone_press(data)
    return press.zone if press else None


def time_check_keyboard(kind: str, typed: time, instead: time | None) -> InlineKeyboardMarkup:
    """Under "07:30 is in the morning: right for bedtime?": the likelier time, the typed one,
    then the usual choices."""
    first = [t for t in (instead, typed) if t is not None]
    row = [
        InlineKeyboardButton(
            texts.button_keep_time(texts.clock(t)) if t == typed else texts.clock(t),
            callback_data=f"{TIME_PREFIX}:{kind}:{t:%H%M}",
        )
        for t in first
    ]
    return InlineKeyboardMarkup([row, *time_keyboard(kind).inline_keyboard])


def time_keyboard(kind: str) -> InlineKeyboardMarkup:
    choices = TIME_CHOICES[kind]
    rows = [
        [
            InlineKeyboardButton(
                texts.clock(time.fromisoformat(t)),
                callback_data=f"{TIME_PREFIX}:{kind}:{t.replace(':', '')}",
            )
            for t in choices[i : i + 3]
        ]
        for i in range(0, len(choices), 3)
    ]
    rows.append([InlineKeyboardButton(texts.BUTTON_OFF, callback_data=f"{TIME_PREFIX}:{kind}:off")])
    return InlineKeyboardMarkup(rows)


def parse_time_data(data: str) -> TimePress | None:
    parts = data.split(":")
    if len(parts) != 3 or parts[0] != TIME_PREFIX or parts[1] not in KINDS:
        return None
    if parts[2] == "off":
        return TimePress(parts[1], None)
    if len(parts[2]) != 4:
        return None
    local = parse_time_of_day(f"{parts[2][:2]}:{parts[2][2:]}")
    return TimePress(parts[1], local) if local is not None else None


def settings_keyboard(enabled: dict[str, bool] | None) -> InlineKeyboardMarkup:
    """The /settings menu; `enabled` per kind, or None after /stop (no on/off toggles then:
    nothing is sent either way until /start)."""

    def toggle(kind: str, on: bool) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            texts.button_toggle(kind, on),
            callback_data=f"{MENU_PREFIX}:{'off' if on else 'on'}:{kind}",
        )

    rows = [
        [InlineKeyboardButton(texts.BUTTON_CHANGE_ZONE, callback_data=f"{MENU_PREFIX}:tz")],
        [
            InlineKeyboardButton(
                texts.button_time_of(kind), callback_data=f"{MENU_PREFIX}:time:{kind}"
            )
            for kind in (MORNING, BEDTIME)
        ],
    ]
    if enabled is not None:
        rows.append([toggle(kind, enabled[kind]) for kind in (MORNING, BEDTIME)])
        if DESK in enabled:
            rows.append(
                [
                    InlineKeyboardButton(
                        texts.button_desk(enabled[DESK]),
                        callback_data=f"{MENU_PREFIX}:{'off' if enabled[DESK] else 'on'}:{DESK}",
                    ),
                    InlineKeyboardButton(
                        texts.BUTTON_DESK_TIME, callback_data=f"{DESK_PREFIX}:ask"
                    ),
                ]
            )
            rows.append(
                [InlineKeyboardButton(texts.BUTTON_DAYS, callback_data=f"{DAYS_PREFIX}:{MORNING}")]
            )
        if WEEKLY in enabled:
            on = enabled[WEEKLY]
            rows.append(
                [
                    InlineKeyboardButton(
                        texts.button_weekly(on),
                        callback_data=f"{MENU_PREFIX}:{'off' if on else 'on'}:{WEEKLY}",
                    )
                ]
            )
    return InlineKeyboardMarkup(rows)


def parse_menu_data(data: str) -> MenuPress | None:
    parts = data.split(":")
    if parts[0] != MENU_PREFIX:
        return None
    if parts[1:] == ["tz"]:
        return MenuPress("tz")
    if len(parts) == 3 and parts[1] in ("time", "on", "off") and parts[2] in KINDS:
        return MenuPress(parts[1], parts[2])
    if len(parts) == 3 and parts[1] in ("on", "off") and parts[2] in (WEEKLY, DESK):
        return MenuPress(parts[1], parts[2])
    return None
