"""One way to compare place names: what the index stores and what a user types fold alike."""

from __future__ import annotations

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s\-_'’‘`´.()/\\\"]+")


def fold(text: str) -> str:
    """Case-folded, accents dropped (München -> munchen, Київ -> киів), punctuation as spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SEPARATORS.sub(" ", plain).strip()
