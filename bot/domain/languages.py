"""Which language a user reads: the shipped ones, and the choice between /language and the
Telegram app's language. Rules only; the catalogs and Babel's formats are bot/i18n.py's."""

from __future__ import annotations

SOURCE = "en"
# The shipped languages, in the order /language shows them.
LANGUAGES = ("en", "es", "pt_BR", "de", "fr", "ru")
# Each language's name in itself, for the /language buttons.
NATIVE_NAMES = {
    "en": "English",
    "es": "Español",
    "pt_BR": "Português (Brasil)",
    "de": "Deutsch",
    "fr": "Français",
    "ru": "Русский",
}


def from_telegram(code: str | None) -> str:
    """Telegram's IETF tag (en, pt-br, es-419, de-AT, ...) to a shipped language; else English."""
    if not code:
        return SOURCE
    base = code.replace("_", "-").split("-", 1)[0].lower()
    if base == "pt":
        return "pt_BR"  # the only Portuguese shipped: nearer to a pt-PT reader than English
    return base if base in LANGUAGES else SOURCE


def normalize(language: str | None) -> str | None:
    """A stored or typed language, checked: one of LANGUAGES or None."""
    if language is None:
        return None
    for known in LANGUAGES:
        if language.replace("-", "_").lower() == known.lower():
            return known
    return None


def effective(chosen: str | None, telegram: str | None) -> str:
    """The language a user reads: the one picked with /language, else their Telegram app's."""
    return normalize(chosen) or from_telegram(telegram)


def telegram_code(language: str) -> str:
    """The two-letter ISO 639-1 code setMyCommands/setMyDescription take (pt_BR -> pt)."""
    return language.split("_", 1)[0]
