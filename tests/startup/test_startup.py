"""Start-up and shutdown of the real process: a rejected token, bad settings, no network at
start, SIGTERM during getUpdates' back-off, a web process without WEBHOOK_URL, database URLs.

Every failure the operator must fix is one line on stderr and exit 2, and the token is never on
any output (logs, tracebacks, exit messages).
"""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT, Settings, async_database_url, ephemeral_storage_warning
from bot.sandbox.emulator import BotApiEmulator
from tests.harness import next_message, process_env

ANN = 8101
REVOKED = "987654321:AAH-revoked-token-0123456789abcdefghij"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def spawn(env: dict[str, str], *args: str) -> asyncio.subprocess.Process:
    """`python -m bot ARGS` with stdout and stderr captured (the token must be on neither)."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=PROJECT_ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def finish(proc: asyncio.subprocess.Process, timeout: float = 30) -> tuple[int, str]:
    out, err = await asyncio.wait_for(proc.communicate(), timeout)
    assert proc.returncode is not None
    return proc.returncode, out.decode() + err.decode()


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("limber: ")
    return lines[0]


@pytest.mark.slow  # 1.3 s here (--durations)
async def test_a_token_telegram_rejects_is_one_line_exit_2_and_never_shown(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    """Before: exit 1 and a 115-line traceback ending with the whole token."""
    env = process_env(emu, f"sqlite+aiosqlite:///{tmp_path / 'limber.db'}", BOT_TOKEN=REVOKED)
    code, output = await finish(await spawn(env))
    assert code == 2
    assert REVOKED.split(":")[1] not in output
    assert "Traceback" not in output and "Unclosed" not in output
    errors = [line for line in output.splitlines() if line.startswith("limber:")]
    assert errors == [
        "limber: Telegram rejected BOT_TOKEN (401 Unauthorized): check the token with "
        "@BotFather (/mybots, API Token) and set it again"
    ]


@pytest.mark.slow  # 1.2 s here (--durations)
async def test_a_wrong_api_url_is_one_line_exit_2_and_never_shows_the_token(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    env = process_env(emu, f"sqlite+aiosqlite:///{tmp_path / 'limber.db'}")
    env["TELEGRAM_API_BASE_URL"] = emu.base_url.removesuffix("/bot") + "/api"  # answers 404
    code, output = await finish(await spawn(env))
    assert code == 2
    assert emu.token.split(":")[1] not in output and "Traceback" not in output
    errors = [line for line in output.splitlines() if line.startswith("limber:")]
    assert len(errors) == 1 and "TELEGRAM_API_BASE_URL" in errors[0]


@pytest.mark.slow  # 2.2 s here (--durations)
def test_a_missing_or_malformed_token_says_so_once(tmp_path: Path) -> None:
    env = {k: v for k, v in process_env_base(tmp_path).items() if k != "BOT_TOKEN"}
    missing = one_line(run_cli(env))
    assert missing.startswith("limber: BOT_TOKEN is missing")
    assert one_line(run_cli({**env, "BOT_TOKEN": ""})).startswith("limber: BOT_TOKEN is missing")

    malformed = one_line(run_cli({**env, "BOT_TOKEN": "12345:short-secret-value"}))
    # Before: "limber: BOT_TOKEN: BOT_TOKEN does not look like ..." (the name twice).
    assert malformed.startswith("limber: BOT_TOKEN does not look like a token")
    assert "short-secret-value" not in malformed


def test_bad_settings_are_all_named_in_one_line(tmp_path: Path) -> None:
    env = {
        **process_env_base(tmp_path),
        "NUDGE_TICK_SECONDS": "-1",
        "LOG_FORMAT": "xml",
        "HEALTH_PORT": "http",
    }
    line = one_line(run_cli(env))
    assert "NUDGE_TICK_SECONDS" in line and "LOG_FORMAT" in line and "HEALTH_PORT" in line


@pytest.mark.slow  # starts a process
def test_the_web_process_refuses_to_start_without_a_webhook_url(tmp_path: Path) -> None:
    """Before: `web: python -m bot` long-polled, never answering the platform's HTTP."""
    line = one_line(run_cli(process_env_base(tmp_path), "web"))
    assert "WEBHOOK_URL" in line and "worker" in line


def test_an_uncaught_error_or_a_warning_never_shows_the_token() -> None:
    """The last line of defence: whatever reaches stdout or stderr outside logging."""
    token = "123456789:AAH-secret-part-never-printed-0123"
    script = (
        "import warnings\n"
        "from bot import logs\n"
        f"logs.protect_streams({token!r})\n"
        f"print('printed', {token!r})\n"
        f"warnings.warn('warned ' + {token!r})\n"
        f"raise RuntimeError('crashed with ' + {token!r})\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1 and "RuntimeError: crashed with [BOT_TOKEN]" in output
    assert "printed [BOT_TOKEN]" in output and "warned [BOT_TOKEN]" in output
    assert "secret-part" not in output


@pytest.mark.slow
async def test_no_network_at_start_is_retried_and_the_bot_serves_once_it_is_back(
    spec_path: Path | None, tmp_path: Path
) -> None:
    """Before: 204 lines, six tracebacks, "Unclosed client session", and exit 1."""
    port = free_port()
    emu = BotApiEmulator(spec_path)
    env = process_env(emu, f"sqlite+aiosqlite:///{tmp_path / 'limber.db'}")
    env["TELEGRAM_API_BASE_URL"] = f"http://127.0.0.1:{port}/bot"
    proc = await spawn(env)
    try:
        await asyncio.sleep(4)  # the network is down: nothing listens on the port yet
        assert proc.returncode is None
        await emu.start(port=port)
        emu.send_text(ANN, "/help")
        await next_message(emu, ANN, 0, timeout=30)
        proc.send_signal(signal.SIGTERM)
        code, output = await finish(proc, 10)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await emu.stop()
    emu.assert_no_violations()
    assert code == 0
    assert "Traceback" not in output and "Unclosed" not in output
    attempts = [line for line in output.splitlines() if "Telegram cannot be reached" in line]
    assert len(attempts) >= 2  # one line per attempt, back-off between them
    assert "attempt 1, next in 1 s" in attempts[0] and "attempt 2, next in 2 s" in attempts[1]


@pytest.mark.slow
async def test_sigterm_during_the_getupdates_back_off_exits_promptly(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    """Telegram answers getUpdates with 502; PTB backs off 1, 1.5, 2.25, ... 7.6 s after the
    sixth failure. Before: a SIGTERM then waited out the sleep (10.6 and 21.3 s measured)."""
    emu.fail_next("getUpdates", error_code=502, description="Bad Gateway", times=1000)
    env = process_env(emu, f"sqlite+aiosqlite:///{tmp_path / 'limber.db'}")
    proc = await spawn(env)
    try:

        def failures() -> int:
            return sum(1 for c in emu.calls if c.method == "getUpdates" and c.status == 502)

        await emu.wait_for(lambda: failures() >= 6, timeout=40)
        began = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        code, output = await finish(proc, 15)
        took = time.monotonic() - began
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert code == 0
    assert took < 5, f"took {took:.1f} s to stop"
    assert "Traceback" not in output
    assert output.count("getUpdates failed (NetworkError: Bad Gateway)") >= 5


@pytest.mark.slow  # 2.8 s here (--durations)
async def test_sigterm_while_telegram_is_being_reached_exits_0_and_json_logs_hide_the_token(
    tmp_path: Path,
) -> None:
    """A mistyped API port: aiohttp's error names the whole URL, token included."""
    token = "123456789:AAH-json-logs-secret-0123456789"
    env = {
        **process_env_base(tmp_path),
        "BOT_TOKEN": token,
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:99999/bot",
        "LOG_FORMAT": "json",
    }
    proc = await spawn(env)
    try:
        await asyncio.sleep(2.5)
        proc.send_signal(signal.SIGTERM)
        code, output = await finish(proc, 10)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert code == 0
    records = [json.loads(line) for line in output.splitlines()]
    assert all({"time", "level", "logger", "message"} <= r.keys() for r in records)
    retries = [r for r in records if "cannot be reached" in r["message"]]
    assert retries and all("[BOT_TOKEN]" in r["message"] for r in retries)
    assert "json-logs-secret" not in output


def process_env_base(tmp_path: Path) -> dict[str, str]:
    env = process_env(BotApiEmulator(), f"sqlite+aiosqlite:///{tmp_path / 'limber.db'}")
    env["TELEGRAM_API_BASE_URL"] = f"http://127.0.0.1:{free_port()}/bot"
    return env


@pytest.mark.parametrize(
    ("given", "used"),
    [
        (
            "postgres://u:p@db.example:5432/limber",
            "postgresql+asyncpg://u:p@db.example:5432/limber",
        ),
        (
            "postgresql://u:p@db/limber?ssl=require",
            "postgresql+asyncpg://u:p@db/limber?ssl=require",
        ),
        ("POSTGRES://u@db/limber", "postgresql+asyncpg://u@db/limber"),
        ("postgresql+asyncpg://u@db/limber", "postgresql+asyncpg://u@db/limber"),
        ("sqlite:///limber.db", "sqlite+aiosqlite:///limber.db"),
        ("sqlite:////var/lib/limber/limber.db", "sqlite+aiosqlite:////var/lib/limber/limber.db"),
        ("sqlite+aiosqlite:///limber.db", "sqlite+aiosqlite:///limber.db"),
    ],
)
def test_database_urls_get_the_async_driver(given: str, used: str) -> None:
    assert async_database_url(given) == used
    assert Settings(database_url=given).database_url == used


def test_a_database_url_that_is_no_url_is_one_line(tmp_path: Path) -> None:
    env = {**process_env_base(tmp_path), "DATABASE_URL": "limber.db"}
    assert "DATABASE_URL is not a database URL" in one_line(run_cli(env, "migrate"))


def test_the_bot_migrates_a_plain_sqlite_url(tmp_path: Path) -> None:
    env = {**process_env_base(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'plain.db'}"}
    result = run_cli(env, "migrate")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "plain.db").exists()


@pytest.mark.parametrize(
    ("url", "environ", "warned"),
    [
        ("sqlite+aiosqlite:///limber.db", {"DYNO": "web.1"}, "Heroku"),
        ("sqlite+aiosqlite:////dev/shm/limber.db", {}, "tmpfs"),
        ("sqlite+aiosqlite:////var/lib/limber/limber.db", {}, None),
        ("postgresql+asyncpg://u@db/limber", {"DYNO": "web.1"}, None),
        ("sqlite+aiosqlite:///:memory:", {"DYNO": "web.1"}, None),
    ],
)
def test_sqlite_on_storage_the_platform_wipes_is_warned_about(
    tmp_path: Path, url: str, environ: dict[str, str], warned: str | None
) -> None:
    mounts = tmp_path / "mounts"
    mounts.write_text("/dev/vda / ext4 rw,relatime 0 0\ntmpfs /dev/shm tmpfs rw,relatime 0 0\n")
    warning = ephemeral_storage_warning(url, environ, mounts)
    if warned is None:
        assert warning is None
    else:
        assert warning is not None and warned in warning


@pytest.mark.slow  # starts a process
async def test_the_warning_reaches_the_log_of_a_starting_bot(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    env = process_env(
        emu,
        f"sqlite+aiosqlite:///{tmp_path / 'limber.db'}",
        DYNO="worker.1",
        BOT_TOKEN=REVOKED,  # stops right after the warning, at getMe
    )
    code, output = await finish(await spawn(env))
    assert code == 2 and "WARNING" in output and "Heroku" in output
