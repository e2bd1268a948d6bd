"""The session player's server side over plain HTTP: initData checked before anything is read,
a press in the page is a press in the chat, the chat's presses reach a waiting page, and the
settings refuse what the chat refuses."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import ANY

import httpx
import pytest
from pydantic import ValidationError

from bot import i18n, texts
from bot.config import Settings, checked_public_url
from bot.domain.session import Event, Status, apply, begin
from bot.player import page
from bot.player.initdata import Refused, sign, sign_for, verify
from bot.routines import load_routines
from bot.sandbox.emulator import BotApiEmulator
from bot.store.player import PageChange, Watch
from bot.store.repo import Store
from tests.harness import QUICK_ROUTINES, Harness, next_message
from tests.player.player_kit import (
    PUBLIC_URL,
    auth,
    player_client,
    player_harness,
    player_server,
    signed,
)

ANN = 2401
BOB = 2402
TOKEN = "123456:" + "A" * 30
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def bot_options() -> dict[str, Any]:
    """How this file's bot differs from the shared one (tests/conftest.py)."""
    return {"overrides": {"public_url": PUBLIC_URL}}


# initData ------------------------------------------------------------------------------------


def test_initdata_signed_by_the_token_names_its_user() -> None:
    data = sign_for(TOKEN, 42, "Ann", "de", NOW)
    user = verify(data, TOKEN, NOW + timedelta(hours=23))
    assert (user.id, user.first_name, user.language_code) == (42, "Ann", "de")


@pytest.mark.parametrize(
    "case",
    ["another bot", "other user", "expired", "future", "no hash", "twice", "empty", "no user"],
)
def test_initdata_forged_or_stale_is_refused(case: str) -> None:
    good = sign_for(TOKEN, 42, "Ann", "en", NOW)
    data = {
        "another bot": sign_for("654321:" + "B" * 30, 42, "Ann", "en", NOW),
        "other user": good.replace("%22id%22%3A42", "%22id%22%3A43"),
        "expired": sign_for(TOKEN, 42, "Ann", "en", NOW - timedelta(hours=24, seconds=1)),
        "future": sign_for(TOKEN, 42, "Ann", "en", NOW + timedelta(hours=1)),
        "no hash": good.split("&hash=")[0],
        "twice": good + "&auth_date=1",
        "empty": "",
        "no user": sign(TOKEN, {"auth_date": str(int(NOW.timestamp()))}),
    }[case]
    assert data != good
    with pytest.raises(Refused):
        verify(data, TOKEN, NOW)


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://limber.example.com/", True),
        ("http://127.0.0.1:8080", True),
        ("http://localhost:8080", True),
        ("http://limber.example.com", False),
        ("ftp://limber.example.com", False),
        ("https://limber.example.com/?x=1", False),
    ],
)
def test_public_url_is_https_or_loopback(url: str, ok: bool) -> None:
    if ok:
        assert checked_public_url(url) == url.rstrip("/")
        assert Settings(public_url=url).public_url == url.rstrip("/")
    else:
        with pytest.raises((ValueError, ValidationError)):
            Settings(public_url=url)


# The page ------------------------------------------------------------------------------------


async def test_the_page_is_light_and_talks_only_to_limber_and_telegram(bot: Harness) -> None:
    assert page.weight() < 150_000
    async with player_client(bot) as client:
        index = await client.get("/app/")
        assert index.status_code == 200
        assert "https://telegram.org/js/telegram-web-app.js" in index.text
        policy = index.headers["content-security-policy"]
        assert "connect-src 'self'" in policy and "script-src 'self' https://telegram.org" in policy
        assert (await client.get("/app/player.js")).status_code == 200
        assert (await client.get("/app/secret.py")).status_code == 404
        english = (await client.get("/app/words?lang=en")).json()
        russian = (await client.get("/app/words?lang=ru")).json()
    assert english.keys() == russian.keys()
    assert english["hold"] == "Hold" and russian["hold"] != "Hold"
    assert russian["button_hurt"] == "🤕 Больно"


async def test_without_public_url_there_is_no_player(emu: BotApiEmulator, sqlite_url: str) -> None:
    harness = Harness(emu, sqlite_url)
    await harness.start()
    try:
        async with player_client(harness) as client:
            assert (await client.get("/app/")).status_code == 404
        emu.send_text(ANN, "/stretch")
        card = await next_message(emu, ANN, 1)
        assert "web_app" not in json.dumps(card.reply_markup)
        assert not [c for c in emu.calls if c.method.lower() == "setchatmenubutton"]
    finally:
        await harness.stop()


async def test_the_card_and_the_menu_open_the_player(emu: BotApiEmulator, bot: Harness) -> None:
    menu = [c for c in emu.calls if c.method.lower() == "setchatmenubutton"]
    assert menu and f"{PUBLIC_URL}/app/" in json.dumps(menu[0].params)
    emu.send_text(ANN, "/stretch")
    card = await next_message(emu, ANN, 1)
    assert {"url": f"{PUBLIC_URL}/app/"} in [
        b.get("web_app") for row in (card.reply_markup or {})["inline_keyboard"] for b in row
    ]


# One session, two views ------------------------------------------------------------------------


async def _session_started(emu: BotApiEmulator, user_id: int = ANN) -> None:
    emu.send_text(user_id, "/stretch")
    await emu.wait_for(lambda: any("Stretch 1 of" in m.text for m in emu.messages(user_id)))


async def test_a_press_in_the_page_is_a_press_in_the_chat(
    emu: BotApiEmulator, bot: Harness
) -> None:
    await _session_started(emu)
    async with player_client(bot) as client:
        headers = auth(signed(bot, ANN))
        state = (await client.get("/app/api/state", headers=headers)).json()
        session = state["session"]
        assert session["phase"] == "intro" and session["status"] == "active"
        assert session["actions"] == ["ready", "pause", "skip", "stop", "hurt"]
        assert session["stretch"]["title"] == "Stretch 1 of 2: First stretch"
        pressed = await client.post(
            "/app/api/press",
            headers=headers,
            json={"session": session["id"], "version": session["version"], "action": "pause"},
        )
        assert pressed.status_code == 200
        assert pressed.json()["session"]["status"] == "paused"
        await emu.wait_for(lambda: "Paused" in str(getattr(emu.last_message(ANN), "text", "")))
        # The same stale press again: the chat's answer, and nothing changes.
        again = await client.post(
            "/app/api/press",
            headers=headers,
            json={"session": session["id"], "version": session["version"], "action": "pause"},
        )
        assert again.status_code == 409 and again.json()["note"] == texts.STALE_BUTTON
    record = await bot.services.store.get_session(session["id"])
    assert record is not None and record.state.status is Status.PAUSED


async def _page_waiting(
    client: httpx.AsyncClient, bot: Harness
) -> tuple[dict[str, Any], asyncio.Task[httpx.Response]]:
    """Ann's page as it opens: its first state, and its long-poll at that version, waiting."""
    headers = auth(signed(bot, ANN))
    state = (await client.get("/app/api/state", headers=headers)).json()
    known = {"wait": "1", "session": state["session"]["id"], "version": state["session"]["version"]}
    waiting = asyncio.create_task(client.get("/app/api/state", headers=headers, params=known))
    await asyncio.sleep(0.3)
    return state, waiting


async def test_a_press_in_the_chat_reaches_a_waiting_page(
    emu: BotApiEmulator, bot: Harness
) -> None:
    await _session_started(emu)
    async with player_client(bot) as client:
        _, waiting = await _page_waiting(client, bot)
        assert not waiting.done()
        card = next(m for m in emu.messages(ANN) if "Stretch 1 of" in m.text)
        pressed_at = time.monotonic()
        emu.press(ANN, card.message_id, text=texts.BUTTON_PAUSE)
        answer = await asyncio.wait_for(waiting, 3)
        assert time.monotonic() - pressed_at < 1.0
    assert answer.json()["session"]["status"] == "paused"


async def test_a_waiting_page_speaks_the_language_chosen_in_the_chat_meanwhile(
    emu: BotApiEmulator, bot: Harness
) -> None:
    await _session_started(emu)
    async with player_client(bot) as client:
        state, waiting = await _page_waiting(client, bot)
        assert state["language"] == "en"
        session = state["session"]
        assert await bot.services.store.set_language(ANN, "de", bot.services.clock.now())
        card = next(m for m in emu.messages(ANN) if "Stretch 1 of" in m.text)
        emu.press(ANN, card.message_id, text=texts.BUTTON_PAUSE)
        answer = (await asyncio.wait_for(waiting, 3)).json()
    # The page reloads its words in German, and the session's own words come in German.
    assert answer["language"] == "de"
    assert answer["session"]["status"] == "paused"
    paused = await bot.services.store.get_session(session["id"])
    assert paused is not None
    routine = bot.services.library.default
    with i18n.using("de"):
        german = texts.player_cue(routine, paused.state)
    assert answer["session"]["cue"] == german != texts.player_cue(routine, paused.state)


async def test_an_idle_page_sees_a_session_started_in_the_chat(
    emu: BotApiEmulator, bot: Harness
) -> None:
    async with player_client(bot) as client:
        headers = auth(signed(bot, ANN))
        assert (await client.get("/app/api/state", headers=headers)).json()["session"] is None
        waiting = asyncio.create_task(
            client.get("/app/api/state", headers=headers, params={"wait": "1"})
        )
        await asyncio.sleep(0.3)
        emu.send_text(ANN, "/stretch")
        answer = await asyncio.wait_for(waiting, 5)
    assert answer.json()["session"]["phase"] == "intro"


async def test_a_stopping_server_answers_its_waiting_pages_at_once(
    emu: BotApiEmulator, bot: Harness
) -> None:
    """A restart must not wait out every open page's long-poll (25 s; a platform kills the
    process 30 s after SIGTERM): each is answered as the server stops, and polls again."""
    await _session_started(emu)
    card = next(m for m in emu.messages(ANN) if "Stretch 1 of" in m.text)
    emu.press(ANN, card.message_id, text=texts.BUTTON_PAUSE)  # nothing moves while it waits
    await emu.wait_for(lambda: "Paused" in str(getattr(emu.last_message(ANN), "text", "")))
    headers = auth(signed(bot, ANN))
    async with httpx.AsyncClient() as client:
        async with player_server(bot) as url:
            state = f"{url}api/state"
            session = (await client.get(state, headers=headers)).json()["session"]
            known = {"wait": "1", "session": session["id"], "version": session["version"]}
            waiting = asyncio.create_task(client.get(state, headers=headers, params=known))
            await asyncio.sleep(0.3)
            assert not waiting.done()
            stopping = time.monotonic()
        stopped_in = time.monotonic() - stopping
        answer = await asyncio.wait_for(waiting, 1)
    assert stopped_in < 5, stopped_in
    assert answer.status_code == 200 and answer.json()["session"] == session | {"left": ANY}


@pytest.mark.parametrize("case", ["forged", "expired", "another bot", "missing", "other user"])
async def test_bad_initdata_gets_401_and_changes_nothing(
    emu: BotApiEmulator, bot: Harness, case: str
) -> None:
    await _session_started(emu)
    store = bot.services.store
    live = await store.live_session_of(ANN)
    assert live is not None
    good = signed(bot, ANN)
    init_data = {
        "forged": good.replace("hash=", "hash=0"),
        "expired": signed(bot, ANN, hours_ago=25),
        "another bot": signed(bot, ANN, token="654321:" + "B" * 30),
        "missing": "",
        # Bob's id put into Ann's signed initData: the signature no longer matches.
        "other user": good.replace(f"%22id%22%3A{ANN}", f"%22id%22%3A{BOB}"),
    }[case]
    messages = len(emu.messages(ANN))
    async with player_client(bot) as client:
        headers = auth(init_data) if init_data else {}
        press = {"session": live.id, "version": live.version, "action": "stop"}
        for response in (
            await client.get("/app/api/state", headers=headers),
            await client.post("/app/api/press", headers=headers, json=press),
            await client.get("/app/api/settings", headers=headers),
            await client.post(
                "/app/api/settings", headers=headers, json={"field": "hold", "value": 45}
            ),
            await client.get("/app/api/progress", headers=headers),
        ):
            assert response.status_code == 401
            assert "session" not in response.json()
    after = await store.live_session_of(ANN)
    assert after is not None and after.version == live.version
    assert (await store.get_user(ANN)).hold_seconds is None  # type: ignore[union-attr]
    assert len(emu.messages(ANN)) == messages


async def test_someone_elses_session_is_not_theirs_to_press(
    emu: BotApiEmulator, bot: Harness
) -> None:
    await _session_started(emu)
    live = await bot.services.store.live_session_of(ANN)
    assert live is not None
    async with player_client(bot) as client:
        bob = auth(signed(bot, BOB))
        press = {"session": live.id, "version": live.version, "action": "stop"}
        assert (await client.post("/app/api/press", headers=bob, json=press)).status_code == 403
        shown = await client.get("/app/api/state", headers=bob, params={"session": live.id})
        assert shown.json()["session"] is None  # Bob's page never shows Ann's session
    after = await bot.services.store.live_session_of(ANN)
    assert after is not None and after.version == live.version


async def test_each_user_is_rate_limited(emu: BotApiEmulator, bot: Harness) -> None:
    async with player_client(bot) as client:
        headers = auth(signed(bot, ANN))
        codes = [
            (await client.get("/app/api/state", headers=headers)).status_code for _ in range(30)
        ]
        other = await client.get("/app/api/state", headers=auth(signed(bot, BOB)))
    assert codes[:20] == [200] * 20 and 429 in codes[20:]
    assert other.status_code == 200


# The live channel's reads (bot/store/player.py) ----------------------------------------------


async def test_the_live_reads_agree_on_both_databases(store: Store) -> None:
    """PostgreSQL answers the page's read and the hub's tick with statements of its own
    (pg_hot.py: one round trip, two arrays); SQLite through SQLAlchemy: the same answers."""
    routine = load_routines(QUICK_ROUTINES).routines["single"]
    for user in (ANN, BOB):
        await store.upsert_user(user, user, "Ann", None, NOW)
    first, _ = await store.start_session(ANN, ANN, routine.id, begin(routine, NOW), NOW)
    assert await store.player_session(ANN, first.id) == first
    assert await store.player_session(ANN, None) == first
    assert await store.player_session(BOB, first.id) is None  # not Bob's, and he has none
    # A page's query string may name any number: past int4 it is no session, not an error.
    assert await store.player_session(ANN, 2**40) == first
    # A session started in the chat takes the page over; the one it names is still there.
    second, replaced = await store.start_session(ANN, ANN, routine.id, begin(routine, NOW), NOW)
    assert replaced is not None and replaced.id == first.id
    assert await store.player_session(ANN, first.id) == second
    bobs, _ = await store.start_session(BOB, BOB, routine.id, begin(routine, NOW), NOW)
    assert await store.set_language(BOB, "de", NOW)
    # The tick: only the pages whose session moved on, each with what it shows now and its
    # user's language; Bob's page is current, Ann's still shows the replaced session.
    anns_page, bobs_page = Watch(ANN, first.id, first.version), Watch(BOB, bobs.id, bobs.version)
    changes = await store.page_changes([anns_page, bobs_page])
    assert changes == {anns_page: PageChange(second, None)}
    # A page with no session sees the one started; a page on a session not its own sees
    # its user's live one; a page of someone with none stays as it is.
    nothing, not_his = Watch(ANN, None, 0), Watch(BOB, first.id, first.version)
    carl = Watch(2403, None, 0)
    changes = await store.page_changes([nothing, not_his, carl])
    assert changes == {
        nothing: PageChange(second, None),
        not_his: PageChange(dataclasses.replace(bobs, language="de"), "de"),
    }
    # Carl has no session: a page of his naming Ann's is never shown it, whatever it says.
    carl_on_anns = Watch(2403, first.id, replaced.version)
    assert await store.page_changes([carl_on_anns]) == {carl_on_anns: PageChange(None, None)}
    assert await store.page_changes([Watch(ANN, 2**40, 1)]) == {
        Watch(ANN, 2**40, 1): PageChange(second, None)
    }
    assert await store.page_changes([]) == {}
    # An ended session, named, still shows its ending.
    stopped = apply(second.state, Event.STOP, routine, NOW, switch_seconds=5).state
    ended = await store.transition(second, stopped, NOW, routine)
    assert ended is not None and ended.state.status is Status.STOPPED
    assert await store.player_session(ANN, second.id) == ended
    assert await store.player_session(ANN, None) is None
    # The page on the live session sees it end; the page with nothing still has nothing.
    on_live = Watch(ANN, second.id, second.version)
    assert await store.page_changes([on_live, nothing]) == {on_live: PageChange(ended, None)}
    # Erased: a page on a session gone shows nothing.
    await store.delete_user(BOB)
    assert await store.page_changes([bobs_page]) == {bobs_page: PageChange(None, None)}


@pytest.mark.postgres
async def test_on_postgresql_a_waiting_page_sees_the_chat_and_a_stale_one_answers_at_once(
    emu: BotApiEmulator, pg_url: str
) -> None:
    harness = player_harness(emu, pg_url)
    await harness.start()
    try:
        await _session_started(emu)
        async with player_client(harness) as client:
            headers = auth(signed(harness, ANN))
            session = (await client.get("/app/api/state", headers=headers)).json()["session"]
            known = {"wait": "1", "session": session["id"], "version": session["version"]}
            waiting = asyncio.create_task(
                client.get("/app/api/state", headers=headers, params=known)
            )
            await asyncio.sleep(0.3)
            assert not waiting.done()
            card = next(m for m in emu.messages(ANN) if "Stretch 1 of" in m.text)
            emu.press(ANN, card.message_id, text=texts.BUTTON_PAUSE)
            answer = (await asyncio.wait_for(waiting, 3)).json()["session"]
            assert answer["status"] == "paused" and answer["version"] > session["version"]
            # A page that polls with the version it had before: answered at once, not after
            # a tick, with the session as it is now.
            began = time.monotonic()
            stale = await client.get("/app/api/state", headers=headers, params=known)
            assert time.monotonic() - began < 0.2
            assert stale.json()["session"] == answer | {"left": ANY}
    finally:
        await harness.stop()


# Progress and settings ---------------------------------------------------------------------------


async def test_settings_go_through_the_chats_rules(emu: BotApiEmulator, bot: Harness) -> None:
    emu.send_text(ANN, "/start")
    await next_message(emu, ANN, 1)
    store = bot.services.store
    async with player_client(bot) as client:
        headers = auth(signed(bot, ANN))

        async def change(field: str, value: object) -> tuple[int, dict[str, object]]:
            answer = await client.post(
                "/app/api/settings", headers=headers, json={"field": field, "value": value}
            )
            return answer.status_code, answer.json()

        shown = (await client.get("/app/api/settings", headers=headers)).json()
        assert shown["hold"] == 30 and [h["value"] for h in shown["holds"]] == [20, 30, 45, 60]
        assert (await change("hold", 45))[0] == 200
        assert (await store.get_user(ANN)).hold_seconds == 45  # type: ignore[union-attr]
        assert (await change("hold", 46))[0] == 400
        assert await change("morning", "banana") == (400, {"error": texts.BAD_TIME})
        status, body = await change("morning", "6:45am")
        assert status == 200 and body["morning"] == "06:45"
        assert await change("timezone", "UTC+2") == (400, {"error": texts.OFFSET_ZONE})
        status, body = await change("timezone", "Berlin")
        assert status == 200 and (await store.get_user(ANN)).timezone == "Europe/Berlin"  # type: ignore[union-attr]
        assert (await change("pace", "sprint"))[0] == 400
        progress = (await client.get("/app/api/progress", headers=headers)).json()
        assert progress == {"text": texts.NO_HISTORY, "picture": False}
        status, body = await change("language", "ru")
        assert status == 200 and body["language"] == "ru"
        assert body["words"]["hold"] != "Hold"  # type: ignore[index]
