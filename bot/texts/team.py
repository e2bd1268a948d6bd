"""Team desk breaks in group chats (issue 25; bot/groups/, handlers/team.py): what the bot says
when added to a group, /deskbreak and its replies, the break's message as it runs, and what it
keeps for the group."""

from __future__ import annotations

from bot.texts.base import _, _echo, count, ngettext
from bot.texts.settings import days_label


def team_intro() -> str:
    """Once, when the bot is added to a group: what it does, the medical note, what it keeps."""
    return _(
        "Hi all, I'm Limber 👋 I coach the seated chair stretch, which the chiropractor says "
        "can be done at work: all you need is a chair.\n\n"
        "An admin sets a team desk break with /deskbreak 15:00 Berlin (a time, then the "
        "weekdays if not Mon–Fri, then a city for the time zone). Two minutes before, I post "
        "the stretch here; press I'm in to join, and we stretch together: 30 s a side.\n\n"
        "⚕️ Talk to your doctor first, and stop if it hurts.\n\n"
        "For this group I keep only the break's settings and who pressed I'm in (first "
        "names); I don't read your messages. /privacy tells more."
    )


def team_help() -> str:
    return _(
        "In this group: /deskbreak shows the team desk break; an admin sets it "
        "(/deskbreak 15:00 Berlin, /deskbreak 9:30 mon,wed,fri London) or stops it "
        "(/deskbreak off). /privacy says what I keep for the group; an admin erases it with "
        "/deletedata. For your own sessions, nudges and /stats, message me privately."
    )


def team_private_only() -> str:
    return _(
        "That works in a private chat with me. Here in the group: /deskbreak, /privacy, /help."
    )


def team_only_admins() -> str:
    return _("Only the group's admins can change the team break. /deskbreak shows it.")


def team_not_set() -> str:
    return _(
        "No team desk break is set. An admin sets one with /deskbreak 15:00 Berlin (a time, "
        "then the weekdays if not Mon–Fri, then a city for the time zone)."
    )


def team_bad_request() -> str:
    return _(
        "I didn't understand that. Try /deskbreak 15:00 Berlin, "
        "/deskbreak 9:30 mon,wed,fri London or /deskbreak off."
    )


def team_need_place() -> str:
    return _("Which city's time? Add it after the time: /deskbreak 15:00 Berlin")


def team_unknown_place(place: str) -> str:
    return _("I don't know a place called “{place}”. Try a nearby city.").format(place=_echo(place))


def team_off() -> str:
    return _("The team desk break is off. /deskbreak 15:00 sets it again.")


def team_schedule(local: str, days: int, place: str, next_when: str) -> str:
    return _(
        "🪑 Team desk break: {time}, {days} ({place} time). Next: {next}. Two minutes before, "
        "I post the chair stretch here; press I'm in to join."
    ).format(time=local, days=days_label(days), place=place, next=next_when)


def team_button_in() -> str:
    return _("🙋 I'm in")


def team_button_out() -> str:
    return _("Not today")


def team_you_are_in() -> str:
    return _("You're in! 💪")


def team_already_in() -> str:
    return _("You're already in 👍")


def team_you_are_out() -> str:
    return _("Maybe next time.")


def team_break_over() -> str:
    return _("This break is over.")


def _team_names(names: list[str], more: int) -> str:
    shown = ", ".join(_echo(n, 32) for n in names)
    if more:
        return ngettext("{names} and {n} more", "{names} and {n} more", more).format(
            names=shown, n=more
        )
    return shown


def team_roster(names: list[str], more: int) -> str:
    if not names:
        return _("Nobody in yet.")
    return _("In: {names}").format(names=_team_names(names, more))


def team_announce(local: str, steps: list[str], hold: int) -> str:
    numbered = "\n".join(f"{i}. {step}" for i, step in enumerate(steps, 1))
    return "\n\n".join(
        (
            _("🪑 Team desk break at {time}: the seated chair stretch, {seconds} s a side.").format(
                time=local, seconds=hold
            ),
            numbered,
            _("⚕️ Talk to your doctor first, and stop if it hurts."),
        )
    )


def team_ready(seconds: int) -> str:
    return _(
        "🪑 Team desk break: sit at the edge of your chair, feet flat on the floor. The left "
        "leg starts in {seconds} s."
    ).format(seconds=seconds)


def team_hold(left_leg: bool, seconds: int) -> str:
    if left_leg:
        text = _("⏱ Left leg straight: {seconds} s left. Relax into it; stop if it hurts.")
    else:
        text = _("⏱ Right leg straight: {seconds} s left. Relax into it; stop if it hurts.")
    return text.format(seconds=seconds)


def team_switch(seconds: int) -> str:
    return _("↔️ Switch sides: the right leg starts in {seconds} s.").format(seconds=seconds)


def team_end(names: list[str], more: int, streak: int) -> str:
    total = len(names) + more
    if not total:
        return _("Nobody joined this break. See you at the next one! 🪑")
    done = ngettext(
        "🎉 {n} of you stretched: {names}.", "🎉 {n} of you stretched: {names}.", total
    ).format(n=total, names=_team_names(names, more))
    if streak:
        line = count(
            "🔥 Team streak: {n} workday with at least two of you.",
            "🔥 Team streak: {n} workdays in a row with at least two of you.",
            streak,
        )
    else:
        line = _("Two or more of you on a workday start a team streak.")
    return f"{done}\n{line}"


def team_privacy(breaks: int, people: int) -> str:
    return _(
        "What Limber keeps for this group: the team break's settings (time, weekdays, time "
        "zone, language) and, for each break, who pressed I'm in (Telegram id and first name): "
        "{breaks} breaks and {people} people so far. I don't read the group's messages. Whoever "
        "also uses Limber privately finds the breaks they joined in their own history. An admin "
        "erases all of this group's data with /deletedata."
    ).format(breaks=breaks, people=people)


def team_deleted() -> str:
    return _(
        "Erased: this group's team break, its past breaks and who joined them. "
        "/deskbreak 15:00 Berlin starts again."
    )
