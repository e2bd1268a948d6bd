"""Getting set up: the welcome, then the time zone and the two nudge times (asked at /start, and
again by /timezone, /morning and /bedtime), with what is said when an answer cannot be read."""

from __future__ import annotations

from bot.texts.base import Composed, Sentence, _, _echo, shown_name
from bot.texts.pain_care import PainCare
from bot.texts.settings import Settings


def _zone_not_set() -> str:
    return _("🌍 Your time zone isn't set yet, so no nudges are scheduled.\n\n{question}").format(
        question=Onboarding.ASK_TIMEZONE
    )


class Onboarding:
    """The set-up questions and what they answer, read as `texts.NAME`."""

    ASK_TIMEZONE = Sentence(
        "🌍 Which time zone are you in? I'll nudge you at your local time.\n"
        "Tap one, type your city (e.g. Berlin, New York) or share your location "
        "(📎 → Location)."
    )
    BAD_ZONE = Sentence(
        "I don't know that place. Type the nearest city, e.g. Lyon, Birmingham, UK or São "
        "Paulo, or share your location. Nothing was changed."
    )
    OFFSET_ZONE = Sentence(
        "UTC, GMT, zone abbreviations and offsets like UTC+2 stay the same all year, but the "
        "clocks in most places change for summer, so your nudges would come an hour early or "
        "late for half the year. Please type your city instead (e.g. London, Kolkata, São "
        "Paulo) or share your location. Nothing was changed."
    )
    BAD_LOCATION = Sentence(
        "I couldn't find a time zone for that location. Please type your city instead."
    )
    LOCATION_UNASKED = Sentence(
        "To set your time zone from a location, send /timezone first, then share it."
    )
    BAD_TIME = Sentence(
        "I couldn't read that time. Try 07:30, 7am, 19h30 or half past ten. Nothing was changed."
    )

    # /settings without a zone: the question, after why nothing is scheduled.
    ZONE_NOT_SET = Composed(_zone_not_set)


def welcome(first_name: str, *, returning: bool) -> str:
    name = shown_name(first_name)
    if returning:
        hello = _("Welcome back, {name}! 👋") if name else _("Welcome back! 👋")
    else:
        hello = _("Hi {name}, I'm Limber! 👋") if name else _("Hi, I'm Limber! 👋")
    return "\n\n".join(
        (
            hello.format(name=name),
            _(
                "I coach you through the hamstring stretches a chiropractor recommends for "
                "lower-back pain: four gentle stretches, 30 seconds a side, every morning and "
                "every night. Over time they lengthen the hamstrings, which takes stress off the "
                "lower back."
            ),
            PainCare.MEDICAL_NOTE,
            _("Tap /stretch to start a session now, or /routines to pick a shorter one."),
        )
    )


def ask_time(kind: str) -> str:
    if kind == "morning":
        return _("☀️ When should I nudge you in the morning? Tap a time or type one (e.g. 7:15).")
    return _("🌙 And at bedtime? Tap a time or type one (e.g. 10:30 pm).")


def zone_set(label: str, local_now: str) -> str:
    """The chosen place and its clock: a wrong pick shows at once."""
    return _("🌍 Time zone set: {place}. It's {time} there now.").format(
        place=label, time=local_now
    )


def time_set(kind: str, local: str) -> str:
    if kind == "morning":
        return _("Morning nudge set for {time}.").format(time=local)
    return _("Bedtime nudge set for {time}.").format(time=local)


def nudge_off(kind: str) -> str:
    return _("Morning nudge turned off.") if kind == "morning" else _("Bedtime nudge turned off.")


def all_set(summary: str) -> str:
    return _(
        "All set! ✅\n\n{summary}\n\nChange anything with /settings. /stretch starts a session now."
    ).format(summary=summary)


def reask(step: str) -> str:
    """A reply that answers nothing ("thanks!", 👍) while a set-up question waits."""
    if step == "timezone":
        return _(
            "You're welcome! 🙂 One thing is still missing before I can nudge you: your time "
            "zone.\n\n{question}"
        ).format(question=Onboarding.ASK_TIMEZONE)
    if step == "morning":
        return _("🙂 I still need a time for the morning nudge.\n\n{question}").format(
            question=ask_time(step)
        )
    return _("🙂 I still need a time for the bedtime nudge.\n\n{question}").format(
        question=ask_time(step)
    )


def time_set_while_stopped(kind: str, local: str) -> str:
    stopped = Settings.NUDGES_STOPPED
    if kind == "morning":
        return _("Morning time saved: {time}. {stopped}").format(time=local, stopped=stopped)
    return _("Bedtime time saved: {time}. {stopped}").format(time=local, stopped=stopped)


def which_place(typed: str) -> str:
    return _("🌍 There's more than one “{place}”. Which one is yours?").format(place=_echo(typed))


def button_keep_time(local: str) -> str:
    return f"✅ {local}"


def time_check(kind: str, local: str, night: bool = False) -> str:
    """A nudge time in the unlikely half of the day: asked, not taken. `night`: it is in the
    small hours (00:00-04:59), which are neither the evening nor the middle of the day."""
    if night and kind == "morning":
        return _(
            "🤔 {time} is in the middle of the night. Is that right for your morning nudge? "
            "Tap the time you mean."
        ).format(time=local)
    if night:
        return _(
            "🤔 {time} is in the middle of the night. Is that right for your bedtime nudge? "
            "Tap the time you mean."
        ).format(time=local)
    if kind == "morning":
        return _(
            "🤔 {time} is in the afternoon or evening. Is that right for your morning nudge? "
            "Tap the time you mean."
        ).format(time=local)
    return _(
        "🤔 {time} is in the morning or the middle of the day. Is that right for your bedtime "
        "nudge? Tap the time you mean."
    ).format(time=local)
