"""Reading a time of day the way people type it: "07:30", "7am", "10:30 pm", "22h"."""

from __future__ import annotations

import re
from datetime import time

_PATTERN = re.compile(
    r"^(?P<h>\d{1,2})(?:\s*[:.h]\s*(?P<m>\d{2}))?\s*(?P<ampm>a\.?m\.?|p\.?m\.?|h)?$"
)


def parse_time_of_day(text: str) -> time | None:
    """A time of day, or None when the text is not one (nothing is guessed)."""
    cleaned = text.strip().lower()
    if not cleaned or len(cleaned) > 12:
        return None
    match = _PATTERN.match(cleaned)
    if match is None:
        return None
    hours = int(match["h"])
    minutes = int(match["m"]) if match["m"] else 0
    ampm = (match["ampm"] or "").replace(".", "")
    if ampm in ("am", "pm"):
        if not 1 <= hours <= 12:
            return None
        hours = hours % 12 + (12 if ampm == "pm" else 0)
    if not (0 <= hours <= 23 and 0 <= minutes <= 59):
        return None
    return time(hours, minutes)
