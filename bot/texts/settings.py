"""/settings and what it changes: the summary and its buttons, the nudges' weekdays, the desk
break's time, /pause, /resume, /stop and /language."""

from __future__ import annotations

import math
from datetime import timedelta

from bot import i18n
from bot.texts.base import N_, Sentence, _


class Settings:
    """The /settings words, read as `texts.NAME`."""

    BUTTON_OFF = Sentence("Turn off")
    SETTINGS_TITLE = Sentence("⚙️ Your settings")
    STOPPED = Sentence(
        "You're unsubscribed: no more nudges. Your history is kept; /start subscribes you again."
    )
    RESUMED = Sentence("Welcome back from your break! Nudges are on again.")
    BAD_PAUSE = Sentence(
        "Tell me how many days to pause, from 1 to 60, e.g. /pause 7. Nothing was changed."
    )
    NOT_PAUSED = Sentence("Your nudges are not paused.")
    BUTTON_CHANGE_ZONE = Sentence("🌍 Change time zone")
    NUDGES_STOPPED = Sentence("🔕 Nudges are off since /stop. /start turns them back on.")
    # /language
    ASK_LANGUAGE = Sentence("🌐 Which language should I speak?")
    UNKNOWN_LANGUAGE = Sentence("I don't speak that language yet. Pick one of these:")
    # The desk break's time and the nudges' weekdays.
    BUTTON_DESK_TIME = Sentence("🪑 Desk-break time")
    BUTTON_DAYS = Sentence("📅 Days")
    BUTTON_BACK = Sentence("⬅️ Back")
    BUTTON_WORKDAYS = Sentence("Mon–Fri")
    BUTTON_EVERY_DAY = Sentence("Every day")
    ASK_DESK_TIME = Sentence(
        "🪑 When should I suggest a desk break? It comes on the days you choose (📅 Days)."
    )
    KEEP_ONE_DAY = Sentence("Keep at least one day; to stop this nudge, turn it off in /settings.")


def schedule_summary(
    zone: str,
    morning: str | None,
    bedtime: str | None,
    next_line: str | None,
    paused_until: str | None = None,
) -> str:
    off = _("off")
    lines = [
        _("🌍 Time zone: {zone}").format(zone=zone),
        _("☀️ Morning nudge: {time}").format(time=morning or off),
        _("🌙 Bedtime nudge: {time}").format(time=bedtime or off),
    ]
    if paused_until:
        lines.append(
            _("🏖 Paused until {date} (/resume to end the break early)").format(date=paused_until)
        )
    if next_line:
        lines.append(next_line)
    return "\n".join(lines)


def next_nudge_line(kind: str, local: str, delay: str) -> str:
    if kind == "morning":
        return _("⏰ Next nudge: morning, {time} ({delay}).").format(time=local, delay=delay)
    return _("⏰ Next nudge: bedtime, {time} ({delay}).").format(time=local, delay=delay)


def paused_until_text(local: str) -> str:
    return _(
        "🏖 Enjoy your break! No nudges until {date}; they come back by themselves. "
        "/resume ends it early."
    ).format(date=local)


def button_time_of(kind: str) -> str:
    return _("☀️ Morning time") if kind == "morning" else _("🌙 Bedtime time")


def button_toggle(kind: str, on: bool) -> str:
    if kind == "morning":
        return _("☀️ Morning: turn off") if on else _("☀️ Morning: turn on")
    return _("🌙 Bedtime: turn off") if on else _("🌙 Bedtime: turn on")


def describe_delay(delta: timedelta) -> str:
    """ "in 9 h 12 min": rounded up to whole minutes, so it never promises too early."""
    seconds = delta.total_seconds()
    if seconds < 60:
        return _("in less than a minute")
    minutes = math.ceil(seconds / 60)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return _("in {hours} h {minutes} min").format(hours=hours, minutes=minutes)
    if hours:
        return _("in {hours} h").format(hours=hours)
    return _("in {minutes} min").format(minutes=minutes)


def language_set(language: str) -> str:
    """The confirmation of /language, written in the newly chosen language (the caller sets
    it first)."""
    return _("Done: I'll speak {language} from now on. /help shows what I can do.").format(
        language=i18n.NATIVE_NAMES.get(language, language)
    )


def button_weekly(on: bool) -> str:
    return _("📅 Weekly summary: turn off") if on else _("📅 Weekly summary: turn on")


def button_desk(on: bool) -> str:
    return _("🪑 Desk break: turn off") if on else _("🪑 Desk break: turn on")


_REMINDER_NAMES = {
    "morning": N_("☀️ Morning"),
    "bedtime": N_("🌙 Bedtime"),
    "desk": N_("🪑 Desk break"),
}


def reminder_name(kind: str) -> str:
    return _(_REMINDER_NAMES[kind])


def day_button(weekday: int, on: bool) -> str:
    return f"{'✅' if on else '▫️'} {i18n.weekday_name(weekday)}"


def days_label(days: int) -> str:
    """ "every day", "Mon–Fri", "weekends", or the days named ("Mon, Wed, Fri")."""
    if days & 0b1111111 == 0b1111111:
        return _("every day")
    if days == 0b0011111:
        return Settings.BUTTON_WORKDAYS
    if days == 0b1100000:
        return _("weekends")
    # Without an abbreviation's dot (fr "dim.", pt_BR "seg."): the list ends a sentence.
    return ", ".join(i18n.weekday_name(d).rstrip(".") for d in range(7) if days & (1 << d))


def ask_days(kind: str, days: int) -> str:
    return _(
        "📅 On which days should the {nudge} nudge come? Now: {days}. Tap a day to switch it."
    ).format(nudge=reminder_name(kind), days=days_label(days))


def schedule_extras(desk: str | None, desk_days: int, days: dict[str, int], weekly: bool) -> str:
    """The /settings lines for the desk break, the chosen weekdays and the weekly summary."""
    if desk:
        lines = [_("🪑 Desk break: {time}, {days}").format(time=desk, days=days_label(desk_days))]
    else:
        lines = [_("🪑 Desk break: off")]
    for kind, mask in days.items():
        if mask & 0b1111111 != 0b1111111:
            lines.append(
                _("📅 {nudge} nudge only on: {days}").format(
                    nudge=reminder_name(kind), days=days_label(mask)
                )
            )
    lines.append(_("📅 Weekly summary: on") if weekly else _("📅 Weekly summary: off"))
    return "\n".join(lines)
