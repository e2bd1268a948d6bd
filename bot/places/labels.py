"""How a place is named on a button or in a confirmation, in the user's language."""

from __future__ import annotations

import gzip
from functools import cache
from importlib import resources

from babel import Locale, UnknownLocaleError

from bot.places.index import Place


@cache
def _us_states() -> dict[str, str]:
    data = resources.files("bot.places") / "data" / "us_states.tsv.gz"
    with gzip.open(str(data), "rt", encoding="utf-8") as lines:
        return dict(line.rstrip("\n").split("\t", 1) for line in lines if line.strip())


@cache
def _territories(language: str) -> dict[str, str]:
    try:
        return dict(Locale.parse(language.replace("-", "_")).territories)
    except (UnknownLocaleError, ValueError):
        return dict(Locale.parse("en").territories)


def country_name(code: str, language: str | None) -> str:
    """ "Germany", "Alemania", "Германия": CLDR's name for the country (Babel)."""
    return _territories(language or "en").get(code, code)


def place_label(place: Place, language: str | None, typed: str | None = None) -> str:
    """ "Birmingham, Alabama, United States" / "Москва, Россия": enough to tell them apart;
    `typed` (Lookup.typed) names the city as the user wrote it."""
    parts = [typed or place.name]
    if place.state:
        parts.append(_us_states().get(place.state, place.state))
    parts.append(country_name(place.country, language))
    return ", ".join(parts)
