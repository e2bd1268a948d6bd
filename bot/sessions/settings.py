"""The operator's settings for guided sessions, in their own module so the coach's
collaborators (screen.py) read them without importing the coach."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain import session as machine


@dataclass(frozen=True, slots=True)
class CoachSettings:
    # The switch-sides pause and the hands-free get-ready count of a stretch that sets none
    # in routines.toml (before the pace in /settings scales them).
    switch_seconds: int = 10
    ready_seconds: int = machine.READY_SECONDS
    countdown_step_seconds: int = 5
    resume_ask_after_seconds: int = 300
    pause_limit_seconds: int = machine.PAUSE_LIMIT_SECONDS
