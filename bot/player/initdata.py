"""Telegram's initData: the signed query string a Mini App receives, checked here.

Telegram signs it with HMAC-SHA256: the key is HMAC_SHA256(key="WebAppData", msg=bot_token),
the message every field but `hash` as `key=value`, sorted by key, joined by newlines
(core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app). A check that
fails says only that it failed: the reason is for tests, never for logs (the string carries
the user's name), and the token never leaves this module's arguments.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlencode

# Telegram's initData carries no expiry of its own; a day is the common bound, and a page
# left open longer is asked to be opened from Telegram again.
MAX_AGE = timedelta(hours=24)
# A phone's clock may run ahead of the server's by a little; more than this is not a clock.
FUTURE_SLACK = timedelta(minutes=5)
# Real initData is well under 1 KB; a bound keeps a hostile header from costing work.
MAX_LENGTH = 4096


class Refused(Exception):
    """initData that does not identify a user: missing, malformed, forged or too old."""


@dataclass(frozen=True, slots=True)
class WebAppUser:
    id: int
    first_name: str
    language_code: str | None


def _secret(token: str) -> bytes:
    return hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()


def _data_check_string(fields: dict[str, str]) -> str:
    return "\n".join(f"{key}={fields[key]}" for key in sorted(fields))


def sign(token: str, fields: dict[str, str]) -> str:
    """initData for `fields` as Telegram would sign it (the sandbox's address, tests)."""
    digest = hmac.new(_secret(token), _data_check_string(fields).encode(), hashlib.sha256)
    return urlencode({**fields, "hash": digest.hexdigest()})


def sign_for(
    token: str, user_id: int, first_name: str, language_code: str | None, at: datetime
) -> str:
    """initData naming one user, signed at `at`."""
    user: dict[str, object] = {"id": user_id, "first_name": first_name}
    if language_code:
        user["language_code"] = language_code
    return sign(
        token,
        {
            "auth_date": str(int(at.timestamp())),
            "query_id": "limber-player",
            "user": json.dumps(user, separators=(",", ":"), ensure_ascii=False),
        },
    )


def verify(init_data: str, token: str, now: datetime) -> WebAppUser:
    """The user `init_data` was signed for, or Refused."""
    if not init_data or len(init_data) > MAX_LENGTH:
        raise Refused("missing or too long")
    try:
        pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise Refused("not a query string") from None
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise Refused("a field given twice")
    given = fields.pop("hash", "")
    expected = hmac.new(_secret(token), _data_check_string(fields).encode(), hashlib.sha256)
    if not hmac.compare_digest(given.encode(), expected.hexdigest().encode()):
        raise Refused("bad signature")
    auth = fields.get("auth_date", "")
    if not auth.isascii() or not auth.isdigit():
        raise Refused("no auth_date")
    signed_at = datetime.fromtimestamp(int(auth), tz=now.tzinfo)
    if now - signed_at > MAX_AGE or signed_at - now > FUTURE_SLACK:
        raise Refused("expired")
    return _user(fields.get("user", ""))


def _user(raw: str) -> WebAppUser:
    try:
        user = json.loads(raw)
    except ValueError:
        raise Refused("no user") from None
    if not isinstance(user, dict) or type(user.get("id")) is not int:
        raise Refused("no user id")
    language = user.get("language_code")
    return WebAppUser(
        id=user["id"],
        first_name=str(user.get("first_name") or ""),
        language_code=language if isinstance(language, str) else None,
    )
