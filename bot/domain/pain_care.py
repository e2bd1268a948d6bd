"""When a back-pain answer or a "This hurts" calls for more than "noted": the rules, pure.

Conservative, as a careful clinician's leaflet is, and never a diagnosis:
- a score of HIGH (7) or more, or "This hurts", within CHECK_WITHIN (24 h): the next session
  begins by asking how the back is right now, and starts only on an answer below HIGH or an
  explicit "Start anyway". A later answer below HIGH clears it (the back has settled).
- HIGH or more on DOCTOR_AFTER_IN_A_ROW (3) answers in a row, or a weekly average DOCTOR_RISE
  (3) points above the week before: a suggestion to see a doctor, at most once every
  DOCTOR_AT_MOST_EVERY (28 days) so that it is read, not tuned out.

Why 7 of 10: on the 0-10 numeric rating scale, 7-10 is the band commonly called severe pain;
stretching "into" severe pain is what the source warns against ("a gentle pull, never pain").
Why 24 h: "This hurts" is about a stretch today; a day later the daily pain question (asked at
10:00 after "This hurts", bot/sessions/aftercare.py) has a fresh answer to go by.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

HIGH = 7
CHECK_WITHIN = timedelta(hours=24)
DOCTOR_AFTER_IN_A_ROW = 3
DOCTOR_RISE = 3
DOCTOR_AT_MOST_EVERY = timedelta(days=28)


@dataclass(frozen=True, slots=True)
class PainSignals:
    """What the store knows that bears on pain: the newest answer, the last "This hurts", the
    latest answers (one per day, oldest first) and when a doctor was last suggested."""

    latest_score: int | None = None
    latest_answered_at: datetime | None = None
    last_hurt_at: datetime | None = None
    recent_scores: tuple[int, ...] = ()
    doctor_suggested_at: datetime | None = None


def is_high(score: int) -> bool:
    return score >= HIGH


def check_before_session(signals: PainSignals, now: datetime) -> bool:
    """Ask "how is your back right now?" before starting a session?"""
    hurt = signals.last_hurt_at
    answered = signals.latest_answered_at
    score = signals.latest_score
    if hurt is not None and now - hurt < CHECK_WITHIN:
        settled = answered is not None and answered > hurt and score is not None
        if not (settled and not is_high(score or 0)):
            return True
    return (
        answered is not None
        and score is not None
        and is_high(score)
        and now - answered < CHECK_WITHIN
    )


def may_suggest_doctor(suggested_at: datetime | None, now: datetime) -> bool:
    return suggested_at is None or now - suggested_at >= DOCTOR_AT_MOST_EVERY


def doctor_after_answers(signals: PainSignals, now: datetime) -> bool:
    """HIGH or more on the last DOCTOR_AFTER_IN_A_ROW answers, and not suggested lately."""
    last = signals.recent_scores[-DOCTOR_AFTER_IN_A_ROW:]
    return (
        len(last) == DOCTOR_AFTER_IN_A_ROW
        and all(is_high(s) for s in last)
        and may_suggest_doctor(signals.doctor_suggested_at, now)
    )


def doctor_after_weeks(
    average: float | None, before: float | None, suggested_at: datetime | None, now: datetime
) -> bool:
    """A weekly average DOCTOR_RISE or more points above the week before's."""
    if average is None or before is None:
        return False
    return average - before >= DOCTOR_RISE and may_suggest_doctor(suggested_at, now)
