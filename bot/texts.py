"""Every sentence a user reads, in one place.

Kept together so the tone stays consistent (calm, encouraging, never medical advice beyond the
seed's "talk to your doctor; stop if it hurts") and so a translation later touches one file.
"""

from __future__ import annotations

import math
import unicodedata

from bot.domain.session import EndReason, Phase, SessionState, Status
from bot.routines import Library, Routine, Stretch

MEDICAL_NOTE = (
    "⚕️ Before you start: talk to your doctor or chiropractor if you have back pain, and stop "
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
        "/settings — time zone and nudge times\n"
        "/timezone CITY, /morning HH:MM, /bedtime HH:MM — change one thing\n"
        "/pause DAYS, /resume — a break from nudges\n"
        "/stop — no more nudges (your history is kept)\n"
        "/deletedata — erase everything I keep about you\n"
        "/start — the welcome and the medical note\n\n"
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


def _countdown(seconds: float, step: int) -> str:
    # Shown rounded up to the edit cadence, so the number never jumps ahead of the truth.
    shown = step * math.ceil(seconds / step) if seconds > 0 else 0
    return f"{int(shown)} s"


def intro(routine: Routine, state: SessionState, *, first: bool) -> str:
    stretch = routine.stretches[state.stretch_index]
    n, total = state.stretch_index + 1, len(routine.stretches)
    parts = []
    if first:
        parts.append(
            f"🧘 {routine.title}: {total} stretch{'es' if total != 1 else ''}, "
            f"{_minutes(routine)}. Relax while you stretch; stop if anything hurts."
        )
    parts.append(f"Stretch {n} of {total}: {stretch.name}")
    parts.append("\n".join(f"{i}. {step}" for i, step in enumerate(stretch.steps, 1)))
    if stretch.tip:
        parts.append(f"💡 {stretch.tip}")
    per = " on each side" if stretch.each_side else ""
    parts.append(f"Hold {stretch.hold_seconds} s{per}. Tap Ready when you're in position.")
    return "\n\n".join(parts)


def hold(routine: Routine, state: SessionState, seconds_left: float, step: int) -> str:
    stretch = routine.stretches[state.stretch_index]
    side = side_name(stretch, state.side)
    title = f"{stretch.name} — {side}" if side else stretch.name
    left = _countdown(min(seconds_left, stretch.hold_seconds), min(step, stretch.hold_seconds))
    return f"⏱ {title}\nHold: {left} left\n\nBreathe slowly and relax into it."


def hold_closed(routine: Routine, state: SessionState, *, completed: bool) -> str:
    stretch = routine.stretches[state.stretch_index]
    side = side_name(stretch, state.side)
    title = f"{stretch.name} — {side}" if side else stretch.name
    if completed:
        return f"✓ {title}: {stretch.hold_seconds} s held"
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
    line = f"🎉 Done! {routine.title}: {done} stretch{'es' if done != 1 else ''} in {spent}"
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
        f"Session stopped after {done} stretch{'es' if done != 1 else ''} "
        f"({state.holds_done} hold{'s' if state.holds_done != 1 else ''}). "
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


def nudge_skipped(kind: str) -> str:
    later = "tonight" if kind == "morning" else "tomorrow morning"
    return f"Okay, skipping this one. See you {later}. 🙂"


def nudge_started(kind: str) -> str:
    return "Let's go! 💪" if kind == "morning" else "Let's wind down. 🌙"


# Time zone, nudge times, settings ------------------------------------------------------------

ASK_TIMEZONE = (
    "🌍 Which time zone are you in? I'll nudge you at your local time.\n"
    "Tap one, type your city (e.g. Berlin, New York) or share your location (📎 → Location)."
)
BAD_ZONE = (
    "I don't know that place. Type a city like Berlin or Kolkata, or a zone name like "
    "Europe/Berlin. Nothing was changed."
)
OFFSET_ZONE = (
    "Offsets like UTC+5:30 don't follow daylight saving time, so your nudges would drift. "
    "Please name your city instead (e.g. Kolkata, London, New York). Nothing was changed."
)
BAD_LOCATION = "I couldn't find a time zone for that location. Please type your city instead."
LOCATION_UNASKED = "To set your time zone from a location, send /timezone first, then share it."
BAD_TIME = (
    "I couldn't read that time. Try 07:30, 7am or 10:30 pm (00:00 to 23:59). Nothing was changed."
)
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


def zone_set(label: str) -> str:
    return f"Time zone set: {label}."


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
EXPORT_CAPTION = "Your Limber history: every finished session and your back-pain answers."


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
        f"📊 Streak: {current} day{'s' if current != 1 else ''} (best {best})\n"
        f"Sessions: {sessions}, {minutes} min in all\n"
        f"Full days (morning and bedtime): {full_days}\n"
        f"Streak freezes held: {freezes}"
    )


# --- flood (one chat sending far more than can be answered) ---

FLOOD_NOTICE = (
    "That's a lot of messages at once! 🙂 I answer them one at a time, "
    "so I skipped some. Send one again if I missed it."
)
