"""Pain acted on (bot/domain/pain_care.py decides, bot/pain_care.py sends): the medical note,
the warning signs, the check before a session, the advice after a high answer or "This hurts"
and the pause it offers, and the doctor suggested.

Advice as a careful clinician's leaflet gives it, never a diagnosis. The warning signs are the
NHS's and NICE's for back pain that needs urgent care (sources: docs/safety.md)."""

from __future__ import annotations

from bot.texts.base import Sentence, _


class PainCare:
    """The safety sentences and pain care's buttons, read as `texts.NAME`."""

    # Before the first stretch (the welcome, /help, a /stretch without /start).
    MEDICAL_NOTE = Sentence(
        "⚕️ Before you start: talk to your doctor or chiropractor about these stretches, and "
        "stop if anything hurts. A stretch is a gentle pull, never pain. Sharp pain, numbness "
        "or tingling down the leg are reasons to stop and see a doctor."
    )
    WARNING_SIGNS = Sentence(
        "🚑 Get urgent medical help (call your local emergency number) if back pain comes with "
        "any of these: numbness around your buttocks or genitals; loss of bladder or bowel "
        "control; weakness in a leg; pain after a fall or an accident; or a fever."
    )
    # The check before a session, after a painful one.
    PAIN_CHECK_QUESTION = Sentence(
        "Before we start: how is your back right now? (0 = no pain, 10 = the worst)\n"
        "Lately it hurt, so I'm checking first."
    )
    BUTTON_START_ANYWAY = Sentence("Start anyway")
    BUTTON_NOT_NOW = Sentence("Not now")
    PAIN_CHECK_ANYWAY = Sentence("OK, starting. Go gently, and stop at once if anything hurts.")
    PAIN_CHECK_NOT_NOW = Sentence(
        "OK, no session now. Rest well. 🤍 /stretch when your back is ready."
    )
    DOCTOR_AFTER_ANSWERS = Sentence(
        "🩺 Your back has been at 7 or more three times in a row. Please see your doctor or "
        "chiropractor about it. Until then, stretch only where it stays a gentle pull, or take "
        "a break: /pause 7 pauses my reminders for a week."
    )

    # After a high answer or "This hurts": a break from the nudges.
    HURT_PAUSE_OFFER = Sentence(
        "Would you like a break from my reminders while your back settles? "
        "Tomorrow I'll ask how it is."
    )
    BUTTON_PAUSE_3 = Sentence("Pause 3 days")
    BUTTON_PAUSE_7 = Sentence("Pause 7 days")
    BUTTON_NO_THANKS = Sentence("No thanks")
    HURT_NO_PAUSE = Sentence("OK, reminders stay on. Tomorrow I'll ask how your back is. 🤍")


def hurt_paused(until_local: str) -> str:
    return _(
        "Reminders paused until {until}. Rest well; tomorrow I'll ask how your back is. "
        "/resume brings them back sooner."
    ).format(until=until_local)


def pain_high_advice(score: int) -> str:
    """A high pain answer (7 or more): don't stretch into pain, see a doctor if it persists,
    and (with the message's buttons) the offer of a pause."""
    return "\n\n".join(
        (
            _(
                "🤍 {score}/10 is a lot. Please don't stretch into pain: a stretch should be a "
                "gentle pull, never pain. If the pain stays or gets worse, talk to your doctor "
                "or chiropractor."
            ).format(score=score),
            _("Next time, I'll ask how your back is before we start."),
            PainCare.HURT_PAUSE_OFFER,
        )
    )


def pain_check_ok(score: int) -> str:
    """The check before a session, answered below 7: the session starts."""
    return _("{score}/10, thanks. Let's go gently; stop at once if anything hurts.").format(
        score=score
    )


def pain_check_high(score: int) -> str:
    """The check before a session, answered 7 or more: no session now."""
    return "\n\n".join(
        (
            _(
                "{score}/10: better not to stretch today. A stretch should be a gentle pull, "
                "never pain. Rest, and if the pain stays or gets worse, talk to your doctor or "
                "chiropractor."
            ).format(score=score),
            PainCare.WARNING_SIGNS,
        )
    )


def doctor_after_weeks(average: int, before: int) -> str:
    """The weekly summary's line when the weekly pain average rose by 3 or more."""
    return _(
        "🩺 Your back's weekly average rose from {before} to {average}. That's worth a visit: "
        "please see your doctor or chiropractor about it."
    ).format(average=average, before=before)
