"""What the bot says about itself: /help, the command menu and the descriptions Telegram shows
before Start (set once per language at start-up, bot/app.py)."""

from __future__ import annotations

from bot.routines import Library
from bot.texts.base import N_, Sentence, _
from bot.texts.pain_care import PainCare


class Help:
    """The descriptions, read as `texts.NAME`."""

    # setMyShortDescription (profile page, shared links): at most 120 characters.
    SHORT_DESCRIPTION = Sentence(
        "Your coach for the hamstring stretches a chiropractor recommends for lower-back pain."
    )
    # setMyDescription (the empty chat, before Start): at most 512 characters with the
    # privacy line.
    DESCRIPTION = Sentence(
        "Limber guides you through the four hamstring stretches a chiropractor recommends for "
        "lower-back pain: "
        "30 seconds a side, with a timer, and a nudge every morning and bedtime at your local "
        "time. Talk to your doctor or chiropractor about these stretches, and stop if anything "
        "hurts."
    )
    # For setMyDescription (the text people see before pressing Start).
    DESCRIPTION_PRIVACY_LINE = Sentence(
        "Your data: send /privacy to read what Limber keeps and why."
    )


def help_text(library: Library) -> str:
    routines = ", ".join(r.id for r in library.routines.values())
    return "\n\n".join(
        (
            _(
                "Limber guides you through hamstring stretches for lower-back pain, one message "
                "at a time, with a timer for each hold, and nudges you every morning and "
                "bedtime."
            ),
            _(
                "/stretch — start the default routine (or /stretch NAME: {routines})\n"
                "/routines — pick a routine\n"
                "/stats — your streak and progress, with a picture\n"
                "/reach — a one-minute mobility check: how high your straight leg goes\n"
                "/export — a copy of everything I keep about you (a ZIP of CSV files)\n"
                "/settings — time zone and nudge times\n"
                "/timezone CITY, /morning HH:MM, /bedtime HH:MM — change one thing\n"
                "/pause DAYS, /resume — a break from nudges\n"
                "/stop — no more nudges (your history is kept)\n"
                "/deletedata — erase everything I keep about you\n"
                "/privacy — what I keep about you and why\n"
                "/language — the language I speak\n"
                "/start — the welcome and the medical note\n"
                "/help — this message"
            ).format(routines=routines),
            _(
                "During a session: Ready starts a hold; Pause, Skip and Stop are always one tap "
                "away; “This hurts” ends the session."
            ),
            PainCare.MEDICAL_NOTE,
            PainCare.WARNING_SIGNS,
        )
    )


# Every command the bot has, with the line Telegram shows in its menu; /help lists them all.
_COMMANDS = (
    ("stretch", N_("Start a guided stretching session")),
    ("routines", N_("Pick a routine")),
    ("stats", N_("Your streak and progress, with a picture")),
    ("reach", N_("Mobility check: how high your straight leg goes")),
    ("export", N_("A copy of everything Limber keeps about you")),
    ("settings", N_("Time zone and nudge times")),
    ("timezone", N_("Set your time zone")),
    ("morning", N_("Set the morning nudge, e.g. /morning 07:30")),
    ("bedtime", N_("Set the bedtime nudge, e.g. /bedtime 22:00")),
    ("pause", N_("Pause nudges for a few days, e.g. /pause 7")),
    ("resume", N_("End a pause early")),
    ("stop", N_("Unsubscribe from nudges")),
    ("deletedata", N_("Erase everything Limber keeps about you")),
    ("privacy", N_("What Limber keeps about you, and why")),
    ("language", N_("Change the language I speak")),
    ("start", N_("Welcome, the medical note, subscribe")),
    ("help", N_("What Limber does")),
)


def commands() -> tuple[tuple[str, str], ...]:
    """(command, menu line) in the current language, for setMyCommands."""
    return tuple((name, _(line)) for name, line in _COMMANDS)


def description() -> str:
    """setMyDescription's text: what the bot does, the medical caution, and /privacy."""
    return f"{Help.DESCRIPTION}\n\n{Help.DESCRIPTION_PRIVACY_LINE}"
