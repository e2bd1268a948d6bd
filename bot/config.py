"""Settings from the environment, validated once at start.

The names are a contract with deployments (README, Procfile, DESIGN.md), so they are kept
stable. A bad value must stop the bot with one clear line instead of failing later in a
handler, which is why everything is parsed here and nowhere else.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def shipped(name: str) -> Path:
    """A file or folder Limber ships (`routines.toml`, `migrations`): the copy inside the
    installed package (bot/_packaged, written by setup.py at build time), else, in a checkout,
    the one at the project root. The installed copy comes first: beside an installed package,
    PROJECT_ROOT is site-packages, where another distribution may own a `migrations` folder."""
    installed = files("bot") / "_packaged" / name
    if installed.is_file() or installed.is_dir():
        return Path(str(installed))
    return PROJECT_ROOT / name


DEFAULT_ROUTINES = shipped("routines.toml")

# BotFather tokens look like "123456789:AA...". The tests' stand-in uses a shorter secret, so
# the check is about shape (digits, colon, URL-safe secret), not about exact length.
_TOKEN_RE = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{20,}$")
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def version() -> str:
    """The installed distribution's version (`limber --version`, limber_build_info)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("limber")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


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


class ConfigError(Exception):
    """A configuration problem, reported as one line and exit status 2."""


# The settings that are secrets: each may also come from NAME_FILE (a path to a file holding it)
# or from a file named after it (bot_token or BOT_TOKEN) in a secrets folder, so no secret need
# sit in the environment, where `docker inspect`, `systemctl show` and /proc/PID/environ show it.
SECRET_NAMES = ("BOT_TOKEN", "WEBHOOK_SECRET", "DATABASE_PASSWORD", "DATABASE_URL")
# Secrets folders, lowest priority first: Docker/Compose secrets, then systemd's LoadCredential=
# ($CREDENTIALS_DIRECTORY, private to the service). SECRETS_DIR names another.
DEFAULT_SECRETS_DIR = "/run/secrets"


def load_settings() -> Settings:
    """Settings from the environment (and secret files); ConfigError with one readable line.

    Every problem is named at once (joined by "; "), each once: a message that already starts
    with its variable's name is not prefixed with it again. Pydantic's messages never echo the
    value, so a mistyped token cannot reach the output this way.
    """
    from_files = secrets_from_files(os.environ)
    try:
        return Settings(**from_files)  # type: ignore[arg-type]  # names checked by pydantic
    except ValidationError as exc:
        raise ConfigError("; ".join(_describe(error) for error in exc.errors())) from None


def secrets_from_files(environ: Mapping[str, str]) -> dict[str, str]:
    """The secrets not set in the environment itself, read from NAME_FILE or a secrets folder.

    NAME and NAME_FILE both set is refused (which one was meant?). A file's trailing newline is
    dropped (`echo TOKEN > file` writes one); anything else in it is the secret.
    """
    folders = [environ.get("SECRETS_DIR") or DEFAULT_SECRETS_DIR]
    if environ.get("CREDENTIALS_DIRECTORY"):
        folders.append(environ["CREDENTIALS_DIRECTORY"])  # systemd's, so it wins
    found: dict[str, str] = {}
    for name in SECRET_NAMES:
        named = environ.get(f"{name}_FILE")
        if named and environ.get(name):
            raise ConfigError(f"both {name} and {name}_FILE are set: keep one")
        if named:
            found[name.lower()] = _read_secret(Path(named), f"{name}_FILE")
        elif not environ.get(name):
            for folder in reversed(folders):
                for candidate in (Path(folder) / name.lower(), Path(folder) / name):
                    if candidate.is_file():
                        found[name.lower()] = _read_secret(candidate, f"{name} ({candidate})")
                        break
                if name.lower() in found:
                    break
    return found


def _read_secret(path: Path, what: str) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise ConfigError(
            f"{what}: cannot read {path} ({reason}): check the path and that the user running "
            "the bot may read it"
        ) from None
    return text.rstrip("\r\n")


def _describe(error: Any) -> str:
    field = ".".join(str(p) for p in error["loc"]).upper()
    message = str(error["msg"]).removeprefix("Value error, ")
    if not field or message.startswith(field):
        return message
    return f"{field}: {message}"


SUPPORTED_URLS = (
    "use sqlite+aiosqlite:///path/to/limber.db or postgresql+asyncpg://user@host/database"
)


def async_database_url(url: str) -> str:
    """The URL with the async driver SQLAlchemy needs here, or ValueError saying what to fix.

    PaaS databases hand out `postgres://` (which SQLAlchemy no longer knows) or `postgresql://`
    (which names the synchronous psycopg2), and people write `sqlite:///file.db`; all three get
    the driver the bot uses. Any other database or driver is refused here, in one line, rather
    than by a traceback from the first connect. A password with an unescaped `@`, `#`, `/` or
    `?` is escaped (the last `@` ends it), so it is neither misread as the host nor half
    printed when the URL is shown masked. A PostgreSQL URL must name its database: without one
    asyncpg connects to the server's default database, and `migrate` would fill that one.
    No message repeats the URL: it may hold a password.
    """
    scheme, sep, rest = url.strip().partition("://")
    if not sep:
        raise ValueError(f"DATABASE_URL is not a database URL: {SUPPORTED_URLS}")
    lowered = scheme.lower()
    if lowered in ("postgres", "postgresql", "postgresql+asyncpg"):
        scheme, rest = "postgresql+asyncpg", _escaped_userinfo(rest)
    elif lowered in ("sqlite", "sqlite+aiosqlite"):
        scheme = "sqlite+aiosqlite"
    else:
        raise ValueError(
            f"DATABASE_URL names {scheme.split('+')[0] or 'no database'!r}, which Limber does "
            f"not support: {SUPPORTED_URLS}"
        )
    result = f"{scheme}://{rest}"
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(result)
    except ValueError:  # int() of the port; its message would quote the URL's text
        raise ValueError(
            "DATABASE_URL has a port that is not a number (host:port, e.g. db.example:5432)"
        ) from None
    if scheme.startswith("postgresql") and not parsed.database:
        raise ValueError(
            "DATABASE_URL names no database: add it after the host, e.g. "
            "postgresql+asyncpg://limber@db.example/limber (without one PostgreSQL would use "
            "the server's default database)"
        )
    return result


def _escaped_userinfo(rest: str) -> str:
    at = rest.rfind("@")
    if at == -1:
        return rest
    user, colon, password = rest[:at].partition(":")
    safe = "!$&'()*+,;=~-._"
    escaped = quote(unquote(user), safe=safe) + colon + quote(unquote(password), safe=safe)
    return f"{escaped}@{rest[at + 1 :]}"


def shown_url(url: str) -> str:
    """`url` fit to print: the password masked whole, however it is written."""
    scheme, sep, rest = url.partition("://")
    at = rest.rfind("@")
    if not sep or at == -1:
        return url
    user, colon, _ = rest[:at].partition(":")
    return f"{scheme}://{user}{':***' if colon else ''}@{rest[at + 1 :]}"


def ephemeral_storage_warning(
    database_url: str, environ: Mapping[str, str], mounts: Path = Path("/proc/mounts")
) -> str | None:
    """Why the SQLite file would be lost on a restart, when that can be known; else None.

    Two cases are certain: Heroku (DYNO is set) gives every dyno a fresh filesystem at each
    restart, at least daily; and a file on tmpfs or ramfs is gone at reboot.
    """
    from sqlalchemy.engine import make_url

    parsed = make_url(database_url)
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return None
    if environ.get("DYNO"):
        return (
            "DATABASE_URL is a SQLite file on Heroku's dyno filesystem, which is wiped at every "
            "restart (at least daily): every user and streak will be lost; use PostgreSQL"
        )
    kind = _filesystem_type(Path(database).resolve(), mounts)
    if kind in ("tmpfs", "ramfs"):
        return (
            f"DATABASE_URL is a SQLite file on {kind} ({database}), which is lost at reboot: "
            "put it on persistent storage"
        )
    return None


def _filesystem_type(path: Path, mounts: Path) -> str | None:
    """The filesystem type of the longest mount point above `path` (Linux); None if unknown."""
    try:
        lines = mounts.read_text().splitlines()
    except OSError:
        return None
    best, kind = "", None
    for line in lines:
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        inside = str(path) == point or str(path).startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, fields[2]
    return kind


class Settings(BaseSettings):
    """Everything the bot reads from its environment."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    # Optional here so `migrate` and `check-routines` run without one; `require_token`
    # enforces it for running the bot.
    bot_token: SecretStr | None = None
    database_url: str = "sqlite+aiosqlite:///limber.db"
    # PostgreSQL's password apart from DATABASE_URL (or from DATABASE_PASSWORD_FILE), so the URL
    # need not carry it and may be shown whole; any character is fine, it is escaped here.
    database_password: SecretStr | None = None
    routines_path: Path = DEFAULT_ROUTINES
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_file_base_url: str | None = None
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    port: int = Field(default=8080, ge=1, le=65535)
    # /healthz and /metrics in polling mode (webhook mode serves them on PORT); unset: none.
    health_port: int | None = Field(default=None, ge=1, le=65535)
    log_level: str = "INFO"
    log_format: str = "text"
    admin_ids: str = ""
    # How late a nudge may still go out after downtime; later than this it is skipped.
    nudge_grace_minutes: int = Field(default=60, ge=1, le=24 * 60)
    nudge_tick_seconds: float = Field(default=5.0, gt=0, le=86400)
    # Team breaks in groups (bot/groups/desk.py): how often, in clock seconds, due
    # announcements and edits are claimed; a break's edits are 10-15 s apart.
    team_tick_seconds: float = Field(default=1.0, gt=0, le=86400)
    # Pause between the two sides of a stretch, so the user can change legs without losing
    # hold time (a stretch's switch_seconds in routines.toml overrides it). 10 s: 5 was too
    # short to get up, turn and re-loop a towel with a sore back (issue 13).
    switch_seconds: int = Field(default=10, ge=0, le=60)
    # A hold countdown message is edited this often; Telegram allows ~1 edit/s per chat and a
    # gentler cadence keeps the chat calm.
    countdown_step_seconds: int = Field(default=5, ge=1, le=60)
    # A follow-up that is this overdue after downtime asks the user instead of firing.
    resume_ask_after_seconds: int = Field(default=300, ge=10)
    # A session paused longer than this ends by itself, counted by what was held (30 min).
    pause_limit_seconds: int = Field(default=30 * 60, ge=10, le=24 * 3600)
    rate_limit: bool = True
    # Messages a real second one chat may get after a short burst (Telegram: about one), on a
    # fast test clock too; 0 leaves chats unpaced (only the bot-wide ~29/s holds). Tests that
    # are not about pacing set 0: paced, each three-message exchange would wait a real second.
    chat_pace_per_second: float = Field(default=1.0, ge=0, le=30)
    # Seconds to wait for Telegram's answer before a request counts as timed out (and, for a
    # nudge, as possibly delivered, so never resent). Tests shorten it to skip the wait.
    telegram_read_timeout: float = Field(default=5.0, gt=0, le=60)
    # The https address a reverse proxy maps to Limber's own web server (the webhook server,
    # or in polling mode the one on HEALTH_PORT, else PORT): the session player is served at
    # PUBLIC_URL/app/. Unset: no player, no web_app buttons, everything as before.
    public_url: str | None = None

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None  # an empty BOT_TOKEN= is a missing one
        if not _TOKEN_RE.match(value.get_secret_value().strip()):
            raise ValueError(
                "BOT_TOKEN does not look like a token from @BotFather (digits:secret, "
                "e.g. 123456789:AAH...)"
            )
        return SecretStr(value.get_secret_value().strip())

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        return async_database_url(value)

    @field_validator("health_port", mode="before")
    @classmethod
    def _empty_port(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("public_url", mode="before")
    @classmethod
    def _public_url(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return checked_public_url(str(value))

    @field_validator("log_format")
    @classmethod
    def _format(cls, value: str) -> str:
        lower = value.strip().lower()
        if lower not in {"text", "json"}:
            raise ValueError("LOG_FORMAT must be text or json")
        return lower

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        # Telegram's rule for secret_token: 1-256 characters of A-Z, a-z, 0-9, _ and -.
        if value is not None and not _SECRET_RE.match(value.get_secret_value()):
            raise ValueError("WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ or -")
        return value

    @model_validator(mode="after")
    def _database_password(self) -> Settings:
        if self.database_password is None or not self.database_password.get_secret_value():
            return self
        from sqlalchemy.engine import make_url

        url = make_url(self.database_url)
        if url.get_backend_name() != "postgresql":
            raise ValueError("DATABASE_PASSWORD is set but DATABASE_URL is not PostgreSQL")
        if url.password:
            raise ValueError(
                "DATABASE_URL carries a password and DATABASE_PASSWORD is set too: keep one"
            )
        password = self.database_password.get_secret_value()
        self.database_url = url.set(password=password).render_as_string(hide_password=False)
        return self

    @field_validator("admin_ids")
    @classmethod
    def _admin_ids(cls, value: str) -> str:
        # A name or a typo here would leave the operator without /admin and no word why.
        wrong = [p for p in re.split(r"[,\s]+", value.strip()) if p and not p.isdigit()]
        if wrong:
            raise ValueError(
                f"ADMIN_IDS must be numeric Telegram user ids, comma separated (e.g. "
                f"12345678,23456789; @userinfobot tells yours), not {', '.join(wrong)}"
            )
        return value

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.webhook_url and self.webhook_secret is None:
            raise ValueError("WEBHOOK_URL is set but WEBHOOK_SECRET is not; set both")
        return self

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        upper = value.upper()
        if upper not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return upper

    def require_token(self) -> str:
        """The token, or ConfigError when it is missing (running the bot needs one)."""
        if self.bot_token is None:
            raise ConfigError(
                "BOT_TOKEN is missing: get a token from @BotFather and run "
                "BOT_TOKEN=123456:ABC... python -m bot"
            )
        return self.bot_token.get_secret_value()

    @property
    def admin_id_set(self) -> frozenset[int]:
        """ADMIN_IDS as integers; a comma or space separated list."""
        parts = re.split(r"[,\s]+", self.admin_ids.strip())
        return frozenset(int(p) for p in parts if p.isdigit())

    @property
    def file_base_url(self) -> str:
        """Where files are downloaded from; derived from the API URL unless set."""
        if self.telegram_file_base_url:
            return self.telegram_file_base_url
        base = self.telegram_api_base_url
        return base[: -len("/bot")] + "/file/bot" if base.endswith("/bot") else base
