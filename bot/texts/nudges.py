"""The nudges (bot/nudges.py sends them): morning, bedtime and the desk break, with their
buttons and what a press on them answers."""

from __future__ import annotations

from bot.texts.base import N_, Sentence, _, shown_name


class Nudges:
    """The nudges' buttons and fixed lines, read as `texts.NAME`."""

    BUTTON_START_NOW = Sentence("▶️ Start now")
    BUTTON_SKIP_TODAY = Sentence("Skip today")
    # Under a bedtime nudge when the streak would end tonight.
    STREAK_AT_STAKE = Sentence("🔥 Your streak is at stake: one session tonight keeps it alive.")
    DESK_STARTED = Sentence("Desk break! 🪑")


_MORNING = (
    N_("Good morning{name}! ☀️ Five gentle minutes for your back before the day starts?"),
    N_("Morning{name}! Your hamstrings are waiting: four stretches, 30 seconds a side."),
    N_("Rise and stretch{name} 🌅 Thirty seconds a side, relax into it."),
    N_("Good morning{name}. A calm start: lie down, breathe, stretch."),
    N_("Hello{name}! Morning stretch time: lie down, relax, and hold each side."),
)
_BEDTIME = (
    N_("Bedtime stretch{name}? 🌙 A few slow minutes before sleep."),
    N_("Evening{name}. Wind down with the wall and towel stretches before sleep."),
    N_("Time to relax{name} 😌 A few gentle stretches before bed?"),
    N_("Before bed{name}: lie down, breathe out, stretch. No rush."),
    N_("Good evening{name}! Close the day with a few calm holds for your back."),
)


def nudge(kind: str, user_id: int, day: int, first_name: str) -> str:
    """A short nudge; the words change from day to day (and differ between users)."""
    options = _MORNING if kind == "morning" else _BEDTIME
    given = shown_name(first_name)
    # {name} is ", Ann" (or nothing): the greeting reads whole with or without a name.
    name = _(", {first_name}").format(first_name=given) if given else ""
    return _(options[(day + user_id) % len(options)]).format(name=name)


def snoozed(until_local: str) -> str:
    return _("💤 Snoozed. I'll remind you again at {time}.").format(time=until_local)


def nudge_started(kind: str) -> str:
    return _("Let's go! 💪") if kind == "morning" else _("Let's wind down. 🌙")


def button_snooze(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if hours and not rest:
        return _("💤 {hours} h").format(hours=hours)
    return _("💤 {minutes} min").format(minutes=minutes)


def nudge_skipped_until(next_kind: str | None, skipped: str) -> str:
    """Skip today's reply, naming the next nudge that is really on (none: no promise)."""
    if next_kind is None:
        return _("Okay, skipping this one. 🙂")
    if next_kind == "morning":
        return _("Okay, skipping this one. See you tomorrow morning. 🙂")
    if skipped == "morning":
        return _("Okay, skipping this one. See you tonight. 🙂")
    return _("Okay, skipping this one. See you tomorrow night. 🙂")


_DESK = (
    N_("Desk break{name}? 🪑 One minute of the chair stretch, 30 seconds a side."),
    N_("Time to unstick from the chair{name}: a seated stretch, right where you are."),
    N_("A quick desk stretch{name}? Sit tall, one leg out, lean gently forward."),
)


def desk_nudge(user_id: int, day: int, first_name: str) -> str:
    given = shown_name(first_name)
    name = f", {given}" if given else ""
    return _(_DESK[(day + user_id) % len(_DESK)]).format(name=name)
