"""The HTTP layer's "may have arrived" rule, against the real stand-in over a real socket.

A nudge goes out at most once, so after a failed send the bot must know whether Telegram may
already have it: a connection never made (`NotSent`) or an error Telegram answered itself
(5xx, 429) is safe to retry; a read timeout (`TimedOut`) or a connection dropped after the
request went out (`MaybeDelivered`) is not. Each case here is produced for real, by the
stand-in's fault injection or by a port nobody listens on, and goes through PTB's Bot and our
AiohttpRequest exactly as in production.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.error import NetworkError, RetryAfter, TelegramError, TimedOut

from bot.http import AiohttpRequest, MaybeDelivered, NotSent, may_have_arrived
from bot.sandbox.emulator import BotApiEmulator

ANN = 5001
# Short enough that a hung request costs a test a fifth of a second, long enough that the
# loopback stand-in answers well inside it even on a busy machine.
READ_TIMEOUT = 0.2


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    emu.send_text(ANN, "hi")  # Ann's chat exists
    request = AiohttpRequest(read_timeout=READ_TIMEOUT, connect_timeout=1.0)
    async with Bot(emu.token, base_url=emu.base_url, request=request) as ready:
        yield ready


def send_attempts(emu: BotApiEmulator) -> list[int]:
    """The status of every sendMessage the stand-in received (0: never answered)."""
    return [c.status for c in emu.calls if c.method == "sendMessage"]


async def failure(bot: Bot, text: str = "Time to stretch") -> TelegramError:
    with pytest.raises(TelegramError) as caught:
        await bot.send_message(ANN, text)
    return caught.value


async def test_a_send_that_works_is_in_the_chat(emu: BotApiEmulator, bot: Bot) -> None:
    await bot.send_message(ANN, "Time to stretch")
    assert [m.text for m in emu.messages(ANN) if m.from_bot] == ["Time to stretch"]


async def test_a_refused_connection_certainly_did_not_arrive() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nobody listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = AiohttpRequest(connect_timeout=1.0)
    await request.initialize()
    try:
        with pytest.raises(TelegramError) as caught:
            await request.post(f"http://127.0.0.1:{port}/botTOKEN/sendMessage")
    finally:
        await request.shutdown()
    assert isinstance(caught.value, NotSent)
    assert isinstance(caught.value, NetworkError)  # callers that only know PTB retry it
    assert not may_have_arrived(caught.value)


@pytest.mark.parametrize("code", [500, 502])
async def test_a_server_error_was_answered_not_acted_on(
    emu: BotApiEmulator, bot: Bot, code: int
) -> None:
    emu.fail_next("sendMessage", error_code=code, description="Internal Server Error")
    error = await failure(bot)
    assert isinstance(error, NetworkError)
    assert not may_have_arrived(error)
    assert send_attempts(emu) == [code]
    assert not [m for m in emu.messages(ANN) if m.from_bot]  # nothing reached the chat


async def test_flood_control_was_answered_not_acted_on(emu: BotApiEmulator, bot: Bot) -> None:
    emu.fail_next("sendMessage", error_code=429, description="Too Many Requests", retry_after=3)
    error = await failure(bot)
    assert isinstance(error, RetryAfter)
    assert not may_have_arrived(error)


async def test_a_read_timeout_may_have_arrived(emu: BotApiEmulator, bot: Bot) -> None:
    """The request reached the server, which did not answer in time: from the bot's side it
    may well have been delivered."""
    emu.hang_next("sendMessage", seconds=0.4)
    error = await failure(bot)
    assert isinstance(error, TimedOut)
    assert may_have_arrived(error)
    assert send_attempts(emu) == [0]  # it did get there
    # The pool is not poisoned: the next send goes through.
    await bot.send_message(ANN, "Still here")
    assert [m.text for m in emu.messages(ANN) if m.from_bot] == ["Still here"]


async def test_a_timeout_can_be_shortened_per_call(emu: BotApiEmulator) -> None:
    emu.send_text(ANN, "hi")
    request = AiohttpRequest(read_timeout=30.0)  # the default would wait out the hang
    async with Bot(emu.token, base_url=emu.base_url, request=request) as bot:
        emu.hang_next("sendMessage", seconds=0.4)
        with pytest.raises(TimedOut):
            await bot.send_message(ANN, "Time to stretch", read_timeout=READ_TIMEOUT)


async def test_a_connection_dropped_after_sending_may_have_arrived(
    emu: BotApiEmulator, bot: Bot
) -> None:
    emu.reset_next("sendMessage")
    error = await failure(bot)
    assert isinstance(error, MaybeDelivered)
    assert may_have_arrived(error)
    assert send_attempts(emu) == [0]  # the request went out before the connection broke
    await bot.send_message(ANN, "Still here")
    assert send_attempts(emu) == [0, 200]
