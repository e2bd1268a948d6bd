"""Reading a time of day the way people type it, in the six languages Limber speaks.

"7", "07:30", "0730", "7 30", "7.30", "7:30am", "10:30 p.m.", "19h30", "7 Uhr", "halb acht",
"noon", "midnight", "half past ten", "half ten", "quarter to eight", "7 y media",
"las 10 de la noche", "7 e meia", "meia-noite", "dix heures et demie", "minuit",
"7 утра", "10 вечера", "полночь".
Nothing is guessed: a text that is not one of these forms is None, and the caller answers
with an example.

`read_time` also says whether the text fixed the half of the day ("7pm", "19:00", "07:00",
"10 вечера") or left it open ("7", "half past ten"): a nudge time that looks like the wrong
half of the day is then confirmed with a question rather than taken silently.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import time

MAX_LENGTH = 40

# Number words up to twelve (and the ones people write for minutes), accents folded.
_NUMBERS: dict[str, int] = {}
for _words in (
    "one two three four five six seven eight nine ten eleven twelve",
    "una dos tres cuatro cinco seis siete ocho nueve diez once doce",
    "uma duas tres quatro cinco seis sete oito nove dez onze doze",
    "eins zwei drei vier funf sechs sieben acht neun zehn elf zwolf",
    "une deux trois quatre cinq six sept huit neuf dix onze douze",
    "один два три четыре пять шесть семь восемь девять десять одиннадцать двенадцать",
):
    for _value, _word in enumerate(_words.split(), start=1):
        _NUMBERS.setdefault(_word, _value)
_NUMBERS.update({"un": 1, "uno": 1, "um": 1, "ein": 1, "eine": 1, "одна": 1, "две": 2})
_NUMBERS.update({"thirty": 30, "fifteen": 15, "forty five": 45, "zero": 0})

_NOON = ("noon", "midday", "mediodia", "meio dia", "mittag", "midi", "полдень")
_MIDNIGHT = ("midnight", "medianoche", "meia noite", "mitternacht", "minuit", "полночь")
# Words before the time that mean "at": dropped.
_AT = re.compile(r"^(at|um|gegen|a las|a la|as|a|a les|vers|в|во|к)\s+")
# Words after the time that fix the half of the day: (morning?, pattern).
_HALVES = (
    (True, r"a\s?m|in the morning|de la manana|da manha|morgens|fruh|du matin|утра"),
    (
        False,
        r"p\s?m|in the evening|at night|de la tarde|de la noche|da tarde|da noite|abends"
        r"|nachmittags|de l apres midi|du soir|вечера|дня",
    ),
)
# "ночи" (of the night): 11-12 are evening, 1-4 are after midnight.
_NIGHT = r"ночи"
# Filler words after the hour: "Uhr", "heures", "horas", "часов", "o'clock".
_HOUR_WORDS = r"(?:uhr|heures?|h|horas?|hs|hrs?|часа|часов|час|o clock|oclock)"


_SIGNED = re.compile(r"(^|\s)[-+−]\s*\d")


@dataclass(frozen=True, slots=True)
class TimeReading:
    value: time
    # True when the text fixed morning or evening (am/pm, a 24-hour figure, a leading zero,
    # "de la noche"); False for "7" or "half past ten", which could be either.
    half_given: bool


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = re.sub(r"[’'`´\-,!?]", " ", plain)
    plain = re.sub(r"(?<=[a-zа-я])\.|\.(?=\s|$)", "", plain)  # "a.m." -> "am"; a final "."
    return re.sub(r"\s+", " ", plain).strip()


def _number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    return _NUMBERS.get(word)


_NUM = r"(\d{1,2}|[a-zа-я]+)"
# (pattern, how to turn the groups into (hour, minute)); tried in order on the folded text.
_FORMS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rf"^{pattern}$"), kind)
    for pattern, kind in (
        (rf"(\d{{1,2}})\s?[:.h]\s?(\d{{2}})(?: {_HOUR_WORDS})?", "hm"),  # 7:30, 19h30, 19:00 Uhr
        (r"(\d{2})(\d{2})", "hm"),  # 0730, 1930
        (r"(\d{1,2}) (\d{2})", "hm"),  # 7 30
        (rf"(\d{{1,2}}) {_HOUR_WORDS} (\d{{1,2}})", "h_m"),  # 7 Uhr 30, 7 heures 30
        (r"half past " + _NUM, "half_past"),
        (r"quarter past " + _NUM, "quarter_past"),
        (r"quarter to " + _NUM, "quarter_to"),
        (r"halb " + _NUM, "halb"),  # German: "halb acht" is 7:30
        # British "half ten" is 10:30 (half past), unlike German "halb zehn" (9:30).
        (r"half " + _NUM, "half_past"),
        (r"viertel nach " + _NUM, "quarter_past"),
        (r"viertel vor " + _NUM, "quarter_to"),
        (_NUM + r"(?: heures?| horas?)? (?:y|e|et) (?:media|meia|demie)", "and_half"),
        (_NUM + r"(?: heures?| horas?)? (?:y|e|et) (?:cuarto|quart|quinze)", "and_quarter"),
        (_NUM + r"(?: heures?)? (?:menos cuarto|moins le quart|menos um quarto)", "quarter_to"),
        (_NUM + r" (?:thirty)", "and_half"),  # "seven thirty"
        (rf"{_NUM}(?:\s?{_HOUR_WORDS})?", "h"),  # 7, seven, 7 Uhr, 7h, 22h, sieben Uhr
    )
)


def _hour_minute(kind: str, groups: tuple[str, ...]) -> tuple[int, int] | None:
    first = _number(groups[0])
    if first is None:
        return None
    if kind in ("hm", "h_m"):
        minute = _number(groups[-1])
        return (first, minute) if minute is not None else None
    return {
        "h": (first, 0),
        "half_past": (first, 30),
        "and_half": (first, 30),
        "quarter_past": (first, 15),
        "and_quarter": (first, 15),
        "quarter_to": (first - 1, 45),
        "halb": (first - 1, 30),
    }[kind]


def read_time(text: str) -> TimeReading | None:
    """What time of day the text means, or None when it is not a time (nothing is guessed)."""
    if _SIGNED.search(text):
        return None  # "-1", "+2": not a time (folding would drop the sign and read 01:00)
    folded = _fold(text)
    if not folded or len(folded) > MAX_LENGTH:
        return None
    folded = _AT.sub("", folded)
    if folded in _NOON:
        return TimeReading(time(12, 0), True)
    if folded in _MIDNIGHT:
        return TimeReading(time(0, 0), True)
    morning: bool | None = None
    night = False
    for is_morning, half in _HALVES:
        stripped = re.sub(rf"\s?(?:{half})$", "", folded)
        if stripped != folded:
            folded, morning = stripped.strip(), is_morning
            break
    else:
        stripped = re.sub(rf"\s?{_NIGHT}$", "", folded)
        night, folded = stripped != folded, stripped.strip()
    for pattern, kind in _FORMS:
        match = pattern.match(folded)
        if match is None:
            continue
        found = _hour_minute(kind, match.groups())
        if found is not None:
            return _checked(found, match.group(1).isdigit(), folded, morning, night)
    return None


def _checked(
    found: tuple[int, int], digits: bool, folded: str, morning: bool | None, night: bool
) -> TimeReading | None:
    hour, minute = found
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    if morning is not None:
        if not 1 <= hour <= 12:
            return None  # "13pm", "0am"
        hour = hour % 12 + (0 if morning else 12)
        return TimeReading(time(hour, minute), True)
    if night:
        if not 1 <= hour <= 12:
            return None
        # "11 ночи" is 23:00; "2 ночи" is 02:00.
        hour = hour + 12 if hour >= 9 and hour != 12 else hour % 12
        return TimeReading(time(hour, minute), True)
    # A 24-hour figure or a leading zero ("19:00", "07:30", "0730", "0:00") fixes the half;
    # words ("halb eins", "quarter to one") do not.
    given = digits and (hour >= 13 or folded.startswith("0"))
    return TimeReading(time(hour, minute), given)


def parse_time_of_day(text: str) -> time | None:
    """A time of day, or None when the text is not one (nothing is guessed)."""
    reading = read_time(text)
    return reading.value if reading else None


def other_half(value: time) -> time:
    """The same clock reading in the other half of the day: 07:30 <-> 19:30."""
    return value.replace(hour=(value.hour + 12) % 24)


# When a morning or a bedtime nudge is plausible: a morning nudge from 03:00 to 12:59, a
# bedtime one from 17:00 to 02:59 (people who go to bed after midnight exist). Outside these
# the time is confirmed with a question first.
_MORNING_HOURS = frozenset(range(3, 13))
_BEDTIME_HOURS = frozenset((*range(17, 24), 0, 1, 2))


@dataclass(frozen=True, slots=True)
class Plausibility:
    fits: bool
    # The likelier reading to offer when the text left the half of the day open and the other
    # half fits ("7" as a bedtime: 19:00); None when there is nothing better to offer.
    instead: time | None = None


# The small hours: neither "afternoon or evening" nor "morning or middle of the day", so a
# nudge time there is questioned in words of its own ("00:30 is in the middle of the night").
_NIGHT_HOURS = frozenset(range(0, 5))


def in_the_night(value: time) -> bool:
    """Whether a time is in the small hours (00:00-04:59), for how an unlikely one is asked."""
    return value.hour in _NIGHT_HOURS


def plausible(morning: bool, reading: TimeReading) -> Plausibility:
    """Whether a time read for the morning (or bedtime) nudge looks like one."""
    hours = _MORNING_HOURS if morning else _BEDTIME_HOURS
    if reading.value.hour in hours:
        return Plausibility(True)
    flipped = other_half(reading.value)
    if not reading.half_given and flipped.hour in hours:
        return Plausibility(False, flipped)
    return Plausibility(False)
