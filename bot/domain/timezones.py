"""Finding a user's IANA time zone from what they type, their language or their location.

Offsets ("UTC+5:30") are refused by the caller: they ignore daylight saving, so nudges would
drift by an hour twice a year. A city or a zone name is what keeps 07:30 at 07:30.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any
from zoneinfo import available_timezones


@dataclass(frozen=True, slots=True)
class ZoneMatch:
    zone: str
    label: str


# Big cities that are not zone names themselves.
_ALIASES = {
    "san francisco": "America/Los_Angeles",
    "los angeles": "America/Los_Angeles",
    "seattle": "America/Los_Angeles",
    "san diego": "America/Los_Angeles",
    "las vegas": "America/Los_Angeles",
    "portland": "America/Los_Angeles",
    "washington": "America/New_York",
    "boston": "America/New_York",
    "miami": "America/New_York",
    "atlanta": "America/New_York",
    "philadelphia": "America/New_York",
    "nyc": "America/New_York",
    "houston": "America/Chicago",
    "dallas": "America/Chicago",
    "austin": "America/Chicago",
    "minneapolis": "America/Chicago",
    "montreal": "America/Toronto",
    "ottawa": "America/Toronto",
    "calgary": "America/Edmonton",
    "mumbai": "Asia/Kolkata",
    "bombay": "Asia/Kolkata",
    "delhi": "Asia/Kolkata",
    "new delhi": "Asia/Kolkata",
    "bangalore": "Asia/Kolkata",
    "bengaluru": "Asia/Kolkata",
    "chennai": "Asia/Kolkata",
    "hyderabad": "Asia/Kolkata",
    "calcutta": "Asia/Kolkata",
    "pune": "Asia/Kolkata",
    "beijing": "Asia/Shanghai",
    "shenzhen": "Asia/Shanghai",
    "guangzhou": "Asia/Shanghai",
    "munich": "Europe/Berlin",
    "münchen": "Europe/Berlin",
    "hamburg": "Europe/Berlin",
    "frankfurt": "Europe/Berlin",
    "cologne": "Europe/Berlin",
    "köln": "Europe/Berlin",
    "milan": "Europe/Rome",
    "barcelona": "Europe/Madrid",
    "kiev": "Europe/Kyiv",
    "st petersburg": "Europe/Moscow",
    "saint petersburg": "Europe/Moscow",
    "rio": "America/Sao_Paulo",
    "rio de janeiro": "America/Sao_Paulo",
    "osaka": "Asia/Tokyo",
    "kyoto": "Asia/Tokyo",
    "busan": "Asia/Seoul",
    "abu dhabi": "Asia/Dubai",
    "tel aviv": "Asia/Jerusalem",
    "cape town": "Africa/Johannesburg",
    "perth": "Australia/Perth",
    "auckland": "Pacific/Auckland",
    "wellington": "Pacific/Auckland",
    "hanoi": "Asia/Bangkok",
    "ho chi minh city": "Asia/Ho_Chi_Minh",
    "saigon": "Asia/Ho_Chi_Minh",
    "edinburgh": "Europe/London",
    "manchester": "Europe/London",
    "glasgow": "Europe/London",
    "zurich": "Europe/Zurich",
    "geneva": "Europe/Zurich",
    "utc": "UTC",
    "gmt": "UTC",
}

_BY_LANGUAGE = {
    "en-gb": ["Europe/London", "Europe/Dublin", "America/New_York", "Australia/Sydney"],
    "en-us": ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"],
    "en": ["America/New_York", "Europe/London", "America/Los_Angeles", "Asia/Kolkata"],
    "de": ["Europe/Berlin", "Europe/Vienna", "Europe/Zurich"],
    "fr": ["Europe/Paris", "Europe/Brussels", "America/Montreal", "Africa/Abidjan"],
    "es": [
        "Europe/Madrid",
        "America/Mexico_City",
        "America/Argentina/Buenos_Aires",
        "America/Bogota",
    ],
    "pt-br": ["America/Sao_Paulo", "America/Manaus", "Europe/Lisbon"],
    "pt": ["Europe/Lisbon", "America/Sao_Paulo"],
    "it": ["Europe/Rome"],
    "nl": ["Europe/Amsterdam", "Europe/Brussels"],
    "pl": ["Europe/Warsaw"],
    "ru": ["Europe/Moscow", "Asia/Yekaterinburg", "Asia/Novosibirsk", "Europe/Kyiv"],
    "uk": ["Europe/Kyiv"],
    "tr": ["Europe/Istanbul"],
    "hi": ["Asia/Kolkata"],
    "ja": ["Asia/Tokyo"],
    "zh": ["Asia/Shanghai", "Asia/Taipei", "Asia/Hong_Kong", "Asia/Singapore"],
    "ko": ["Asia/Seoul"],
    "id": ["Asia/Jakarta", "Asia/Makassar"],
    "fa": ["Asia/Tehran"],
    "ar": ["Asia/Riyadh", "Africa/Cairo", "Asia/Dubai", "Africa/Casablanca"],
}
_DEFAULT = ["Europe/London", "America/New_York", "Asia/Kolkata", "UTC"]

_OFFSET = re.compile(r"^\s*(utc|gmt)?\s*[+-−]\s*\d{1,2}(\s*[:.]?\s*\d{2})?\s*$", re.IGNORECASE)


def _fold(text: str) -> str:
    """Lower case, no accents, underscores and slashes as spaces."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[\s_]+", " ", plain).strip()


@cache
def _index() -> tuple[dict[str, str], dict[str, str]]:
    """(folded zone name -> zone, folded city -> zone) over the canonical zones."""
    zones = sorted(
        z
        for z in available_timezones()
        if "/" in z and not z.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/"))
    )
    by_name = {_fold(z): z for z in available_timezones()}
    by_city: dict[str, str] = {}
    for zone in zones:
        city = _fold(zone.rsplit("/", 1)[1])
        by_city.setdefault(city, zone)
    for alias, zone in _ALIASES.items():
        by_city[_fold(alias)] = zone
    return by_name, by_city


def _label(zone: str) -> str:
    city = zone.rsplit("/", 1)[-1].replace("_", " ")
    return zone if city == zone else f"{city} ({zone})"


def resolve_zone(text: str) -> ZoneMatch | None:
    """The zone a user means by a zone name or a city, tolerating small typos; else None."""
    key = _fold(text)[:64]
    if not key:
        return None
    by_name, by_city = _index()
    zone = by_name.get(key) or by_city.get(key)
    if zone is None and "/" not in key:
        close = difflib.get_close_matches(key, list(by_city), n=1, cutoff=0.8)
        zone = by_city[close[0]] if close else None
    if zone is None:
        return None
    return ZoneMatch(zone, _label(zone))


def is_utc_offset(text: str) -> bool:
    """Whether the text is an offset like "UTC+5:30", "GMT-3" or "+02:00"."""
    return bool(_OFFSET.match(text))


def suggest_zones(language_code: str | None, limit: int = 4) -> list[ZoneMatch]:
    """Likely zones for a Telegram language code ("de", "en-GB", ...)."""
    code = (language_code or "").lower()
    zones = _BY_LANGUAGE.get(code) or _BY_LANGUAGE.get(code.split("-")[0]) or _DEFAULT
    valid = available_timezones()
    return [ZoneMatch(z, _label(z)) for z in zones if z in valid][:limit]


_finder: Any = None


def zone_from_location(latitude: float, longitude: float) -> str | None:
    """The zone at a point, offline (timezonefinder); None if there is none."""
    global _finder
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    if _finder is None:
        from timezonefinder import TimezoneFinder

        _finder = TimezoneFinder()
    zone = _finder.timezone_at(lng=longitude, lat=latitude)
    return str(zone) if zone and zone in available_timezones() else None
