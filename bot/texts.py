"""Every sentence a user reads, in one place.

Kept together so the tone stays consistent (calm, encouraging, never medical advice beyond the
seed's "talk to your doctor; stop if it hurts") and so a translation later touches one file.
"""

from __future__ import annotations

import math
import unicodedata
from datetime import datetime, timedelta

from bot.domain.session import EndReason, Phase, SessionState, Status
from bot.routines import Library, Routine, Stretch

MEDICAL_NOTE = (
    "⚕️ Before you start: talk to your doctor or chiropractor about these stretches, and stop "
    "if anything hurts. A stretch is a gentle pull, never pain. Sharp pain, numbness or "
    "tingling down the leg are reasons to stop and see a doctor."
)

BUTTON_READY = "✅ Ready"
BUTTON_SKIP = "⏭ Skip"
BUTTON_STOP = "⏹ Stop"
BUTTON_PAUSE = "⏸ Pause"
BUTTON_RESUME = "▶️ Resume"
BUTTON_HURT = "🤕 This hurts"

STALE_BUTTON = "That button is out of date."
SESSION_ENDED = "This session has ended. /stretch starts a new one."
NOT_YOURS = "That isn't your session."
UNKNOWN_BUTTON = "That button doesn't do anything any more."
PRIVATE_ONLY = "I work in private chats only. Message me directly to stretch together. 🙂"
SOMETHING_WRONG = "Sorry, something went wrong on my side. Your progress is saved; try again."
FREE_TEXT = (
    "I'm a stretching coach, so I understand commands. /stretch starts a session, "
    "/routines lists them, /help tells you more."
)


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
    return f"I don't know {_echo(command)}. Try /stretch to start a session, or /help."


def welcome(first_name: str, *, returning: bool) -> str:
    name = first_name.strip() or "there"
    hello = f"Welcome back, {name}! 👋" if returning else f"Hi {name}, I'm Limber! 👋"
    return (
        f"{hello}\n\n"
        "I coach you through the hamstring stretches that ease lower-back pain: four gentle "
        "stretches, 30 seconds a side, every morning and every night.\n\n"
        f"{MEDICAL_NOTE}\n\n"
        "Tap /stretch to start a session now, or /routines to pick a shorter one."
    )


def help_text(library: Library) -> str:
    routines = ", ".join(r.id for r in library.routines.values())
    return (
        "Limber guides you through hamstring stretches for lower-back pain, one message at a "
        "time, with a timer for each hold, and nudges you every morning and bedtime.\n\n"
        f"/stretch — start the default routine (or /stretch NAME: {routines})\n"
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
        "/start — the welcome and the medical note\n"
        "/help — this message\n\n"
        "During a session: Ready starts a hold; Pause, Skip and Stop are always one tap away; "
        "“This hurts” ends the session.\n\n" + MEDICAL_NOTE
    )


def routines_menu(library: Library) -> str:
    lines = ["Pick a routine:"]
    for r in library.routines.values():
        lines.append(f"• {r.title} — {r.description or _stretch_names(r)} ({_minutes(r)})")
    return "\n".join(lines)


def unknown_routine(name: str, library: Library) -> str:
    ids = ", ".join(f"/stretch {r.id}" for r in library.routines.values())
    return f"There is no routine called “{_echo(name)}”. The routines are: {ids}."


def routine_button(routine: Routine) -> str:
    return f"{routine.title} ({_minutes(routine)})"


def _stretch_names(routine: Routine) -> str:
    return ", ".join(s.name for s in routine.stretches)


def _minutes(routine: Routine) -> str:
    # Holds plus roughly 20 s per stretch for reading and getting into position.
    total = routine.hold_seconds_total + 20 * len(routine.stretches)
    return f"about {max(1, round(total / 60))} min"


def side_name(stretch: Stretch, side: int) -> str:
    if not stretch.each_side:
        return ""
    return "left leg" if side == 0 else "right leg"


def _countdown(seconds: float, step: int, full: float | None = None) -> str:
    # Shown rounded up to the edit cadence, so the number never jumps ahead of the truth (and
    # never above the whole hold: a 45 s hold on a 10 s cadence starts at 45, not 50).
    shown = step * math.ceil(seconds / step) if seconds > 0 else 0
    if full is not None:
        shown = min(shown, math.ceil(full))
    return f"{int(shown)} s"


def intro(routine: Routine, state: SessionState, *, first: bool) -> str:
    stretch = routine.stretches[state.stretch_index]
    n, total = state.stretch_index + 1, len(routine.stretches)
    parts = []
    if first:
        parts.append(
            f"🧘 {routine.title}: {count('{n} stretch', '{n} stretches', total)}, "
            f"{_minutes(routine)}. Relax while you stretch; stop if anything hurts."
        )
    parts.append(f"Stretch {n} of {total}: {stretch.name}")
    parts.append("\n".join(f"{i}. {step}" for i, step in enumerate(stretch.steps, 1)))
    if stretch.tip:
        parts.append(f"💡 {stretch.tip}")
    per = " on each side" if stretch.each_side else ""
    held = state.hold_seconds or stretch.hold_seconds
    if state.hands_free:
        ready = state.phase_seconds or 0
        parts.append(f"Hold {held} s{per}. {hands_free_start(ready)}")
    else:
        parts.append(f"Hold {held} s{per}. Tap Ready when you're in position.")
    return "\n\n".join(parts)


def hold(routine: Routine, state: SessionState, seconds_left: float, step: int) -> str:
    stretch = routine.stretches[state.stretch_index]
    side = side_name(stretch, state.side)
    title = f"{stretch.name} — {side}" if side else stretch.name
    full = state.phase_seconds or state.hold_seconds or stretch.hold_seconds
    left = _countdown(min(seconds_left, full), min(step, full), full)
    return f"⏱ {title}\nHold: {left} left\n\nBreathe slowly and relax into it."


def hold_closed(
    routine: Routine, state: SessionState, *, completed: bool, held_seconds: int | None = None
) -> str:
    stretch = routine.stretches[state.stretch_index]
    side = side_name(stretch, state.side)
    title = f"{stretch.name} — {side}" if side else stretch.name
    # The hold as it began, not as routines.toml says now (it may have changed meanwhile).
    full = state.phase_seconds if state.phase_seconds is not None else stretch.hold_seconds
    if completed:
        return f"✓ {title}: {full} s held"
    if held_seconds:
        return hold_stopped_after(title, held_seconds, full)
    return f"{title}: stopped early"


def switch(routine: Routine, state: SessionState, seconds_left: float) -> str:
    stretch = routine.stretches[state.stretch_index]
    return (
        f"↔️ Switch sides: now the {side_name(stretch, 1)}.\n"
        f"Get into position; the hold starts in {math.ceil(seconds_left)} s."
    )


def paused(routine: Routine, state: SessionState) -> str:
    stretch = routine.stretches[state.stretch_index]
    left = math.ceil(state.paused_remaining or 0)
    if state.phase is Phase.INTRO:
        return paused_before_hold(stretch.name, left)
    what = "switch" if state.phase is Phase.SWITCH else f"{stretch.name} hold"
    return f"⏸ Paused: {left} s left of the {what}. Tap Resume when you're ready."


def interrupted(routine: Routine, state: SessionState) -> str:
    stretch = routine.stretches[state.stretch_index]
    side = side_name(stretch, state.side)
    where = f"{stretch.name} ({side})" if side else stretch.name
    return (
        "Sorry, I was away for a while and your session was interrupted.\n"
        f"Carry on with {where}? Tap Resume to do that hold again, or Stop."
    )


def finished(routine: Routine, state: SessionState) -> str:
    assert state.ended_at is not None
    spent = _duration(int((state.ended_at - state.started_at).total_seconds()))
    done = state.stretches_done
    if done < len(routine.stretches):
        # Praise only for what was held: "2 of 4 stretches", no "Well done" for nothing.
        return finished_partly(routine, done, spent)
    line = f"🎉 Done! {routine.title}: {count('{n} stretch', '{n} stretches', done)} in {spent}"
    if state.stretches_skipped:
        line += f" ({state.stretches_skipped} skipped)"
    return line + ".\nWell done. Your back thanks you; see you at the next session."


def ended(routine: Routine, state: SessionState) -> str:
    if state.end_reason is EndReason.HURT:
        return (
            "Stopping now. 🤍 A stretch should feel like a gentle pull, never pain.\n\n"
            "Sharp pain, numbness or tingling down the leg are reasons to stop and to see your "
            "doctor before you stretch again."
        )
    if state.end_reason is EndReason.REPLACED:
        return "This session was replaced by a new one."
    done = state.stretches_done
    return (
        f"Session stopped after {count('{n} stretch', '{n} stretches', done)} "
        f"({count('{n} hold', '{n} holds', state.holds_done)}). "
        "Every bit counts. /stretch whenever you're ready."
    )


def _duration(seconds: int) -> str:
    minutes, secs = divmod(max(0, seconds), 60)
    if minutes == 0:
        return f"{secs} s"
    return f"{minutes} min {secs} s" if secs else f"{minutes} min"


def view(routine: Routine, state: SessionState, now_left: float, step: int, *, first: bool) -> str:
    """The text of the message that shows `state` (the live step, or the end)."""
    if state.status is Status.DONE:
        return finished(routine, state)
    if state.status is Status.STOPPED:
        return ended(routine, state)
    if state.status is Status.PAUSED:
        return paused(routine, state)
    if state.phase is Phase.INTRO:
        return intro(routine, state, first=first)
    if state.phase is Phase.SWITCH:
        return switch(routine, state, now_left)
    return hold(routine, state, now_left, step)


# Nudges -------------------------------------------------------------------------------------

BUTTON_START_NOW = "▶️ Start now"
BUTTON_SKIP_TODAY = "Skip today"

_MORNING = (
    "Good morning{name}! ☀️ Five gentle minutes for your back before the day starts?",
    "Morning{name}! Your hamstrings are waiting: a short stretch loosens the lower back.",
    "Rise and stretch{name} 🌅 Thirty seconds a side, relax into it.",
    "Good morning{name}. A calm start: lie down, breathe, stretch.",
    "Hello{name}! Morning stretch time: your back will thank you by lunch.",
)
_BEDTIME = (
    "Bedtime stretch{name}? 🌙 A few slow minutes to let your back unwind.",
    "Evening{name}. Wind down with the wall and towel stretches before sleep.",
    "Time to relax{name} 😌 Gentle stretches now make the morning easier.",
    "Before bed{name}: lie down, breathe out, stretch. No rush.",
    "Good evening{name}! Close the day with a few calm holds for your back.",
)


def nudge(kind: str, user_id: int, day: int, first_name: str) -> str:
    """A short nudge; the words change from day to day (and differ between users)."""
    options = _MORNING if kind == "morning" else _BEDTIME
    name = f", {first_name.strip()[:40]}" if first_name.strip() else ""
    return options[(day + user_id) % len(options)].format(name=name)


def snoozed(until_local: str) -> str:
    return f"💤 Snoozed. I'll remind you again at {until_local}."


def nudge_started(kind: str) -> str:
    return "Let's go! 💪" if kind == "morning" else "Let's wind down. 🌙"


# Time zone, nudge times, settings ------------------------------------------------------------

ASK_TIMEZONE = (
    "🌍 Which time zone are you in? I'll nudge you at your local time.\n"
    "Tap one, type your city (e.g. Berlin, New York) or share your location (📎 → Location)."
)
BAD_ZONE = (
    "I don't know that place. Type the nearest city, e.g. Lyon, Birmingham, UK or São Paulo, "
    "or share your location. Nothing was changed."
)
OFFSET_ZONE = (
    "UTC, GMT, zone abbreviations and offsets like UTC+2 stay the same all year, but the clocks "
    "in most places change for summer, so your nudges would come an hour early or late for "
    "half the year. Please type your city instead (e.g. London, Kolkata, São Paulo) or share "
    "your location. Nothing was changed."
)
BAD_LOCATION = "I couldn't find a time zone for that location. Please type your city instead."
LOCATION_UNASKED = "To set your time zone from a location, send /timezone first, then share it."
BAD_TIME = "I couldn't read that time. Try 07:30, 7am, 19h30 or half past ten. Nothing was changed."
NO_USER = "Please send /start first, so I can set you up."
BUTTON_OFF = "Turn off"
SETTINGS_TITLE = "⚙️ Your settings"
STOPPED = "You're unsubscribed: no more nudges. Your history is kept; /start subscribes you again."
RESUMED = "Welcome back from your break! Nudges are on again."
BAD_PAUSE = "Tell me how many days to pause, from 1 to 60, e.g. /pause 7. Nothing was changed."
NOT_PAUSED = "Your nudges are not paused."


def ask_time(kind: str) -> str:
    if kind == "morning":
        return "☀️ When should I nudge you in the morning? Tap a time or type one (e.g. 7:15)."
    return "🌙 And at bedtime? Tap a time or type one (e.g. 10:30 pm)."


def zone_set(label: str, local_now: str) -> str:
    """The chosen place and its clock: a wrong pick shows at once."""
    return f"🌍 Time zone set: {label}. It's {local_now} there now."


def time_set(kind: str, local: str) -> str:
    what = "Morning" if kind == "morning" else "Bedtime"
    return f"{what} nudge set for {local}."


def nudge_off(kind: str) -> str:
    what = "Morning" if kind == "morning" else "Bedtime"
    return f"{what} nudge turned off."


def schedule_summary(
    zone: str,
    morning: str | None,
    bedtime: str | None,
    next_line: str | None,
    paused_until: str | None = None,
) -> str:
    lines = [
        f"🌍 Time zone: {zone}",
        f"☀️ Morning nudge: {morning or 'off'}",
        f"🌙 Bedtime nudge: {bedtime or 'off'}",
    ]
    if paused_until:
        lines.append(f"🏖 Paused until {paused_until} (/resume to end the break early)")
    if next_line:
        lines.append(next_line)
    return "\n".join(lines)


def next_nudge_line(kind: str, local: str, delay: str) -> str:
    what = "morning" if kind == "morning" else "bedtime"
    return f"⏰ Next nudge: {what}, {local} ({delay})."


def all_set(summary: str) -> str:
    return (
        f"All set! ✅\n\n{summary}\n\n"
        "Change anything with /settings. /stretch starts a session now."
    )


def paused_until_text(local: str) -> str:
    return (
        f"🏖 Enjoy your break! No nudges until {local}; they come back by themselves. "
        "/resume ends it early."
    )


# Privacy ------------------------------------------------------------------------------------

CONFIRM_DELETE = (
    "🗑 This erases everything I keep about you: your settings, sessions, streaks and answers. "
    "It cannot be undone. Delete it all?"
)
BUTTON_DELETE = "Yes, delete everything"
BUTTON_KEEP = "Cancel"
DELETED = "Done: everything I kept about you is erased. /start if you ever want to begin again."
KEPT = "Nothing was deleted."
NOTHING_TO_DELETE = "I keep no data about you."
NO_DATA = "I have no history for you yet. /start to begin."


# Progress -----------------------------------------------------------------------------------

PAIN_QUESTION = "How's your back today? (0 = no pain, 10 = the worst)"


def pain_noted(score: int) -> str:
    return f"{PAIN_QUESTION}\n\nThanks, noted: {score}/10. 📝"


NO_HISTORY = (
    "No sessions yet, so nothing to chart. 🙂 Do your first one with /stretch and your "
    "calendar starts filling up."
)


def streak_day(current: int) -> str:
    if current <= 1:
        return "🔥 Day 1: a streak begins. Come back tonight or tomorrow to grow it."
    return f"🔥 Day {current} in a row!"


def milestone(days: int) -> str:
    return f"🏆 {days} days in a row: a milestone! Your back is getting a real habit."


def freeze_earned(held: int) -> str:
    return f"🧊 You earned a streak freeze ({held} held): it saves your streak on a day you miss."


def freeze_spent(held: int) -> str:
    return f"🧊 A streak freeze saved your streak for a missed day ({held} left)."


STREAK_AT_STAKE = "🔥 Your streak is at stake: one session tonight keeps it alive."


def stats_text(
    current: int, best: int, sessions: int, minutes: int, full_days: int, freezes: int
) -> str:
    return (
        f"📊 Streak: {count('{n} day', '{n} days', current)} (best {best})\n"
        f"Sessions: {sessions}, {minutes} min in all\n"
        f"Full days (morning and bedtime): {full_days}\n"
        f"Streak freezes held: {freezes}"
    )


# --- privacy, export and operators ---

PRIVACY = (
    "🔒 What Limber keeps about you, and why\n\n"
    "• Your Telegram user and chat id, first name and language: to know who you are and "
    "greet you.\n"
    "• Your time zone, morning and bedtime nudge times, pause and whether nudges are on: to "
    "nudge you at your local time. A shared location or a typed city only picks the time zone; "
    "the location itself is not kept.\n"
    "• Your sessions (routine, start and end, holds done): to guide you, and for your streaks "
    "and /stats.\n"
    "• Your answers to “how's your back?” (0 to 10, one a day): to chart them for you. These "
    "are health data, used for nothing else.\n"
    "• Your mobility checks (/reach: how high each straight leg goes): to chart them beside "
    "the pain line and in your weekly summary. Health data too, used for nothing else.\n\n"
    "How long: until you delete it. /stop only ends the nudges and keeps your history for when "
    "you come back; /deletedata erases everything at once.\n\n"
    "Who can see it: you, through this chat, and the people who run this Limber bot, who "
    "keep the database. It is not sold, shared or used for ads. Telegram carries the messages "
    "under its own privacy policy. The bot's logs may name your user id when a message fails, "
    "never your answers.\n\n"
    "Your copy: /export sends everything Limber keeps about you as a ZIP of CSV files.\n"
    "Erase it: /deletedata, after one confirmation. Backups the operator keeps age out on "
    "their own schedule.\n\n"
    "Limber is a stretching coach, not a medical service."
)
# For setMyDescription (the text people see before pressing Start), when it is wired up.
DESCRIPTION_PRIVACY_LINE = "Your data: send /privacy to read what Limber keeps and why."
EXPORT_ZIP_CAPTION = (
    "Everything Limber keeps about you: profile.csv (name, language, time zone, nudge times), "
    "history.csv (sessions and back-pain answers) and one CSV per table in tables/."
)


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
    return (
        "🛠 Limber, for operators\n\n"
        f"Subscribers (nudges on): {subscribers}\n"
        f"Active this week (started a session): {active_week}\n"
        f"Sessions today (UTC): {sessions_today}\n"
        f"Nudges in the last day{nudges_since}: {nudges_sent} sent, "
        f"{nudges_failed} failed (blocked included)\n"
        f"Oldest unsent due nudge: {oldest_due}\n"
        f"Errors in the last hour (this process): {errors_hour}"
    )


ADMIN_NO_DUE_NUDGE = "none, all caught up"


def admin_overdue(minutes: int) -> str:
    return f"due {minutes} min ago"


def admin_since_start(minutes: int) -> str:
    return f" (this process, up {minutes} min)"


ADMIN_THIS_PROCESS = " (this process)"
# --- ux: plurals, buttons, commands, onboarding, settings, the stats picture ---


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form for `n`, as gettext's ngettext: English has two (1, everything else); a
    catalog later gives each language its own rule. The forms keep a {n} to format."""
    return singular if n == 1 else plural


def count(singular: str, plural: str, n: int) -> str:
    """ "1 stretch", "3 stretches": ngettext's form with the number filled in."""
    return ngettext(singular, plural, n).format(n=n)


# Every command the bot has, with the line Telegram shows in its menu; /help lists them all.
COMMANDS = (
    ("stretch", "Start a guided stretching session"),
    ("routines", "Pick a routine"),
    ("stats", "Your streak and progress, with a picture"),
    ("reach", "Mobility check: how high your straight leg goes"),
    ("export", "A copy of everything Limber keeps about you"),
    ("settings", "Time zone and nudge times"),
    ("timezone", "Set your time zone"),
    ("morning", "Set the morning nudge, e.g. /morning 07:30"),
    ("bedtime", "Set the bedtime nudge, e.g. /bedtime 22:00"),
    ("pause", "Pause nudges for a few days, e.g. /pause 7"),
    ("resume", "End a pause early"),
    ("stop", "Unsubscribe from nudges"),
    ("deletedata", "Erase everything Limber keeps about you"),
    ("privacy", "What Limber keeps about you, and why"),
    ("start", "Welcome, the medical note, subscribe"),
    ("help", "What Limber does"),
)

# A second tap on a button that has done its job (a double tap): short, and nothing happens.
ALREADY_DONE = "Already done. 👍"

BUTTON_CHANGE_ZONE = "🌍 Change time zone"


def _kind_label(kind: str) -> str:
    return "☀️ Morning" if kind == "morning" else "🌙 Bedtime"


def button_time_of(kind: str) -> str:
    return f"{_kind_label(kind)} time"


def button_toggle(kind: str, on: bool) -> str:
    return f"{_kind_label(kind)}: {'turn off' if on else 'turn on'}"


def button_snooze(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if hours and not rest:
        return f"💤 {hours} h"
    return f"💤 {minutes} min"


def describe_delay(delta: timedelta) -> str:
    """ "in 9 h 12 min": rounded up to whole minutes, so it never promises too early."""
    seconds = delta.total_seconds()
    if seconds < 60:
        return "in less than a minute"
    minutes = math.ceil(seconds / 60)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return f"in {hours} h {minutes} min"
    if hours:
        return f"in {hours} h"
    return f"in {minutes} min"


def reask(step: str) -> str:
    """A reply that answers nothing ("thanks!", 👍) while a set-up question waits."""
    if step == "timezone":
        return (
            "You're welcome! 🙂 One thing is still missing before I can nudge you: your time "
            f"zone.\n\n{ASK_TIMEZONE}"
        )
    return f"🙂 I still need a time for the {step} nudge.\n\n{ask_time(step)}"


ZONE_NOT_SET = "🌍 Your time zone isn't set yet, so no nudges are scheduled.\n\n" + ASK_TIMEZONE
NUDGES_STOPPED = "🔕 Nudges are off since /stop. /start turns them back on."


def time_set_while_stopped(kind: str, local: str) -> str:
    what = "Morning" if kind == "morning" else "Bedtime"
    return f"{what} time saved: {local}. {NUDGES_STOPPED}"


def nudge_skipped_until(next_kind: str | None, skipped: str) -> str:
    """Skip today's reply, naming the next nudge that is really on (none: no promise)."""
    if next_kind is None:
        return "Okay, skipping this one. 🙂"
    if next_kind == "morning":
        later = "tomorrow morning"
    elif skipped == "morning":
        later = "tonight"
    else:
        later = "tomorrow night"
    return f"Okay, skipping this one. See you {later}. 🙂"


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_and_time(local: datetime) -> str:
    """ "Tue 01 Dec, 13:00" (names from here, not from the process's locale)."""
    return f"{WEEKDAYS[local.weekday()]} {local:%d} {MONTHS[local.month - 1]}, {local:%H:%M}"


# The /stats picture (drawn with a Latin-only font: keep these to Latin letters).
CHART_TITLE = "Limber"
CHART_WEEKDAYS = (("Mon", 0), ("Wed", 2), ("Fri", 4), ("Sun", 6))
CHART_MONTHS = MONTHS
CHART_LEGEND = ("Morning", "Bedtime", "Both", "None")
CHART_PAIN_TITLE = "How's your back (0 = no pain)"
CHART_NO_PAIN = "No answers yet"


def chart_title(name: str) -> str:
    return f"{CHART_TITLE}: {name}" if name else CHART_TITLE


def chart_figures(
    current: int, best: int, sessions: int, minutes: int, full_days: int, freezes: int
) -> str:
    return (
        f"Streak: {count('{n} day', '{n} days', current)}   Best: {best}   "
        f"Sessions: {sessions}   Minutes: {minutes}   "
        f"Full days: {full_days}   Freezes: {freezes}"
    )


# --- cities and times: choosing among places, questioning an unlikely nudge time ---


def which_place(typed: str) -> str:
    return f"🌍 There's more than one “{_echo(typed)}”. Which one is yours?"


def button_keep_time(local: str) -> str:
    return f"✅ {local}"


def time_check(kind: str, local: str) -> str:
    """A nudge time in the unlikely half of the day: asked, not taken."""
    if kind == "morning":
        return (
            f"🤔 {local} is in the afternoon or evening. Is that right for your morning nudge? "
            "Tap the time you mean."
        )
    return (
        f"🤔 {local} is in the morning or the middle of the day. Is that right for your bedtime "
        "nudge? Tap the time you mean."
    )


# --- sandbox (`python -m bot try`): notes about the clock, not messages from the bot ---


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


SANDBOX_NO_NUDGE_YET = "(no nudge scheduled yet: /start and pick a time zone first)"
SANDBOX_NUDGES_OFF = "(no nudge scheduled: nudges are off; /settings turns them on)"
SANDBOX_UNSUBSCRIBED = "(no nudge scheduled: nudges are off since /stop; /start turns them on)"
SANDBOX_BAD_START = (
    "--start must be an ISO date and time, e.g. 2026-01-05T15:00 (UTC unless it has an offset)"
)


# --- sessions: a routine changed under a session ---


def session_outdated(routine: Routine) -> str:
    """A session ended because routines.toml was shortened past the stretch it was on."""
    return (
        f"“{routine.title}” has changed since you started, and the stretch you were on is no "
        "longer part of it, so I've ended this session here. Thank you for the stretches you "
        "did. /stretch starts the new version from the beginning."
    )


# --- flood (one chat sending far more than can be answered) ---

FLOOD_NOTICE = (
    "That's a lot of messages at once! 🙂 I answer them one at a time, "
    "so I skipped some. Send one again if I missed it."
)


# --- progress: weekly summary, desk break, weekdays, mobility check ---
# Plain English for now: the gettext conversion will carry these into the catalogs. The
# weekly summary's judgements (which sentence fits) are made in bot/domain/weekly.py.

WEEKLY_TITLE = "📅 Your week with Limber"


def weekly_sessions(sessions: int, before: int, minutes: int, minutes_before: int) -> str:
    return (
        f"{count('{n} session', '{n} sessions', sessions)}, "
        f"{count('{n} minute', '{n} minutes', minutes)} this week "
        f"(last week: {before}, {count('{n} minute', '{n} minutes', minutes_before)})."
    )


def weekly_streak(days: int) -> str:
    if days == 0:
        return "🔥 No streak running just now: one session starts a new one."
    return f"🔥 Streak: {count('{n} day', '{n} days', days)}."


def weekly_pain(trend: str, pain: int | None, before: int | None) -> str:
    """The pain trend in words, from bot.domain.weekly.PainTrend's values."""
    if trend == "none" or pain is None:
        return "🩹 No back-pain answers this week; answer after a session to see the trend here."
    if trend == "new" or before is None:
        return f"🩹 Your back averaged {pain} this week."
    if trend == "down":
        return f"🩹 Your back averaged {pain} this week, down from {before}. 🎉"
    if trend == "up":
        return (
            f"🩹 Your back averaged {pain} this week, up from {before}. Go gentle: a stretch "
            "is a mild pull, never pain. Sharp pain, numbness or tingling down the leg are "
            "reasons to stop and see a doctor."
        )
    return f"🩹 Your back averaged {pain} this week, the same as last week."


def weekly_reach(trend: str | None, degrees: int, before: int | None) -> str:
    """The latest mobility check (straight-leg raise), from bot.domain.weekly.ReachTrend."""
    if trend is None or before is None:
        return f"📐 Straight-leg raise: about {degrees}°. /reach again next week to compare."
    if trend == "higher":
        return (
            f"📐 Your straight leg rises to about {degrees}°, up from {before}°: "
            "your hamstrings are lengthening!"
        )
    if trend == "lower":
        return (
            f"📐 Your straight leg rises to about {degrees}°, from {before}° before. "
            "It varies from day to day."
        )
    return f"📐 Your straight leg rises to about {degrees}°, as before."


_WEEKLY_CHEER = {
    "first_step": "A new week is a fresh start: five calm minutes tomorrow is all it takes. 🌱",
    "come_back": (
        "A quiet week, and that's okay. One short session tomorrow picks the habit back up. 🌱"
    ),
    "more": "More sessions than last week: your hamstrings notice. Keep it up! 💪",
    "same": "As steady as last week: that regularity is what loosens the back. 👏",
    "fewer": (
        "Fewer sessions than last week, but each one helped. "
        "A short one tomorrow keeps it going. 🙂"
    ),
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
        WEEKLY_TITLE,
        "",
        weekly_sessions(sessions, sessions_before, minutes, minutes_before),
        weekly_streak(streak),
        weekly_pain(pain_trend, pain, before=pain_before),
    ]
    if reach_line:
        lines.append(reach_line)
    lines += ["", _WEEKLY_CHEER[cheer]]
    return "\n".join(lines)


def button_weekly(on: bool) -> str:
    return f"📅 Weekly summary: {'turn off' if on else 'turn on'}"


_DESK = (
    "Desk break{name}? 🪑 One minute of the chair stretch eases the back after sitting.",
    "Time to unstick from the chair{name}: a seated stretch, right where you are.",
    "A quick desk stretch{name}? Sit tall, one leg out, lean gently forward.",
)


def desk_nudge(user_id: int, day: int, first_name: str) -> str:
    name = f", {first_name.strip()[:40]}" if first_name.strip() else ""
    return _DESK[(day + user_id) % len(_DESK)].format(name=name)


DESK_STARTED = "Desk break! 🪑"
BUTTON_DESK_TIME = "🪑 Desk-break time"
BUTTON_DAYS = "📅 Days"
BUTTON_BACK = "⬅️ Back"
BUTTON_WORKDAYS = "Mon–Fri"
BUTTON_EVERY_DAY = "Every day"
ASK_DESK_TIME = "🪑 When should I suggest a desk break? It comes on the days you choose (📅 Days)."
KEEP_ONE_DAY = "Keep at least one day; to stop this nudge, turn it off in /settings."


def button_desk(on: bool) -> str:
    return f"🪑 Desk break: {'turn off' if on else 'turn on'}"


def reminder_name(kind: str) -> str:
    return {"morning": "☀️ Morning", "bedtime": "🌙 Bedtime", "desk": "🪑 Desk break"}[kind]


def day_button(weekday: int, on: bool) -> str:
    return f"{'✅' if on else '▫️'} {WEEKDAYS[weekday]}"


def days_label(days: int) -> str:
    """ "every day", "Mon–Fri", "weekends", or the days named ("Mon, Wed, Fri")."""
    if days & 0b1111111 == 0b1111111:
        return "every day"
    if days == 0b0011111:
        return "Mon–Fri"
    if days == 0b1100000:
        return "weekends"
    return ", ".join(WEEKDAYS[d] for d in range(7) if days & (1 << d))


def ask_days(kind: str, days: int) -> str:
    return (
        f"📅 On which days should the {reminder_name(kind)} nudge come? "
        f"Now: {days_label(days)}. Tap a day to switch it."
    )


def schedule_extras(desk: str | None, desk_days: int, days: dict[str, int], weekly: bool) -> str:
    """The /settings lines for the desk break, the chosen weekdays and the weekly summary."""
    lines = [f"🪑 Desk break: {f'{desk}, {days_label(desk_days)}' if desk else 'off'}"]
    for kind, mask in days.items():
        if mask & 0b1111111 != 0b1111111:
            lines.append(f"📅 {reminder_name(kind)} nudge only on: {days_label(mask)}")
    lines.append(f"📅 Weekly summary: {'on' if weekly else 'off'}")
    return "\n".join(lines)


# The mobility check (/reach).
REACH_INTRO = (
    "📐 Mobility check: lie on your back as in the lying stretch, and raise one straight leg "
    "slowly, only as far as is comfortable (a gentle pull, never pain). Which picture looks "
    "most like yours?"
)
BUTTON_REACH_NOW = "📐 Check my reach"
REACH_OFFER = (
    "📐 It's been a week: want to see whether your hamstrings are lengthening? "
    "A one-minute mobility check."
)
REACH_STALE = "That check is from an earlier day; send /reach for a new one."


def reach_choice(degrees: int) -> str:
    return f"{degrees}°"


def reach_question(side: str) -> str:
    return f"{REACH_INTRO}\n\n👉 Your {side} leg: how high does it go?"


def reach_done(left: int | None, right: int | None) -> str:
    got = ", ".join(
        f"{name} {value}°" for name, value in (("left", left), ("right", right)) if value
    )
    return f"📐 Noted: {got}. Both lines show in /stats; check again in a week to compare."


REACH_CAPTION = "How high does your straight leg go? 30°, 45°, 60°, 75° or 90°."
# The /stats picture's mobility line (Latin letters only: the picture's font).
CHART_REACH_TITLE = "Straight-leg raise (degrees)"
CHART_NO_REACH = "No checks yet: /reach"
CHART_REACH_SIDES = ("Left leg", "Right leg")


def short_date(day: int, month: int) -> str:
    """ "18 Nov" (names from here, not from the process's locale)."""
    return f"{day} {MONTHS[month - 1]}"


def stats_reach_line(left: int | None, right: int | None, when: str, before: int | None) -> str:
    sides = ", ".join(f"{n} {v}°" for n, v in (("left", left), ("right", right)) if v)
    was = f"; before: about {before}°" if before is not None else ""
    return f"📐 Straight-leg raise on {when}: {sides}{was}"


CHART_FREEZE = "Freeze used"
CHART_THIS_WEEK = "This week"


def chart_latest_pain(score: int, day: int, month: int) -> str:
    return f"Latest: {score} on {short_date(day, month)}"


def chart_week_lines(
    sessions: int, before: int, minutes: int, pain: int | None, reach: int | None, streak: int
) -> tuple[str, ...]:
    """The /stats picture's "This week" panel (Latin letters only: the picture's font)."""
    lines = [
        f"Sessions: {sessions} (last week {before})",
        f"Minutes: {minutes}",
        f"Back pain: {'no answers' if pain is None else f'{pain} on average'}",
    ]
    if reach is not None:
        lines.append(f"Leg raise: about {reach}°")
    lines.append(f"Streak: {count('{n} day', '{n} days', streak)}")
    return tuple(lines)


def chart_latest_reach(left: int | None, right: int | None) -> str:
    sides = ", ".join(f"{n} {v}°" for n, v in (("left", left), ("right", right)) if v)
    return f"Latest: {sides}"


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
    parts = [
        f"🖼 The picture: the last {weeks} weeks, "
        f"{count('{n} day', '{n} days', days_stretched)} with a session"
    ]
    if frozen:
        parts[0] += f"; a streak freeze kept the streak on {', '.join(frozen)}"
    parts[0] += "."
    parts.append(f"This week {week_sessions} sessions, last week {week_before}.")
    if pain_first is not None and pain_last is not None:
        parts.append(f"Back pain went from {pain_first} to {pain_last} (0 = no pain).")
    if reach_first is not None and reach_last is not None:
        parts.append(f"Straight-leg raise went from about {reach_first}° to {reach_last}°.")
    return " ".join(parts)
# --- sessions for the person on the floor: hands-free, honest endings, pictures, settings ---


def hold_stopped_after(title: str, held: int, full: int) -> str:
    """A hold left before its end (Skip, Stop, This hurts), with what was held."""
    return f"{title}: stopped early, {held} of {full} s held"


def hands_free_start(ready_seconds: int) -> str:
    """The intro's last line in a hands-free session."""
    return (
        f"The hold starts by itself in {ready_seconds} s: get into position. "
        "Tap Ready to start sooner."
    )


def paused_before_hold(stretch_name: str, seconds_left: int) -> str:
    return (
        f"⏸ Paused: the {stretch_name} hold starts {seconds_left} s after you tap Resume."
    )


def finished_partly(routine: Routine, done: int, spent: str) -> str:
    """The ending of a session in which not every stretch was held on every side."""
    total = len(routine.stretches)
    if done == 0:
        return (
            f"Session over: no stretch was held this time ({routine.title}, {spent}). "
            "That's fine; it doesn't count towards your streak. /stretch whenever you're ready."
        )
    return (
        f"✅ Session over: you held {done} of {count('{n} stretch', '{n} stretches', total)} "
        f"of {routine.title} in {spent}. Every stretch you hold helps your back."
    )


HURT_PAUSE_OFFER = (
    "Would you like a break from my reminders while your back settles? "
    "Tomorrow I'll ask how it is."
)
BUTTON_PAUSE_3 = "Pause 3 days"
BUTTON_PAUSE_7 = "Pause 7 days"
BUTTON_NO_THANKS = "No thanks"
HURT_NO_PAUSE = "OK, reminders stay on. Tomorrow I'll ask how your back is. 🤍"


def hurt_paused(until_local: str) -> str:
    return (
        f"Reminders paused until {until_local}. Rest well; tomorrow I'll ask how your back is. "
        "/resume brings them back sooner."
    )


def pain_noted_changeable(score: int) -> str:
    """The pain answer, with its buttons kept for the day so it can be changed."""
    return f"{PAIN_QUESTION}\n\nThanks, noted: {score}/10. 📝 Tap another number to change it."


# /stretch while a session is running
def session_running(routine_title: str) -> str:
    return f"You're in the middle of “{routine_title}”. Carry on, or start over?"


BUTTON_CARRY_ON = "▶️ Carry on"
BUTTON_START_OVER = "🔄 Start over"
CARRYING_ON = "Carrying on with your session. 👍"
STARTING_OVER = "Starting over."

# /settings: how sessions run
BUTTON_HANDS_FREE = "Hands-free"
BUTTON_TAP_THROUGH = "Tap through"
PACE_LABELS = {"relaxed": "Relaxed", "normal": "Normal", "quick": "Quick"}
SETTINGS_SAVED = "Saved: your next session runs like this."


def button_hold(seconds: int) -> str:
    return f"Hold {seconds} s"


def button_chosen(label: str, chosen: bool) -> str:
    return f"✓ {label}" if chosen else label


def session_settings_line(hands_free: bool, hold_seconds: int | None, pace: str) -> str:
    """The /settings line about sessions."""
    how = (
        "hands-free (the session runs by itself)"
        if hands_free
        else "tap through (Ready before each stretch)"
    )
    hold = f"{hold_seconds} s" if hold_seconds else "as in the routine (30 s)"
    pauses = PACE_LABELS.get(pace, pace).lower()
    return f"🧘 Sessions: {how}; holds {hold}; {pauses} pauses."
