"""Time zone and nudge-time buttons: the zone suggestions (`tz:<zone>`), the time choices
(`tm:<kind>:<HHMM>` or `tm:<kind>:off`) and the /settings menu (`st:tz`, `st:time:<kind>`,
`st:on:<kind>`, `st:off:<kind>`)."""

from __future__ import annotations

from datetime import time
from typing import Annotated, Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import i18n, texts
from bot.domain.nudge_rules import BEDTIME, DESK, KINDS, MORNING, WEEKLY
from bot.keyboards.callback import CallbackData, NoneAs, OneOf
from bot.keyboards.desk import DeskPress
from bot.keyboards.weekdays import DaysPress
from bot.places.zones import suggest_zones

TIME_CHOICES = {
    MORNING: ("06:30", "07:00", "07:30", "08:00", "08:30", "09:00"),
    BEDTIME: ("21:00", "21:30", "22:00", "22:30", "23:00", "23:30"),
}


class TimePress(CallbackData, prefix="tm"):
    kind: Annotated[str, OneOf(*KINDS)]
    local: Annotated[time | None, NoneAs("off")]  # None: turn this nudge off


class MenuPress(CallbackData, prefix="st"):
    action: Literal["tz", "time", "on", "off"]
    kind: Annotated[str | None, OneOf(*KINDS, WEEKLY, DESK)] = None

    def valid(self) -> bool:
        if self.action == "tz":
            return self.kind is None
        # A time is asked for the morning and bedtime nudges only (the desk break's has
        # buttons of its own, DeskPress).
        return self.kind in KINDS if self.action == "time" else self.kind is not None


class ZonePress(CallbackData, prefix="tz"):
    zone: str  # still to be resolved
    city: int | None = None  # the city index's number for a place choice (`tz:<zone>:<n>`)


def zone_keyboard(language_code: str | None) -> InlineKeyboardMarkup:
    """Zones guessed from the Telegram app's language, named in the language read."""
    matches = suggest_zones(language_code, limit=4, shown_in=i18n.current())
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(m.label, callback_data=ZonePress(m.zone).pack())] for m in matches]
    )


def place_keyboard(choices: list[tuple[str, str, int]]) -> InlineKeyboardMarkup:
    """One button per place an ambiguous name may mean: (label, zone, city number). The zone
    rides along so a button stays right even if the index changed under it (a deploy)."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=ZonePress(zone, number).pack())]
            for label, zone, number in choices
        ]
    )


def time_check_keyboard(kind: str, typed: time, instead: time | None) -> InlineKeyboardMarkup:
    """Under "07:30 is in the morning: right for bedtime?": the likelier time, the typed one,
    then the usual choices."""
    first = [t for t in (instead, typed) if t is not None]
    row = [
        InlineKeyboardButton(
            texts.button_keep_time(texts.clock(t)) if t == typed else texts.clock(t),
            callback_data=TimePress(kind, t).pack(),
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
                callback_data=TimePress(kind, time.fromisoformat(t)).pack(),
            )
            for t in choices[i : i + 3]
        ]
        for i in range(0, len(choices), 3)
    ]
    off = TimePress(kind, None).pack()
    rows.append([InlineKeyboardButton(texts.BUTTON_OFF, callback_data=off)])
    return InlineKeyboardMarkup(rows)


def settings_keyboard(enabled: dict[str, bool] | None) -> InlineKeyboardMarkup:
    """The /settings menu; `enabled` per kind, or None after /stop (no on/off toggles then:
    nothing is sent either way until /start)."""

    def toggle(kind: str, on: bool, label: str | None = None) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            label or texts.button_toggle(kind, on),
            callback_data=MenuPress("off" if on else "on", kind).pack(),
        )

    rows = [
        [InlineKeyboardButton(texts.BUTTON_CHANGE_ZONE, callback_data=MenuPress("tz").pack())],
        [
            InlineKeyboardButton(
                texts.button_time_of(kind), callback_data=MenuPress("time", kind).pack()
            )
            for kind in (MORNING, BEDTIME)
        ],
    ]
    if enabled is not None:
        rows.append([toggle(kind, enabled[kind]) for kind in (MORNING, BEDTIME)])
        if DESK in enabled:
            rows.append(
                [
                    toggle(DESK, enabled[DESK], texts.button_desk(enabled[DESK])),
                    InlineKeyboardButton(
                        texts.BUTTON_DESK_TIME, callback_data=DeskPress("ask").pack()
                    ),
                ]
            )
            rows.append(
                [InlineKeyboardButton(texts.BUTTON_DAYS, callback_data=DaysPress(MORNING).pack())]
            )
        if WEEKLY in enabled:
            rows.append([toggle(WEEKLY, enabled[WEEKLY], texts.button_weekly(enabled[WEEKLY]))])
    return InlineKeyboardMarkup(rows)
