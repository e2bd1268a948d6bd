"""How a place is named on a button or in a confirmation, in the user's language."""

from __future__ import annotations

import gzip
from contextlib import suppress
from functools import cache
from importlib import resources

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.dates import get_timezone_location

from bot.places.index import Place


@cache
def _us_states() -> dict[str, str]:
    data = resources.files("bot.places") / "data" / "us_states.tsv.gz"
    with gzip.open(str(data), "rt", encoding="utf-8") as lines:
        return dict(line.rstrip("\n").split("\t", 1) for line in lines if line.strip())


@cache
def _locale(language: str | None) -> Locale:
    try:
        return Locale.parse((language or "en").replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


@cache
def _territories(language: str) -> dict[str, str]:
    return dict(_locale(language).territories)


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


def zone_label(zone: str, language: str | None) -> str:
    """ "New York, United States" / "Нью-Йорк, Соединенные Штаты": a zone named as a place,
    in the user's language (CLDR's city and country, through Babel), never as its IANA id.
    A zone CLDR files under another city's name ("America/Montreal" is Toronto's) keeps its
    own city, in English; "UTC", in no country, is itself."""
    canonical = str(get_global("zone_aliases").get(zone, zone))
    city = zone.rsplit("/", 1)[-1].replace("_", " ")
    if canonical == zone:
        with suppress(LookupError):  # a zone newer than Babel's data keeps its own name
            city = get_timezone_location(zone, _locale(language), return_city=True)
    code = get_global("zone_territories").get(canonical, "")
    # "ZZ"/"001": UTC and the like are in no country.
    country = country_name(code, language) if code.isalpha() and code != "ZZ" else ""
    # Singapore, Hong Kong: a city that names its country once is enough.
    if not country or city.casefold() in country.casefold():
        return city
    return f"{city}, {country}"
