"""Webhook mode over real HTTP: the secret header, malformed bodies, /healthz and /metrics."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
import uvicorn
from pydantic import SecretStr

from bot import texts, webhook_reply
from bot.app import build_application, start_app, stop_app
from bot.config import Settings
from bot.sandbox.emulator import BotApiEmulator
from bot.services import KEY, Services
from bot.store.db import upgrade_async
from bot.webhook import SECRET_HEADER, build_asgi, server_config
from tests.harness import QUICK_ROUTINES, next_message, post_update

SECRET = "s3cret_token-OK"
USER = 4001


@pytest.fixture
async def server(emu: BotApiEmulator, sqlite_url: str) -> AsyncIterator[tuple[str, Services]]:
    await upgrade_async(sqlite_url)
    settings = Settings(
        bot_token=SecretStr(emu.token),
        database_url=sqlite_url,
        routines_path=QUICK_ROUTINES,
        telegram_api_base_url=emu.base_url,
        webhook_url="https://limber.example/telegram",
        webhook_secret=SecretStr(SECRET),
        nudge_tick_seconds=3600,
    )
    app = build_application(settings)
    await start_app(app)
    config = server_config(build_asgi(app, settings), 64, host="127.0.0.1", port=0)
    web = uvicorn.Server(config)
    task = asyncio.create_task(web.serve())
    while not web.started:
        await asyncio.sleep(0.02)
    port = web.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", app.bot_data[KEY]
    finally:
        web.should_exit = True
        await task
        await stop_app(app)


def update(text: str, update_id: int = 1) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_700_000_000,
            "chat": {"id": USER, "type": "private", "first_name": "Wes"},
            "from": {"id": USER, "is_bot": False, "first_name": "Wes"},
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
        },
    }


async def test_only_requests_with_the_secret_are_processed(
    emu: BotApiEmulator, server: tuple[str, Services]
) -> None:
    base, svc = server
    async with httpx.AsyncClient(base_url=base) as client:
        refused = await client.post("/telegram", json=update("/start"))
        wrong = await client.post(
            "/telegram", json=update("/start"), headers={SECRET_HEADER: "nope"}
        )
        assert refused.status_code == 403 and wrong.status_code == 403
        await asyncio.sleep(0.3)
        assert emu.messages(USER) == [] and await svc.store.get_user(USER) is None

        ok = await client.post("/telegram", json=update("/start"), headers={SECRET_HEADER: SECRET})
        assert ok.status_code == 200
    hello = await next_message(emu, USER, 0)
    assert "Hi Wes" in hello.text


@pytest.mark.parametrize("body", [b"{not json", b"[]", b'{"no_update_id": 1}', b""])
async def test_a_malformed_body_gets_400(server: tuple[str, Services], body: bytes) -> None:
    base, _ = server
    async with httpx.AsyncClient(base_url=base) as client:
        response = await client.post("/telegram", content=body, headers={SECRET_HEADER: SECRET})
    assert response.status_code == 400


async def test_healthz_in_both_states(server: tuple[str, Services]) -> None:
    base, svc = server
    await svc.dispatcher.tick()
    async with httpx.AsyncClient(base_url=base) as client:
        healthy = await client.get("/healthz")
        assert healthy.status_code == 200 and healthy.text == "ok"
        assert svc.dispatcher.last_tick_at is not None
        svc.dispatcher.last_tick_at -= timedelta(days=1)  # the tick stopped running
        sick = await client.get("/healthz")
    assert sick.status_code == 503 and "nudge tick" in sick.text


async def test_metrics_count_updates_and_nudges(
    emu: BotApiEmulator, server: tuple[str, Services]
) -> None:
    base, _ = server

    def value(text: str, name: str) -> float:
        for line in text.splitlines():
            if line.startswith(name + " ") or line.startswith(name + "{"):
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    async with httpx.AsyncClient(base_url=base) as client:
        before = (await client.get("/metrics")).text
        await client.post(
            "/telegram",
            content=json.dumps(update("/help", 7)),
            headers={SECRET_HEADER: SECRET, "content-type": "application/json"},
        )
        await next_message(emu, USER, 0)
        after = (await client.get("/metrics")).text
    name = "limber_updates_handled_total"
    assert value(after, name) == value(before, name) + 1
    assert "limber_active_sessions" in after and "limber_nudge_tick_seconds" in after


def updates_handled(text: str) -> float:
    for line in text.splitlines():
        if line.startswith("limber_updates_handled_total "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


NESTED = b'{"update_id": 5, "message": ' + b'{"a": ' * 100_000 + b"1" + b"}" * 100_001
NO_SENDER = json.dumps(
    {
        "update_id": 6,
        "callback_query": {"id": "77", "chat_instance": "1", "data": "s:1:pause"},
    }
).encode()


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(NESTED, id="deeply-nested"),
        pytest.param(b'{"update_id": 5, "message": "x"}', id="message-is-a-string"),
        pytest.param(NO_SENDER, id="callback-without-from"),
        pytest.param(
            b'{"update_id": 5, "message": {"message_id": 1, "date": 1, "chat": "x"}}',
            id="chat-is-a-string",
        ),
    ],
)
@pytest.mark.slow  # 1.6 s here (--durations)
async def test_a_signed_but_malformed_update_gets_400_is_logged_once_and_reaches_no_handler(
    emu: BotApiEmulator,
    server: tuple[str, Services],
    body: bytes,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Before: 500 for the first two (RecursionError, AttributeError), and the callback
    without a sender reached the handlers, which raised."""
    base, _ = server
    async with httpx.AsyncClient(base_url=base) as client:
        before = updates_handled((await client.get("/metrics")).text)
        response = await client.post("/telegram", content=body, headers={SECRET_HEADER: SECRET})
        assert response.status_code == 400
        await emu.settled(quiet=0.3)
        after = updates_handled((await client.get("/metrics")).text)
    assert after == before  # no handler saw it
    refusals = [r for r in caplog.records if "malformed update" in r.getMessage()]
    assert len(refusals) == 1
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    assert not [c for c in emu.calls if c.method in ("sendMessage", "answerCallbackQuery")]


async def raw_request(
    base: str, head: str, body: bytes = b""
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Send a request by hand (headers, then only as much body as given); the writer is
    returned so the connection stays open (a collected writer closes it)."""
    host, port = base.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(head.encode() + b"\r\n" + body)
    await writer.drain()
    return reader, writer


async def test_a_body_over_the_limit_is_refused_by_its_length_before_it_is_read(
    server: tuple[str, Services],
) -> None:
    """Before: the server read all 10 MB (the client here never sends them) before refusing."""
    base, _ = server
    head = (
        "POST /telegram HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"{SECRET_HEADER}: {SECRET}\r\nContent-Length: 10000000\r\n"
    )
    reader, _writer = await raw_request(base, head)
    status = await asyncio.wait_for(reader.readline(), 2)
    assert status.startswith(b"HTTP/1.1 413")


async def test_a_streamed_body_is_refused_as_soon_as_it_passes_the_limit(
    server: tuple[str, Services],
) -> None:
    """Chunked, with no length: refused once 1 MB has arrived, not at the end of the body."""
    base, _ = server
    head = (
        "POST /telegram HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"{SECRET_HEADER}: {SECRET}\r\nTransfer-Encoding: chunked\r\n"
    )
    chunk = b"%x\r\n" % 65536 + b" " * 65536 + b"\r\n"
    # 1.3 MB and no last chunk: the body is unfinished
    reader, _writer = await raw_request(base, head, chunk * 20)
    status = await asyncio.wait_for(reader.readline(), 2)
    assert status.startswith(b"HTTP/1.1 413")


async def test_a_body_that_trickles_in_gets_408(
    server: tuple[str, Services], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.webhook.BODY_SECONDS", 0.5)
    base, _ = server
    head = (
        "POST /telegram HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"{SECRET_HEADER}: {SECRET}\r\nContent-Length: 100\r\n"
    )
    reader, _writer = await raw_request(base, head, b'{"update_id"')  # and then nothing more
    status = await asyncio.wait_for(reader.readline(), 3)
    assert status.startswith(b"HTTP/1.1 408")


async def test_a_press_is_answered_in_the_webhook_response(
    emu: BotApiEmulator, server: tuple[str, Services]
) -> None:
    """The spinner stops with the response to the press itself (bot/webhook_reply.py): the
    answer is a Bot API call in the body, checked by the stand-in like any request, and no
    answerCallbackQuery request follows."""
    base, _ = server
    async with httpx.AsyncClient(base_url=base) as client:
        await post_update(client, emu, f"{base}/telegram", update("/stretch single"), SECRET)
        card = await emu.wait_for_message(USER, "Stretch 1 of 1")
        press = emu.press(USER, card.message_id, text=texts.BUTTON_READY)
        response = await post_update(client, emu, f"{base}/telegram", press, SECRET)
    assert response.status_code == 200
    body = response.json()
    assert body["method"] == "answerCallbackQuery"
    assert body["callback_query_id"] == press["callback_query"]["id"]
    await emu.wait_for(lambda: any(m.text.startswith("⏱") for m in emu.messages(USER)))
    answers = [c for c in emu.calls if c.method == "answerCallbackQuery"]
    assert len(answers) == 1 and answers[0].status == 200
    assert emu.violations == []


async def test_an_answer_too_slow_for_the_response_goes_out_on_its_own(
    emu: BotApiEmulator, server: tuple[str, Services], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A press whose answer is not ready within the wait gets an empty 200 (Telegram's
    connection is not held), and the answer still reaches the person, as a request."""
    base, svc = server
    monkeypatch.setattr(webhook_reply, "WAIT_SECONDS", 0.05)
    real_press = svc.coach.press

    async def slow_press(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(0.3)  # the database, say, slow to answer
        return await real_press(*args, **kwargs)

    monkeypatch.setattr(svc.coach, "press", slow_press)
    async with httpx.AsyncClient(base_url=base) as client:
        await post_update(client, emu, f"{base}/telegram", update("/stretch single"), SECRET)
        card = await emu.wait_for_message(USER, "Stretch 1 of 1")
        press = emu.press(USER, card.message_id, text=texts.BUTTON_READY)
        response = await post_update(client, emu, f"{base}/telegram", press, SECRET)
    assert response.status_code == 200 and response.content == b""
    await emu.wait_for(
        lambda: any(c.method == "answerCallbackQuery" for c in emu.calls), timeout=5
    )
    answers = [c for c in emu.calls if c.method == "answerCallbackQuery"]
    assert [a.params["callback_query_id"] for a in answers] == [press["callback_query"]["id"]]


async def test_a_press_on_another_button_is_not_held_for_its_answer(
    emu: BotApiEmulator, server: tuple[str, Services]
) -> None:
    """Only session buttons ride their answer on the response: other buttons edit their
    message first (which may wait at the rate limiter), so their response goes back at once
    and the answer follows as a request of its own."""
    base, _ = server
    async with httpx.AsyncClient(base_url=base) as client:
        await post_update(client, emu, f"{base}/telegram", update("/stretch single"), SECRET)
        card = await emu.wait_for_message(USER, "Stretch 1 of 1")
        press = emu.press(USER, card.message_id, data="r:nosuch")
        response = await post_update(client, emu, f"{base}/telegram", press, SECRET)
    assert response.status_code == 200 and response.content == b""
    await emu.wait_for(lambda: any(c.method == "answerCallbackQuery" for c in emu.calls))
