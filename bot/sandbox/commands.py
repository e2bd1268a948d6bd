"""The console commands of `limber try`: their help and their arguments (no imports, so
`limber try --help` stays quick)."""

from __future__ import annotations

# What a line typed into `try` may be besides text for the bot (shown by `try --help`, at the
# start of the plain transcript and by `:help`).
CONSOLE_HELP = """\
  text or /commands       sent to the bot as you (e.g. /start, /stretch desk, Lyon)
  a number, e.g. 2        presses that button of the latest message with buttons
  :location LAT LON       shares a location (📎 → Location), e.g. :location 48.85 2.35
  :sticker                sends a sticker
  :nudge                  moves the clock to the next scheduled message (a nudge, the weekly
                          summary, the pain check after "This hurts") and says why none came
  :help                   this list
  :quit                   quits at once, even during a session"""


def parse_location(args: str) -> tuple[float, float] | None:
    """`:location 48.85 2.35` (or "48.85, 2.35"): latitude and longitude, else None."""
    parts = args.replace(",", " ").split()
    if len(parts) != 2:
        return None
    try:
        latitude, longitude = float(parts[0]), float(parts[1])
    except ValueError:
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return latitude, longitude
