"""How a place is named on a button or in a confirmation, in the user's language."""

from __future__ import annotations

import gzip
from contextlib import suppress
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo

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
    """ "Birmingham, Alabama, United States" / "Москва, Россия": enough to tell them apart, in
    the reader's language. `typed` (Lookup.typed, "Москва") names the city as the user wrote
    it, used only where the reader reads that script: an English reader who typed "Москва"
    reads "Moscow, Russia"."""
    parts = [_city_name(place, language, typed)]
    if place.state:
        parts.append(_us_states().get(place.state, place.state))
    parts.append(country_name(place.country, language))
    return ", ".join(parts)


def _city_name(place: Place, language: str | None, typed: str | None) -> str:
    # A city a zone is named after has its name in every language in CLDR ("Москва",
    # "Moskau"); others have GeoNames' name, or the spelling typed in the reader's script.
    canonical = str(get_global("zone_aliases").get(place.zone, place.zone))
    if canonical == place.zone:
        with suppress(LookupError):
            english = get_timezone_location(place.zone, _locale("en"), return_city=True)
            if english == place.name:
                return str(get_timezone_location(place.zone, _locale(language), return_city=True))
    if typed and _script(typed) == _script(_READER_SAMPLE.get((language or "en")[:2], "a")):
        return typed
    return place.name


# A letter of each language's script, to tell whether a typed name is in the reader's script.
_READER_SAMPLE = {"ru": "я"}


def _script(text: str) -> str:
    letters = [c for c in text if c.isalpha()]
    return "cyrillic" if any("\u0400" <= c <= "\u04ff" for c in letters) else "latin"


def place_key(place: Place, typed: str | None = None) -> str:
    """What the user row keeps of a chosen place ("Lyon|FR||"): enough to name it again in
    any language, and stable when the city index is rebuilt (its line numbers are not)."""
    return "|".join((place.name, place.country, place.state, typed or ""))[:200]


def stored_place_label(key: str | None, zone: str, language: str | None) -> str:
    """The place a user chose, named in `language`; the zone as a place when none was kept."""
    parts = (key or "").split("|")
    if len(parts) != 4 or not parts[0]:
        return zone_label(zone, language)
    name, country, state, typed = parts
    return place_label(Place(name, country, state, 0, zone), language, typed or None)


def zone_label(zone: str, language: str | None) -> str:
    """ "New York, United States" / "Нью-Йорк, Соединенные Штаты": a zone named as a place,
    in the user's language (CLDR's city and country, through Babel), never as its IANA id.
    A zone CLDR files under another city's name ("America/Montreal" is Toronto's) keeps its
    own city, in English; "UTC", in no country, is itself."""
    if zone.startswith("Etc/GMT"):
        return _fixed_offset(zone)
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


def _fixed_offset(zone: str) -> str:
    """ "Etc/GMT+11" is "UTC−11": POSIX names give these zones the sign the other way round
    (hours to add to reach UTC), and CLDR repeats the name ("GMT+11") for a place at sea."""
    offset = datetime(2000, 1, 1, tzinfo=UTC).astimezone(ZoneInfo(zone)).utcoffset()
    hours = round(offset.total_seconds() / 3600) if offset is not None else 0
    if hours == 0:
        return "UTC"
    return f"UTC{'+' if hours > 0 else '−'}{abs(hours)}"
