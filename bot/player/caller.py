"""Who is asking: a request whose initData was checked, and the shape of the routes that
take one (api.py checks, account.py and api.py answer)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from bot.player.initdata import WebAppUser


@dataclass(frozen=True, slots=True)
class Caller:
    """A checked request: who, in which language."""

    user: WebAppUser
    language: str


Handler = Callable[[Request, Caller], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]
Checked = Callable[[Handler], Endpoint]
