"""How a sentence is written, and the words every feature shares.

English is the source: each sentence is a gettext msgid, translated through bot/i18n.py into
the language of the current update or job, at the moment it is read.

- A fixed sentence is a `Sentence("...")` held by its feature's class (`Session.BUTTON_READY`):
  a descriptor, so each read is a catalog lookup in the language of the moment (a module-level
  string would be fixed at import, in English), and its type is `str`, so mypy knows it.
- One with values: a function returning `_("... {name} ...").format(name=...)`: placeholders by
  name, never an f-string or `+` around the words, so a translator can move them.
- A count: `count("{n} stretch", "{n} stretches", n)` (each language's plural rule).
- A msgid kept in a table and translated later: `N_("...")`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import datetime, time

from bot import i18n

_ = i18n.gettext


class Sentence:
    """A fixed sentence: `Sentence("✅ Ready")` in a feature's class reads, on the class or on
    `texts`, as its translation in the current language (`pybabel extract -k Sentence`)."""

    __slots__ = ("msgid",)

    def __init__(self, msgid: str) -> None:
        self.msgid = msgid

    def __get__(self, instance: object, owner: type | None = None) -> str:
        return _(self.msgid)


class Composed:
    """A sentence built from others at each read, read as a fixed one all the same."""

    __slots__ = ("build",)

    def __init__(self, build: Callable[[], str]) -> None:
        self.build = build

    def __get__(self, instance: object, owner: type | None = None) -> str:
        return self.build()


def N_(message: str) -> str:
    """Marks a msgid for `pybabel extract` where it is translated later (gettext_noop)."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form for `n` by the current language's plural rule (English two, Russian three).
    The forms keep a {n} to format."""
    return i18n.ngettext(singular, plural, n)


def count(singular: str, plural: str, n: int) -> str:
    """ "1 stretch", "3 stretches": ngettext's form with the number filled in."""
    return ngettext(singular, plural, n).format(n=n)


_BIDI_CONTROLS = dict.fromkeys(
    map(ord, "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)


def _echo(text: str, limit: int = 40) -> str:
    """The user's own words inside one of our sentences. Control characters go, and so do bidi
    controls, which would otherwise flip the rest of our sentence (a stray U+202E reverses it);
    the rest is isolated (FSI ... PDI) so a right-to-left text cannot reorder the words around.
    """
    kept = "".join(c for c in text if unicodedata.category(c) != "Cc").translate(_BIDI_CONTROLS)
    return f"\u2068{kept[:limit]}\u2069"


# A first name shown back is cut to this many characters. Telegram allows 64, but an update
# is not checked: a 64 KB name made a 66,006-character greeting (issue 29), and Telegram
# refuses a message over 4,096 characters, so the person got no welcome at all.
NAME_SHOWN = 40


def shown_name(first_name: str) -> str:
    """The first name as a message shows it: trimmed, and cut (with "…") past NAME_SHOWN."""
    name = " ".join(first_name.split())
    return name if len(name) <= NAME_SHOWN else name[: NAME_SHOWN - 1].rstrip() + "…"


def clock(value: time | datetime) -> str:
    """A time of day as the user's language writes it (Babel: 07:30, 7:30, ...)."""
    return i18n.clock(value)


def day_and_time(local: datetime) -> str:
    """ "Tue 1 Dec, 13:00" in the user's language (Babel, not the process's locale)."""
    return i18n.day_and_time(local)


def short_date(day: int, month: int) -> str:
    """ "18 Nov", "18. Nov.", "18 нояб." (Babel, not the process's locale)."""
    return i18n.short_date(day, month)
