"""The user's language: which one, the catalogs, and Babel's dates and times for it.

One translation function keyed by the current language: `gettext`/`ngettext` read the language
from a context variable. It is set in ONE place for updates (the group -3 handler in
bot/app.py, from the stored user or Telegram's language_code) and explicitly, with
`using(language)`, by every job that writes to a user (nudges, session follow-ups). A context
variable rather than a `language` argument on every text function: ~130 call sites in a dozen
modules keep their signatures, and PTB runs each update in its own task (concurrent_updates),
whose copy of the context keeps one user's language from leaking into another's.

Catalogs: bot/locales/<lang>/LC_MESSAGES/limber.po, English (the msgids) as the source. A
compiled limber.mo is used when it is at least as new as its .po (the wheel: setup.py compiles
them); otherwise the .po is compiled in memory at first use (a source checkout or
`pip install -e`, where nobody ran `pybabel compile`): 14 ms for all five (median of 5,
the first 29 ms, on the shared 2-core machine), once per process.
Fuzzy and empty entries are left out of either, so they fall back to English, and the
completeness test (tests/i18n/test_i18n_catalogs.py) names them.
"""

from __future__ import annotations

import gettext as _gettext
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time
from functools import cache
from pathlib import Path

from babel.dates import format_date, format_skeleton
from babel.dates import format_time as _babel_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.domain.languages import (
    LANGUAGES,
    NATIVE_NAMES,
    SOURCE,
    effective,
    from_telegram,
    normalize,
    telegram_code,
)

DOMAIN = "limber"
# Which language a user reads is a rule (bot/domain/languages.py); this module translates.
__all__ = [
    "LANGUAGES",
    "NATIVE_NAMES",
    "SOURCE",
    "effective",
    "from_telegram",
    "normalize",
    "telegram_code",
]

LOCALES = Path(__file__).resolve().parent / "locales"
# Babel locale for dates and times. English is en_GB: Telegram's "en" does not tell a US user
# from a UK one, and the 24-hour clock reads unambiguously for both (the time reader accepts
# "7:30 pm" all the same); the others are CLDR's own forms.
_FORMAT_LOCALE = {"en": "en_GB", "es": "es", "pt_BR": "pt_BR", "de": "de", "fr": "fr", "ru": "ru"}

_current: ContextVar[str] = ContextVar("limber_language", default=SOURCE)


def current() -> str:
    return _current.get()


def set_language(language: str) -> None:
    """For the update's own task (bot/app.py's group -3 handler): lasts until the task ends."""
    _current.set(normalize(language) or SOURCE)


@contextmanager
def using(language: str | None) -> Iterator[str]:
    """Texts inside the block in `language` (jobs: one user's nudge, a session follow-up)."""
    chosen = normalize(language) or SOURCE
    token = _current.set(chosen)
    try:
        yield chosen
    finally:
        _current.reset(token)


def catalog_path(language: str, suffix: str = ".po", domain: str = DOMAIN) -> Path:
    return LOCALES / language / "LC_MESSAGES" / f"{domain}{suffix}"


@cache
def translations(language: str) -> _gettext.NullTranslations:
    """The bot's sentences (bot/texts.py) in `language`."""
    if language == SOURCE or language not in LANGUAGES:
        return _gettext.NullTranslations()
    return compiled(LOCALES, DOMAIN, language)


@cache
def compiled(locales: Path, domain: str, language: str) -> _gettext.NullTranslations:
    """`locales/<language>/LC_MESSAGES/<domain>`: the .mo when it is not older than its .po,
    else the .po compiled in memory; none at all reads as English (NullTranslations)."""
    po = locales / language / "LC_MESSAGES" / f"{domain}.po"
    mo = po.with_suffix(".mo")
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as built:
            return _gettext.GNUTranslations(built)
    if not po.exists():
        return _gettext.NullTranslations()
    with po.open("rb") as source:
        catalog = read_po(source, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


# Callbacks that forget what was built from the catalogs (routine_catalog's kept words).
_ON_RELOAD: list[Callable[[], None]] = []


def on_reload(forget: Callable[[], None]) -> None:
    _ON_RELOAD.append(forget)


def reload() -> None:
    """Forget every catalog read (tests that write catalogs; a process reads them once)."""
    translations.cache_clear()
    compiled.cache_clear()
    for forget in _ON_RELOAD:
        forget()


def gettext(message: str) -> str:
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form for `n` by the current language's plural rule (Russian has three)."""
    return translations(_current.get()).ngettext(singular, plural, n)


def format_locale() -> str:
    return _FORMAT_LOCALE.get(_current.get(), "en_GB")


def clock(value: time | datetime) -> str:
    """A time of day as the language writes it: 07:30 (en, de, fr, ru, pt_BR), 7:30 (es)."""
    moment = value.time() if isinstance(value, datetime) else value
    return str(_babel_time(moment, format="short", locale=format_locale()))


def day_and_time(local: datetime) -> str:
    """ "Tue 1 Dec, 13:00", "вт, 1 дек., 13:00": a local instant within the coming weeks."""
    return f"{format_skeleton('MMMEd', local, locale=format_locale())}, {clock(local)}"


def month_name(month: int) -> str:
    """The abbreviated stand-alone month name (Jan, янв., janv.) for the stats picture."""
    return str(format_date(date(2024, month, 1), "LLL", locale=format_locale()))


def weekday_name(weekday: int) -> str:
    """The abbreviated weekday (Mon=0), stand-alone, for the stats picture."""
    day = date(2024, 1, 1 + weekday)  # 2024-01-01 was a Monday
    return str(format_date(day, "ccc", locale=format_locale()))


def short_date(day: int, month: int) -> str:
    """ "18 Nov", "18. Nov.", "18 нояб.": a day of the coming or past year, without the year."""
    # 2024 is a leap year, so 29 February is a date too.
    return str(format_skeleton("MMMd", date(2024, month, day), locale=format_locale()))
