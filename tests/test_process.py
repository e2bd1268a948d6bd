"""The real command line as a process: polling against the stand-in, and a graceful SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

from bot.config import PROJECT_ROOT
from bot.sandbox.emulator import BotApiEmulator
from tests.harness import QUICK_ROUTINES, next_message

ANN = 8001


async def test_the_bot_runs_as_a_process_and_stops_gracefully_on_sigterm(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEBHOOK_"))},
        "BOT_TOKEN": emu.token,
        "TELEGRAM_API_BASE_URL": emu.base_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'limber.db'}",
        "ROUTINES_PATH": str(QUICK_ROUTINES),
        "LOG_LEVEL": "INFO",
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=PROJECT_ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        emu.send_text(ANN, "/start")
        hello = await next_message(emu, ANN, 0, timeout=20)
        assert "Hi Ann" in hello.text
        emu.send_text(ANN, "/help")
        await next_message(emu, ANN, 2, timeout=10)
        began = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), timeout=10)
        assert time.monotonic() - began < 10
        assert proc.returncode == 0
        _, err = await proc.communicate()
        log = err.decode()
        assert "Traceback" not in log
        assert emu.token.split(":", 1)[1] not in log  # INFO logging never shows the token
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
