"""What a feature's handlers need to say where they listen: the kinds of chat.

Each handler module lists its own handlers (`def handlers(chats: Chats) -> Handlers`) next to
the functions they call, and bot/app.py collects the lists: a new command or button is added
in its feature's module, not in a central table. Only the catch-alls (an unknown button or
command, free text, a shared location), which must come last, stay in app.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, filters

Handlers = list[BaseHandler[Update, Any, Any]]


@dataclass(frozen=True, slots=True)
class Chats:
    # New messages only: an edited command must not run again (should edits ever be fetched).
    private: filters.BaseFilter
    groups: filters.BaseFilter
    operators: filters.BaseFilter  # ADMIN_IDS (bot/handlers/admin.py), in a private chat


def chats(admin_ids: frozenset[int] | set[int]) -> Chats:
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    return Chats(
        private=private,
        groups=filters.ChatType.GROUPS & filters.UpdateType.MESSAGE,
        operators=private & filters.User(user_id=admin_ids),
    )
