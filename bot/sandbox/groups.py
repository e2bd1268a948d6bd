"""Group chats in the emulator: members and admins, the bot added or removed, a group upgraded
to a supergroup, a bot without the right to send, and Telegram's limit of about 20 messages
a minute per group. Mixed into BotApiEmulator (emulator.py), which calls the hooks below.
"""

from __future__ import annotations

import itertools
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

GROUP_WINDOW = 60.0
_member_dates = itertools.count(1_700_000_000)


class ApiError(Exception):
    """Telegram's answer to a request it refuses: raised by the group checks here and by the
    emulator (emulator.py), which answers the request with it."""

    def __init__(
        self,
        code: int,
        description: str,
        retry_after: int | None = None,
        migrate_to: int | None = None,
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after
        self.migrate_to = migrate_to


@dataclass
class Group:
    chat_id: int
    title: str
    kind: str  # "group" or "supergroup"
    # user id -> (first name, status: creator, administrator, member, left)
    members: dict[int, tuple[str, str]] = field(default_factory=dict)
    bot_status: str = "left"
    can_send: bool = True
    deleted: bool = False
    migrated_to: int | None = None


def _admin_rights() -> dict[str, Any]:
    return {
        "can_be_edited": False,
        "is_anonymous": False,
        "can_manage_chat": True,
        "can_delete_messages": True,
        "can_manage_video_chats": True,
        "can_restrict_members": True,
        "can_promote_members": False,
        "can_change_info": True,
        "can_invite_users": True,
        "can_post_stories": False,
        "can_edit_stories": False,
        "can_delete_stories": False,
    }


def _restricted(can_send: bool) -> dict[str, Any]:
    rights = (
        "can_send_messages",
        "can_send_audios",
        "can_send_documents",
        "can_send_photos",
        "can_send_videos",
        "can_send_video_notes",
        "can_send_voice_notes",
        "can_send_polls",
        "can_send_other_messages",
        "can_add_web_page_previews",
        "can_change_info",
        "can_invite_users",
        "can_pin_messages",
        "can_manage_topics",
    )
    body: dict[str, Any] = dict.fromkeys(rights, False)
    body["can_send_messages"] = can_send
    body.update(is_member=True, until_date=0)
    return body


class GroupChats:
    """The group half of the emulator. Needs from its host: `push_update`, `_user`,
    `bot_id`, `_new_id`, `_chats` and `BotMessage` storage (emulator.py)."""

    groups: dict[int, Group]
    _group_sent: dict[int, deque[float]]
    group_per_minute: float | None
    group_429s: int

    def _init_groups(self) -> None:
        self.groups = {}
        self._group_sent = {}
        self.group_per_minute = None
        self.group_429s = 0

    # Setting up ----------------------------------------------------------------------------------

    def add_group(
        self,
        chat_id: int,
        members: dict[int, str],
        *,
        admins: set[int] | None = None,
        title: str = "Team",
        kind: str = "group",
        added_by: int | None = None,
        bot_in: bool = False,
    ) -> Group:
        """A group of `members` (id -> first name); the first admin is its creator. With
        `added_by`, the bot is added by that member (a my_chat_member update); `bot_in`: it
        is there already (no update: a group set up before the bot started)."""
        admins = admins if admins is not None else {next(iter(members))}
        group = Group(chat_id, title, kind)
        for n, (user_id, name) in enumerate(members.items()):
            status = "member"
            if user_id in admins:
                status = "creator" if n == 0 or not group.members else "administrator"
            group.members[user_id] = (name, status)
        self.groups[chat_id] = group
        if bot_in:
            group.bot_status = "member"
        if added_by is not None:
            self.add_bot(chat_id, added_by)
        return group

    def add_bot(self, chat_id: int, by: int) -> dict[str, Any]:
        group = self.groups[chat_id]
        old, group.bot_status = group.bot_status, "member"
        return self._my_member_update(group, by, old, "member")

    def remove_bot(self, chat_id: int, by: int) -> dict[str, Any]:
        """An admin removes the bot: a my_chat_member update, then 403 for every send."""
        group = self.groups[chat_id]
        old, group.bot_status = group.bot_status, "kicked"
        return self._my_member_update(group, by, old, "kicked")

    def delete_group(self, chat_id: int) -> None:
        """The group deleted: no update comes; every send is answered 403."""
        self.groups[chat_id].deleted = True

    def forbid_sending(self, chat_id: int, by: int | None = None) -> None:
        """The bot is restricted: sends are refused (400), as Telegram does."""
        group = self.groups[chat_id]
        group.can_send = False
        if by is not None:
            self._my_member_update(group, by, group.bot_status, "restricted")
            group.bot_status = "restricted"

    def member_leaves(self, chat_id: int, user_id: int) -> dict[str, Any]:
        group = self.groups[chat_id]
        name, _ = group.members[user_id]
        group.members[user_id] = (name, "left")
        content = {"left_chat_member": self._user(user_id, name)}  # type: ignore[attr-defined]
        return self._group_message(group, user_id, content)

    def upgrade_group(self, chat_id: int, new_id: int) -> Group:
        """The group becomes a supergroup with a new id: a service message in each chat;
        the old id then answers 400 with migrate_to_chat_id."""
        old = self.groups[chat_id]
        new = Group(new_id, old.title, "supergroup", dict(old.members), old.bot_status)
        self.groups[new_id] = new
        old.migrated_to = new_id
        creator = next((u for u, (_, s) in old.members.items() if s == "creator"), None)
        sender = creator if creator is not None else next(iter(old.members))
        self._group_message(old, sender, {"migrate_to_chat_id": new_id})
        self._group_message(new, sender, {"migrate_from_chat_id": chat_id})
        return new

    def say_in_group(self, chat_id: int, user_id: int, text: str) -> dict[str, Any]:
        """A member writes in the group (a command gets its entity, as from Telegram)."""
        group = self.groups[chat_id]
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return self._group_message(group, user_id, content)

    # Hooks for the emulator ----------------------------------------------------------------------

    def group_chat_json(self, chat_id: int) -> dict[str, Any] | None:
        group = self.groups.get(chat_id)
        if group is None:
            return None
        return {"id": chat_id, "type": group.kind, "title": group.title}

    def check_group_send(self, method: str, chat_id: int) -> None:
        """Raises what Telegram answers a send or edit into a group the bot cannot use."""
        group = self.groups.get(chat_id)
        if group is None:
            return
        if group.deleted:
            raise ApiError(403, "Forbidden: the group chat was deleted")
        if group.bot_status in ("kicked", "left"):
            raise ApiError(403, "Forbidden: bot was kicked from the group chat")
        if group.migrated_to is not None:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                migrate_to=group.migrated_to,
            )
        if not group.can_send and method.startswith("send"):
            raise ApiError(400, "Bad Request: not enough rights to send text messages")

    def check_group_flood(self, chat_id: int) -> None:
        """About 20 messages a minute per group (edits counted too, to be safe): 429 past it."""
        if self.group_per_minute is None or chat_id not in self.groups:
            return
        now = time.monotonic()
        sent = self._group_sent.setdefault(chat_id, deque())
        while sent and now - sent[0] >= GROUP_WINDOW:
            sent.popleft()
        if len(sent) >= self.group_per_minute:
            self.group_429s += 1
            wait = max(1, int(GROUP_WINDOW - (now - sent[0])) + 1)
            raise ApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
        sent.append(now)

    def group_method(self, method: str, params: dict[str, Any]) -> Any:
        """getChatMember, getChatAdministrators, getChat for a known group; else None."""
        group = self.groups.get(_int(params.get("chat_id")))
        if group is None:
            return None
        if method == "getchatmember":
            user_id = _int(params.get("user_id"))
            if user_id == self.bot_id:  # type: ignore[attr-defined]
                return self._member_json(group, user_id, "Limber", group.bot_status)
            name, status = group.members.get(user_id, ("", "left"))
            return self._member_json(group, user_id, name, status)
        if method == "getchatadministrators":
            return [
                self._member_json(group, u, name, status)
                for u, (name, status) in group.members.items()
                if status in ("creator", "administrator")
            ]
        if method == "getchat":
            return {**self.group_chat_json(group.chat_id), "accent_color_id": 0}  # type: ignore[dict-item]
        return None

    # Internals -----------------------------------------------------------------------------------

    def _member_json(self, group: Group, user_id: int, name: str, status: str) -> dict[str, Any]:
        if user_id == self.bot_id:  # type: ignore[attr-defined]
            user = {
                "id": user_id,
                "is_bot": True,
                "first_name": "Limber",
                "username": "limber_test_bot",
            }
        else:
            user = self._user(user_id, name)  # type: ignore[attr-defined]
        body: dict[str, Any] = {"status": status, "user": user}
        if status == "creator":
            body["is_anonymous"] = False
        elif status == "administrator":
            body.update(_admin_rights())
        elif status == "restricted":
            body.update(_restricted(group.can_send))
        elif status == "kicked":
            body["until_date"] = 0
        return body

    def _my_member_update(self, group: Group, by: int, old: str, new: str) -> dict[str, Any]:
        name = group.members.get(by, ("Ann", "member"))[0]
        change = {
            "chat": self.group_chat_json(group.chat_id),
            "from": self._user(by, name),  # type: ignore[attr-defined]
            "date": int(time.time()),
            "old_chat_member": self._member_json(group, self.bot_id, "Limber", old),  # type: ignore[attr-defined]
            "new_chat_member": self._member_json(group, self.bot_id, "Limber", new),  # type: ignore[attr-defined]
        }
        return self.push_update({"my_chat_member": change})  # type: ignore[attr-defined,no-any-return]

    def _group_message(self, group: Group, user_id: int, content: dict[str, Any]) -> dict[str, Any]:
        name = group.members.get(user_id, ("Ann", "member"))[0]
        # The emulator keeps the message and writes the chat as this group (its _chat hook).
        message = self._user_message(  # type: ignore[attr-defined]
            user_id, group.chat_id, group.kind, name, "en", **content
        )
        return self.push_update({"message": message})  # type: ignore[attr-defined,no-any-return]


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
