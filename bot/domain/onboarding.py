"""What the bot waits for the user to answer: the first set-up after /start (time zone, then
morning, then bedtime) and single changes asked from a command or /settings.

A pure machine, like domain/session.py: `step(pending, event)` gives the next pending question
and the effects for the handler to carry out (ask, re-ask, show the summary, ...). Handlers
only translate Telegram updates into events and effects into messages; the store keeps the
pending question in `users.onboarding`, written and read only through `encode` / `decode`:
"ob:<step>" during the first set-up, "set:<step>" for one change. Kept in the database rather
than in memory, so a restart or another worker carries on where the user left off.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum

FIRST_SETUP = "ob"
ONE_CHANGE = "set"


class Step(StrEnum):
    TIMEZONE = "timezone"
    MORNING = "morning"
    BEDTIME = "bedtime"


@dataclass(frozen=True, slots=True)
class Pending:
    """The question waiting for an answer."""

    step: Step
    first_setup: bool  # part of the set-up after /start, rather than one change


# What a new user is asked first: their time zone (no nudges until it is known).
FIRST_QUESTION = Pending(Step.TIMEZONE, first_setup=True)


def encode(pending: Pending | None) -> str | None:
    if pending is None:
        return None
    return f"{FIRST_SETUP if pending.first_setup else ONE_CHANGE}:{pending.step.value}"


def decode(column: str | None) -> Pending | None:
    """The pending question of a stored value; None for nothing pending (or anything the bot
    did not write, which then asks nothing rather than something wrong)."""
    kind, _, step = (column or "").partition(":")
    if kind not in (FIRST_SETUP, ONE_CHANGE) or step not in {s.value for s in Step}:
        return None
    return Pending(Step(step), kind == FIRST_SETUP)


def zone_known(pending: Pending | None) -> bool:
    """False until the first set-up has a zone: 07:30 UTC is nobody's morning, so no nudge
    is scheduled before."""
    return pending != Pending(Step.TIMEZONE, True)


# Events -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Started:
    """/start. `created`: this /start made the user's row (the store starts every new row in
    the first set-up, also one made by /stretch before any /start)."""

    created: bool


@dataclass(frozen=True, slots=True)
class Asked:
    """/timezone, /morning, /bedtime without an argument, or a /settings button."""

    step: Step


@dataclass(frozen=True, slots=True)
class ZoneChosen:
    """A zone was set (a button, a typed city, a location, /timezone CITY)."""


@dataclass(frozen=True, slots=True)
class TimeChosen:
    """A nudge time was set or turned off (a button, typed, /morning HH:MM)."""

    kind: Step


@dataclass(frozen=True, slots=True)
class Typed:
    """Free text that is no command."""

    text: str


@dataclass(frozen=True, slots=True)
class Located:
    """A shared location."""


Event = Started | Asked | ZoneChosen | TimeChosen | Typed | Located


class Effect(StrEnum):
    GREET_NEW = "greet_new"
    GREET_RETURNING = "greet_returning"
    ASK = "ask"  # the pending question, with its buttons
    REASK = "reask"  # that was no answer: ask again, kindly, with the buttons
    READ_ZONE = "read_zone"  # look the text up as a place
    READ_TIME = "read_time"  # read the text as a time of day
    READ_LOCATION = "read_location"
    LOCATION_UNASKED = "location_unasked"
    SHOW_SUMMARY = "show_summary"
    ALL_SET = "all_set"  # the first set-up is complete
    FREE_TEXT = "free_text"  # nothing asked: point to /help


@dataclass(frozen=True, slots=True)
class Transition:
    pending: Pending | None
    effects: tuple[Effect, ...]


def step(pending: Pending | None, event: Event) -> Transition:
    """The next pending question and what to do, for `event` while `pending` waits."""
    match event:
        case Started(created):
            # "Welcome back" only for someone who finished the set-up once: a first-timer who
            # tried /stretch before /start, or left the set-up half way, is greeted as new.
            if pending is not None and pending.first_setup:
                return Transition(pending, (Effect.GREET_NEW, Effect.ASK))
            if created:
                return Transition(Pending(Step.TIMEZONE, True), (Effect.GREET_NEW, Effect.ASK))
            return Transition(pending, (Effect.GREET_RETURNING, Effect.SHOW_SUMMARY))
        case Asked(asked):
            # Asked again for the step the set-up waits on, it stays the set-up.
            first = pending is not None and pending.first_setup and pending.step is asked
            return Transition(Pending(asked, first), (Effect.ASK,))
        case ZoneChosen():
            if pending == Pending(Step.TIMEZONE, True):
                return Transition(Pending(Step.MORNING, True), (Effect.ASK,))
            return Transition(None, (Effect.SHOW_SUMMARY,))
        case TimeChosen(kind):
            return _after_time(pending, kind)
        case Typed(text):
            return _typed(pending, text)
        case Located():
            if pending is None or pending.step is not Step.TIMEZONE:
                return Transition(pending, (Effect.LOCATION_UNASKED,))
            return Transition(pending, (Effect.READ_LOCATION,))
    raise AssertionError(f"unknown event {event!r}")  # pragma: no cover


def _after_time(pending: Pending | None, kind: Step) -> Transition:
    if pending == Pending(Step.TIMEZONE, True):
        # A time set by command before the zone is known: the set-up still needs the zone.
        return Transition(pending, (Effect.ASK,))
    if pending == Pending(Step.MORNING, True) and kind is Step.MORNING:
        return Transition(Pending(Step.BEDTIME, True), (Effect.ASK,))
    if pending == Pending(Step.BEDTIME, True):
        return Transition(None, (Effect.ALL_SET,))
    return Transition(None, (Effect.SHOW_SUMMARY,))


def _typed(pending: Pending | None, text: str) -> Transition:
    if pending is None:
        return Transition(None, (Effect.FREE_TEXT,))
    if not is_an_answer(text):
        return Transition(pending, (Effect.REASK,))
    if pending.step is Step.TIMEZONE:
        return Transition(pending, (Effect.READ_ZONE,))
    return Transition(pending, (Effect.READ_TIME,))


# "thanks!" after the welcome is politeness, not a city: looked up, it would get "I don't know
# that place" and leave the set-up stuck in the user's eyes. Compared after dropping
# punctuation, symbols and emoji, and case.
_NOT_ANSWERS = frozenset(
    {
        "",
        "thanks",
        "thank you",
        "thanks a lot",
        "thx",
        "ty",
        "ok",
        "okay",
        "k",
        "yes",
        "yeah",
        "yep",
        "no",
        "nope",
        "sure",
        "cool",
        "great",
        "nice",
        "hi",
        "hello",
        "hey",
        "done",
        "got it",
        "good",
        "lol",
    }
)


def is_an_answer(text: str) -> bool:
    """Whether typed text could answer a question about a place or a time: it has a letter or
    a digit, and is not one of the usual courtesies."""
    kept = "".join(c if unicodedata.category(c)[0] in "LN" else " " for c in text.casefold())
    words = " ".join(kept.split())
    return words not in _NOT_ANSWERS
