"""The floor under a webhook worker: the same Telegram plumbing as `python -m bot`, no Limber.

`benchmarks/workers.py --floor` runs this in place of the bot. It is the same stack (PTB 22's
Application, bot/http.py's aiohttp requests, bot/webhook.py's Starlette app on uvicorn with its
guards) with handlers that make the same Bot API calls as a session's first steps and nothing
else: /stretch sends two messages (the note and a card with a Ready button); a press answers
the query, edits the card and sends the next step. No database, no session machine, no
rendering of texts. What it reaches is the most any bot on this stack can do on this machine.

Run by workers.py with the bot's environment (BOT_TOKEN, TELEGRAM_API_BASE_URL, PORT,
WEBHOOK_SECRET, WEBHOOK_URL); by floor_burst.py with `--polling` (long polling, as
`python -m bot` on SQLite), where only BOT_TOKEN and TELEGRAM_API_BASE_URL matter.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from bot import texts
from bot.http import AiohttpRequest
from bot.webhook import SECRET_HEADER, guarded_protocol, parse_update, read_body


async def stretch(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_chat is not None
    chat = update.effective_chat.id
    await context.bot.send_message(chat, "note")
    ready = InlineKeyboardButton(texts.BUTTON_READY, callback_data="s:1:1:ready")
    await context.bot.send_message(chat, "card", reply_markup=InlineKeyboardMarkup([[ready]]))


async def press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and query.message is not None
    await query.answer()
    chat, message_id = query.message.chat.id, query.message.message_id
    await context.bot.edit_message_text("card, done", chat_id=chat, message_id=message_id)
    await context.bot.send_message(chat, "hold: 30 s left")


async def main() -> None:
    app: Any = (
        Application.builder()
        .token(os.environ["BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_API_BASE_URL"])
        .request(AiohttpRequest())
        .get_updates_request(AiohttpRequest(connection_pool_size=2))
        .concurrent_updates(4096)  # as bot/app.py's UPDATE_SLOTS
        .build()
    )
    app.add_handler(CommandHandler("stretch", stretch))
    app.add_handler(CallbackQueryHandler(press))
    if "--polling" in sys.argv:
        async with app:
            await app.start()
            await app.updater.start_polling(poll_interval=0.0, timeout=10)
            await asyncio.Event().wait()  # until killed
        return
    secret = os.environ["WEBHOOK_SECRET"]

    async def receive(request: Request) -> Response:
        if request.headers.get(SECRET_HEADER, "") != secret:
            return PlainTextResponse("forbidden", status_code=403)
        body = await read_body(request)
        if isinstance(body, Response):
            return body
        await app.update_queue.put(parse_update(body, app))
        return Response(status_code=200)

    async def health(request: Request) -> Response:
        return PlainTextResponse("ok")

    asgi = Starlette(
        routes=[Route("/telegram", receive, methods=["POST"]), Route("/healthz", health)]
    )
    config = uvicorn.Config(
        asgi,
        host="127.0.0.1",
        port=int(os.environ["PORT"]),
        log_level="warning",
        http=guarded_protocol(1000),
    )
    async with app:
        await app.start()
        await uvicorn.Server(config).serve()
        await app.stop()


if __name__ == "__main__":
    asyncio.run(main())
