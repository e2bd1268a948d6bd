"""The stand-in's process holds its garbage collector off while it counts or times.

The stand-in (the Bot API emulator) runs in the benchmark's or the test's process and stamps
every request as it arrives, for its 429s too (over 30 in any second). Its heap keeps every
call and message, and a full collection of it stops that process for 60-200 ms: whatever
arrives meanwhile is stamped late, all at once. load.py's process also imports the bot's store
and the test harness, so its full collections (88-103 ms, seen with gc.callbacks on
2026-12-07) were longer than floor_burst.py's, and fell inside some bursts and not others: part
of the floor-against-Limber noise of issue 28. In a test run the process holds the whole
suite (its full collections in the quick lane: median 280 ms, longest 445 ms), and one inside a
nudge wave bunches the workers' evenly paced sends into one second at the stand-in: the fleet
test drew 2-4 bot-wide 429s in 2 of 5 clean-clone CI runs, with no chat over its own limit.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def held() -> Iterator[None]:
    """Collected once, then frozen and off until the block ends (reference counting still
    frees whatever is not in a cycle)."""
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()
