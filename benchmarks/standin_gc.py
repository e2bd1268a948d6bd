"""The benchmark's own garbage collector held off while it times.

The stand-in (the Bot API emulator) runs in the benchmark's process and stamps every request
as it arrives. Its heap keeps every call and message, and a full collection of it stops that
process for 60-200 ms: whatever arrives meanwhile is stamped late. load.py's process also
imports the bot's store and the test harness, so its full collections (88-103 ms, seen with
gc.callbacks on 2026-12-07) were longer than floor_burst.py's, and fell inside some bursts and
not others: part of the floor-against-Limber noise of issue 28.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def timing() -> Iterator[None]:
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()
