"""Progress, wherever it shows: the streak after a session, /stats and its picture, the
back-pain question and its answer, the weekly summary, and the mobility check (/reach)."""

from __future__ import annotations

from bot import i18n
from bot.domain.weekly import WeekFacts, judge
from bot.texts.base import N_, Sentence, _, count, short_date


class Progress:
    """Progress's fixed sentences, read as `texts.NAME`."""

    # Streaks, /stats and the back-pain question.
    PAIN_QUESTION = Sentence("How's your back today? (0 = no pain, 10 = the worst)")
    NO_HISTORY = Sentence(
        "No sessions yet, so nothing to chart. 🙂 Do your first one with /stretch and your "
        "calendar starts filling up."
    )
    # The /stats picture (drawn with the shipped DejaVu Sans: Latin and Cyrillic).
    CHART_TITLE = Sentence("Limber")
    CHART_PAIN_TITLE = Sentence("How's your back (0 = no pain)")
    CHART_NO_PAIN = Sentence("No answers yet")
    CHART_REACH_TITLE = Sentence("Straight-leg raise (degrees)")
    CHART_NO_REACH = Sentence("No checks yet: /reach")
    CHART_FREEZE = Sentence("Freeze used")
    CHART_THIS_WEEK = Sentence("This week")

    # The weekly summary.
    WEEKLY_TITLE = Sentence("📅 Your week with Limber")
    # The mobility check (/reach).
    REACH_INTRO = Sentence(
        "📐 Mobility check: lie on your back as in the lying stretch, and raise one straight "
        "leg slowly, only as far as is comfortable (a gentle pull, never pain). Which "
        "picture looks most like yours?"
    )
    BUTTON_REACH_NOW = Sentence("📐 Check my reach")
    REACH_OFFER = Sentence(
        "📐 It's been a week: want to see whether your hamstrings are lengthening? "
        "A one-minute mobility check."
    )
    REACH_STALE = Sentence("That check is from an earlier day; send /reach for a new one.")
    REACH_CAPTION = Sentence("How high does your straight leg go? 30°, 45°, 60°, 75° or 90°.")


# Streaks, /stats and the back-pain answer.


def streak_day(current: int) -> str:
    if current <= 1:
        return _("🔥 Day 1: a streak begins. Come back tonight or tomorrow to grow it.")
    return _("🔥 Day {n} in a row!").format(n=current)


def milestone(days: int) -> str:
    return _("🏆 {n} days in a row: a milestone! Your back is getting a real habit.").format(n=days)


def freeze_earned(held: int) -> str:
    return _(
        "🧊 You earned a streak freeze ({n} held): it saves your streak on a day you miss."
    ).format(n=held)


def freeze_spent(held: int) -> str:
    return _("🧊 A streak freeze saved your streak for a missed day ({n} left).").format(n=held)


def stats_text(
    current: int, best: int, sessions: int, minutes: int, full_days: int, freezes: int
) -> str:
    return _(
        "📊 Streak: {streak} (best {best})\n"
        "Sessions: {sessions}, {minutes} min in all\n"
        "Full days (morning and bedtime): {full_days}\n"
        "Streak freezes held: {freezes}"
    ).format(
        streak=count("{n} day", "{n} days", current),
        best=best,
        sessions=sessions,
        minutes=minutes,
        full_days=full_days,
        freezes=freezes,
    )


def pain_noted_changeable(score: int) -> str:
    """The pain answer, with its buttons kept for the day so it can be changed."""
    return _("{question}\n\nThanks, noted: {score}/10. 📝 Tap another number to change it.").format(
        question=Progress.PAIN_QUESTION, score=score
    )


def stats_reach_line(left: int | None, right: int | None, when: str, before: int | None) -> str:
    sides = _reach_sides(left, right)
    if before is None:
        return _("📐 Straight-leg raise on {date}: {sides}").format(date=when, sides=sides)
    return _("📐 Straight-leg raise on {date}: {sides}; before: about {before}°").format(
        date=when, sides=sides, before=before
    )


def stats_picture_text(
    *,
    weeks: int,
    days_stretched: int,
    frozen: list[str],
    pain_first: int | None,
    pain_last: int | None,
    reach_first: int | None,
    reach_last: int | None,
    week_sessions: int,
    week_before: int,
) -> str:
    """The picture in words, under it, for people who use a screen reader."""
    span = count("{n} week", "{n} weeks", weeks)
    days = count("{n} day", "{n} days", days_stretched)
    # The sentence's full stop is the last date's abbreviation dot (de "30. Nov.").
    dates = ", ".join(frozen).rstrip(".")
    if frozen:
        first = _(
            "🖼 The picture: the last {weeks}, {days} with a session; a streak freeze kept the "
            "streak on {dates}."
        ).format(weeks=span, days=days, dates=dates)
    else:
        first = _("🖼 The picture: the last {weeks}, {days} with a session.").format(
            weeks=span, days=days
        )
    parts = [
        first,
        _("This week {sessions}, last week {before}.").format(
            sessions=count("{n} session", "{n} sessions", week_sessions), before=week_before
        ),
    ]
    if pain_first is not None and pain_last is not None:
        parts.append(
            _("Back pain went from {first} to {last} (0 = no pain).").format(
                first=pain_first, last=pain_last
            )
        )
    if reach_first is not None and reach_last is not None:
        parts.append(
            _("Straight-leg raise went from about {first}° to {last}°.").format(
                first=reach_first, last=reach_last
            )
        )
    return " ".join(parts)


# The /stats picture (bot/stats_chart.py draws it).


def chart_weekdays() -> tuple[tuple[str, int], ...]:
    """The weekday labels down the calendar's side: Mon, Wed, Fri, Sun (0 = Monday)."""
    return tuple((i18n.weekday_name(day), day) for day in (0, 2, 4, 6))


def chart_month(month: int) -> str:
    return i18n.month_name(month)


def chart_legend() -> tuple[str, str, str, str]:
    return (_("Morning"), _("Bedtime"), _("Both"), _("None"))


def chart_title(name: str) -> str:
    title = Progress.CHART_TITLE
    return _("{title}: {name}").format(title=title, name=name) if name else title


def chart_figures(
    current: int, best: int, sessions: int, minutes: int, full_days: int, freezes: int
) -> str:
    return _(
        "Streak: {streak}   Best: {best}   Sessions: {sessions}   Minutes: {minutes}   "
        "Full days: {full_days}   Freezes: {freezes}"
    ).format(
        streak=count("{n} day", "{n} days", current),
        best=best,
        sessions=sessions,
        minutes=minutes,
        full_days=full_days,
        freezes=freezes,
    )


def chart_reach_sides() -> tuple[str, str]:
    """The mobility line's legend, left then right."""
    return (_("Left leg"), _("Right leg"))


def chart_latest_pain(score: int, day: int, month: int) -> str:
    return _("Latest: {score} on {date}").format(score=score, date=short_date(day, month))


def chart_week_lines(
    sessions: int, before: int, minutes: int, pain: int | None, reach: int | None, streak: int
) -> tuple[str, ...]:
    """The /stats picture's "This week" panel."""
    lines = [
        _("Sessions: {sessions} (last week {before})").format(sessions=sessions, before=before),
        _("Minutes: {minutes}").format(minutes=minutes),
        _("Back pain: no answers")
        if pain is None
        else _("Back pain: {pain} on average").format(pain=pain),
    ]
    if reach is not None:
        lines.append(_("Leg raise: about {degrees}°").format(degrees=reach))
    lines.append(_("Streak: {days}").format(days=count("{n} day", "{n} days", streak)))
    return tuple(lines)


def chart_latest_reach(left: int | None, right: int | None) -> str:
    return _("Latest: {sides}").format(sides=_reach_sides(left, right))


# The weekly summary: bot/domain/weekly.py judges which sentence fits.


def weekly_sessions(sessions: int, before: int, minutes: int, minutes_before: int) -> str:
    return _("{sessions}, {minutes} this week (last week: {before}, {minutes_before}).").format(
        sessions=count("{n} session", "{n} sessions", sessions),
        minutes=count("{n} minute", "{n} minutes", minutes),
        before=before,
        minutes_before=count("{n} minute", "{n} minutes", minutes_before),
    )


def weekly_streak(days: int) -> str:
    if days == 0:
        return _("🔥 No streak running just now: one session starts a new one.")
    return _("🔥 Streak: {days}.").format(days=count("{n} day", "{n} days", days))


def weekly_pain(trend: str, pain: int | None, before: int | None) -> str:
    """The pain trend in words, from bot.domain.weekly.PainTrend's values."""
    if trend == "none" or pain is None:
        return _("🩹 No back-pain answers this week; answer after a session to see the trend here.")
    if trend == "new" or before is None:
        return _("🩹 Your back averaged {pain} this week.").format(pain=pain)
    if trend == "down":
        return _("🩹 Your back averaged {pain} this week, down from {before}. 🎉").format(
            pain=pain, before=before
        )
    if trend == "up":
        return _(
            "🩹 Your back averaged {pain} this week, up from {before}. Go gentle: a stretch "
            "is a mild pull, never pain. Sharp pain, numbness or tingling down the leg are "
            "reasons to stop and see a doctor."
        ).format(pain=pain, before=before)
    return _("🩹 Your back averaged {pain} this week, the same as last week.").format(pain=pain)


def weekly_reach(trend: str | None, degrees: int, before: int | None) -> str:
    """The latest mobility check (straight-leg raise), from bot.domain.weekly.ReachTrend."""
    if trend is None or before is None:
        return _(
            "📐 Straight-leg raise: about {degrees}°. /reach again next week to compare."
        ).format(degrees=degrees)
    if trend == "higher":
        return _(
            "📐 Your straight leg rises to about {degrees}°, up from {before}°: "
            "your hamstrings are lengthening!"
        ).format(degrees=degrees, before=before)
    if trend == "lower":
        return _(
            "📐 Your straight leg rises to about {degrees}°, from {before}° before. "
            "It varies from day to day."
        ).format(degrees=degrees, before=before)
    return _("📐 Your straight leg rises to about {degrees}°, as before.").format(degrees=degrees)


_WEEKLY_CHEER = {
    "first_step": N_("A new week is a fresh start: one short session tomorrow. 🌱"),
    "come_back": N_(
        "A quiet week, and that's okay. One short session tomorrow picks the habit back up. 🌱"
    ),
    "more": N_("More sessions than last week. Nice work! 💪"),
    "same": N_(
        "As steady as last week. 👏 Stretched day after day, the hamstrings lengthen over "
        "time, and that takes stress off the lower back."
    ),
    "fewer": N_("Fewer sessions than last week. A short one tomorrow picks it up again. 🙂"),
}


def weekly_summary(
    *,
    sessions: int,
    sessions_before: int,
    minutes: int,
    minutes_before: int,
    streak: int,
    pain_trend: str,
    pain: int | None,
    pain_before: int | None,
    cheer: str,
    reach_line: str | None = None,
) -> str:
    lines = [
        Progress.WEEKLY_TITLE,
        "",
        weekly_sessions(sessions, sessions_before, minutes, minutes_before),
        weekly_streak(streak),
        weekly_pain(pain_trend, pain, before=pain_before),
    ]
    if reach_line:
        lines.append(reach_line)
    lines += ["", _(_WEEKLY_CHEER[cheer])]
    return "\n".join(lines)


def weekly_summary_of(facts: WeekFacts) -> str:
    """The weekly summary's words for these facts, as bot/domain/weekly.py judges them."""
    j = judge(facts)
    reach_line = None
    if facts.reach is not None:
        trend = facts.reach.trend
        reach_line = weekly_reach(
            trend.value if trend else None, facts.reach.degrees, facts.reach.before
        )
    return weekly_summary(
        sessions=facts.sessions,
        sessions_before=facts.sessions_before,
        minutes=facts.minutes,
        minutes_before=facts.minutes_before,
        streak=facts.streak,
        pain_trend=j.pain_trend.value,
        pain=j.pain,
        pain_before=j.pain_before,
        cheer=j.cheer.value,
        reach_line=reach_line,
    )


# The mobility check (/reach).


def reach_choice(degrees: int) -> str:
    return f"{degrees}°"


def reach_question(side: str) -> str:
    intro = Progress.REACH_INTRO
    if side == "left":
        return _("{intro}\n\n👉 Your left leg: how high does it go?").format(intro=intro)
    return _("{intro}\n\n👉 Your right leg: how high does it go?").format(intro=intro)


def _reach_sides(left: int | None, right: int | None) -> str:
    """ "left 60°, right 45°": the sides answered."""
    sides = []
    if left:
        sides.append(_("left {degrees}°").format(degrees=left))
    if right:
        sides.append(_("right {degrees}°").format(degrees=right))
    return ", ".join(sides)


def reach_done(left: int | None, right: int | None) -> str:
    return _(
        "📐 Noted: {sides}. Both lines show in /stats; check again in a week to compare."
    ).format(sides=_reach_sides(left, right))
