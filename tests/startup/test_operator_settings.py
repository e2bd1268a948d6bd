"""Operator settings from issue 27, through the real command line where it is the interface:
`limber --version`, ADMIN_IDS refused unless numeric, secrets read from files (NAME_FILE, a
secrets folder, systemd's $CREDENTIALS_DIRECTORY), DATABASE_PASSWORD apart from the URL, and
`limber try --database` taking the URL forms DATABASE_URL takes."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.config import PROJECT_ROOT, ConfigError, Settings, load_settings, version
from tests.conftest import fresh_pg_database

TOKEN = "123456789:" + "A" * 35


def limber(*args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BOT_", "DATABASE_", "ADMIN_", "CREDENTIALS_"))
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=PROJECT_ROOT,
        env={**base, **env},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow  # a real process
def test_limber_version() -> None:
    result = limber("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"limber {version()}" and version() != "unknown"


@pytest.mark.slow
def test_admin_ids_that_are_not_numbers_are_refused_in_one_line(tmp_path: Path) -> None:
    """Before: accepted, and nobody was an admin."""
    result = limber(
        "migrate", ADMIN_IDS="@alice, 12345x", DATABASE_URL=f"sqlite:///{tmp_path}/x.db"
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert "ADMIN_IDS" in result.stderr and "@alice, 12345x" in result.stderr
    assert not (tmp_path / "x.db").exists()


def settings_from(monkeypatch: pytest.MonkeyPatch, environ: dict[str, str]) -> Settings:
    for name in list(os.environ):
        if name.startswith(("BOT_", "DATABASE_", "CREDENTIALS_", "SECRETS_")):
            monkeypatch.delenv(name)
    with monkeypatch.context() as patch:
        for name, value in environ.items():
            patch.setenv(name, value)
        return load_settings()


def test_secrets_are_read_from_files_and_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")  # as `echo TOKEN > file` writes it
    settings = settings_from(
        monkeypatch, {"BOT_TOKEN_FILE": str(token_file), "SECRETS_DIR": str(tmp_path)}
    )
    assert settings.require_token() == TOKEN
    # systemd's LoadCredential= folder, and a PostgreSQL password with every awkward character.
    credentials = tmp_path / "credentials"
    credentials.mkdir()
    (credentials / "bot_token").write_text(TOKEN)
    (credentials / "database_password").write_text("p@ss#w/rd?%")
    settings = settings_from(
        monkeypatch,
        {
            "CREDENTIALS_DIRECTORY": str(credentials),
            "SECRETS_DIR": str(tmp_path / "none"),
            "DATABASE_URL": "postgresql://limber@db.example:5432/limber",
        },
    )
    assert settings.require_token() == TOKEN
    url = make_url(settings.database_url)
    assert (url.password, url.host, url.database) == ("p@ss#w/rd?%", "db.example", "limber")
    # A secret in the environment wins over a secrets folder; both NAME and NAME_FILE: refused.
    assert (
        settings_from(
            monkeypatch,
            {
                "BOT_TOKEN": "987654321:" + "B" * 35,
                "CREDENTIALS_DIRECTORY": str(credentials),
                "DATABASE_URL": "postgresql://limber@db/limber",
            },
        )
        .require_token()
        .startswith("987654321")
    )
    with pytest.raises(ConfigError, match="both BOT_TOKEN and BOT_TOKEN_FILE"):
        settings_from(monkeypatch, {"BOT_TOKEN": TOKEN, "BOT_TOKEN_FILE": str(token_file)})
    with pytest.raises(ConfigError, match="BOT_TOKEN_FILE: cannot read"):
        settings_from(monkeypatch, {"BOT_TOKEN_FILE": str(tmp_path / "missing")})


@pytest.mark.slow
@pytest.mark.parametrize("form", ["sqlite:///", "postgresql://"])
async def test_try_takes_the_url_forms_database_url_takes(form: str, tmp_path: Path) -> None:
    """Before: `--database sqlite:///x.db` and `postgresql://...` were refused (no driver)."""
    async with contextlib.AsyncExitStack() as stack:
        if form.startswith("sqlite"):
            url = f"sqlite:///{tmp_path / 'try.db'}"
        else:
            url = await stack.enter_async_context(fresh_pg_database())
            url = url.replace("postgresql+asyncpg://", "postgresql://")
        result = await asyncio.to_thread(
            limber,
            "try",
            "--plain",
            "--database",
            url,
            "--start",
            "2026-01-05T15:00",
            stdin="/help\n",
        )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "/stretch" in result.stdout
