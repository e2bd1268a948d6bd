"""The `try` tool's own notes (`python -m bot try`): about the clock, not messages from the bot.
They are the tool's words to the person trying the bot, in parentheses: English, not catalogued
(tests/i18n/test_i18n_catalogs.py exempts the SANDBOX_ names)."""

from __future__ import annotations

from bot.domain.nudge_rules import ALREADY_STRETCHED_WINDOW


def sandbox_clock_moved(at: str) -> str:
    return f"(clock moved to {at})"


def sandbox_nudge_skipped(at: str, reason: str) -> str:
    """`:nudge` moved the clock to a nudge and the bot skipped it on purpose: say why."""
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
