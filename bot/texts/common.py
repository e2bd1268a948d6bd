"""Replies any chat may get, whatever it was doing: a stale or unknown button, a press done
twice, the database down, a message that is not a command, too many messages at once."""

from __future__ import annotations

from bot.texts.base import Sentence, _, _echo


class Common:
    """The fixed replies, read as `texts.NAME`."""

    STALE_BUTTON = Sentence("That button is out of date.")
    UNKNOWN_BUTTON = Sentence("That button doesn't do anything any more.")
    STORAGE_DOWN = Sentence(
        "I can't save anything right now, so nothing changed. Please try again in a minute."
    )
    SOMETHING_WRONG = Sentence(
        "Sorry, something went wrong on my side. Your progress is saved; try again."
    )
    FREE_TEXT = Sentence(
        "I'm a stretching coach, so I understand commands. /stretch starts a session, "
        "/routines lists them, /help tells you more."
    )
    NO_USER = Sentence("Please send /start first, so I can set you up.")
    # A second tap on a button that has done its job (a double tap): short, nothing happens.
    ALREADY_DONE = Sentence("Already done. 👍")
    FLOOD_NOTICE = Sentence(
        "That's a lot of messages at once! 🙂 I answer them one at a time, so I skipped some. "
        "Send one again if I missed it."
    )


def unknown_command(command: str) -> str:
    return _("I don't know {command}. Try /stretch to start a session, or /help.").format(
        command=_echo(command)
    )
