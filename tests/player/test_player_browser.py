"""The player in a real browser (Debian's Chromium through Playwright): a whole session with
the clock injected on both sides (the bot's MovableClock, the page's page.clock), the ring
counting, each bell scheduled at its moment, the chat's ending; presses both ways; a forged
initData; the screenshots in docs/player/.

Skipped with the reason when Chromium or Playwright is missing, except under CI=true."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot import texts
from bot.clock import MovableClock
from bot.config import PROJECT_ROOT
from bot.sandbox.emulator import BotApiEmulator
from bot.sessions.coach import wake_in_language
from tests.harness import Harness
from tests.player.browser_kit import Page, browser, chromium_or_skip, open_player
from tests.player.player_kit import PUBLIC_URL, player_server, signed

pytestmark = pytest.mark.slow

ANN = 2411
T0 = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)
SHOTS = PROJECT_ROOT / "docs" / "player"
# The quick routine (tests/data/quick.toml) at normal pace: a 10 s get-ready, 10 s holds a
# side with a 5 s switch, then a 10 s get-ready and one 20 s hold.
START, END, SWITCH = 880, 659, 440


@pytest.fixture
def bot_options() -> dict[str, Any]:
    """How this file's bot differs from the shared one (tests/conftest.py)."""
    chromium_or_skip()
    return dict(clock=MovableClock(T0, frozen=True), overrides={"public_url": PUBLIC_URL})


async def _started(
    emu: BotApiEmulator, bot: Harness, user_id: int = ANN, command: str = "/stretch"
) -> int:
    def cards() -> int:
        return sum("Stretch 1 of" in m.text for m in emu.messages(user_id))

    before = cards()
    emu.send_text(user_id, command, language_code="en")
    await emu.wait_for(lambda: cards() > before)
    live = await bot.services.store.live_session_of(user_id)
    assert live is not None
    return live.id


async def _text(page: Page, selector: str) -> str:
    return str(await page.page.locator(selector).inner_text())


async def _expect(page: Page, selector: str, text: str, timeout: float = 3000) -> None:
    from playwright.async_api import expect

    await expect(page.page.locator(selector)).to_have_text(text, timeout=timeout)


class Lockstep:
    """Moves the bot's clock and the page's together, and wakes the session as its
    follow-up job would at that instant."""

    def __init__(self, bot: Harness, page: Page, session_id: int) -> None:
        self.bot, self.page, self.session_id = bot, page, session_id
        assert isinstance(bot.clock, MovableClock)
        self.clock = bot.clock

    async def run(self, seconds: int, *, wake: bool = True) -> None:
        self.clock.advance(timedelta(seconds=seconds))
        await self.page.page.clock.run_for(seconds * 1000)
        if wake:
            await wake_in_language(self.bot.services.coach, self.session_id)


def _bells(recorded: list[dict[str, Any]], origin: float) -> list[tuple[int, float]]:
    """(frequency, seconds after `origin`) of every bell's first partial not cancelled."""
    return sorted(
        (
            (round(b["freq"]), round(b["at"] - origin, 2))
            for b in recorded
            if not b["cancelled"] and round(b["freq"]) in (START, END, SWITCH)
        ),
        key=lambda bell: bell[1],
    )


async def test_a_whole_session_plays_in_the_page_as_in_the_chat(
    emu: BotApiEmulator, bot: Harness
) -> None:
    session_id = await _started(emu, bot)
    async with player_server(bot) as url, browser() as chrome:
        page = await open_player(
            chrome, url, signed(bot, ANN), user_id=ANN, clock_at_ms=T0.timestamp() * 1000
        )
        step = Lockstep(bot, page, session_id)
        await _expect(page, "#phase", "Get ready")
        await _expect(page, "#number", "10")
        origin = float(await page.js("performance.now() / 1000"))
        assert await _text(page, "#title") == "Stretch 1 of 2: First stretch"
        await step.run(3, wake=False)
        await _expect(page, "#number", "7")  # the ring counts by itself
        await step.run(7)
        await _expect(page, "#phase", "Hold")
        assert await _text(page, "#title") == "First stretch — left leg"
        await _expect(page, "#number", "10")
        await step.run(4, wake=False)
        await _expect(page, "#number", "6")
        await step.run(6)
        await _expect(page, "#phase", "Switch sides")
        await _expect(page, "#number", "5")
        await step.run(5)
        await _expect(page, "#phase", "Hold")
        await _expect(page, "#title", "First stretch — right leg")
        await step.run(10)
        await _expect(page, "#title", "Stretch 2 of 2: Second stretch")
        await _expect(page, "#phase", "Get ready")
        await step.run(10)
        await _expect(page, "#phase", "Hold")
        await _expect(page, "#number", "20")
        await step.run(20)
        await page.page.locator("body.done").wait_for(timeout=3000)
        ending = await _text(page, "#message")
        recorded = await page.js("window.__bells")
        bells = _bells(recorded, origin)
        spoken = [text for _, text in await page.js("window.__spoken")]
        touches = [name for name, _ in await page.js("window.__tg")]
        locks = await page.js("window.__locks")
        assert await page.page.locator("#actions button").count() == 0
        assert page.errors == []
    # Each hold's start and end at its moment (seconds after the card showed), and the soft
    # switch bell a second into the switch.
    assert bells == [
        (START, 10.0),
        (END, 20.0),
        (SWITCH, 21.0),
        (START, 25.0),
        (END, 35.0),
        (START, 45.0),
        (END, 65.0),
    ]
    assert "Hold: First stretch — left leg. Breathe slowly." in spoken
    assert "Switch sides: now the right leg." in spoken
    assert spoken[-1] == "Done. Nice work."
    assert {"ready", "expand", "impact", "notification"} <= set(touches)
    assert locks[0] == "screen" and locks[-1] == "released"  # held while it ran, then let go
    # The chat shows the same ending.
    final = next(m for m in reversed(emu.messages(ANN)) if "🎉" in m.text)
    assert ending.splitlines()[0] in final.text
    assert ending.startswith("🎉 Done! Quick test: 2 stretches")


async def test_presses_go_both_ways_within_a_second(emu: BotApiEmulator, bot: Harness) -> None:
    session_id = await _started(emu, bot)
    async with player_server(bot) as url, browser() as chrome:
        page = await open_player(chrome, url, signed(bot, ANN), user_id=ANN)
        await _expect(page, "#phase", "Get ready")
        card = next(m for m in emu.messages(ANN) if "Stretch 1 of" in m.text)
        emu.press(ANN, card.message_id, text=texts.BUTTON_PAUSE)  # the chat's button
        await _expect(page, "#phase", "Paused", timeout=1000)
        await _expect(page, "#actions button >> nth=0", texts.BUTTON_RESUME, timeout=1000)
        await page.page.click("button[data-action=resume]")  # the page's button
        await emu.wait_for(
            lambda: texts.BUTTON_PAUSE in str(emu.last_message(ANN).reply_markup),  # type: ignore[union-attr]
            timeout=1.0,
        )
        await _expect(page, "#phase", "Get ready", timeout=1000)
        await page.page.click("button[data-action=stop]")
        await emu.wait_for(
            lambda: "Session stopped" in emu.last_message(ANN).text,  # type: ignore[union-attr]
            timeout=1.0,
        )
        await page.page.locator("body.stopped").wait_for(timeout=3000)
        assert "Session stopped" in await _text(page, "#message")
        assert page.errors == []
    record = await bot.services.store.get_session(session_id)
    assert record is not None and not record.state.live


async def test_an_answer_that_arrives_late_does_not_take_the_page_back(
    emu: BotApiEmulator, bot: Harness
) -> None:
    """A long-poll's answer and a press's answer may cross on the way: the older must not
    redraw the page (it showed a live step again, a moment after the session had moved on)."""
    await _started(emu, bot)
    async with player_server(bot) as url, browser() as chrome:
        page = await open_player(chrome, url, signed(bot, ANN), user_id=ANN)
        await _expect(page, "#phase", "Get ready")
        card = next(m for m in emu.messages(ANN) if "Stretch 1 of" in m.text)
        # From here on every long-poll's answer is held back until released.
        answers: asyncio.Queue[object] = asyncio.Queue()
        release = asyncio.Event()

        async def held(route: Any) -> None:
            if release.is_set():
                await route.continue_()
                return
            response = await route.fetch()
            await answers.put(response)
            await release.wait()
            await route.fulfill(response=response)

        await page.page.route(lambda u: "/app/api/state" in u and "wait=1" in u, held)
        emu.press(ANN, card.message_id, text=texts.BUTTON_PAUSE)  # v2: the waiting poll sees it
        await _expect(page, "#phase", "Paused", timeout=2000)
        emu.press(ANN, card.message_id, text=texts.BUTTON_RESUME)  # v3: held on its way
        await asyncio.wait_for(answers.get(), 3)
        emu.press(ANN, card.message_id, text=texts.BUTTON_PAUSE)  # v4
        await page.js(
            "window.seen = []; new MutationObserver(() => seen.push(document.body.className))"
            ".observe(document.body, {attributes: true, attributeFilter: ['class']})"
        )
        # The page still shows v2; its Resume is refused and answered with v4 (paused).
        await page.page.click("button[data-action=resume]")
        await page.page.wait_for_function("() => seen.length > 0")
        release.set()  # v3 (resumed) arrives now, after v4
        await asyncio.sleep(0.5)  # the page would show v3, then poll and come back to v4
        seen = await page.js("window.seen")
        assert seen and all(c.startswith("paused") for c in seen), seen
        # The refused press is the one error the console shows.
        assert [e for e in page.errors if "409 (Conflict)" not in e] == []


async def test_a_forged_initdata_shows_open_this_from_telegram(
    emu: BotApiEmulator, bot: Harness
) -> None:
    await _started(emu, bot)
    forged = signed(bot, ANN, token="654321:" + "B" * 30)
    async with player_server(bot) as url, browser() as chrome:
        page = await open_player(chrome, url, forged, user_id=ANN, language="ru")
        await page.page.wait_for_selector("#gate:not([hidden])")
        assert (await _text(page, "#gate")).startswith("Открой это из Telegram")
        assert await page.page.locator("#actions button").count() == 0
        paint = await page.js(
            "performance.getEntriesByName('first-contentful-paint').map(e => e.startTime)"
        )
        # 401s are expected console errors here ("Failed to load resource"), nothing else.
        assert [e for e in page.errors if "401" not in e] == []
    assert paint and paint[0] < 1000  # first paint under a second on loopback
    live = await bot.services.store.live_session_of(ANN)
    assert live is not None and live.version == 1


@pytest.mark.skipif(
    os.environ.get("LIMBER_SCREENSHOTS") != "1", reason="LIMBER_SCREENSHOTS=1 redraws docs/player"
)
async def test_screenshots_for_the_docs(emu: BotApiEmulator, sqlite_url: str) -> None:
    chromium_or_skip()
    clock = MovableClock(T0, frozen=True)
    bot = Harness(
        emu,
        sqlite_url,
        routines=PROJECT_ROOT / "routines.toml",  # the shipped stretches, with their pictures
        clock=clock,
        overrides={"public_url": PUBLIC_URL},
    )
    await bot.start()
    try:
        await _screenshots(emu, bot, clock)
    finally:
        await bot.stop()


async def _screenshots(emu: BotApiEmulator, bot: Harness, clock: MovableClock) -> None:
    emu.send_text(ANN, "/start", language_code="en")
    await emu.wait_for(lambda: len(emu.messages(ANN)) >= 2)
    # One whole desk break first, so Progress has a day to show.
    session_id = await _started(emu, bot, command="/stretch desk")
    while (record := await bot.services.store.get_session(session_id)) and record.state.live:
        assert record.state.next_event_at is not None
        clock.set(record.state.next_event_at)
        await wake_in_language(bot.services.coach, session_id)
    assert record is not None and record.state.counts
    clock.advance(timedelta(minutes=5))
    await _started(emu, bot)
    SHOTS.mkdir(parents=True, exist_ok=True)
    async with player_server(bot) as url, browser() as chrome:
        for language, dark in (("en", False), ("en", True), ("ru", False), ("ru", True)):
            await bot.services.store.set_language(ANN, language, T0)
            page = await open_player(
                chrome,
                url,
                signed(bot, ANN, language=language),
                user_id=ANN,
                language=language,
                dark=dark,
                clock_at_ms=bot.clock.now().timestamp() * 1000,
            )
            await page.page.wait_for_selector("#number:not(:empty)")
            await page.page.wait_for_selector("#picture:not([hidden])")
            await page.page.clock.run_for(3000)
            name = f"player-{language}-{'dark' if dark else 'light'}.png"
            await page.page.screenshot(path=str(SHOTS / name), full_page=True)
            if language == "en" and not dark:
                await page.page.click("#tab-progress")
                await page.page.locator("#chart").wait_for(state="visible")
                while not await page.js("document.getElementById('chart').naturalWidth"):
                    await asyncio.sleep(0.05)
                await page.page.screenshot(path=str(SHOTS / "progress-en.png"), full_page=True)
                await page.page.click("#tab-settings")
                await page.page.wait_for_selector("#f-hold")
                await page.page.screenshot(path=str(SHOTS / "settings-en.png"), full_page=True)
            assert page.errors == []
            await page.page.context.close()
    shots = await asyncio.to_thread(lambda: sorted(SHOTS.glob("*.png")))
    assert len(shots) >= 6
