"""The chat's menu button: the player, when PUBLIC_URL is set."""

from __future__ import annotations

import logging

from telegram import Bot, MenuButtonWebApp, WebAppInfo
from telegram.error import TelegramError

from bot import i18n, texts
from bot.player.address import player_url

log = logging.getLogger(__name__)


async def set_menu_button(bot: Bot, public_url: str | None) -> None:
    """Every private chat's menu button (one call without chat_id: the bot's default). Without
    PUBLIC_URL nothing is sent, so the bot starts as before (README: how to take the button
    away again). A refusal is logged: the chat works without it."""
    if not public_url:
        return
    with i18n.using(i18n.SOURCE):  # one button for every chat: its label is in English
        label = texts.player_button()
    try:
        await bot.set_chat_menu_button(
            menu_button=MenuButtonWebApp(label, WebAppInfo(player_url(public_url)))
        )
    except TelegramError as exc:
        log.warning("menu button not set: %s", exc)
