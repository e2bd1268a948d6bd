"""Drives the real Application against the loopback Bot API stand-in.

The bot runs exactly as in production (long polling over HTTP, the real store and JobQueue);
only its clock is faster, so holds of 10 and 20 clock-seconds pass in 1 and 2 real seconds.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert

from bot import texts
from bot.app import ALLOWED_UPDATES, build_application, start_app, stop_app
from bot.clock import Clock, ScaledClock
from bot.config import PROJECT_ROOT, Settings
from bot.sandbox.emulator import ApiCall, BotApiEmulator, BotMessage
from bot.services import KEY, AnyApp, Services
from bot.store.db import upgrade_async
from bot.store.models import Nudge, User
from bot.store.repo import Store

DATA = Path(__file__).parent / "data"
QUICK_ROUTINES = DATA / "quick.toml"
SPEED = 10.0


@dataclass
class Harness:
    emu: BotApiEmulator
    db_url: str
    routines: Path = QUICK_ROUTINES
    clock: Clock = field(default_factory=lambda: ScaledClock(SPEED))
    overrides: dict[str, Any] = field(default_factory=dict)
    app: AnyApp | None = None
    # Dispatcher tests tick by hand and need no updates; two bots polling one stand-in would
    # only steal each other's updates.
    polling: bool = True

    def settings(self) -> Settings:
        values: dict[str, Any] = {
            "bot_token": self.emu.token,
            "database_url": self.db_url,
            "routines_path": self.routines,
            "telegram_api_base_url": self.emu.base_url,
            "telegram_file_base_url": self.emu.file_base_url,
            "switch_seconds": 5,
            "countdown_step_seconds": 5,
            "nudge_tick_seconds": 3600.0,  # tests tick the dispatcher themselves
            # Chats unpaced unless a test is about pacing (tests/ratelimit/test_flood.py): at a real
            # second per message after a burst, the story tests would wait for nothing.
            "chat_pace_per_second": 0,
        }
        values.update(self.overrides)
        return Settings(**values)

    @property
    def services(self) -> Services:
        assert self.app is not None
        found = self.app.bot_data[KEY]
        assert isinstance(found, Services)
        return found

    async def start(self) -> None:
        await upgrade_async(self.db_url)
        self.app = build_application(self.settings(), clock=self.clock)
        await start_app(self.app)
        assert self.app.updater is not None
        if self.polling:
            await self.app.updater.start_polling(
                poll_interval=0.0, timeout=1, allowed_updates=ALLOWED_UPDATES
            )

    async def stop(self) -> None:
        if self.app is None:
            return
        app, self.app = self.app, None
        await stop_app(app)

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    async def __aenter__(self) -> Harness:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


async def next_message(
    emu: BotApiEmulator, chat_id: int, index: int, timeout: float = 6.0
) -> BotMessage:
    """The bot's `index`-th message in the chat (0-based), waiting for it to arrive."""
    await emu.wait_for(lambda: len(emu.messages(chat_id)) > index, timeout=timeout)
    return emu.messages(chat_id)[index]


async def first_hold(emu: BotApiEmulator, chat_id: int) -> BotMessage:
    """A newcomer's /stretch, then Ready on the first card: the first hold, the chat's third
    message (after the medical note and the card)."""
    emu.send_text(chat_id, "/stretch")
    card = await next_message(emu, chat_id, 1)
    emu.press(chat_id, card.message_id, text=texts.BUTTON_READY)
    return await next_message(emu, chat_id, 2)


async def quiet(seconds: float) -> None:
    await asyncio.sleep(seconds)


async def seed_subscribers(
    store: Store,
    count: int,
    due: datetime,
    *,
    first_id: int = 10_000,
    zone: str = "UTC",
    kind: str = "morning",
) -> list[int]:
    """`count` subscribers whose `kind` nudge is due at `due` (inserted in bulk)."""
    local = f"{due.astimezone(ZoneInfo(zone)):%H:%M}"
    ids = list(range(first_id, first_id + count))
    async with store.writing() as db:
        await db.execute(
            insert(User),
            [
                {
                    "id": i,
                    "chat_id": i,
                    "first_name": f"User{i}",
                    "language_code": "en",
                    "active": True,
                    "timezone": zone,
                    "created_at": due,
                    "updated_at": due,
                }
                for i in ids
            ],
        )
        await db.execute(
            insert(Nudge),
            [
                {
                    "user_id": i,
                    "kind": kind,
                    "local_time": local,
                    "enabled": True,
                    "next_nudge_at": due,
                }
                for i in ids
            ],
        )
    return ids


def process_env(emu: BotApiEmulator, database_url: str, **settings: str) -> dict[str, str]:
    """The environment of a real bot process against the stand-in: the caller's, minus any
    BOT_ or WEBHOOK_ settings of its own shell, plus these."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEBHOOK_"))}
    env.update(
        BOT_TOKEN=emu.token,
        TELEGRAM_API_BASE_URL=emu.base_url,
        DATABASE_URL=database_url,
        ROUTINES_PATH=str(QUICK_ROUTINES),
    )
    env.update(settings)
    return env


async def post_update(
    client: Any, emu: BotApiEmulator, url: str, update: dict[str, Any], secret: str
) -> Any:
    """POST an update to a webhook worker as Telegram does (an httpx client), and act on
    the call its response carries, if any (a press's answer: bot/webhook_reply.py)."""
    from bot.webhook import SECRET_HEADER

    response = await client.post(url, json=update, headers={SECRET_HEADER: secret})
    await emu.webhook_response(response.content, response.headers.get("content-type", ""))
    return response


async def spawn_bot(
    env: dict[str, str],
    *,
    module: str = "bot",
    stderr: Any = asyncio.subprocess.PIPE,
    behind_standin: bool = False,
) -> asyncio.subprocess.Process:
    """`python -m bot` (or `module`) as a process of its own.

    `behind_standin`: the process runs at a lower scheduling priority (nice +5) than the test's,
    where the stand-in counts Telegram's per-second limit. Telegram's servers do not wait for
    the bot's cores; on two cores shared by three workers and PostgreSQL the stand-in's process
    otherwise waits its turn and stamps evenly paced sends late, together (bot/sandbox/loop_lag.py).
    """
    nice = ["nice", "-n", "5"] if behind_standin else []
    return await asyncio.create_subprocess_exec(
        *nice,
        sys.executable,
        "-m",
        module,
        cwd=PROJECT_ROOT,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=stderr,
    )


def nudge_calls(emu: BotApiEmulator) -> list[ApiCall]:
    """Every nudge the stand-in accepted (a message with the nudge's Start now button)."""
    return [
        c
        for c in emu.calls
        if c.method == "sendMessage"
        and c.status == 200
        and texts.BUTTON_START_NOW in str(c.params.get("reply_markup", ""))
    ]


def nudges_sent(emu: BotApiEmulator) -> Counter[int]:
    """How many nudges each chat got."""
    return Counter(int(c.params["chat_id"]) for c in nudge_calls(emu))
