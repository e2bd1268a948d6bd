"""Every sentence a user reads, in one place, in the user's language.

Kept together so the tone stays consistent (calm, encouraging, never medical advice beyond the
seed's "talk to your doctor; stop if it hurts"). English is the source: each sentence here is a
gettext msgid, translated through bot/i18n.py into the language of the current update or job
(bot/locales/<lang>/LC_MESSAGES/limber.po).

How to add a sentence (README, "Languages"):
- a fixed one: a line in `_CONSTANTS` (`NAME=N_("...")`), read as `texts.NAME`, and its
  name declared (`NAME: str`) at the end of this file, so that mypy knows it and refuses a typo;
- one with values: a function returning `_("... {name} ...").format(name=...)` — placeholders
  by name, never an f-string or `+` around the words, so a translator can move them;
- a count: `count("{n} stretch", "{n} stretches", n)` (each language's plural rule);
- then `pybabel extract/update` and a translation in each .po; tests/i18n/test_i18n_catalogs.py
  names every msgid a language is missing.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from bot import i18n, routine_catalog
from bot.domain.session import (
    ADVISED_HOLD_SECONDS,
    PAUSE_LIMIT_SECONDS,
    EndReason,
    Phase,
    SessionState,
    Status,
    estimated_seconds,
)
from bot.domain.weekly import WeekFacts, judge
from bot.routines import Library, Routine, Stretch

_ = i18n.gettext


def N_(message: str) -> str:
    """Marks a msgid for `pybabel extract` where it is translated later (gettext_noop)."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form for `n` by the current language's plural rule (English two, Russian three).
    The forms keep a {n} to format."""
    return i18n.ngettext(singular, plural, n)


def count(singular: str, plural: str, n: int) -> str:
    """ "1 stretch", "3 stretches": ngettext's form with the number filled in."""
    return ngettext(singular, plural, n).format(n=n)


# Fixed sentences: `texts.NAME` is the translation in the current language (see __getattr__).
_CONSTANTS: dict[str, str] = {
    "MEDICAL_NOTE": N_(
        "⚕️ Before you start: talk to your doctor or chiropractor about these stretches, and "
        "stop if anything hurts. A stretch is a gentle pull, never pain. Sharp pain, numbness "
        "or tingling down the leg are reasons to stop and see a doctor."
    ),
    "BUTTON_READY": N_("✅ Ready"),
    "BUTTON_SKIP": N_("⏭ Skip"),
    "BUTTON_STOP": N_("⏹ Stop"),
    "BUTTON_PAUSE": N_("⏸ Pause"),
    "BUTTON_RESUME": N_("▶️ Resume"),
    "BUTTON_HURT": N_("🤕 This hurts"),
    "STALE_BUTTON": N_("That button is out of date."),
    "SESSION_ENDED": N_("This session has ended. /stretch starts a new one."),
    "NOT_YOURS": N_("That isn't your session."),
    "UNKNOWN_BUTTON": N_("That button doesn't do anything any more."),
    "STORAGE_DOWN": N_(
        "I can't save anything right now, so nothing changed. Please try again in a minute."
    ),
    "SOMETHING_WRONG": N_(
        "Sorry, something went wrong on my side. Your progress is saved; try again."
    ),
    # The database refuses writes (read-only, gone, down): nothing said may claim a save.
    "SESSION_WAITS": N_(
        "I can't save right now; your session waits. It carries on by itself as soon as I "
        "can save again."
    ),
    "FREE_TEXT": N_(
        "I'm a stretching coach, so I understand commands. /stretch starts a session, "
        "/routines lists them, /help tells you more."
    ),
    # Nudges
    "BUTTON_START_NOW": N_("▶️ Start now"),
    "BUTTON_SKIP_TODAY": N_("Skip today"),
    # Time zone, nudge times, settings
    "ASK_TIMEZONE": N_(
        "🌍 Which time zone are you in? I'll nudge you at your local time.\n"
        "Tap one, type your city (e.g. Berlin, New York) or share your location "
        "(📎 → Location)."
    ),
    "BAD_ZONE": N_(
        "I don't know that place. Type the nearest city, e.g. Lyon, Birmingham, UK or São "
        "Paulo, or share your location. Nothing was changed."
    ),
    "OFFSET_ZONE": N_(
        "UTC, GMT, zone abbreviations and offsets like UTC+2 stay the same all year, but the "
        "clocks in most places change for summer, so your nudges would come an hour early or "
        "late for half the year. Please type your city instead (e.g. London, Kolkata, São "
        "Paulo) or share your location. Nothing was changed."
    ),
    "BAD_LOCATION": N_(
        "I couldn't find a time zone for that location. Please type your city instead."
    ),
    "LOCATION_UNASKED": N_(
        "To set your time zone from a location, send /timezone first, then share it."
    ),
    "BAD_TIME": N_(
        "I couldn't read that time. Try 07:30, 7am, 19h30 or half past ten. Nothing was changed."
    ),
    "NO_USER": N_("Please send /start first, so I can set you up."),
    "BUTTON_OFF": N_("Turn off"),
    "SETTINGS_TITLE": N_("⚙️ Your settings"),
    "STOPPED": N_(
        "You're unsubscribed: no more nudges. Your history is kept; /start subscribes you again."
    ),
    "RESUMED": N_("Welcome back from your break! Nudges are on again."),
    "BAD_PAUSE": N_(
        "Tell me how many days to pause, from 1 to 60, e.g. /pause 7. Nothing was changed."
    ),
    "NOT_PAUSED": N_("Your nudges are not paused."),
    # Privacy
    "CONFIRM_DELETE": N_(
        "🗑 This erases everything I keep about you: your settings, sessions, streaks and "
        "answers. It cannot be undone. Delete it all?"
    ),
    "BUTTON_DELETE": N_("Yes, delete everything"),
    "BUTTON_KEEP": N_("Cancel"),
    "DELETED": N_(
        "Done: everything I kept about you is erased. /start if you ever want to begin again."
    ),
    "KEPT": N_("Nothing was deleted."),
    "NOTHING_TO_DELETE": N_("I keep no data about you."),
    "NO_DATA": N_("I have no history for you yet. /start to begin."),
    # Progress
    "PAIN_QUESTION": N_("How's your back today? (0 = no pain, 10 = the worst)"),
    "NO_HISTORY": N_(
        "No sessions yet, so nothing to chart. 🙂 Do your first one with /stretch and your "
        "calendar starts filling up."
    ),
    "STREAK_AT_STAKE": N_("🔥 Your streak is at stake: one session tonight keeps it alive."),
    # Privacy, export and operators
    "PRIVACY": N_(
        "🔒 What Limber keeps about you, and why\n\n"
        "• Your Telegram user and chat id, first name and language: to know who you are and "
        "greet you.\n"
        "• Your time zone, morning and bedtime nudge times, pause and whether nudges are on: to "
        "nudge you at your local time. A shared location or a typed city only picks the time "
        "zone; the location itself is not kept.\n"
        "• Your sessions (routine, start and end, holds done): to guide you, and for your "
        "streaks and /stats.\n"
        "• Your answers to “how's your back?” (0 to 10, one a day): to chart them for you. "
        "These are health data, used for nothing else.\n"
        "• Your mobility checks (/reach: how high each straight leg goes): to chart them "
        "beside the pain line and in your weekly summary. Health data too, used for nothing "
        "else.\n\n"
        "How long: until you delete it. /stop only ends the nudges and keeps your history for "
        "when you come back; /deletedata erases everything at once.\n\n"
        "Who can see it: you, through this chat, and the people who run this Limber bot, who "
        "keep the database. It is not sold, shared or used for ads. Telegram carries the "
        "messages under its own privacy policy. The bot's logs may name your user id when a "
        "message fails, never your answers.\n\n"
        "Your copy: /export sends everything Limber keeps about you as a ZIP of CSV files.\n"
        "Erase it: /deletedata, after one confirmation. Backups the operator keeps age out on "
        "their own schedule.\n\n"
        "Limber is a stretching coach, not a medical service."
    ),
    # For setMyDescription (the text people see before pressing Start).
    "DESCRIPTION_PRIVACY_LINE": N_("Your data: send /privacy to read what Limber keeps and why."),
    "EXPORT_ZIP_CAPTION": N_(
        "Everything Limber keeps about you: profile.csv (name, language, time zone, nudge "
        "times), history.csv (sessions and back-pain answers) and one CSV per table in tables/."
    ),
    "ADMIN_NO_DUE_NUDGE": N_("none, all caught up"),
    "ADMIN_THIS_PROCESS": N_(" (this process)"),
    # A second tap on a button that has done its job (a double tap): short, nothing happens.
    "ALREADY_DONE": N_("Already done. 👍"),
    "BUTTON_CHANGE_ZONE": N_("🌍 Change time zone"),
    "NUDGES_STOPPED": N_("🔕 Nudges are off since /stop. /start turns them back on."),
    # The /stats picture (drawn with the shipped DejaVu Sans: Latin and Cyrillic).
    "CHART_TITLE": N_("Limber"),
    "CHART_PAIN_TITLE": N_("How's your back (0 = no pain)"),
    "CHART_NO_PAIN": N_("No answers yet"),
    # /language
    "ASK_LANGUAGE": N_("🌐 Which language should I speak?"),
    "UNKNOWN_LANGUAGE": N_("I don't speak that language yet. Pick one of these:"),
    # setMyShortDescription (profile page, shared links): at most 120 characters.
    "SHORT_DESCRIPTION": N_(
        "Your coach for the hamstring stretches a chiropractor recommends for lower-back pain."
    ),
    # setMyDescription (the empty chat, before Start): at most 512 characters with the
    # privacy line.
    "DESCRIPTION": N_(
        "Limber guides you through the four hamstring stretches a chiropractor recommends for "
        "lower-back pain: "
        "30 seconds a side, with a timer, and a nudge every morning and bedtime at your local "
        "time. Talk to your doctor or chiropractor about these stretches, and stop if anything "
        "hurts."
    ),
}


if not TYPE_CHECKING:
    # Hidden from mypy: with a module __getattr__ in sight it accepts any name (texts.TYPO
    # passed --strict); without it, only the names declared at the end of this file exist.

    def __getattr__(name: str) -> str:
        """`texts.BUTTON_READY` and friends: looked up at use, so each reads in the language
        of the update or job that uses it (a module-level string would be fixed at import)."""
        if name in _CONSTANTS:
            return _(_CONSTANTS[name])
        if name in _COMPOSED:
            return _COMPOSED[name]()
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_BIDI_CONTROLS = dict.fromkeys(
    map(ord, "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)


def _echo(text: str, limit: int = 40) -> str:
    """The user's own words inside one of our sentences. Control characters go, and so do bidi
    controls, which would otherwise flip the rest of our sentence (a stray U+202E reverses it);
    the rest is isolated (FSI ... PDI) so a right-to-left text cannot reorder the words around.
    """
    kept = "".join(c for c in text if unicodedata.category(c) != "Cc").translate(_BIDI_CONTROLS)
    return f"\u2068{kept[:limit]}\u2069"


def unknown_command(command: str) -> str:
    return _("I don't know {command}. Try /stretch to start a session, or /help.").format(
        command=_echo(command)
    )


# A first name shown back is cut to this many characters. Telegram allows 64, but an update
# is not checked: a 64 KB name made a 66,006-character greeting (issue 29), and Telegram
# refuses a message over 4,096 characters, so the person got no welcome at all.
NAME_SHOWN = 40


def shown_name(first_name: str) -> str:
    """The first name as a message shows it: trimmed, and cut (with "…") past NAME_SHOWN."""
    name = " ".join(first_name.split())
    return name if len(name) <= NAME_SHOWN else name[: NAME_SHOWN - 1].rstrip() + "…"


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
            _(_CONSTANTS["MEDICAL_NOTE"]),
            _("Tap /stretch to start a session now, or /routines to pick a shorter one."),
        )
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
            _(_CONSTANTS["MEDICAL_NOTE"]),
            _(_CONSTANTS["WARNING_SIGNS"]),
        )
    )


# Routine words in the user's language (the routines catalogs, bot/routine_catalog.py), each
# word without a current translation in English.


def stretch_name(stretch: Stretch) -> str:
    return routine_catalog.stretch_text(stretch, i18n.current()).name


def routine_title(routine: Routine) -> str:
    return routine_catalog.routine_text(routine, i18n.current()).title


def routine_description(routine: Routine) -> str | None:
    return routine_catalog.routine_text(routine, i18n.current()).description


def routines_menu(library: Library, *, hold_seconds: int | None = None, pace: int = 100) -> str:
    """/routines: each routine with its duration at the person's hold length and pace."""
    lines = [_("Pick a routine:")]
    for r in library.routines.values():
        about = routine_description(r) or _stretch_names(r)
        lines.append(f"• {routine_title(r)} — {about} ({_minutes(r, hold_seconds, pace)})")
    return "\n".join(lines)


def unknown_routine(name: str, library: Library) -> str:
    ids = ", ".join(f"/stretch {r.id}" for r in library.routines.values())
    return _("There is no routine called “{name}”. The routines are: {routines}.").format(
        name=_echo(name), routines=ids
    )


def routine_button(routine: Routine, *, hold_seconds: int | None = None, pace: int = 100) -> str:
    return f"{routine_title(routine)} ({_minutes(routine, hold_seconds, pace)})"


def _stretch_names(routine: Routine) -> str:
    return ", ".join(stretch_name(s) for s in routine.stretches)


def _minutes(routine: Routine, hold_seconds: int | None = None, pace: int = 100) -> str:
    """ "about 8 min": the routine's own timings (every get-ready count, hold and switch at
    this hold length and pace), rounded finely enough to stay within 5 % of them (issue 23:
    "about 5 min" took 6 min to 6 min 31 s)."""
    total = estimated_seconds(routine, hold_seconds=hold_seconds, pace_percent=pace)
    return _("about {time}").format(time=_duration(about(total)))


def about(seconds: int) -> int:
    """`seconds` rounded as people say a duration, never more than 5 % off: to 5 s under
    2 min, 15 s under 5 min, 30 s under 10 min, then to the minute."""
    grain = 5 if seconds < 120 else 15 if seconds < 300 else 30 if seconds < 600 else 60
    return max(grain, grain * round(seconds / grain))


def side_name(stretch: Stretch, side: int) -> str:
    if not stretch.each_side:
        return ""
    return _("left leg") if side == 0 else _("right leg")


def _seconds(n: int) -> str:
    return _("{n} s").format(n=n)


def _countdown(seconds: float, step: int, full: float | None = None) -> str:
    # Shown rounded up to the edit cadence, so the number never jumps ahead of the truth (and
    # never above the whole hold: a 45 s hold on a 10 s cadence starts at 45, not 50).
    shown = step * math.ceil(seconds / step) if seconds > 0 else 0
    if full is not None:
        shown = min(shown, math.ceil(full))
    return _seconds(int(shown))


def _titled(stretch: Stretch, side: int) -> str:
    """ "Towel stretch — left leg", or the bare name for a one-sided stretch."""
    label = side_name(stretch, side)
    name = stretch_name(stretch)
    return _("{stretch} — {side}").format(stretch=name, side=label) if label else name


def intro_header(n: int, total: int, stretch: Stretch) -> str:
    """ "Stretch 2 of 4: Seated chair stretch", the line that opens each stretch's card."""
    return _("Stretch {n} of {total}: {name}").format(n=n, total=total, name=stretch_name(stretch))


def intro(routine: Routine, state: SessionState, *, first: bool) -> str:
    stretch = routine.stretches[state.stretch_index]
    words = routine_catalog.stretch_text(stretch, i18n.current())
    n, total = state.stretch_index + 1, len(routine.stretches)
    parts = []
    if first:
        parts.append(
            _(
                "🧘 {routine}: {stretches}, {minutes}. Relax while you stretch; stop if "
                "anything hurts."
            ).format(
                routine=routine_title(routine),
                stretches=count("{n} stretch", "{n} stretches", total),
                minutes=_minutes(routine, state.hold_seconds, state.pace_percent),
            )
        )
    parts.append(intro_header(n, total, stretch))
    parts.append("\n".join(f"{i}. {step}" for i, step in enumerate(words.steps, 1)))
    if words.tip:
        parts.append(f"💡 {words.tip}")
    held = state.hold_seconds or stretch.hold_seconds
    short = state.hold_seconds is not None and state.hold_seconds < ADVISED_HOLD_SECONDS
    if state.hands_free:
        each = _("Hold {seconds} s on each side.") if stretch.each_side else _("Hold {seconds} s.")
        parts.append(f"{each.format(seconds=held)} {hands_free_start(state.phase_seconds or 0)}")
    elif stretch.each_side:
        parts.append(
            _("Hold {seconds} s on each side. Tap Ready when you're in position.").format(
                seconds=held
            )
        )
    else:
        parts.append(_("Hold {seconds} s. Tap Ready when you're in position.").format(seconds=held))
    if short:
        parts.append(
            _(
                "⚠️ {seconds} s is shorter than the {advised} s the chiropractor advises; "
                "/settings changes it."
            ).format(seconds=held, advised=ADVISED_HOLD_SECONDS)
        )
    return "\n\n".join(parts)


def hold(routine: Routine, state: SessionState, seconds_left: float, step: int) -> str:
    stretch = routine.stretches[state.stretch_index]
    full = state.phase_seconds or state.hold_seconds or stretch.hold_seconds
    left = _countdown(min(seconds_left, full), min(step, full), full)
    return _("⏱ {title}\nHold: {left} left\n\nBreathe slowly and relax into it.").format(
        title=_titled(stretch, state.side), left=left
    )


def hold_closed(
    routine: Routine, state: SessionState, *, completed: bool, held_seconds: int | None = None
) -> str:
    stretch = routine.stretches[state.stretch_index]
    title = _titled(stretch, state.side)
    # The hold as it began, not as routines.toml says now (it may have changed meanwhile).
    full = state.phase_seconds if state.phase_seconds is not None else stretch.hold_seconds
    if completed:
        return _("✓ {title}: {seconds} s held").format(title=title, seconds=full)
    if held_seconds:
        return hold_stopped_after(title, held_seconds, full)
    return _("{title}: stopped early").format(title=title)


def switch(routine: Routine, state: SessionState, seconds_left: float) -> str:
    # Sides are taken left, then right: a switch always goes to the right leg.
    return _(
        "↔️ Switch sides: now the right leg.\nGet into position; the hold starts in {seconds} s."
    ).format(seconds=math.ceil(seconds_left))


def paused(routine: Routine, state: SessionState) -> str:
    stretch = routine.stretches[state.stretch_index]
    left = math.ceil(state.paused_remaining or 0)
    if state.phase is Phase.INTRO:
        return paused_before_hold(stretch_name(stretch), left)
    if state.phase is Phase.SWITCH:
        return _("⏸ Paused: {seconds} s left of the switch. Tap Resume when you're ready.").format(
            seconds=left
        )
    return _(
        "⏸ Paused: {seconds} s left of the {stretch} hold. Tap Resume when you're ready."
    ).format(seconds=left, stretch=stretch_name(stretch))


def interrupted(routine: Routine, state: SessionState) -> str:
    stretch = routine.stretches[state.stretch_index]
    side = side_name(stretch, state.side)
    name = stretch_name(stretch)
    where = _("{stretch} ({side})").format(stretch=name, side=side) if side else name
    return _(
        "Sorry, I was away for a while and your session was interrupted.\n"
        "Carry on with {where}? Tap Resume to do that hold again, or Stop."
    ).format(where=where)


def finished(routine: Routine, state: SessionState) -> str:
    # The time spent in holds, get-ready counts and switches, never a pause (issue 23).
    spent = _duration(state.duration_seconds)
    if state.stretches_done < len(routine.stretches):
        # Praise only for what was held: "2 of 4 stretches", no "Well done" for nothing.
        return finished_partly(routine, state)
    done = count("{n} stretch", "{n} stretches", state.stretches_done)
    if state.stretches_skipped:
        line = _("🎉 Done! {routine}: {stretches} in {time} ({skipped}).").format(
            routine=routine_title(routine),
            stretches=done,
            time=spent,
            skipped=count("{n} skipped", "{n} skipped", state.stretches_skipped),
        )
    else:
        line = _("🎉 Done! {routine}: {stretches} in {time}.").format(
            routine=routine_title(routine), stretches=done, time=spent
        )
    line += "\n" + _("Nice work. See you at the next session.")
    if state.hold_seconds is not None and state.hold_seconds < ADVISED_HOLD_SECONDS:
        line += "\n" + _(
            "Your holds were {seconds} s; the chiropractor advises {advised} s a side."
        ).format(seconds=state.hold_seconds, advised=ADVISED_HOLD_SECONDS)
    return line


def ended(routine: Routine, state: SessionState, pause_limit_seconds: int | None = None) -> str:
    if state.end_reason is EndReason.HURT:
        return "\n\n".join(
            (
                _(
                    "Stopping now. 🤍 A stretch should feel like a gentle pull, never pain: "
                    "don't stretch into pain. If the pain stays, talk to your doctor or "
                    "chiropractor before you stretch again."
                ),
                _(_CONSTANTS["WARNING_SIGNS"]),
                _("Next time, I'll ask how your back is before we start."),
            )
        )
    if state.end_reason is EndReason.REPLACED:
        return _("This session was replaced by a new one.")
    if state.end_reason is EndReason.EXPIRED:
        limit = pause_limit_seconds or PAUSE_LIMIT_SECONDS
        why = _("⏹ Your session was paused for more than {time}, so I ended it.").format(
            time=_duration(limit)
        )
    else:
        why = _("⏹ Session stopped.")
    # What was done, in the same words however the session ended; nothing praised or counted
    # when nothing was held (issue 23: "after 0 stretches (0 holds). Every bit counts").
    return f"{why} {held_record(routine, state)}"


def held_record(routine: Routine, state: SessionState) -> str:
    """What a session that did not finish every stretch did: "Full routine: 1 of 4 stretches
    held, in 2 min 5 s." (it counts), or that nothing was held (it does not)."""
    if state.stretches_done == 0:
        return _(
            "No stretch was held this time, so it doesn't count towards your streak. "
            "/stretch whenever you're ready."
        )
    total = len(routine.stretches)
    return ngettext(
        "{routine}: {done} of {total} stretch held, in {time}.",
        "{routine}: {done} of {total} stretches held, in {time}.",
        total,
    ).format(
        routine=routine_title(routine),
        done=state.stretches_done,
        total=total,
        time=_duration(state.duration_seconds),
    )


def _duration(seconds: int) -> str:
    minutes, secs = divmod(max(0, seconds), 60)
    if minutes == 0:
        return _seconds(secs)
    if secs:
        return _("{minutes} min {seconds} s").format(minutes=minutes, seconds=secs)
    return _("{minutes} min").format(minutes=minutes)


def view(
    routine: Routine,
    state: SessionState,
    now_left: float,
    step: int,
    *,
    first: bool,
    pause_limit_seconds: int | None = None,
) -> str:
    """The text of the message that shows `state` (the live step, or the end)."""
    if state.status is Status.DONE:
        return finished(routine, state)
    if state.status is Status.STOPPED:
        return ended(routine, state, pause_limit_seconds)
    if state.status is Status.PAUSED:
        return paused(routine, state)
    if state.phase is Phase.INTRO:
        return intro(routine, state, first=first)
    if state.phase is Phase.SWITCH:
        return switch(routine, state, now_left)
    return hold(routine, state, now_left, step)


# Nudges -------------------------------------------------------------------------------------

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


# Time zone, nudge times, settings ------------------------------------------------------------


def clock(value: time | datetime) -> str:
    """A time of day as the user's language writes it (Babel: 07:30, 7:30, ...)."""
    return i18n.clock(value)


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


def all_set(summary: str) -> str:
    return _(
        "All set! ✅\n\n{summary}\n\nChange anything with /settings. /stretch starts a session now."
    ).format(summary=summary)


def paused_until_text(local: str) -> str:
    return _(
        "🏖 Enjoy your break! No nudges until {date}; they come back by themselves. "
        "/resume ends it early."
    ).format(date=local)


# Progress -----------------------------------------------------------------------------------


def streak_day(current: int) -> str:
    if current <= 1:
        return _("🔥 Day 1: a streak begins. Come back tonight or tomorrow to grow it.")
    return _("🔥 Day {n} in a row!").format(n=current)


def milestone(days: int) -> str:
    return _("🏆 {n} days in a row: a milestone! Your back is getting a real habit.").format(n=days)


def freeze_earned(held: int) -> str:
    return _(
        "🧊 You earned a streak freeze ({n} held): it saves your streak on a day you miss."
    ).format(n=held)


def freeze_spent(held: int) -> str:
    return _("🧊 A streak freeze saved your streak for a missed day ({n} left).").format(n=held)


def stats_text(
    current: int, best: int, sessions: int, minutes: int, full_days: int, freezes: int
) -> str:
    return _(
        "📊 Streak: {streak} (best {best})\n"
        "Sessions: {sessions}, {minutes} min in all\n"
        "Full days (morning and bedtime): {full_days}\n"
        "Streak freezes held: {freezes}"
    ).format(
        streak=count("{n} day", "{n} days", current),
        best=best,
        sessions=sessions,
        minutes=minutes,
        full_days=full_days,
        freezes=freezes,
    )


# --- privacy, export and operators ---


def admin_report(
    *,
    subscribers: int,
    active_week: int,
    sessions_today: int,
    nudges_sent: int,
    nudges_failed: int,
    nudges_since: str,
    oldest_due: str,
    errors_hour: int,
) -> str:
    return _(
        "🛠 Limber, for operators\n\n"
        "Subscribers (nudges on): {subscribers}\n"
        "Active this week (started a session): {active_week}\n"
        "Sessions today (UTC): {sessions_today}\n"
        "Nudges in the last day{since}: {sent} sent, {failed} failed (blocked included)\n"
        "Oldest unsent due nudge: {oldest_due}\n"
        "Errors in the last hour (this process): {errors_hour}"
    ).format(
        subscribers=subscribers,
        active_week=active_week,
        sessions_today=sessions_today,
        since=nudges_since,
        sent=nudges_sent,
        failed=nudges_failed,
        oldest_due=oldest_due,
        errors_hour=errors_hour,
    )


def admin_overdue(minutes: int) -> str:
    return _("due {minutes} min ago").format(minutes=minutes)


def admin_since_start(minutes: int) -> str:
    return _(" (this process, up {minutes} min)").format(minutes=minutes)


# --- ux: plurals, buttons, commands, onboarding, settings, the stats picture ---

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
    return f"{_(_CONSTANTS['DESCRIPTION'])}\n\n{_(_CONSTANTS['DESCRIPTION_PRIVACY_LINE'])}"


def button_time_of(kind: str) -> str:
    return _("☀️ Morning time") if kind == "morning" else _("🌙 Bedtime time")


def button_toggle(kind: str, on: bool) -> str:
    if kind == "morning":
        return _("☀️ Morning: turn off") if on else _("☀️ Morning: turn on")
    return _("🌙 Bedtime: turn off") if on else _("🌙 Bedtime: turn on")


def button_snooze(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if hours and not rest:
        return _("💤 {hours} h").format(hours=hours)
    return _("💤 {minutes} min").format(minutes=minutes)


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


def reask(step: str) -> str:
    """A reply that answers nothing ("thanks!", 👍) while a set-up question waits."""
    if step == "timezone":
        return _(
            "You're welcome! 🙂 One thing is still missing before I can nudge you: your time "
            "zone.\n\n{question}"
        ).format(question=_(_CONSTANTS["ASK_TIMEZONE"]))
    if step == "morning":
        return _("🙂 I still need a time for the morning nudge.\n\n{question}").format(
            question=ask_time(step)
        )
    return _("🙂 I still need a time for the bedtime nudge.\n\n{question}").format(
        question=ask_time(step)
    )


def zone_not_set() -> str:
    return _("🌍 Your time zone isn't set yet, so no nudges are scheduled.\n\n{question}").format(
        question=_(_CONSTANTS["ASK_TIMEZONE"])
    )


# Sentences built from others, read as constants all the same (texts.ZONE_NOT_SET).
_COMPOSED: dict[str, Callable[[], str]] = {"ZONE_NOT_SET": zone_not_set}


def time_set_while_stopped(kind: str, local: str) -> str:
    stopped = _(_CONSTANTS["NUDGES_STOPPED"])
    if kind == "morning":
        return _("Morning time saved: {time}. {stopped}").format(time=local, stopped=stopped)
    return _("Bedtime time saved: {time}. {stopped}").format(time=local, stopped=stopped)


def nudge_skipped_until(next_kind: str | None, skipped: str) -> str:
    """Skip today's reply, naming the next nudge that is really on (none: no promise)."""
    if next_kind is None:
        return _("Okay, skipping this one. 🙂")
    if next_kind == "morning":
        return _("Okay, skipping this one. See you tomorrow morning. 🙂")
    if skipped == "morning":
        return _("Okay, skipping this one. See you tonight. 🙂")
    return _("Okay, skipping this one. See you tomorrow night. 🙂")


def day_and_time(local: datetime) -> str:
    """ "Tue 1 Dec, 13:00" in the user's language (Babel, not the process's locale)."""
    return i18n.day_and_time(local)


# The /stats picture.


def chart_weekdays() -> tuple[tuple[str, int], ...]:
    """The weekday labels down the calendar's side: Mon, Wed, Fri, Sun (0 = Monday)."""
    return tuple((i18n.weekday_name(day), day) for day in (0, 2, 4, 6))


def chart_month(month: int) -> str:
    return i18n.month_name(month)


def chart_legend() -> tuple[str, str, str, str]:
    return (_("Morning"), _("Bedtime"), _("Both"), _("None"))


def chart_title(name: str) -> str:
    title = _(_CONSTANTS["CHART_TITLE"])
    return _("{title}: {name}").format(title=title, name=name) if name else title


def chart_figures(
    current: int, best: int, sessions: int, minutes: int, full_days: int, freezes: int
) -> str:
    return _(
        "Streak: {streak}   Best: {best}   Sessions: {sessions}   Minutes: {minutes}   "
        "Full days: {full_days}   Freezes: {freezes}"
    ).format(
        streak=count("{n} day", "{n} days", current),
        best=best,
        sessions=sessions,
        minutes=minutes,
        full_days=full_days,
        freezes=freezes,
    )


# --- language ---


def language_set(language: str) -> str:
    """The confirmation of /language, written in the newly chosen language (the caller sets
    it first)."""
    return _("Done: I'll speak {language} from now on. /help shows what I can do.").format(
        language=i18n.NATIVE_NAMES.get(language, language)
    )


# --- cities and times: choosing among places, questioning an unlikely nudge time ---


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


# --- sandbox (`python -m bot try`): notes about the clock, not messages from the bot ---
# The tool's own notes to the person trying the bot, in parentheses: English, not catalogued
# (tests/i18n/test_i18n_catalogs.py exempts the SANDBOX_ names).


def sandbox_clock_moved(at: str) -> str:
    return f"(clock moved to {at})"


def sandbox_nudge_skipped(at: str, reason: str) -> str:
    """`:nudge` moved the clock to a nudge and the bot skipped it on purpose: say why."""
    # Imported here, not at the top, to keep this section self-contained.
    from bot.domain.nudge_rules import ALREADY_STRETCHED_WINDOW

    hours = round(ALREADY_STRETCHED_WINDOW.total_seconds() / 3600)
    why = {
        "stretched": f"you stretched within the last {hours} hours, so this one is skipped",
        "paused": "nudges are paused (/resume brings them back)",
        "late": "it was overdue past the grace window (the bot was down)",
    }.get(reason, reason)
    return f"(clock moved to {at}; no nudge: {why})"


SANDBOX_NO_TEAM_BREAK = "(no team break set: /deskbreak 15:00 Berlin sets one)"
SANDBOX_NO_NUDGE_YET = "(no nudge scheduled yet: /start and pick a time zone first)"
SANDBOX_NUDGES_OFF = "(no nudge scheduled: nudges are off; /settings turns them on)"
SANDBOX_UNSUBSCRIBED = "(no nudge scheduled: nudges are off since /stop; /start turns them on)"
SANDBOX_BAD_START = (
    "--start must be an ISO date and time, e.g. 2026-01-05T15:00 (UTC unless it has an offset)"
)


# --- sessions: a routine changed under a session ---


def session_outdated(routine: Routine) -> str:
    """A session ended because routines.toml was shortened past the stretch it was on."""
    return _(
        "“{routine}” has changed since you started, and the stretch you were on is no longer "
        "part of it, so I've ended this session here. Thank you for the stretches you did. "
        "/stretch starts the new version from the beginning."
    ).format(routine=routine_title(routine))


# --- flood (one chat sending far more than can be answered) ---

_CONSTANTS["FLOOD_NOTICE"] = N_(
    "That's a lot of messages at once! 🙂 I answer them one at a time, so I skipped some. "
    "Send one again if I missed it."
)


# --- progress: weekly summary, desk break, weekdays, mobility check ---
# The weekly summary's judgements (which sentence fits) are made in bot/domain/weekly.py.

_CONSTANTS.update(
    {
        "WEEKLY_TITLE": N_("📅 Your week with Limber"),
        "DESK_STARTED": N_("Desk break! 🪑"),
        "BUTTON_DESK_TIME": N_("🪑 Desk-break time"),
        "BUTTON_DAYS": N_("📅 Days"),
        "BUTTON_BACK": N_("⬅️ Back"),
        "BUTTON_WORKDAYS": N_("Mon–Fri"),
        "BUTTON_EVERY_DAY": N_("Every day"),
        "ASK_DESK_TIME": N_(
            "🪑 When should I suggest a desk break? It comes on the days you choose (📅 Days)."
        ),
        "KEEP_ONE_DAY": N_("Keep at least one day; to stop this nudge, turn it off in /settings."),
        # The mobility check (/reach).
        "REACH_INTRO": N_(
            "📐 Mobility check: lie on your back as in the lying stretch, and raise one straight "
            "leg slowly, only as far as is comfortable (a gentle pull, never pain). Which "
            "picture looks most like yours?"
        ),
        "BUTTON_REACH_NOW": N_("📐 Check my reach"),
        "REACH_OFFER": N_(
            "📐 It's been a week: want to see whether your hamstrings are lengthening? "
            "A one-minute mobility check."
        ),
        "REACH_STALE": N_("That check is from an earlier day; send /reach for a new one."),
        "REACH_CAPTION": N_("How high does your straight leg go? 30°, 45°, 60°, 75° or 90°."),
        # The /stats picture's mobility line, freeze colour and this-week panel.
        "CHART_REACH_TITLE": N_("Straight-leg raise (degrees)"),
        "CHART_NO_REACH": N_("No checks yet: /reach"),
        "CHART_FREEZE": N_("Freeze used"),
        "CHART_THIS_WEEK": N_("This week"),
    }
)


def weekly_sessions(sessions: int, before: int, minutes: int, minutes_before: int) -> str:
    return _("{sessions}, {minutes} this week (last week: {before}, {minutes_before}).").format(
        sessions=count("{n} session", "{n} sessions", sessions),
        minutes=count("{n} minute", "{n} minutes", minutes),
        before=before,
        minutes_before=count("{n} minute", "{n} minutes", minutes_before),
    )


def weekly_streak(days: int) -> str:
    if days == 0:
        return _("🔥 No streak running just now: one session starts a new one.")
    return _("🔥 Streak: {days}.").format(days=count("{n} day", "{n} days", days))


def weekly_pain(trend: str, pain: int | None, before: int | None) -> str:
    """The pain trend in words, from bot.domain.weekly.PainTrend's values."""
    if trend == "none" or pain is None:
        return _("🩹 No back-pain answers this week; answer after a session to see the trend here.")
    if trend == "new" or before is None:
        return _("🩹 Your back averaged {pain} this week.").format(pain=pain)
    if trend == "down":
        return _("🩹 Your back averaged {pain} this week, down from {before}. 🎉").format(
            pain=pain, before=before
        )
    if trend == "up":
        return _(
            "🩹 Your back averaged {pain} this week, up from {before}. Go gentle: a stretch "
            "is a mild pull, never pain. Sharp pain, numbness or tingling down the leg are "
            "reasons to stop and see a doctor."
        ).format(pain=pain, before=before)
    return _("🩹 Your back averaged {pain} this week, the same as last week.").format(pain=pain)


def weekly_reach(trend: str | None, degrees: int, before: int | None) -> str:
    """The latest mobility check (straight-leg raise), from bot.domain.weekly.ReachTrend."""
    if trend is None or before is None:
        return _(
            "📐 Straight-leg raise: about {degrees}°. /reach again next week to compare."
        ).format(degrees=degrees)
    if trend == "higher":
        return _(
            "📐 Your straight leg rises to about {degrees}°, up from {before}°: "
            "your hamstrings are lengthening!"
        ).format(degrees=degrees, before=before)
    if trend == "lower":
        return _(
            "📐 Your straight leg rises to about {degrees}°, from {before}° before. "
            "It varies from day to day."
        ).format(degrees=degrees, before=before)
    return _("📐 Your straight leg rises to about {degrees}°, as before.").format(degrees=degrees)


_WEEKLY_CHEER = {
    "first_step": N_("A new week is a fresh start: one short session tomorrow. 🌱"),
    "come_back": N_(
        "A quiet week, and that's okay. One short session tomorrow picks the habit back up. 🌱"
    ),
    "more": N_("More sessions than last week. Nice work! 💪"),
    "same": N_(
        "As steady as last week. 👏 Stretched day after day, the hamstrings lengthen over "
        "time, and that takes stress off the lower back."
    ),
    "fewer": N_("Fewer sessions than last week. A short one tomorrow picks it up again. 🙂"),
}


def weekly_summary(
    *,
    sessions: int,
    sessions_before: int,
    minutes: int,
    minutes_before: int,
    streak: int,
    pain_trend: str,
    pain: int | None,
    pain_before: int | None,
    cheer: str,
    reach_line: str | None = None,
) -> str:
    lines = [
        _(_CONSTANTS["WEEKLY_TITLE"]),
        "",
        weekly_sessions(sessions, sessions_before, minutes, minutes_before),
        weekly_streak(streak),
        weekly_pain(pain_trend, pain, before=pain_before),
    ]
    if reach_line:
        lines.append(reach_line)
    lines += ["", _(_WEEKLY_CHEER[cheer])]
    return "\n".join(lines)


def button_weekly(on: bool) -> str:
    return _("📅 Weekly summary: turn off") if on else _("📅 Weekly summary: turn on")


_DESK = (
    N_("Desk break{name}? 🪑 One minute of the chair stretch, 30 seconds a side."),
    N_("Time to unstick from the chair{name}: a seated stretch, right where you are."),
    N_("A quick desk stretch{name}? Sit tall, one leg out, lean gently forward."),
)


def desk_nudge(user_id: int, day: int, first_name: str) -> str:
    given = shown_name(first_name)
    name = f", {given}" if given else ""
    return _(_DESK[(day + user_id) % len(_DESK)]).format(name=name)


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
        return _(_CONSTANTS["BUTTON_WORKDAYS"])
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


def reach_choice(degrees: int) -> str:
    return f"{degrees}°"


def reach_question(side: str) -> str:
    intro = _(_CONSTANTS["REACH_INTRO"])
    if side == "left":
        return _("{intro}\n\n👉 Your left leg: how high does it go?").format(intro=intro)
    return _("{intro}\n\n👉 Your right leg: how high does it go?").format(intro=intro)


def _reach_sides(left: int | None, right: int | None) -> str:
    """ "left 60°, right 45°": the sides answered."""
    sides = []
    if left:
        sides.append(_("left {degrees}°").format(degrees=left))
    if right:
        sides.append(_("right {degrees}°").format(degrees=right))
    return ", ".join(sides)


def reach_done(left: int | None, right: int | None) -> str:
    return _(
        "📐 Noted: {sides}. Both lines show in /stats; check again in a week to compare."
    ).format(sides=_reach_sides(left, right))


def chart_reach_sides() -> tuple[str, str]:
    """The mobility line's legend, left then right."""
    return (_("Left leg"), _("Right leg"))


def short_date(day: int, month: int) -> str:
    """ "18 Nov", "18. Nov.", "18 нояб." (Babel, not the process's locale)."""
    return i18n.short_date(day, month)


def stats_reach_line(left: int | None, right: int | None, when: str, before: int | None) -> str:
    sides = _reach_sides(left, right)
    if before is None:
        return _("📐 Straight-leg raise on {date}: {sides}").format(date=when, sides=sides)
    return _("📐 Straight-leg raise on {date}: {sides}; before: about {before}°").format(
        date=when, sides=sides, before=before
    )


def chart_latest_pain(score: int, day: int, month: int) -> str:
    return _("Latest: {score} on {date}").format(score=score, date=short_date(day, month))


def chart_week_lines(
    sessions: int, before: int, minutes: int, pain: int | None, reach: int | None, streak: int
) -> tuple[str, ...]:
    """The /stats picture's "This week" panel."""
    lines = [
        _("Sessions: {sessions} (last week {before})").format(sessions=sessions, before=before),
        _("Minutes: {minutes}").format(minutes=minutes),
        _("Back pain: no answers")
        if pain is None
        else _("Back pain: {pain} on average").format(pain=pain),
    ]
    if reach is not None:
        lines.append(_("Leg raise: about {degrees}°").format(degrees=reach))
    lines.append(_("Streak: {days}").format(days=count("{n} day", "{n} days", streak)))
    return tuple(lines)


def chart_latest_reach(left: int | None, right: int | None) -> str:
    return _("Latest: {sides}").format(sides=_reach_sides(left, right))


def stats_picture_text(
    *,
    weeks: int,
    days_stretched: int,
    frozen: list[str],
    pain_first: int | None,
    pain_last: int | None,
    reach_first: int | None,
    reach_last: int | None,
    week_sessions: int,
    week_before: int,
) -> str:
    """The picture in words, under it, for people who use a screen reader."""
    span = count("{n} week", "{n} weeks", weeks)
    days = count("{n} day", "{n} days", days_stretched)
    # The sentence's full stop is the last date's abbreviation dot (de "30. Nov.").
    dates = ", ".join(frozen).rstrip(".")
    if frozen:
        first = _(
            "🖼 The picture: the last {weeks}, {days} with a session; a streak freeze kept the "
            "streak on {dates}."
        ).format(weeks=span, days=days, dates=dates)
    else:
        first = _("🖼 The picture: the last {weeks}, {days} with a session.").format(
            weeks=span, days=days
        )
    parts = [
        first,
        _("This week {sessions}, last week {before}.").format(
            sessions=count("{n} session", "{n} sessions", week_sessions), before=week_before
        ),
    ]
    if pain_first is not None and pain_last is not None:
        parts.append(
            _("Back pain went from {first} to {last} (0 = no pain).").format(
                first=pain_first, last=pain_last
            )
        )
    if reach_first is not None and reach_last is not None:
        parts.append(
            _("Straight-leg raise went from about {first}° to {last}°.").format(
                first=reach_first, last=reach_last
            )
        )
    return " ".join(parts)


# --- sessions for the person on the floor: hands-free, honest endings, pictures, settings ---


def hold_stopped_after(title: str, held: int, full: int) -> str:
    """A hold left before its end (Skip, Stop, This hurts), with what was held."""
    return _("{title}: stopped early, {held} of {full} s held").format(
        title=title, held=held, full=full
    )


def hands_free_start(ready_seconds: int) -> str:
    """The intro's last line in a hands-free session."""
    return _(
        "The hold starts by itself in {seconds} s: get into position. Tap Ready to start sooner."
    ).format(seconds=ready_seconds)


def paused_before_hold(stretch_name: str, seconds_left: int) -> str:
    return _("⏸ Paused: the {stretch} hold starts {seconds} s after you tap Resume.").format(
        stretch=stretch_name, seconds=seconds_left
    )


def finished_partly(routine: Routine, state: SessionState) -> str:
    """The ending of a session that ran to its end with some stretch skipped: the same record
    as a stopped one ("1 of 4 stretches held"), as it counts the same."""
    over = _("Session over.")
    return f"{'✅ ' if state.stretches_done else ''}{over} {held_record(routine, state)}"


_CONSTANTS.update(
    HURT_PAUSE_OFFER=N_(
        "Would you like a break from my reminders while your back settles? "
        "Tomorrow I'll ask how it is."
    ),
    BUTTON_PAUSE_3=N_("Pause 3 days"),
    BUTTON_PAUSE_7=N_("Pause 7 days"),
    BUTTON_NO_THANKS=N_("No thanks"),
    HURT_NO_PAUSE=N_("OK, reminders stay on. Tomorrow I'll ask how your back is. 🤍"),
    BUTTON_CARRY_ON=N_("▶️ Carry on"),
    BUTTON_START_OVER=N_("🔄 Start over"),
    CARRYING_ON=N_("Carrying on with your session. 👍"),
    STARTING_OVER=N_("Starting over."),
    BUTTON_HANDS_FREE=N_("Hands-free"),
    BUTTON_TAP_THROUGH=N_("Tap through"),
    SETTINGS_SAVED=N_("Saved: your next session runs like this."),
)


def hurt_paused(until_local: str) -> str:
    return _(
        "Reminders paused until {until}. Rest well; tomorrow I'll ask how your back is. "
        "/resume brings them back sooner."
    ).format(until=until_local)


def pain_noted_changeable(score: int) -> str:
    """The pain answer, with its buttons kept for the day so it can be changed."""
    return _("{question}\n\nThanks, noted: {score}/10. 📝 Tap another number to change it.").format(
        question=_(_CONSTANTS["PAIN_QUESTION"]), score=score
    )


def session_running(routine_title: str) -> str:
    """/stretch while a session is running."""
    return _("You're in the middle of “{routine}”. Carry on, or start over?").format(
        routine=routine_title
    )


def pace_label(pace: str) -> str:
    """How the get-ready and switch pauses run (/settings)."""
    labels = {"relaxed": N_("Relaxed"), "normal": N_("Normal"), "quick": N_("Quick")}
    return _(labels[pace]) if pace in labels else pace


def button_hold(seconds: int) -> str:
    label = _("Hold {seconds} s").format(seconds=seconds)
    return f"{label} ⚠️" if seconds < ADVISED_HOLD_SECONDS else label


def button_chosen(label: str, chosen: bool) -> str:
    return f"✓ {label}" if chosen else label


def session_settings_line(hands_free: bool, hold_seconds: int | None, pace: str) -> str:
    """The /settings line about sessions."""
    how = (
        _("hands-free (the session runs by itself)")
        if hands_free
        else _("tap through (Ready before each stretch)")
    )
    hold = _seconds(hold_seconds) if hold_seconds else _("as in the routine (30 s)")
    if hold_seconds and hold_seconds < ADVISED_HOLD_SECONDS:
        hold = _("{hold} ⚠️ shorter than the {advised} s the chiropractor advises").format(
            hold=hold, advised=ADVISED_HOLD_SECONDS
        )
    return _("🧘 Sessions: {how}; holds {hold}; {pace} pauses.").format(
        how=how, hold=hold, pace=pace_label(pace).lower()
    )


# --- pain acted on (bot/domain/pain_care.py, bot/pain_care.py) ------------------------------
# Advice as a careful clinician's leaflet gives it, never a diagnosis. The warning signs are
# the NHS's and NICE's for back pain that needs urgent care (sources: docs/safety.md).

_CONSTANTS.update(
    WARNING_SIGNS=N_(
        "🚑 Get urgent medical help (call your local emergency number) if back pain comes with "
        "any of these: numbness around your buttocks or genitals; loss of bladder or bowel "
        "control; weakness in a leg; pain after a fall or an accident; or a fever."
    ),
    PAIN_CHECK_QUESTION=N_(
        "Before we start: how is your back right now? (0 = no pain, 10 = the worst)\n"
        "Lately it hurt, so I'm checking first."
    ),
    BUTTON_START_ANYWAY=N_("Start anyway"),
    BUTTON_NOT_NOW=N_("Not now"),
    PAIN_CHECK_ANYWAY=N_("OK, starting. Go gently, and stop at once if anything hurts."),
    PAIN_CHECK_NOT_NOW=N_("OK, no session now. Rest well. 🤍 /stretch when your back is ready."),
    DOCTOR_AFTER_ANSWERS=N_(
        "🩺 Your back has been at 7 or more three times in a row. Please see your doctor or "
        "chiropractor about it. Until then, stretch only where it stays a gentle pull, or take "
        "a break: /pause 7 pauses my reminders for a week."
    ),
)


def pain_high_advice(score: int) -> str:
    """A high pain answer (7 or more): don't stretch into pain, see a doctor if it persists,
    and (with the message's buttons) the offer of a pause."""
    return "\n\n".join(
        (
            _(
                "🤍 {score}/10 is a lot. Please don't stretch into pain: a stretch should be a "
                "gentle pull, never pain. If the pain stays or gets worse, talk to your doctor "
                "or chiropractor."
            ).format(score=score),
            _("Next time, I'll ask how your back is before we start."),
            _(_CONSTANTS["HURT_PAUSE_OFFER"]),
        )
    )


def pain_check_ok(score: int) -> str:
    """The check before a session, answered below 7: the session starts."""
    return _("{score}/10, thanks. Let's go gently; stop at once if anything hurts.").format(
        score=score
    )


def pain_check_high(score: int) -> str:
    """The check before a session, answered 7 or more: no session now."""
    return "\n\n".join(
        (
            _(
                "{score}/10: better not to stretch today. A stretch should be a gentle pull, "
                "never pain. Rest, and if the pain stays or gets worse, talk to your doctor or "
                "chiropractor."
            ).format(score=score),
            _(_CONSTANTS["WARNING_SIGNS"]),
        )
    )


def doctor_after_weeks(average: int, before: int) -> str:
    """The weekly summary's line when the weekly pain average rose by 3 or more."""
    return _(
        "🩺 Your back's weekly average rose from {before} to {average}. That's worth a visit: "
        "please see your doctor or chiropractor about it."
    ).format(average=average, before=before)


def weekly_summary_of(facts: WeekFacts) -> str:
    """The weekly summary's words for these facts, as bot/domain/weekly.py judges them."""
    j = judge(facts)
    reach_line = None
    if facts.reach is not None:
        trend = facts.reach.trend
        reach_line = weekly_reach(
            trend.value if trend else None, facts.reach.degrees, facts.reach.before
        )
    return weekly_summary(
        sessions=facts.sessions,
        sessions_before=facts.sessions_before,
        minutes=facts.minutes,
        minutes_before=facts.minutes_before,
        streak=facts.streak,
        pain_trend=j.pain_trend.value,
        pain=j.pain,
        pain_before=j.pain_before,
        cheer=j.cheer.value,
        reach_line=reach_line,
    )


# -- the fixed sentences' names, for mypy -----------------------------------------------------
# Declared, not assigned: at run time each is read through __getattr__ above, in the language of
# the update or job. A name used but not declared here is a mypy error, so a typo is found
# before it runs; tests/i18n/test_texts_typed.py checks this list names exactly the sentences of
# _CONSTANTS and _COMPOSED. A new fixed sentence: its msgid in _CONSTANTS, its name here.
ADMIN_NO_DUE_NUDGE: str
ADMIN_THIS_PROCESS: str
ALREADY_DONE: str
ASK_DESK_TIME: str
ASK_LANGUAGE: str
ASK_TIMEZONE: str
BAD_LOCATION: str
BAD_PAUSE: str
BAD_TIME: str
BAD_ZONE: str
BUTTON_BACK: str
BUTTON_CARRY_ON: str
BUTTON_CHANGE_ZONE: str
BUTTON_DAYS: str
BUTTON_DELETE: str
BUTTON_DESK_TIME: str
BUTTON_EVERY_DAY: str
BUTTON_HANDS_FREE: str
BUTTON_HURT: str
BUTTON_KEEP: str
BUTTON_NOT_NOW: str
BUTTON_NO_THANKS: str
BUTTON_OFF: str
BUTTON_PAUSE: str
BUTTON_PAUSE_3: str
BUTTON_PAUSE_7: str
BUTTON_REACH_NOW: str
BUTTON_READY: str
BUTTON_RESUME: str
BUTTON_SKIP: str
BUTTON_SKIP_TODAY: str
BUTTON_START_ANYWAY: str
BUTTON_START_NOW: str
BUTTON_START_OVER: str
BUTTON_STOP: str
BUTTON_TAP_THROUGH: str
BUTTON_WORKDAYS: str
CARRYING_ON: str
CHART_FREEZE: str
CHART_NO_PAIN: str
CHART_NO_REACH: str
CHART_PAIN_TITLE: str
CHART_REACH_TITLE: str
CHART_THIS_WEEK: str
CHART_TITLE: str
CONFIRM_DELETE: str
DELETED: str
DESCRIPTION: str
DESCRIPTION_PRIVACY_LINE: str
DESK_STARTED: str
DOCTOR_AFTER_ANSWERS: str
EXPORT_ZIP_CAPTION: str
FLOOD_NOTICE: str
FREE_TEXT: str
HURT_NO_PAUSE: str
HURT_PAUSE_OFFER: str
KEEP_ONE_DAY: str
KEPT: str
LOCATION_UNASKED: str
MEDICAL_NOTE: str
NOTHING_TO_DELETE: str
NOT_PAUSED: str
NOT_YOURS: str
NO_DATA: str
NO_HISTORY: str
NO_USER: str
NUDGES_STOPPED: str
OFFSET_ZONE: str
PAIN_CHECK_ANYWAY: str
PAIN_CHECK_NOT_NOW: str
PAIN_CHECK_QUESTION: str
PAIN_QUESTION: str
PRIVACY: str
REACH_CAPTION: str
REACH_INTRO: str
REACH_OFFER: str
REACH_STALE: str
RESUMED: str
SESSION_ENDED: str
SESSION_WAITS: str
SETTINGS_SAVED: str
SETTINGS_TITLE: str
SHORT_DESCRIPTION: str
SOMETHING_WRONG: str
STALE_BUTTON: str
STARTING_OVER: str
STOPPED: str
STORAGE_DOWN: str
STREAK_AT_STAKE: str
UNKNOWN_BUTTON: str
UNKNOWN_LANGUAGE: str
WARNING_SIGNS: str
WEEKLY_TITLE: str
ZONE_NOT_SET: str


# The session player (bot/player/) ------------------------------------------------------------

# Every sentence the Mini App page shows, sent to it as one dictionary in the user's language
# (bot/player/words.py); the buttons reuse the chat's labels.
_PLAYER_WORDS: dict[str, str] = {
    "open_in_telegram": N_(
        "Open this from Telegram: the 📱 Player button under a stretch card, or the menu "
        "button beside the message box."
    ),
    "no_session": N_(
        "No session is running. Send /stretch in the chat to start one: it shows here as it "
        "goes, with a bell at each hold's start and end."
    ),
    "get_ready": N_("Get ready"),
    "hold": N_("Hold"),
    "switch": N_("Switch sides"),
    "paused": N_("Paused"),
    "seconds": N_("seconds"),
    "sound_on": N_("🔔 Sound on"),
    "sound_off": N_("🔕 Sound off"),
    "tab_session": N_("Session"),
    "tab_progress": N_("Progress"),
    "tab_settings": N_("Settings"),
    "reconnecting": N_("Connection lost; trying again…"),
    "too_many": N_("Too many taps at once; wait a moment."),
    "loading": N_("Loading…"),
    "saved": N_("Saved."),
    "save": N_("Save"),
    "hold_length": N_("Hold length"),
    "pace": N_("Pace of the pauses"),
    "hands_free": N_("Hands-free: each hold starts by itself"),
    "language": N_("Language"),
    "morning": N_("Morning nudge"),
    "bedtime": N_("Bedtime nudge"),
    "timezone": N_("Time zone (your city)"),
    "nudge_off": N_("Leave empty to turn it off."),
}


def player_words() -> dict[str, str]:
    """The page's sentences and the session's button labels, in the current language."""
    words = {key: _(msgid) for key, msgid in _PLAYER_WORDS.items()}
    for key in ("READY", "PAUSE", "RESUME", "SKIP", "STOP", "HURT"):
        words[f"button_{key.lower()}"] = _(_CONSTANTS[f"BUTTON_{key}"])
    for pace in ("relaxed", "normal", "quick"):
        words[f"pace_{pace}"] = pace_label(pace)
    return words


def player_title(routine: Routine, state: SessionState) -> str:
    """The line over the player's ring: the stretch card's header, or the side being held."""
    stretch = routine.stretches[state.stretch_index]
    if state.phase is Phase.INTRO:
        return intro_header(state.stretch_index + 1, len(routine.stretches), stretch)
    return _titled(stretch, state.side)


def player_cue(routine: Routine, state: SessionState) -> str:
    """What the player says aloud when a step begins (Web Speech, where there is a voice)."""
    if state.status is Status.DONE:
        return _("Done. Nice work.") if state.counts else _("The session is over.")
    if state.end_reason is EndReason.HURT:
        return _("Stopping now. A stretch should never hurt.")
    if state.status is Status.STOPPED:
        return _("The session is over.")
    if state.status is Status.PAUSED:
        return _("Paused.")
    stretch = routine.stretches[state.stretch_index]
    if state.phase is Phase.INTRO:
        return _("Next: {stretch}. Get into position.").format(stretch=stretch_name(stretch))
    if state.phase is Phase.SWITCH:
        return _("Switch sides: now the right leg.")
    return _("Hold: {title}. Breathe slowly.").format(title=_titled(stretch, state.side))


def player_button() -> str:
    """The web_app button that opens the player (the card's and the chat's menu button)."""
    return _("📱 Player")


# Team desk breaks in group chats (issue 25) ------------------------------------------------------


def team_intro() -> str:
    """Once, when the bot is added to a group: what it does, the medical note, what it keeps."""
    return _(
        "Hi all, I'm Limber 👋 I coach the seated chair stretch, which the chiropractor says "
        "can be done at work: all you need is a chair.\n\n"
        "An admin sets a team desk break with /deskbreak 15:00 Berlin (a time, then the "
        "weekdays if not Mon–Fri, then a city for the time zone). Two minutes before, I post "
        "the stretch here; press I'm in to join, and we stretch together: 30 s a side.\n\n"
        "⚕️ Talk to your doctor first, and stop if it hurts.\n\n"
        "For this group I keep only the break's settings and who pressed I'm in (first "
        "names); I don't read your messages. /privacy tells more."
    )


def team_help() -> str:
    return _(
        "In this group: /deskbreak shows the team desk break; an admin sets it "
        "(/deskbreak 15:00 Berlin, /deskbreak 9:30 mon,wed,fri London) or stops it "
        "(/deskbreak off). /privacy says what I keep for the group; an admin erases it with "
        "/deletedata. For your own sessions, nudges and /stats, message me privately."
    )


def team_private_only() -> str:
    return _(
        "That works in a private chat with me. Here in the group: /deskbreak, /privacy, /help."
    )


def team_only_admins() -> str:
    return _("Only the group's admins can change the team break. /deskbreak shows it.")


def team_not_set() -> str:
    return _(
        "No team desk break is set. An admin sets one with /deskbreak 15:00 Berlin (a time, "
        "then the weekdays if not Mon–Fri, then a city for the time zone)."
    )


def team_bad_request() -> str:
    return _(
        "I didn't understand that. Try /deskbreak 15:00 Berlin, "
        "/deskbreak 9:30 mon,wed,fri London or /deskbreak off."
    )


def team_need_place() -> str:
    return _("Which city's time? Add it after the time: /deskbreak 15:00 Berlin")


def team_unknown_place(place: str) -> str:
    return _("I don't know a place called “{place}”. Try a nearby city.").format(place=_echo(place))


def team_off() -> str:
    return _("The team desk break is off. /deskbreak 15:00 sets it again.")


def team_schedule(local: str, days: int, place: str, next_when: str) -> str:
    return _(
        "🪑 Team desk break: {time}, {days} ({place} time). Next: {next}. Two minutes before, "
        "I post the chair stretch here; press I'm in to join."
    ).format(time=local, days=days_label(days), place=place, next=next_when)


def team_button_in() -> str:
    return _("🙋 I'm in")


def team_button_out() -> str:
    return _("Not today")


def team_you_are_in() -> str:
    return _("You're in! 💪")


def team_already_in() -> str:
    return _("You're already in 👍")


def team_you_are_out() -> str:
    return _("Maybe next time.")


def team_break_over() -> str:
    return _("This break is over.")


def _team_names(names: list[str], more: int) -> str:
    shown = ", ".join(_echo(n, 32) for n in names)
    if more:
        return ngettext("{names} and {n} more", "{names} and {n} more", more).format(
            names=shown, n=more
        )
    return shown


def team_roster(names: list[str], more: int) -> str:
    if not names:
        return _("Nobody in yet.")
    return _("In: {names}").format(names=_team_names(names, more))


def team_announce(local: str, steps: list[str], hold: int) -> str:
    numbered = "\n".join(f"{i}. {step}" for i, step in enumerate(steps, 1))
    return "\n\n".join(
        (
            _(
                "🪑 Team desk break at {time}: the seated chair stretch, {seconds} s a side."
            ).format(time=local, seconds=hold),
            numbered,
            _("⚕️ Talk to your doctor first, and stop if it hurts."),
        )
    )


def team_ready(seconds: int) -> str:
    return _(
        "🪑 Team desk break: sit at the edge of your chair, feet flat on the floor. The left "
        "leg starts in {seconds} s."
    ).format(seconds=seconds)


def team_hold(left_leg: bool, seconds: int) -> str:
    if left_leg:
        text = _("⏱ Left leg straight: {seconds} s left. Relax into it; stop if it hurts.")
    else:
        text = _("⏱ Right leg straight: {seconds} s left. Relax into it; stop if it hurts.")
    return text.format(seconds=seconds)


def team_switch(seconds: int) -> str:
    return _("↔️ Switch sides: the right leg starts in {seconds} s.").format(seconds=seconds)


def team_end(names: list[str], more: int, streak: int) -> str:
    total = len(names) + more
    if not total:
        return _("Nobody joined this break. See you at the next one! 🪑")
    done = ngettext(
        "🎉 {n} of you stretched: {names}.", "🎉 {n} of you stretched: {names}.", total
    ).format(n=total, names=_team_names(names, more))
    if streak:
        line = count(
            "🔥 Team streak: {n} workday with at least two of you.",
            "🔥 Team streak: {n} workdays in a row with at least two of you.",
            streak,
        )
    else:
        line = _("Two or more of you on a workday start a team streak.")
    return f"{done}\n{line}"


def team_privacy(breaks: int, people: int) -> str:
    return _(
        "What Limber keeps for this group: the team break's settings (time, weekdays, time "
        "zone, language) and, for each break, who pressed I'm in (Telegram id and first name): "
        "{breaks} breaks and {people} people so far. I don't read the group's messages. Whoever "
        "also uses Limber privately finds the breaks they joined in their own history. An admin "
        "erases all of this group's data with /deletedata."
    ).format(breaks=breaks, people=people)


def team_deleted() -> str:
    return _(
        "Erased: this group's team break, its past breaks and who joined them. "
        "/deskbreak 15:00 Berlin starts again."
    )
