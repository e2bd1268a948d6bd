"""In-process counters for /admin: errors in the last hour, nudges over the last day.

Neither lives in the database: errors are log records, and a nudge send is not recorded
anywhere once its row has moved on (bot/nudges.py). So each process counts its own, and
/admin says so; with several webhook workers each reports what it did.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

WINDOW_ERRORS_S = 3600
DAY = timedelta(days=1)
# A sample of the nudge totals every 10 minutes: "the last day" is then right to 10 minutes,
# and a day of samples is 145 small tuples.
SAMPLE_EVERY = timedelta(minutes=10)


class ErrorCounter:
    """Counts ERROR (and worse) log records per minute, for the last hour.

    Per-minute buckets keep memory fixed (61 entries) however many errors a storm logs."""

    def __init__(self) -> None:
        self._buckets: dict[int, int] = {}
        self.total = 0  # since the process started: limber_errors_total (bot/metrics.py)
        self._guard = threading.Lock()  # records are made on the JobQueue's and other threads

    def add(self, created: float) -> None:
        minute = int(created // 60)
        with self._guard:
            self.total += 1
            self._buckets[minute] = self._buckets.get(minute, 0) + 1
            for old in [m for m in self._buckets if m < minute - WINDOW_ERRORS_S // 60]:
                del self._buckets[old]

    def last_hour(self, now: float | None = None) -> int:
        """ERROR records made in the last hour (wall time, as log records carry it)."""
        oldest = int(((now if now is not None else time.time()) - WINDOW_ERRORS_S) // 60)
        with self._guard:
            return sum(n for minute, n in self._buckets.items() if minute > oldest)


_counter: ErrorCounter | None = None


def error_counter() -> ErrorCounter:
    """The process's one counter, fed by the log record factory from the first call on.

    The factory rather than a handler on the root logger: logging set-up replaces the root's
    handlers (bot/logs.py, tests), which would silently drop a handler, and a handler added
    before that set-up would make `basicConfig` do nothing. The factory sees every record a
    logger makes, whatever its handlers and their filters do with it later."""
    global _counter
    if _counter is None:
        counter = ErrorCounter()
        previous = logging.getLogRecordFactory()

        def counting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            # makeLogRecord() builds records with no level first: levelno None.
            if isinstance(record.levelno, int) and record.levelno >= logging.ERROR:
                counter.add(record.created)
            return record

        logging.setLogRecordFactory(counting_factory)
        _counter = counter
    return _counter


@dataclass(frozen=True)
class NudgeCounts:
    sent: int
    failed: int
    blocked: int
    since: datetime
    full_day: bool  # False while the process is younger than a day


class NudgeWindow:
    """The dispatcher's running totals, sampled, so "the last day" is a difference."""

    def __init__(self, started: datetime) -> None:
        self._samples: deque[tuple[datetime, int, int, int]] = deque([(started, 0, 0, 0)])

    def sample(self, now: datetime, sent: int, failed: int, blocked: int) -> None:
        if now - self._samples[-1][0] >= SAMPLE_EVERY:
            self._samples.append((now, sent, failed, blocked))
        # Keep one sample at or before a day ago (the baseline) and everything after it.
        while len(self._samples) > 1 and self._samples[1][0] <= now - DAY:
            self._samples.popleft()

    def last_day(self, now: datetime, sent: int, failed: int, blocked: int) -> NudgeCounts:
        self.sample(now, sent, failed, blocked)
        at, base_sent, base_failed, base_blocked = self._samples[0]
        return NudgeCounts(
            sent - base_sent, failed - base_failed, blocked - base_blocked, at, at <= now - DAY
        )
