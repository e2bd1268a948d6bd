"""Group chats (issue 25): the bot added or removed, the group upgraded, /deskbreak, /privacy,
/deletedata and /help in a group, and the team break's buttons.

In a group the bot reads only what privacy mode lets through (commands, presses, its own
membership and service messages), and answers only commands: its words there are in the
group's language (of the admin who set the break), else the sender's.
"""

from __future__ import annotations

import logging
from datetime import datetime, time

from telegram import Chat, ChatMemberUpdated, Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import i18n, texts
from bot.context import LimberContext
from bot.domain import team
from bot.domain.schedule import WORKDAYS, zone_info
from bot.handlers.press import read_press
from bot.handlers.registry import Chats, Handlers
from bot.keyboards.team import TeamPress
from bot.places.labels import zone_label
from bot.places.zones import resolve_zone
from bot.store.teams import GroupRecord, Joined

log = logging.getLogger(__name__)
_ADMINS = (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)
_IN = (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.RESTRICTED)
_OUT = (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED)
_NOTED = "noted_private_only"
# Commands of one's own (bot/app.py registers them for private chats only).
PRIVATE_COMMANDS = (
    "stretch",
    "routines",
    "timezone",
    "morning",
    "bedtime",
    "settings",
    "pause",
    "resume",
    "stop",
    "stats",
    "export",
    "reach",
    "language",
    "admin",
)


async def membership(update: Update, context: LimberContext) -> None:
    """The bot's own membership changed: added (introduces itself, once), or removed or the
    group deleted (the schedule stops)."""
    change: ChatMemberUpdated | None = update.my_chat_member
    if change is None or change.chat.type not in (Chat.GROUP, Chat.SUPERGROUP):
        return
    teams = context.services.teams
    status = change.new_chat_member.status
    if status in _OUT:
        await teams.gone(change.chat.id)
        return
    if status not in _IN or change.old_chat_member.status in _IN:
        return  # e.g. made an admin: nothing new to say
    if await teams.joined(change.chat.id, i18n.current()):
        await _say(context, change.chat.id, texts.team_intro())


async def migrated(update: Update, context: LimberContext) -> None:
    """The group became a supergroup: its break follows to the new chat id. Telegram sends
    a service message in each chat; whichever comes first moves it."""
    message = update.effective_message
    if message is None:
        return
    teams = context.services.teams
    if message.migrate_to_chat_id:
        await teams.moved(message.chat.id, message.migrate_to_chat_id)
    elif message.migrate_from_chat_id:
        await teams.moved(message.migrate_from_chat_id, message.chat.id)


async def deskbreak_command(update: Update, context: LimberContext) -> None:
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    svc = context.services
    request = team.parse_deskbreak(list(context.args or []))
    group = await svc.teams.group(chat.id)
    if request.ask is team.Ask.SHOW:
        with i18n.using(group.language if group else i18n.current()):
            await message.reply_text(_schedule_text(group, svc.clock.now()))
        return
    if not await _is_admin(update, context):
        with i18n.using(group.language if group else i18n.current()):
            await message.reply_text(texts.team_only_admins())
        return
    if request.ask is team.Ask.BAD:
        await message.reply_text(texts.team_bad_request())
        return
    await _change(update, context, request, group)


async def _change(
    update: Update,
    context: LimberContext,
    request: team.DeskbreakRequest,
    group: GroupRecord | None,
) -> None:
    """An admin's change, in their language, which becomes the group's."""
    svc = context.services
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    assert message is not None and chat is not None
    language = i18n.current()
    admin = user.id if user is not None else 0
    days = request.days or (group.days if group else WORKDAYS)
    zone = group.timezone if group else None
    if request.ask is team.Ask.OFF or request.at is None:
        await svc.teams.turn_off(chat.id, days=days, zone=zone, language=language, set_by=admin)
        await message.reply_text(texts.team_off())
        return
    if request.place:
        match = resolve_zone(request.place, language)
        if match is None:
            await message.reply_text(texts.team_unknown_place(request.place))
            return
        zone = match.zone
    if zone is None:
        await message.reply_text(texts.team_need_place())
        return
    saved = await svc.teams.set_break(
        chat.id, request.at, days=days, zone=zone, language=language, set_by=admin
    )
    await message.reply_text(_schedule_text(saved, svc.clock.now()))


def _schedule_text(group: GroupRecord | None, now: datetime) -> str:
    if group is None or group.local_time is None or group.next_break_at is None:
        return texts.team_not_set()
    zone = group.timezone or "UTC"
    local = group.next_break_at.astimezone(zone_info(zone))
    return texts.team_schedule(
        texts.clock(time.fromisoformat(group.local_time)),
        group.days,
        zone_label(zone, i18n.current()),
        texts.day_and_time(local),
    )


async def privacy_command(update: Update, context: LimberContext) -> None:
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    svc = context.services
    group = await svc.teams.group(chat.id)
    breaks, people = await svc.teams.counts(chat.id)
    with i18n.using(group.language if group else i18n.current()):
        await message.reply_text(texts.team_privacy(breaks, people))


async def deletedata_command(update: Update, context: LimberContext) -> None:
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    if not await _is_admin(update, context):
        await message.reply_text(texts.team_only_admins())
        return
    await context.services.teams.forget(chat.id)
    await message.reply_text(texts.team_deleted())


async def help_command(update: Update, context: LimberContext) -> None:
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    group = await context.services.teams.group(chat.id)
    with i18n.using(group.language if group else i18n.current()):
        await message.reply_text(texts.team_help())


async def private_only(update: Update, context: LimberContext) -> None:
    """/stretch, /stats and the other commands of one's own, typed in a group: said once per
    group, then quiet (a group is not the place to repeat it to everyone)."""
    message = update.effective_message
    if message is None or context.chat_data is None or context.chat_data.get(_NOTED):
        return
    context.chat_data[_NOTED] = True
    await message.reply_text(texts.team_private_only())


async def team_button(update: Update, context: LimberContext) -> None:
    """ "I'm in" / "Not today": answered to the one who pressed, in their language; the
    message shows the names at its next edit."""
    read = await read_press(update, TeamPress)
    if read is None:
        return
    query, press = read
    teams = context.services.teams
    who = query.from_user
    if press.joining:
        joined = await teams.join(press.break_id, who.id, who.first_name)
        answer = {
            Joined.IN: texts.team_you_are_in,
            Joined.ALREADY: texts.team_already_in,
            Joined.ENDED: texts.team_break_over,
        }[joined]()
    elif await teams.leave(press.break_id, who.id):
        answer = texts.team_you_are_out()
    else:
        answer = texts.team_break_over()
    await query.answer(answer)


async def _is_admin(update: Update, context: LimberContext) -> bool:
    """Asked of Telegram each time (getChatMember): admins change, and a change of the break
    is rare. An anonymous admin writes as the group itself."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None:
        return False
    if message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True
    if user is None:
        return False
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError as exc:
        log.info("group %s: admin check failed: %s", chat.id, exc)
        return False
    return member.status in _ADMINS


async def _say(context: LimberContext, chat_id: int, text: str) -> None:
    try:
        await context.bot.send_message(chat_id, text)
    except TelegramError as exc:
        # No right to send, or removed again at once: nothing to retry, nobody to tell.
        log.info("group %s: not said (%s)", chat_id, exc)


def handlers(chats: Chats) -> Handlers:
    """Group chats: the team desk break (every other command is for private chats only)."""
    groups = chats.groups
    return [
        ChatMemberHandler(membership, ChatMemberHandler.MY_CHAT_MEMBER),
        MessageHandler(filters.StatusUpdate.MIGRATE, migrated),
        CommandHandler("deskbreak", deskbreak_command, filters=groups),
        CommandHandler("privacy", privacy_command, filters=groups),
        CommandHandler("deletedata", deletedata_command, filters=groups),
        CommandHandler(["help", "start"], help_command, filters=groups),
        CommandHandler(PRIVATE_COMMANDS, private_only, filters=groups),
        CallbackQueryHandler(team_button, pattern=TeamPress.pattern),
    ]
