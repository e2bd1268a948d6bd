"""The sandbox behind `python -m bot try`: the real Application against the in-process
emulator, a throwaway database, and a clock that can run faster and jump to the next nudge.

One person chats (user id 1); the terminal front-ends (console.py, plain.py) only send text,
press buttons and watch the emulator's chat.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from pydantic import SecretStr

from bot.app import ALLOWED_UPDATES, build_application, start_app, stop_app
from bot.clock import ScaledClock
from bot.coach import AnyApp
from bot.config import DEFAULT_ROUTINES, Settings
from bot.routines import load_routines
from bot.sandbox.emulator import BotApiEmulator, BotMessage
from bot.services import KEY, Services
from bot.store.db import upgrade_async

USER_ID = 1


@dataclass(frozen=True, slots=True)
class SandboxOptions:
    routines: Path = DEFAULT_ROUTINES
    database: str | None = None
    keep: bool = False
    speed: float = 1.0
    first_name: str = "You"
    language_code: str = "en"


class Sandbox:
    """Start with `async with Sandbox(options) as box:`; everything stops on exit."""

    def __init__(self, options: SandboxOptions) -> None:
        self.options = options
        self.library = load_routines(options.routines)  # a bad file is refused before anything
        self.emu = BotApiEmulator()
        self.clock = ScaledClock(options.speed)
        self.app: AnyApp | None = None
        self._tmp: Path | None = None
        self.database = options.database or ""

    async def __aenter__(self) -> Sandbox:
        if not self.database:
            self._tmp = Path(tempfile.mkdtemp(prefix="limber-try-"))
            self.database = f"sqlite+aiosqlite:///{self._tmp / 'limber.db'}"
        await self.emu.start()
        self.emu.set_user_language(USER_ID, self.options.language_code)
        settings = Settings(
            bot_token=SecretStr(self.emu.token),
            database_url=self.database,
            routines_path=self.options.routines,
            telegram_api_base_url=self.emu.base_url,
            telegram_file_base_url=self.emu.file_base_url,
            nudge_tick_seconds=1.0,
            rate_limit=False,
        )
        await upgrade_async(self.database)
        self.app = build_application(settings, clock=self.clock, library=self.library)
        await start_app(self.app)
        assert self.app.updater is not None
        await self.app.updater.start_polling(
            poll_interval=0.0, timeout=1, allowed_updates=ALLOWED_UPDATES
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.app is not None:
            await stop_app(self.app)
            self.app = None
        await self.emu.stop()
        if self._tmp is not None and not self.options.keep:
            shutil.rmtree(self._tmp, ignore_errors=True)

    @property
    def services(self) -> Services:
        assert self.app is not None
        found = self.app.bot_data[KEY]
        assert isinstance(found, Services)
        return found

    @property
    def kept_at(self) -> str | None:
        """Where the database stays after exit (with --keep or --database)."""
        return self.database if (self.options.keep or self.options.database) else None

    def say(self, text: str) -> None:
        self.emu.send_text(
            USER_ID,
            text,
            first_name=self.options.first_name,
            language_code=self.options.language_code,
        )

    def share_location(self, latitude: float, longitude: float) -> None:
        self.emu.send_location(USER_ID, latitude, longitude)

    def messages(self) -> list[BotMessage]:
        return self.emu.messages(USER_ID)

    def latest_with_buttons(self) -> BotMessage | None:
        for message in reversed(self.messages()):
            if self.emu.buttons(message):
                return message
        return None

    def press(self, message: BotMessage, number: int) -> bool:
        """Press the `number`-th (1-based) button of `message`; False if there is none."""
        buttons = self.emu.buttons(message)
        if not 1 <= number <= len(buttons):
            return False
        self.emu.press(USER_ID, message.message_id, data=buttons[number - 1][1])
        return True

    async def next_nudge(self) -> str | None:
        """Move the clock to the next pending nudge and let the tick send it."""
        at = await self.services.store.next_nudge_at()
        if at is None:
            return None
        gap = at - self.clock.now()
        if gap.total_seconds() > 0:
            self.clock.advance(gap)
        await self.services.dispatcher.tick()
        return f"{at:%Y-%m-%d %H:%M} UTC"
