"""Progress: streak lines for the finishing message, the daily back-pain question, /stats
and /export. Reads the session log through the store and leaves the rules to domain.streaks."""

from __future__ import annotations

import asyncio
import csv
import io
import logging
from datetime import date, datetime

from telegram import Bot, InputFile, Message

from bot import texts
from bot.clock import Clock
from bot.domain.mobility import (
    LEFT,
    RIGHT,
    by_day,
    day_average,
    latest_change,
    next_side,
    should_offer,
)
from bot.domain.streaks import (
    EventKind,
    FinishedSession,
    StreakSummary,
    compute_streaks,
    local_day,
    new_events,
)
from bot.domain.weekly import ReachChange, WeekFacts, rounded, week_facts
from bot.keyboards import pain_keyboard, reach_keyboard, reach_offer_keyboard
from bot.pain_care import PainCare
from bot.reach_pictures import reach_choices_png, reach_picture_key
from bot.stats_chart import WEEKS, ChartData, first_monday, render_stats_png
from bot.store.repo import LogRecord, Store
from bot.uploads import PictureUploads

logger = logging.getLogger(__name__)  # "log" here is the session log


def _finished(log: list[LogRecord]) -> list[FinishedSession]:
    return [
        FinishedSession(r.finished_at, r.timezone, r.duration_seconds, r.routine_id) for r in log
    ]


class Progress:
    def __init__(
        self, store: Store, clock: Clock, bot: Bot, pain_care: PainCare | None = None
    ) -> None:
        self.store = store
        self.clock = clock
        self.bot = bot
        # The weekly summary's suggestion to see a doctor when the pain average rises.
        self.pain_care = pain_care
        self.uploads = PictureUploads(store, clock.now)

    async def summary(self, user_id: int) -> tuple[StreakSummary, str] | None:
        user = await self.store.get_user(user_id)
        if user is None:
            return None
        log = await self.store.session_log(user_id)
        return compute_streaks(_finished(log), user.timezone, self.clock.now()), user.first_name

    async def finish_lines(self, user_id: int) -> list[str]:
        """The streak line and anything new (milestone, freeze) for the finishing message."""
        user = await self.store.get_user(user_id)
        if user is None:
            return []
        sessions = _finished(await self.store.session_log(user_id))
        if not sessions:
            return []
        after = compute_streaks(sessions, user.timezone, self.clock.now())
        before = None
        if len(sessions) > 1:
            previous = sessions[-2]
            before = compute_streaks(sessions[:-1], previous.zone, previous.finished_at)
        lines = [texts.streak_day(after.current)]
        for event in new_events(before, after):
            if event.kind is EventKind.MILESTONE:
                lines.append(texts.milestone(event.value))
            elif event.kind is EventKind.FREEZE_EARNED:
                lines.append(texts.freeze_earned(event.value))
            else:
                lines.append(texts.freeze_spent(event.value))
        return lines

    async def ask_pain(self, user_id: int, chat_id: int) -> bool:
        """Ask "how's your back?" at most once per local day."""
        user = await self.store.get_user(user_id)
        if user is None:
            return False
        day = local_day(self.clock.now(), user.timezone)
        if not await self.store.claim_pain_question(user_id, day):
            return False
        await self.bot.send_message(chat_id, texts.PAIN_QUESTION, reply_markup=pain_keyboard(day))
        return True

    async def stats(self, user_id: int) -> tuple[str, bytes | None]:
        """The /stats text (the figures, then the picture in words for screen readers), and
        the picture (None for a user without history)."""
        user = await self.store.get_user(user_id)
        if user is None:
            return texts.NO_HISTORY, None
        log = await self.store.session_log(user_id)
        summary = compute_streaks(_finished(log), user.timezone, self.clock.now())
        pain = await self.store.pain_reports(user_id)
        answers = await self.store.reach_checks(user_id)
        # A mobility check (or a pain answer) is history too: /reach says its line shows here.
        if summary.total_sessions == 0 and not answers and not pain:
            return texts.NO_HISTORY, None
        reach = by_day(answers)
        sessions = [(local_day(r.finished_at, r.timezone), r.duration_seconds) for r in log]
        week = week_facts(sessions, pain, summary.today, summary.current)
        change = latest_change(answers, until=summary.today)
        text = _stats_text(summary, pain, reach, week, change)
        data = ChartData(
            today=summary.today,
            days=summary.days,
            pain=pain,
            current=summary.current,
            best=summary.best,
            total_sessions=summary.total_sessions,
            total_minutes=summary.total_minutes,
            full_days=summary.full_days,
            freezes_held=summary.freezes_held,
            title=texts.shown_name(user.first_name),
            reach=reach,
            frozen=summary.frozen_days,
            week_lines=texts.chart_week_lines(
                week.sessions,
                week.sessions_before,
                week.minutes,
                rounded(week.pain),
                change.degrees if change is not None else None,
                summary.current,
            ),
        )
        # Rendering is CPU work: keep the event loop free for other users' updates.
        png = await asyncio.to_thread(render_stats_png, data)
        return text, png

    async def weekly_text(self, user_id: int, at: datetime) -> str | None:
        """The weekly summary for the week holding `at` (the instant it is due), or None when
        the user is gone. Reads at send time, so a session finished minutes before counts."""
        found = await self.store.progress_inputs(user_id)
        if found is None:
            return None
        finished = [
            FinishedSession(at_, zone, secs, rid) for at_, zone, secs, rid in found.sessions
        ]
        streak = compute_streaks(finished, found.timezone, at)
        sessions = [(local_day(s.finished_at, s.zone), s.duration_seconds) for s in finished]
        day = local_day(at, found.timezone)
        reach = latest_change(found.reach, until=day)
        facts = week_facts(sessions, found.pain, day, streak.current, reach)
        text = texts.weekly_summary_of(facts)
        if self.pain_care is not None:
            doctor = await self.pain_care.weekly_line(user_id, facts.pain, facts.pain_before, at)
            if doctor is not None:
                text = f"{text}\n\n{doctor}"
        return text

    async def after_session(self, user_id: int, chat_id: int) -> bool:
        """After a finished session: the daily pain question, then (once a week) the offer
        of a mobility check. True when the pain question was asked."""
        asked = await self.ask_pain(user_id, chat_id)
        await self.offer_reach(user_id, chat_id)
        return asked

    async def offer_reach(self, user_id: int, chat_id: int) -> bool:
        """Offer /reach when a week has passed since the last offer and the last check."""
        user = await self.store.get_user(user_id)
        if user is None:
            return False
        if await self.store.live_session_of(user_id) is not None:
            return False  # a new session has begun: nothing unasked for until it ends
        today = local_day(self.clock.now(), user.timezone)
        offered = await self.store.reach_offered_on(user_id)
        checked = await self.store.last_reach_day(user_id)
        log = await self.store.session_log(user_id)
        firsts = [local_day(r.finished_at, r.timezone) for r in log]
        checks = await self.store.reach_checks(user_id)
        started = min([*firsts, *(a.day for a in checks)], default=None)
        if not should_offer(offered, checked, today, len(log), started):
            return False
        if not await self.store.claim_reach_offer(user_id, today, offered):
            return False  # another worker offered it a moment ago
        await self.bot.send_message(chat_id, texts.REACH_OFFER, reply_markup=reach_offer_keyboard())
        return True

    async def reach_side(self, user_id: int, day: date) -> str:
        """The side to ask next on `day`: the one not yet answered (left first), or left
        again when both are in (a second check that day corrects the first)."""
        answered = [a.side for a in await self.store.reach_checks(user_id) if a.day == day]
        return next_side(answered) or LEFT

    async def ask_reach(self, user_id: int, chat_id: int) -> bool:
        """Send the check: the five pictures, then the question for the side due."""
        user = await self.store.get_user(user_id)
        if user is None:
            return False
        day = local_day(self.clock.now(), user.timezone)
        side = await self.reach_side(user_id, day)
        await self._send_reach_picture(chat_id)
        await self.bot.send_message(
            chat_id, texts.reach_question(side), reply_markup=reach_keyboard(day, side)
        )
        return True

    async def _send_reach_picture(self, chat_id: int) -> None:
        """The choices' picture: uploaded once per bot, then sent by its file_id, as the
        session cards are (bot/uploads.py)."""

        async def draw() -> InputFile:
            # Drawing is CPU work (once per process): keep the event loop free for others.
            picture = await asyncio.to_thread(reach_choices_png)
            return InputFile(picture, filename="limber-reach.png")

        async def send(photo: InputFile | str) -> Message:
            return await self.bot.send_photo(chat_id, photo, caption=texts.REACH_CAPTION)

        await self.uploads.send(self.bot.id, reach_picture_key(), draw, send)

    async def record_reach(
        self, user_id: int, day: date, side: str, degrees: int
    ) -> tuple[str | None, dict[str, int]]:
        """Store one answer; the side still to answer that day (None: done) and the answers."""
        await self.store.record_reach(user_id, day, side, degrees, self.clock.now())
        answers = {
            a.side: a.degrees for a in await self.store.reach_checks(user_id) if a.day == day
        }
        following = next_side(answers) if side == LEFT else None
        return following, answers

    async def export_csv(self, user_id: int) -> bytes:
        """The user's own history: sessions (UTC and local), routines, pain answers."""
        log = await self.store.session_log(user_id)
        pain = await self.store.pain_reports(user_id)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            [
                "record",
                "day",
                "routine",
                "started_utc",
                "finished_utc",
                "minutes",
                "holds_done",
                "holds_total",
                "stretches_done",
                "timezone",
                "pain_0_to_10",
            ]
        )
        for r in log:
            day = local_day(r.finished_at, r.timezone)
            writer.writerow(
                [
                    "session",
                    day.isoformat(),
                    r.routine_id,
                    r.started_at.isoformat(),
                    r.finished_at.isoformat(),
                    round(r.duration_seconds / 60, 1),
                    r.holds_done,
                    r.holds_total,
                    r.stretches_done,
                    r.timezone,
                    pain.get(day, ""),
                ]
            )
        for day, score in sorted(pain.items()):
            writer.writerow(["pain", day.isoformat(), "", "", "", "", "", "", "", "", score])
        return out.getvalue().encode("utf-8")


def _stats_text(
    summary: StreakSummary,
    pain: dict[date, int],
    reach: dict[date, dict[str, int]],
    week: WeekFacts,
    change: ReachChange | None,
) -> str:
    """The /stats caption: the figures, the latest mobility check, the picture in words."""
    lines = [
        texts.stats_text(
            summary.current,
            summary.best,
            summary.total_sessions,
            summary.total_minutes,
            summary.full_days,
            summary.freezes_held,
        )
    ]
    if reach:
        day, sides = list(reach.items())[-1]
        lines.append(
            texts.stats_reach_line(
                sides.get(LEFT),
                sides.get(RIGHT),
                texts.short_date(day.day, day.month),
                change.before if change is not None else None,
            )
        )
    lines += ["", _picture_in_words(summary, pain, reach, week)]
    return "\n".join(lines)


def _picture_in_words(
    summary: StreakSummary,
    pain: dict[date, int],
    reach: dict[date, dict[str, int]],
    week: WeekFacts,
) -> str:
    """What the /stats picture shows, as text (the same window of weeks)."""
    start = first_monday(summary.today)
    shown_pain = [pain[d] for d in sorted(pain) if start <= d <= summary.today]
    shown_reach = [day_average(reach[d]) for d in sorted(reach) if start <= d <= summary.today]
    frozen = sorted(d for d in summary.frozen_days if d >= start)
    return texts.stats_picture_text(
        weeks=WEEKS,
        days_stretched=sum(1 for d in summary.days if start <= d <= summary.today),
        frozen=[texts.short_date(d.day, d.month) for d in frozen[-3:]],
        pain_first=shown_pain[0] if len(shown_pain) > 1 else None,
        pain_last=shown_pain[-1] if len(shown_pain) > 1 else None,
        reach_first=shown_reach[0] if len(shown_reach) > 1 else None,
        reach_last=shown_reach[-1] if len(shown_reach) > 1 else None,
        week_sessions=week.sessions,
        week_before=week.sessions_before,
    )
