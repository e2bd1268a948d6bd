"""The nudge dispatcher: one repeating tick claims due rows, then sends.

Per-user scheduler jobs would cost memory per user, be rebuilt at every start, vanish on a
crash and double up with two workers. Instead each nudge row holds its next instant, and one
JobQueue job (every few seconds) claims the due rows in batches (moving each to its next
instant in the same transaction) and only then sends. A nudge is therefore sent at most once,
by one worker, even across crashes and several processes. Under the rate limit a nudge is
claimed only when a send slot is free for it, so a crash loses at most the sends in flight; a
graceful stop claims nothing more and finishes what it holds.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from time import perf_counter
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot import i18n, texts
from bot.clock import Clock
from bot.domain.nudge_rules import BEDTIME, DESK, WEEKLY, SkipReason, skip_reason
from bot.domain.streaks import local_day
from bot.http import may_have_arrived
from bot.keyboards import nudge_keyboard
from bot.metrics import Metrics
from bot.ratelimit import PriorityRateLimiter
from bot.store.repo import DueNudge, Store

log = logging.getLogger(__name__)
# Rate-limited senders, each holding at most one slot: enough to hide a round trip at 29/s.
PACED_SENDERS = 4
# Messages nobody asked for right now (the weekly summary) never land between a stretch's card
# and its hold: during a session they come back this much later, until the session is over.
IN_SESSION_RETRY = timedelta(minutes=1)
# The kinds that wait for a session's end. Reminders do not: one arriving mid-session offers
# Carry on or Start over, as /stretch does, and is skipped anyway once the session finishes.
WAITS_FOR_SESSION = frozenset({WEEKLY})


@dataclass
class TickReport:
    """What one tick did; summed into metrics and asserted by tests."""

    claimed: int = 0
    sent: int = 0
    failed: int = 0
    blocked: int = 0
    deferred: int = 0  # brought back for after a session (IN_SESSION_RETRY)
    skipped: dict[SkipReason, int] = field(default_factory=dict)
    lateness: list[float] = field(default_factory=list)

    def skip(self, reason: SkipReason) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


# A nudge's words and buttons, as sent.
_Message = tuple[str, InlineKeyboardMarkup | None]


# Writes the weekly summary of a user for the week holding `due_at` (None: user gone).
WeeklyText = Callable[[int, datetime], Awaitable[str | None]]


class NudgeDispatcher:
    """Claims due nudges and sends them through the (rate-limited) bot."""

    def __init__(
        self,
        store: Store,
        bot: ExtBot[Any],
        clock: Clock,
        *,
        grace: timedelta,
        batch_size: int = 500,
        # Enough parallel sends to hide round trips; the rate limiter paces them anyway.
        concurrency: int = 32,
        max_batches_per_tick: int = 200,
        metrics: Metrics | None = None,
        keep_going: Callable[[], bool] = lambda: True,
        weekly_text: WeeklyText | None = None,
    ) -> None:
        self.store = store
        self.bot = bot
        self.clock = clock
        self.grace = grace
        self.batch_size = batch_size
        self.concurrency = concurrency
        self.max_batches_per_tick = max_batches_per_tick
        self.last_tick_at: datetime | None = None
        self.totals = TickReport()
        self.metrics = metrics
        # False once the bot is stopping: the tick sends what it has claimed, claims no more.
        self.keep_going = keep_going
        # Progress.weekly_text (bot/progress.py reads the week); without it a summary is not
        # sent (a dispatcher built for reminders alone, as in some tests).
        self.weekly_text = weekly_text

    async def tick(self) -> TickReport:
        """Claim and send everything due now (bounded per tick, the rest next tick)."""
        report = TickReport()
        started = perf_counter()
        now = self.clock.now()
        limiter = self.bot.rate_limiter
        if isinstance(limiter, PriorityRateLimiter):
            await self._paced(limiter, now, report)
        else:
            await self._batched(now, report)
        self.last_tick_at = now
        self._add_to_totals(report)
        self._record(report, perf_counter() - started)
        if report.claimed:
            log.info(
                "nudge tick: %d claimed, %d sent, %d skipped, %d blocked, %d failed",
                report.claimed,
                report.sent,
                sum(report.skipped.values()),
                report.blocked,
                report.failed,
            )
        return report

    async def _claim(self, now: datetime, limit: int) -> list[DueNudge]:
        # Each claimed row moves to its next instant (domain/nudge_rules.next_nudge_at).
        return await self.store.claim_due(now, limit)

    async def _batched(self, now: datetime, report: TickReport) -> None:
        """No rate limit (paid broadcasts): claim in large batches, send each batch at once."""
        for _ in range(self.max_batches_per_tick):
            if not self.keep_going():
                break
            claimed = await self._claim(now, self.batch_size)
            report.claimed += len(claimed)
            await self._deliver(claimed, now, report)
            if len(claimed) < self.batch_size:
                break

    async def _paced(self, limiter: PriorityRateLimiter, now: datetime, report: TickReport) -> None:
        """Rate-limited: claim each nudge only once a send slot is free for it.

        Claimed in batches, nudges would wait their turn at 29/s for seconds after the claim,
        and a crash would lose all of them (claim first, send after: at most once). Here a
        claimed nudge is on the wire within milliseconds; a crash loses only sends in flight.
        """
        next_due = await self.store.next_nudge_at()
        if next_due is None or next_due > now:
            return  # an idle tick takes no slots

        cap = self.batch_size * self.max_batches_per_tick  # the same bound as batched

        async def sender() -> None:
            holding = False
            while self.keep_going() and report.claimed < cap:
                if not holding:
                    await limiter.broadcast_slot()
                    holding = True
                claimed = await self._claim(now, 1)
                if not claimed:
                    return
                report.claimed += 1
                nudge = claimed[0]
                reason = self._skip_reason(nudge, now)
                if reason is not None:
                    report.skip(reason)  # the slot stays ours for the next one
                    continue
                if await self._deferred(nudge, now, report):
                    continue
                holding = False
                await self._send(nudge, report, slot_taken=True)

        await asyncio.gather(*(sender() for _ in range(PACED_SENDERS)))

    def _skip_reason(self, nudge: DueNudge, now: datetime) -> SkipReason | None:
        return skip_reason(
            nudge.due_at, now, self.grace, nudge.paused_until, nudge.last_finished_at, nudge.kind
        )

    async def _deferred(self, nudge: DueNudge, now: datetime, report: TickReport) -> bool:
        """True when the nudge waits for the user's session to end (brought back shortly)."""
        if nudge.kind not in WAITS_FOR_SESSION:
            return False
        if await self.store.live_session_of(nudge.user_id) is None:
            return False
        await self.store.defer_nudge(
            nudge.user_id, nudge.kind, nudge.next_at, now + IN_SESSION_RETRY
        )
        report.deferred += 1
        return True

    async def _deliver(self, claimed: list[DueNudge], now: datetime, report: TickReport) -> None:
        to_send: list[DueNudge] = []
        for nudge in claimed:
            reason = self._skip_reason(nudge, now)
            if reason is not None:
                report.skip(reason)
            elif not await self._deferred(nudge, now, report):
                to_send.append(nudge)
        if not to_send:
            return
        gate = asyncio.Semaphore(self.concurrency)

        async def one(nudge: DueNudge) -> None:
            async with gate:
                await self._send(nudge, report)

        await asyncio.gather(*(one(n) for n in to_send))

    async def _send(self, nudge: DueNudge, report: TickReport, *, slot_taken: bool = False) -> None:
        """Send one nudge; retry what certainly did not arrive (429, 5xx, no connection) while
        inside the grace window."""
        message = await self._written(nudge)
        if message is None:
            report.failed += 1
            return
        deadline = nudge.due_at + self.grace
        backoff = _Backoff()
        while True:
            wait = await self._attempt(nudge, message, report, backoff, slot_taken=slot_taken)
            if wait is None:
                return
            # The slot the sender held went with the first try: a retry waits for one of its
            # own, or a wave of retries after a Telegram hiccup goes out over the bot's pace.
            slot_taken = False
            if self.clock.now() + timedelta(seconds=wait) > deadline:
                report.failed += 1
                return
            await asyncio.sleep(self.clock.real_delay(wait))

    async def _written(self, nudge: DueNudge) -> _Message | None:
        """The nudge's words in its own user's language: many users per tick, so the language
        is set just for this message (the weekly summary's too: it is written inside)."""
        with i18n.using(i18n.effective(nudge.language, nudge.language_code)):
            return await self._message(nudge)

    async def _attempt(
        self,
        nudge: DueNudge,
        message: _Message,
        report: TickReport,
        backoff: _Backoff,
        *,
        slot_taken: bool,
    ) -> float | None:
        """One try: None when the nudge is done with (sent, or counted as lost), else the
        seconds to wait before the next try."""
        try:
            await self._post(nudge, message, slot_taken=slot_taken)
        except Forbidden:
            report.blocked += 1
            await self.store.set_active(nudge.user_id, False, self.clock.now())
            return None
        except RetryAfter as exc:
            return _seconds(exc.retry_after)
        except BadRequest as exc:
            # e.g. "chat not found": the account is gone; nothing to retry.
            log.warning("nudge to user %s refused: %s", nudge.user_id, exc)
        except NetworkError as exc:
            if not may_have_arrived(exc):
                log.info("nudge to user %s failed, retrying: %s", nudge.user_id, exc)
                return backoff.next()
            # A read timeout or a broken connection: Telegram may have delivered it.
            # A nudge goes out at most once, so this one is not tried again.
            log.warning("nudge to user %s may not have arrived: %s", nudge.user_id, exc)
        except TelegramError as exc:
            log.error("nudge to user %s failed: %s", nudge.user_id, exc)
        else:
            report.sent += 1
            report.lateness.append((self.clock.now() - nudge.due_at).total_seconds())
            return None
        report.failed += 1
        return None

    async def _post(self, nudge: DueNudge, message: _Message, *, slot_taken: bool) -> None:
        """The sendMessage itself, timed into the metrics when it works."""
        text, markup = message
        began = perf_counter()
        if self.bot.rate_limiter is not None:
            # Broadcast priority: people using the bot go first (bot/ratelimit.py).
            await self.bot.send_message(
                nudge.chat_id,
                text,
                reply_markup=markup,
                rate_limit_args={"low": True, "slot_taken": slot_taken},
            )
        else:
            await self.bot.send_message(nudge.chat_id, text, reply_markup=markup)
        if self.metrics is not None:
            self.metrics.send_seconds.observe(perf_counter() - began)

    async def _message(self, nudge: DueNudge) -> _Message | None:
        """What to send for a claimed row: a reminder with its buttons, or the weekly summary."""
        if nudge.kind == WEEKLY:
            if self.weekly_text is None:
                return None
            try:
                text = await self.weekly_text(nudge.user_id, nudge.due_at)
            except Exception:
                # Claimed, so never sent twice; one user's failure must not end the tick.
                log.exception("weekly summary for user %s could not be written", nudge.user_id)
                return None
            return None if text is None else (text, None)
        if nudge.kind == DESK:
            text = texts.desk_nudge(nudge.user_id, _local_day(nudge), nudge.first_name)
        else:
            text = texts.nudge(nudge.kind, nudge.user_id, _local_day(nudge), nudge.first_name)
        if _streak_at_stake(nudge):
            text = f"{text}\n\n{texts.STREAK_AT_STAKE}"
        return text, nudge_keyboard(nudge.kind)

    def _record(self, report: TickReport, seconds: float) -> None:
        if self.metrics is None:
            return
        m = self.metrics
        m.tick_seconds.observe(seconds)
        m.nudges.labels("sent").inc(report.sent)
        m.nudges.labels("failed").inc(report.failed)
        m.nudges.labels("blocked").inc(report.blocked)
        for reason, count in report.skipped.items():
            m.nudges.labels(f"skipped_{reason.value}").inc(count)

    def _add_to_totals(self, report: TickReport) -> None:
        t = self.totals
        t.claimed += report.claimed
        t.sent += report.sent
        t.failed += report.failed
        t.blocked += report.blocked
        t.deferred += report.deferred
        for reason, count in report.skipped.items():
            t.skipped[reason] = t.skipped.get(reason, 0) + count


class _Backoff:
    """The waits between retries of a failed connection: 1 s, doubling, at most a minute."""

    def __init__(self) -> None:
        self._delay = 1.0

    def next(self) -> float:
        wait, self._delay = self._delay, min(self._delay * 2, 60.0)
        return wait


def _seconds(value: Any) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _local_day(nudge: DueNudge) -> int:
    """A day number in the user's zone, to vary the nudge's words from day to day."""
    return nudge.due_at.astimezone(ZoneInfo(nudge.timezone)).toordinal()


def _streak_at_stake(nudge: DueNudge) -> bool:
    """At bedtime: the user stretched yesterday but not yet today (cheap, from the row)."""
    if nudge.kind != BEDTIME or nudge.last_finished_at is None:
        return False
    today = local_day(nudge.due_at, nudge.timezone)
    return local_day(nudge.last_finished_at, nudge.timezone) == today - timedelta(days=1)
