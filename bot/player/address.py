"""The addresses derived from PUBLIC_URL (checked in bot/config.py)."""

from __future__ import annotations

PLAYER_PATH = "/app/"


def player_url(public_url: str) -> str:
    """The page's address, as web_app buttons and the menu button carry it."""
    return public_url.rstrip("/") + PLAYER_PATH
