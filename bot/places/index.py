"""The city index: what a user types ("Lyon", "London, UK", "Москва", "Sao Paolo") -> places.

Loaded lazily on the first lookup (most updates never need it) and kept for the process.
Names are one sorted list searched by bisection, with a parallel array of city numbers: a
dict of the same 210,000 names (lists of cities as values) cost 33 MB more RSS, against
2.7 MB for the list and the array (measured with benchmarks/places.py's method).
"""

from __future__ import annotations

import gzip
import threading
import unicodedata
from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo

from rapidfuzz import fuzz, process

from bot.places.fold import fold

# A name typed with a small typo still counts (rapidfuzz's ratio, 0-100): "sao paolo",
# "pittsburg", "muenchen" score 88-94; unrelated short words stay below.
FUZZY_CUTOFF = 86.0
# Fuzzy matching only for inputs this long: "rom" would otherwise match many places.
FUZZY_MIN_LENGTH = 4
# A second candidate in another zone with at least this share of the first's weight makes the
# name ambiguous ("Valencia" 0.59, "Athens" 0.19, "Birmingham" 0.17); below it the big one
# wins ("Paris" over Paris, Texas at 1/84; "Perth" over Perth, Scotland) and the confirmation's
# local time shows any slip at once. Only zones whose clocks differ count ("Vancouver" in
# Canada or Washington: the same time all year), and where the name is some city's own, only
# such cities: GeoNames lists old and foreign names ("Islamabad" for Chattogram) as alternates.
AMBIGUOUS_SHARE = 0.15
# A city typed by the name GeoNames gives it beats one that merely has it as an alternate
# name: "Pittsburgh" is Pittsburgh, PA (300,000 people), not Pittsburg, CA (63,000), and
# "Islamabad" is not Chattogram (2.6 million), which GeoNames knows by that old name too.
OWN_NAME_BOOST = 10.0
# A user's own countries weigh this much more than population alone: a Spanish speaker's
# "Valencia" is Valencia, Spain, first.
LANGUAGE_BOOST = 4.0
_COUNTRIES_BY_LANGUAGE = {
    "en": (),  # English is spoken everywhere: population decides
    "en-gb": ("GB", "IE"),
    "en-us": ("US",),
    "es": ("ES", "MX", "AR", "CO"),
    "pt": ("PT", "BR"),
    "pt-br": ("BR",),
    "de": ("DE", "AT", "CH"),
    "fr": ("FR", "BE", "CH", "CA"),
    "ru": ("RU", "BY", "KZ", "UA"),
}


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    country: str  # ISO 3166 code
    state: str  # US state code, else ""
    population: int
    zone: str
    number: int = -1  # its line in the index, for a choice button (`CityIndex.city`)


@dataclass(frozen=True, slots=True)
class Lookup:
    """The places a text may mean, likeliest first; `ambiguous` when the user should pick."""

    places: tuple[Place, ...]
    ambiguous: bool
    # The name as the user wrote it when it is exactly one of the places' names ("Москва"):
    # shown back in their own spelling rather than GeoNames' ("Moscow").
    typed: str | None = None

    @property
    def best(self) -> Place | None:
        return self.places[0] if self.places else None


class CityIndex:
    """Every name a city may be typed as, sorted, with the city it names.

    `owners[i]` is `2 * city + 1` when `keys[i]` is the city's own GeoNames name and
    `2 * city` when it is one of its alternate names.
    """

    def __init__(
        self, cities: list[Place], keys: list[str], owners: array[int], qualifiers: dict[str, str]
    ) -> None:
        self._cities = cities
        self._keys = keys
        self._owners = owners
        self._qualifiers = qualifiers

    @classmethod
    def load(cls) -> CityIndex:
        data = resources.files("bot.places") / "data"
        cities: list[Place] = []
        names: list[str] = []
        owners = array("i")
        zones: dict[str, str] = {}  # one string object per zone, shared by its cities
        with gzip.open(str(data / "cities.tsv.gz"), "rt", encoding="utf-8") as lines:
            for number, line in enumerate(lines):
                name, country, state, population, zone, typed = line.rstrip("\n").split("\t")
                zone = zones.setdefault(zone, zone)
                cities.append(Place(name, country, state, int(population), zone, number))
                for position, key in enumerate(typed.split("|")):
                    names.append(key)
                    owners.append(2 * number + (position == 0))
        # Sorted through a list of positions, not (name, city) tuples: the tuples doubled the
        # load's peak memory.
        order = sorted(range(len(names)), key=names.__getitem__)
        keys = [names[i] for i in order]
        sorted_owners = array("i", (owners[i] for i in order))
        qualifiers: dict[str, str] = {}
        with gzip.open(str(data / "qualifiers.tsv.gz"), "rt", encoding="utf-8") as lines:
            for line in lines:
                key, code = line.rstrip("\n").split("\t")
                qualifiers[key] = code
        return cls(cities, keys, sorted_owners, qualifiers)

    def city(self, number: int) -> Place | None:
        """The city a choice button names, or None for a number this index does not have."""
        return self._cities[number] if 0 <= number < len(self._cities) else None

    # Lookup -----------------------------------------------------------------------------------

    def find(self, text: str, language: str | None = None, limit: int = 5) -> Lookup:
        head, qualifier = self._split(text)
        if not head:
            return Lookup((), False)
        found = self._exact(head)
        typed = _as_typed(text, head) if found else None
        found = found or self._fuzzy(head)
        if qualifier is not None:
            found = [(c, own) for c, own in found if _qualifies(c, qualifier)]
        lookup = _ranked(found, language, limit)
        return replace(lookup, typed=typed) if lookup.places else lookup

    def _split(self, text: str) -> tuple[str, str | None]:
        """("london", "GB") from "London, UK"; ("paris", "FR") from "Paris France"."""
        if "," in text:
            head, _, tail = text.partition(",")
            return fold(head)[:64], self._qualifiers.get(fold(tail), "?")
        folded = fold(text)[:64]
        if self._exact(folded):
            return folded, None  # "New York City", "Salt Lake City": the whole name first
        words = folded.split(" ")
        for cut in (1, 2, 3):
            if len(words) > cut:
                code = self._qualifiers.get(" ".join(words[-cut:]))
                if code is not None:
                    return " ".join(words[:-cut]), code
        return folded, None

    def _matches(self, low: int, high: int) -> list[tuple[Place, bool]]:
        """The cities named by keys[low:high], once each, with whether by their own name."""
        own: dict[int, bool] = {}
        for owner in self._owners[low:high]:
            own[owner >> 1] = own.get(owner >> 1, False) or bool(owner & 1)
        return [(self._cities[n], is_own) for n, is_own in own.items()]

    def _exact(self, key: str) -> list[tuple[Place, bool]]:
        low = bisect_left(self._keys, key)
        return self._matches(low, bisect_right(self._keys, key, lo=low))

    def _fuzzy(self, key: str) -> list[tuple[Place, bool]]:
        if len(key) < FUZZY_MIN_LENGTH:
            return []
        # Only names with the same first letter: a typo there is rare, and it cuts the
        # candidates from 228,000 to at most ~20,000 (p99 under 20 ms; benchmarks/places.py).
        low = bisect_left(self._keys, key[0])
        high = bisect_left(self._keys, chr(ord(key[0]) + 1), lo=low)
        matches = process.extract(
            key, self._keys[low:high], scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=8
        )
        if not matches:
            return []
        top = matches[0][1]
        found: list[tuple[Place, bool]] = []
        for _, score, i in matches:
            if score >= top - 0.01:
                found.extend(self._exact(self._keys[low + i]))
        return found


def _as_typed(text: str, head: str) -> str | None:
    """The words of `text` that made `head`, as written, when not in Latin letters (GeoNames'
    own names are): "Москва" is shown back as "Москва", "sao paulo" as "São Paulo"."""
    if head.isascii() or all("LATIN" in unicodedata.name(c, "") for c in head if c.isalpha()):
        return None
    words = text.replace(",", " ").split()
    typed = " ".join(words[: len(head.split(" "))]).strip()
    return typed[:1].upper() + typed[1:]


def _qualifies(place: Place, code: str) -> bool:
    if code.startswith("US-"):
        return place.country == "US" and place.state == code[3:]
    return place.country == code


def _weight(match: tuple[Place, bool], language: str | None) -> float:
    place, own_name = match
    code = (language or "").lower()
    preferred = _COUNTRIES_BY_LANGUAGE.get(code) or _COUNTRIES_BY_LANGUAGE.get(code[:2], ())
    weight = float(place.population)
    if own_name:
        weight *= OWN_NAME_BOOST
    if place.country in preferred:
        weight *= LANGUAGE_BOOST
    return weight


def _ranked(found: list[tuple[Place, bool]], language: str | None, limit: int) -> Lookup:
    weighed = sorted(((_weight(m, language), m) for m in found), key=lambda w: -w[0])
    distinct: list[tuple[float, Place, bool]] = []
    seen: set[tuple[str, str, str]] = set()
    for weight, (place, own) in weighed:
        mark = (place.country, place.state, place.zone)
        if mark not in seen:  # one button per country/state/zone: not five Springfields in one
            seen.add(mark)
            distinct.append((weight, place, own))
    # Where the name is some city's own, only such cities are offered: "Birmingham" lists the
    # Birminghams, not Cartersville, Georgia, which GeoNames knows by that name too.
    if any(own for _, _, own in distinct):
        distinct = [d for d in distinct if d[2]]
    distinct = distinct[:limit]
    if not distinct:
        return Lookup((), False)
    first_weight, first, _ = distinct[0]
    ambiguous = any(
        weight >= first_weight * AMBIGUOUS_SHARE and not same_clock(place.zone, first.zone)
        for weight, place, _ in distinct[1:]
    )
    return Lookup(tuple(place for _, place, _ in distinct), ambiguous)


@cache
def same_clock(zone: str, other: str) -> bool:
    """Whether two zones show the same time in winter and in summer, north and south."""
    if zone == other:
        return True
    year = datetime.now(UTC).year
    instants = [datetime(year, month, 15, 12, tzinfo=UTC) for month in (1, 4, 7, 10)]
    return all(
        t.astimezone(ZoneInfo(zone)).utcoffset() == t.astimezone(ZoneInfo(other)).utcoffset()
        for t in instants
    )


_loaded: CityIndex | None = None
_loading = threading.Lock()


def city_index() -> CityIndex:
    """The index, loaded on first use (about 0.5 s; threads may call it at once)."""
    global _loaded
    if _loaded is None:
        with _loading:
            if _loaded is None:
                _loaded = CityIndex.load()
    return _loaded


def find_places(text: str, language: str | None = None, limit: int = 5) -> Lookup:
    return city_index().find(text, language, limit)
