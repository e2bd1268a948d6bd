"""PUBLIC_URL, checked, and the addresses derived from it."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

PLAYER_PATH = "/app/"


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def checked_public_url(value: str) -> str:
    """PUBLIC_URL without its trailing slash, or ValueError saying what is wrong. Telegram
    opens Mini Apps over https only; plain http is accepted for a loopback host (the tests and
    `limber try`, where a browser beside the terminal opens it)."""
    url = value.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError("PUBLIC_URL must be an address like https://limber.example.com")
    if parts.query or parts.fragment:
        raise ValueError("PUBLIC_URL must not carry a query or a fragment")
    if parts.scheme == "http" and not _loopback(parts.hostname):
        raise ValueError(
            "PUBLIC_URL must be https:// (Telegram opens Mini Apps over https only); "
            "plain http is accepted for 127.0.0.1 and localhost"
        )
    return url


def player_url(public_url: str) -> str:
    """The page's address, as web_app buttons and the menu button carry it."""
    return public_url.rstrip("/") + PLAYER_PATH
