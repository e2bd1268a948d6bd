"""The command line: run the bot, upgrade the database, check a routines file.

Every expected failure (no token, a bad routines file, a bad setting) ends with one clear line
on stderr and exit status 2, never a traceback: the person reading it is setting the bot up.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from bot import logs
from bot.clock import Clock
from bot.config import ConfigError, Settings, load_settings, version
from bot.routines import Library, RoutinesError, describe, load_routines
from bot.sandbox.commands import CONSOLE_HELP
from bot.store.errors import DatabaseProblem

EXIT_USAGE = 2


def _add_try(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`limber try` and its options; --help lists the console commands too."""
    sandbox = sub.add_parser(
        "try",
        help="chat with the bot in the terminal: no token, no network",
        description="Chat with the real bot in the terminal, against a Bot API emulator: "
        "no token, no network.",
        epilog=f"what you type (--plain; the terminal chat takes the same):\n{CONSOLE_HELP}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sandbox.add_argument("--routines", type=Path, help="walk through your own routines file")
    sandbox.add_argument("--database", help="database URL (default: a throwaway SQLite file)")
    sandbox.add_argument("--keep", action="store_true", help="keep the throwaway database")
    sandbox.add_argument("--speed", type=float, default=1.0, help="run the clock N times faster")
    sandbox.add_argument("--plain", action="store_true", help="a line-by-line transcript")
    sandbox.add_argument(
        "--language",
        default="en",
        help="the sandbox user's Telegram language code (en, es, pt-br, de, fr, ru)",
    )
    sandbox.add_argument("--start", help="start the clock here, e.g. 2026-01-05T15:00 (UTC)")
    sandbox.add_argument(
        "--group",
        type=int,
        default=0,
        help="a group chat of N colleagues (you among them, its admin) for a team desk break",
    )


def main(argv: list[str] | None = None, *, clock: Clock | None = None) -> int:
    """The command line. `clock` is for tests that run the real process on a fast clock."""
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="Limber, the stretching coach"
    )
    parser.add_argument("--version", action="version", version=f"limber {version()}")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot (the default): long polling, or webhook if WEBHOOK_URL")
    sub.add_parser("web", help="the platform's web process: webhook mode, needs WEBHOOK_URL")
    sub.add_parser("migrate", help="upgrade the database to the newest schema")
    _add_try(sub)
    check = sub.add_parser("check-routines", help="validate a routines file and show what it holds")
    check.add_argument("path", nargs="?", type=Path, help="default: ROUTINES_PATH or routines.toml")
    words = sub.add_parser(
        "routines-catalog",
        help="write a routines file's translation template (and move old i18n tables to catalogs)",
    )
    words.add_argument("path", nargs="?", type=Path, help="default: ROUTINES_PATH or routines.toml")
    words.add_argument(
        "--locales",
        type=Path,
        help="catalog folder (default: bot/locales for the shipped file, else locales/ beside it)",
    )
    copy = sub.add_parser("backup", help="copy the SQLite database safely, even while the bot runs")
    copy.add_argument("path", type=Path, help="the new file, or a folder to put it in")
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
        if args.command == "check-routines":
            library = load_routines(args.path or settings.routines_path)
            print(describe(library))
            _warn_untranslated(library)
            return 0
        if args.command == "routines-catalog":
            return _routines_catalog(args.path or settings.routines_path, args.locales)
        if args.command == "try":
            return _try(settings, args)
        if args.command == "backup":
            from bot.backup import backup

            print(backup(settings.database_url, args.path).describe())
            return 0
        if args.command == "migrate":
            _migrate(settings)
            return 0
        return _run(settings, clock, web=args.command == "web")
    except (ConfigError, RoutinesError, DatabaseProblem) as exc:
        print(f"limber: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _try(settings: Settings, args: argparse.Namespace) -> int:
    import asyncio

    from bot.sandbox.runner import Sandbox, SandboxOptions, parse_start

    if args.speed <= 0:
        raise ConfigError("--speed must be a positive number, e.g. --speed 10")
    options = SandboxOptions(
        routines=args.routines or settings.routines_path,
        database=args.database,
        keep=args.keep,
        speed=args.speed,
        language_code=args.language.replace("_", "-").lower(),  # as Telegram sends it: pt-br
        start=parse_start(args.start) if args.start else None,
        group=max(0, min(args.group, 10)),
    )
    Sandbox(options)  # refuses a bad routines file with the same message as at start
    logging.basicConfig(level=logging.CRITICAL)  # the chat is the output; logs would garble it
    plain = args.plain or not (sys.stdin.isatty() and sys.stdout.isatty())
    try:
        if plain:
            from bot.sandbox.plain import run_plain

            async def run() -> None:
                async with Sandbox(options) as box:
                    await run_plain(box)
                    if box.kept_at:
                        print(f"(database kept: {box.kept_at})")

            asyncio.run(run())
        else:
            from bot.sandbox.console import ChatApp

            ChatApp(options).run()
    except KeyboardInterrupt:
        pass
    return 0


def _migrate(settings: Settings) -> None:
    from bot.config import shown_url
    from bot.store.db import upgrade

    # The release step (compose.yaml) runs before the bot: a database file it makes 0600 is
    # said here, or the bot, finding it tight, would never say it.
    said = logging.getLogger("bot.store.db")
    said.addHandler(logging.StreamHandler(sys.stdout))
    said.setLevel(logging.INFO)
    said.propagate = False  # no root handler here: Python's last resort would repeat warnings
    created = upgrade(settings.database_url)
    where = shown_url(settings.database_url)
    print(f"created the database {where}" if created else f"database {where} is up to date")


def _run(settings: Settings, clock: Clock | None = None, *, web: bool = False) -> int:
    import asyncio
    import os

    from bot.app import build_application
    from bot.config import ephemeral_storage_warning, shown_url
    from bot.startup import run_polling
    from bot.store.db import upgrade
    from bot.webhook import serve

    token = settings.require_token()
    logs.protect_streams(token)  # whatever else reaches stdout or stderr: tracebacks, warnings
    if web and not settings.webhook_url:
        # A platform routes HTTP to its web process; one that long-polls never answers it
        # and is restarted for not binding PORT. `worker:` is the polling process.
        raise ConfigError(
            "the web process needs WEBHOOK_URL (your public https URL) and WEBHOOK_SECRET; "
            "to long-poll instead, run the worker process (python -m bot)"
        )
    library = load_routines(settings.routines_path)  # refuse a bad file before anything else
    logs.configure(settings.log_level, token, settings.log_format)
    log = logging.getLogger(__name__)
    warning = ephemeral_storage_warning(settings.database_url, os.environ)
    if warning:
        log.warning("%s", warning)
    upgrade(settings.database_url)
    app = build_application(settings, library=library, clock=clock)
    log.info(
        "Limber starting: %d routines, database %s",
        len(library.routines),
        shown_url(settings.database_url),
    )
    asyncio.run(serve(app, settings) if settings.webhook_url else run_polling(app, settings))
    return 0


def _routines_catalog(path: Path, locales: Path | None) -> int:
    """Write <locales>/routines.pot from the file's English; an old file's i18n tables become
    <locales>/<lang>/LC_MESSAGES/routines.po entries (merged: nothing translated is lost)."""
    from bot import i18n
    from bot.config import DEFAULT_ROUTINES
    from bot.routine_catalog import DOMAIN, from_tables, write_catalogs, write_template

    library = load_routines(path)
    if locales is None:
        shipped = path.resolve() == DEFAULT_ROUTINES.resolve()
        locales = i18n.LOCALES if shipped else path.parent / "locales"
    template = locales / f"{DOMAIN}.pot"
    write_template(library, template)
    print(
        f"{template}: {len(list(library.stretches)) + len(library.routines)} stretches and routines"
    )
    for written in write_catalogs(locales, from_tables(path, library)):
        print(f"{written}: the old i18n tables' words (remove the tables from {path} now)")
    print(
        f"next: pybabel update -w 100 -i {template} -d {locales} -D {DOMAIN}, translate each new "
        f"or fuzzy entry, then: python -m bot check-routines {path}"
    )
    return 0


def _warn_untranslated(library: Library) -> None:
    """check-routines: per language, each word a reader would see in English and why (not
    translated, or stale: translated from English that has changed since). A warning only."""
    from bot.i18n import LANGUAGES, SOURCE
    from bot.routine_catalog import report

    others = [lang for lang in LANGUAGES if lang != SOURCE]
    if library.ignored_tables:
        print(
            f"warning: {len(library.ignored_tables)} [... .i18n.<lang>] tables are no longer "
            "read (translations live in catalogs now); `limber routines-catalog "
            f"{library.path}` moves them to locales/<lang>/LC_MESSAGES/routines.po beside it",
            file=sys.stderr,
        )
    lines = report(library, others)
    for line in lines:
        print(f"warning: {line}", file=sys.stderr)
    if not lines:
        print(f"  translations: complete and current in {', '.join(others)}")


if __name__ == "__main__":
    sys.exit(main())
