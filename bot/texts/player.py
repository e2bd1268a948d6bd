"""The session player (bot/player/, a Telegram Mini App): the page's words, the line over its
ring, what it says aloud at each step, and the button that opens it."""

from __future__ import annotations

from bot.domain.session import EndReason, Phase, SessionState, Status
from bot.routines import Routine
from bot.texts.base import N_, _
from bot.texts.session import Session, _titled, intro_header, pace_label, stretch_name

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
    words.update(
        button_ready=Session.BUTTON_READY,
        button_pause=Session.BUTTON_PAUSE,
        button_resume=Session.BUTTON_RESUME,
        button_skip=Session.BUTTON_SKIP,
        button_stop=Session.BUTTON_STOP,
        button_hurt=Session.BUTTON_HURT,
    )
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
