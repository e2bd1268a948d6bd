"""/admin: the operators' report (handlers/admin.py), in the operator's language."""

from __future__ import annotations

from bot.texts.base import Sentence, _


class Admin:
    """The report's fixed words, read as `texts.NAME`."""

    ADMIN_NO_DUE_NUDGE = Sentence("none, all caught up")
    ADMIN_THIS_PROCESS = Sentence(" (this process)")


def admin_report(
    *,
    subscribers: int,
    active_week: int,
    sessions_today: int,
    nudges_sent: int,
    nudges_failed: int,
    nudges_since: str,
    oldest_due: str,
    errors_hour: int,
) -> str:
    return _(
        "🛠 Limber, for operators\n\n"
        "Subscribers (nudges on): {subscribers}\n"
        "Active this week (started a session): {active_week}\n"
        "Sessions today (UTC): {sessions_today}\n"
        "Nudges in the last day{since}: {sent} sent, {failed} failed (blocked included)\n"
        "Oldest unsent due nudge: {oldest_due}\n"
        "Errors in the last hour (this process): {errors_hour}"
    ).format(
        subscribers=subscribers,
        active_week=active_week,
        sessions_today=sessions_today,
        since=nudges_since,
        sent=nudges_sent,
        failed=nudges_failed,
        oldest_due=oldest_due,
        errors_hour=errors_hour,
    )


def admin_overdue(minutes: int) -> str:
    return _("due {minutes} min ago").format(minutes=minutes)


def admin_since_start(minutes: int) -> str:
    return _(" (this process, up {minutes} min)").format(minutes=minutes)
