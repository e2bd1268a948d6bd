"""The bot's own context (bot/context.py): every handler and job gets a LimberContext, its
services are the app's, and the sender's row read for the language at the start of an update
(group -3) is what the handlers after it see: one context per update, never another's."""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import TypeHandler

from bot.context import LimberContext
from bot.sandbox.emulator import BotApiEmulator
from bot.store.repo import NO_ROW, NoRow, UserRecord
from tests.harness import Harness, next_message

ANN, BOB = 6101, 6102


async def test_an_update_carries_the_row_read_first_to_its_handlers(
    bot: Harness, emu: BotApiEmulator
) -> None:
    app = bot.app
    assert app is not None and app.context_types.context is LimberContext
    seen: list[tuple[int, LimberContext, UserRecord | None]] = []
    known: list[UserRecord | NoRow | None] = []

    async def spy(update: Update, context: LimberContext) -> None:
        assert update.effective_user is not None
        seen.append((update.effective_user.id, context, context.update_user))
        known.append(context.known_user)

    # After the feature handlers (group 0): what they saw is still on the context.
    app.add_handler(TypeHandler(Update, spy), group=1)
    emu.send_text(ANN, "/start")
    await next_message(emu, ANN, 0)
    await emu.wait_for(lambda: len(seen) == 1)
    _, first, row = seen[0]
    assert isinstance(first, LimberContext) and first.services is bot.services
    assert row is None  # not stored when the update came in (/start stored Ann)
    # Read and found missing, which the insert of a newcomer trusts (no second read).
    assert known[0] is NO_ROW

    for user, name, text in (
        (ANN, "Ann", "/help"),
        (BOB, "Bob", "/help"),
        (ANN, "Ann", "/routines"),
        (BOB, "Bob", "/routines"),
    ):
        emu.send_text(user, text, first_name=name)  # (a chat's repeats stop at the flood gate)
    await emu.wait_for(lambda: len(seen) == 5)
    assert len({id(context) for _, context, _ in seen}) == 5  # one context per update
    for user, _, row in seen[1:]:
        # Bob never sent /start: no row; Ann's row is hers, whichever update ran beside it.
        assert (row.id if row is not None else None) == (ANN if user == ANN else None)
    assert [k is NO_ROW for k in known[1:]] == [user == BOB for user, _, _ in seen[1:]]


async def test_a_job_gets_a_limber_context_too(bot: Harness) -> None:
    app = bot.app
    assert app is not None and app.job_queue is not None
    ran: asyncio.Future[LimberContext] = asyncio.get_running_loop().create_future()

    async def job(context: LimberContext) -> None:
        ran.set_result(context)

    app.job_queue.run_once(job, 0)
    context = await asyncio.wait_for(ran, 5)
    assert isinstance(context, LimberContext) and context.services is bot.services
    assert context.update_user is None
    assert context.known_user is None  # nothing was read: not "no row"
