"""A guided session, from the routines menu to its end: each step's card and its buttons, the
endings, the session that was interrupted or outdated, and how sessions run (hands-free, hold
length, pace). The player (bot/texts/player.py) shows the same steps in its own words."""

from __future__ import annotations

import math

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
from bot.routines import Library, Routine, Stretch
from bot.texts.base import N_, Sentence, _, _echo, count, ngettext
from bot.texts.pain_care import PainCare


class Session:
    """The session's buttons and replies, read as `texts.NAME`."""

    BUTTON_READY = Sentence("✅ Ready")
    BUTTON_SKIP = Sentence("⏭ Skip")
    BUTTON_STOP = Sentence("⏹ Stop")
    BUTTON_PAUSE = Sentence("⏸ Pause")
    BUTTON_RESUME = Sentence("▶️ Resume")
    BUTTON_HURT = Sentence("🤕 This hurts")
    SESSION_ENDED = Sentence("This session has ended. /stretch starts a new one.")
    NOT_YOURS = Sentence("That isn't your session.")
    # The database refuses writes (read-only, gone, down): nothing said may claim a save.
    SESSION_WAITS = Sentence(
        "I can't save right now; your session waits. It carries on by itself as soon as I "
        "can save again."
    )
    # /stretch while a session runs.
    BUTTON_CARRY_ON = Sentence("▶️ Carry on")
    BUTTON_START_OVER = Sentence("🔄 Start over")
    CARRYING_ON = Sentence("Carrying on with your session. 👍")
    STARTING_OVER = Sentence("Starting over.")
    # How sessions run (/settings).
    BUTTON_HANDS_FREE = Sentence("Hands-free")
    BUTTON_TAP_THROUGH = Sentence("Tap through")
    SETTINGS_SAVED = Sentence("Saved: your next session runs like this.")


# Routines: their words in the reader's language (the routines catalogs, bot/routine_catalog.py,
# each word without a current translation in English) and how long they take.


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


# The card: each step of a session, and its end.


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
                PainCare.WARNING_SIGNS,
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


def session_outdated(routine: Routine) -> str:
    """A session ended because routines.toml was shortened past the stretch it was on."""
    return _(
        "“{routine}” has changed since you started, and the stretch you were on is no longer "
        "part of it, so I've ended this session here. Thank you for the stretches you did. "
        "/stretch starts the new version from the beginning."
    ).format(routine=routine_title(routine))


def session_running(routine_title: str) -> str:
    """/stretch while a session is running."""
    return _("You're in the middle of “{routine}”. Carry on, or start over?").format(
        routine=routine_title
    )


# How sessions run (/settings and the player's settings).


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
