"""The session player in `limber try`: Limber's own web server on a loopback port, and the
page's address signed for the sandbox user, to open in a browser beside the terminal chat."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from urllib.parse import quote

from bot.health import HealthServer, TelegramProbe
from bot.player.address import player_url
from bot.player.initdata import sign_for
from bot.services import Services

# The sandbox's one person (bot/sandbox/runner.py USER_ID).
SANDBOX_USER = 1


def free_port() -> int:
    """A loopback port free right now (the server binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def signed_address(svc: Services, first_name: str, language_code: str | None) -> str:
    """The page's address with initData for the sandbox user in its fragment, where Telegram
    puts it (tgWebAppData): the fragment never reaches a server or its logs. Signed at the
    sandbox clock's now, so it is good for 24 hours of that clock."""
    assert svc.settings.public_url
    init_data = sign_for(
        svc.settings.require_token(), SANDBOX_USER, first_name, language_code, svc.clock.now()
    )
    return f"{player_url(svc.settings.public_url)}#tgWebAppData={quote(init_data, safe='')}"


@dataclass
class SandboxPlayer:
    server: HealthServer
    address: str

    @property
    def note(self) -> str:
        """The line the terminal shows (English, like the sandbox's other notes)."""
        return f"📱 The session player, in a browser beside this chat: {self.address}"

    @classmethod
    def start(
        cls, svc: Services, port: int, first_name: str, language_code: str | None
    ) -> SandboxPlayer:
        probe = TelegramProbe(svc.coach.chat.bot)
        probe.ok()
        server = HealthServer(svc, probe, port, host="127.0.0.1")
        server.start()
        return cls(server, signed_address(svc, first_name, language_code))

    async def stop(self) -> None:
        await self.server.stop()
