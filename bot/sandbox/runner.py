"""The sandbox behind `python -m bot try`: the real Application against the in-process
emulator, a throwaway database, and a clock that can run faster and jump to the next nudge.

One person chats (user id 1); the terminal front-ends (console.py, plain.py) only send text,
press buttons and watch the emulator's chat.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from pydantic import SecretStr

from bot import texts
from bot.app import ALLOWED_UPDATES, build_application, start_app, stop_app
from bot.clock import ScaledClock
from bot.config import DEFAULT_ROUTINES, ConfigError, Settings, async_database_url
from bot.routines import load_routines
from bot.sandbox.emulator import BotApiEmulator, BotMessage
from bot.sandbox.player import SandboxPlayer, free_port
from bot.sandbox.team import SandboxTeam
from bot.services import KEY, AnyApp, Services
from bot.store.db import upgrade_async

USER_ID = 1
# `try --group N`: a group chat of N colleagues, you (USER_ID, its admin) among them.
GROUP_ID = -100
COLLEAGUES = ("Ana", "Ben", "Chloé", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo")
# How long a jump waits for the nudge it moved to: the 1 s tick job may claim it first, and
# its report comes only once the send is done (a few ms against the in-process emulator).
CLAIM_WAIT_SECONDS = 5.0
CLAIM_POLL_SECONDS = 0.02


@dataclass(frozen=True, slots=True)
class SandboxOptions:
    routines: Path = DEFAULT_ROUTINES
    database: str | None = None
    keep: bool = False
    speed: float = 1.0
    first_name: str = "You"
    language_code: str = "en"
    # Where the clock starts (None: now). What a jump to the next nudge shows depends on the
    # hour (a nudge within 3 hours after a session is skipped), so tests pin it.
    start: datetime | None = None
    # A team break in a group of this many people (0: a private chat).
    group: int = 0


def parse_start(value: str) -> datetime:
    """`--start`: an ISO date and time, UTC unless it carries an offset."""
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(texts.SANDBOX_BAD_START) from None
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class NudgeJump:
    """What a jump to the next nudge did, as the note the terminal shows."""

    at: datetime | None
    note: str


class Sandbox:
    """Start with `async with Sandbox(options) as box:`; everything stops on exit."""

    def __init__(self, options: SandboxOptions) -> None:
        self.options = options
        self.library = load_routines(options.routines)  # a bad file is refused before anything
        self.emu = BotApiEmulator()
        self.clock = ScaledClock(options.speed, options.start)
        self.app: AnyApp | None = None
        self._tmp: Path | None = None
        # The URL forms DATABASE_URL takes (postgresql://, sqlite:///) get the async driver too.
        try:
            self.database = async_database_url(options.database) if options.database else ""
        except ValueError as exc:
            raise ConfigError(str(exc).replace("DATABASE_URL", "--database")) from None
        # The session player beside the terminal chat (bot/player/): its server and address.
        self.player: SandboxPlayer | None = None
        self.team: SandboxTeam | None = None

    async def __aenter__(self) -> Sandbox:
        if not self.database:
            self._tmp = Path(tempfile.mkdtemp(prefix="limber-try-"))
            self.database = f"sqlite+aiosqlite:///{self._tmp / 'limber.db'}"
        await self.emu.start()
        self.emu.set_user_language(USER_ID, self.options.language_code)
        port = free_port()
        settings = Settings(
            public_url=f"http://127.0.0.1:{port}",
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
        self.player = SandboxPlayer.start(
            self.services, port, self.options.first_name, self.options.language_code
        )
        if self.options.group:
            self.team = SandboxTeam(self.emu, GROUP_ID, self._members())
        return self

    def _members(self) -> dict[int, str]:
        names = COLLEAGUES[: max(1, self.options.group - 1)]
        members = {USER_ID: self.options.first_name}
        members.update({USER_ID + 1 + i: name for i, name in enumerate(names)})
        return members

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.player is not None:
            await self.player.stop()
            self.player = None
        if self.team is not None:
            self.team.stop()
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
        if self.team is not None:
            self.emu.say_in_group(GROUP_ID, USER_ID, text)
            return
        self.emu.send_text(
            USER_ID,
            text,
            first_name=self.options.first_name,
            language_code=self.options.language_code,
        )

    def messages(self) -> list[BotMessage]:
        return self.emu.messages(GROUP_ID if self.team is not None else USER_ID)

    def latest_with_buttons(self) -> BotMessage | None:
        for message in reversed(self.messages()):
            if self.emu.buttons(message):
                return message
        return None

    def share_location(self, latitude: float, longitude: float) -> None:
        """What Telegram's 📎 → Location sends."""
        self.emu.send_location(USER_ID, latitude, longitude)

    def send_sticker(self) -> None:
        self.emu.send_sticker(USER_ID)

    def press(self, message: BotMessage, number: int) -> bool:
        """Press the `number`-th (1-based) button of `message`; False if there is none."""
        buttons = self.emu.buttons(message)
        if not 1 <= number <= len(buttons) or not buttons[number - 1][1]:
            return False  # none, or a web_app button (the player: its address is shown above)
        chat = GROUP_ID if self.team is not None else USER_ID
        name = self.options.first_name
        self.emu.press(
            USER_ID, message.message_id, data=buttons[number - 1][1], chat_id=chat, first_name=name
        )
        return True

    async def next_nudge(self) -> NudgeJump:
        """Move the clock to the next scheduled message (a nudge, the weekly summary, the
        pain check the day after "This hurts") and let its tick send it; when nothing is
        sent, the note says why (nothing scheduled, nudges off, or skipped on purpose)."""
        if self.team is not None:
            return await self._next_team_break()
        store, dispatcher = self.services.store, self.services.dispatcher
        at = await store.next_nudge_at()
        user = await store.get_user(USER_ID)
        check = await store.pain_check_at(USER_ID) if user is not None else None
        if check is not None and (at is None or check < at):
            return await self._pain_check(check)
        if at is None:
            return NudgeJump(None, await self._why_none_scheduled())
        before = dispatcher.totals
        claimed, sent, skipped = before.claimed, before.sent, dict(before.skipped)
        gap = at - self.clock.now()
        if gap.total_seconds() > 0:
            self.clock.advance(gap)
        await dispatcher.tick()
        # The tick job may have claimed it first; its totals arrive when its tick ends.
        for _ in range(round(CLAIM_WAIT_SECONDS / CLAIM_POLL_SECONDS)):
            if dispatcher.totals.claimed != claimed:
                break
            await asyncio.sleep(CLAIM_POLL_SECONDS)
        when = f"{at:%Y-%m-%d %H:%M} UTC"
        after = dispatcher.totals
        if after.sent == sent:
            for reason, count in after.skipped.items():
                if count > skipped.get(reason, 0):
                    return NudgeJump(at, texts.sandbox_nudge_skipped(when, reason.value))
        return NudgeJump(at, texts.sandbox_clock_moved(when))

    async def _pain_check(self, at: datetime) -> NudgeJump:
        gap = at - self.clock.now()
        if gap.total_seconds() > 0:
            self.clock.advance(gap)
        # The coach's aftercare job asks due checks every few seconds; ask now rather than wait.
        aftercare = self.services.coach.aftercare
        if aftercare is not None:
            await aftercare.tick()
        return NudgeJump(at, texts.sandbox_clock_moved(f"{at:%Y-%m-%d %H:%M} UTC"))

    async def _next_team_break(self) -> NudgeJump:
        """In a group: the clock jumps to the next team break's announcement."""
        at = await self.services.store.next_team_event()
        if at is None:
            return NudgeJump(None, texts.SANDBOX_NO_TEAM_BREAK)
        gap = at - self.clock.now()
        if gap.total_seconds() > 0:
            self.clock.advance(gap)
        return NudgeJump(at, texts.sandbox_clock_moved(f"{at:%Y-%m-%d %H:%M} UTC"))

    async def team_break_running(self) -> bool:
        return self.team is not None and await self.services.store.live_team_breaks() > 0

    async def _why_none_scheduled(self) -> str:
        store = self.services.store
        user = await store.get_user(USER_ID)
        if user is None or not await store.nudges_of(USER_ID):
            return texts.SANDBOX_NO_NUDGE_YET
        return texts.SANDBOX_NUDGES_OFF if user.active else texts.SANDBOX_UNSUBSCRIBED
