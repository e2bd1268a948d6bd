"""Driving the player in Debian's Chromium through Playwright (never `playwright install`).

Telegram's script is replaced by a stand-in (routed, so the page still asks telegram.org for
it and nothing else), Web Audio by a recorder whose clock is the page's (so Playwright's
page.clock moves the bells too), and Web Speech by a recorder with one voice per language.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Telegram.WebApp as the page uses it, with what it was asked recorded in window.__tg.
TELEGRAM_STUB = """
(function () {
  var config = %s;
  var calls = window.__tg = [];
  function record(name) { return function (arg) { calls.push([name, arg || null]); }; }
  var backClick = null;
  window.Telegram = { WebApp: {
    initData: config.initData,
    initDataUnsafe: { user: config.user },
    colorScheme: config.scheme,
    themeParams: config.theme,
    version: '8.0', platform: 'tdesktop',
    ready: record('ready'), expand: record('expand'),
    onEvent: record('onEvent'),
    BackButton: { show: record('back.show'), hide: record('back.hide'),
      onClick: function (f) { backClick = f; } },
    HapticFeedback: { impactOccurred: record('impact'),
      notificationOccurred: record('notification'), selectionChanged: record('selection') }
  } };
})();
"""

LIGHT = {
    "bg_color": "#ffffff",
    "text_color": "#000000",
    "hint_color": "#707579",
    "button_color": "#3390ec",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#f4f4f5",
}
DARK = {
    "bg_color": "#212121",
    "text_color": "#ffffff",
    "hint_color": "#aaaaaa",
    "button_color": "#8774e1",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#181818",
}

# Every oscillator the page starts, with its frequency, the moment it is to sound (the
# context's time) and the moment it was scheduled; stop(0) before that moment cancels it.
# The context's clock is performance.now(): Playwright's page.clock moves it.
RECORDERS = """
(function () {
  var bells = window.__bells = [];
  function Param() { this.value = 0; }
  Param.prototype.setValueAtTime = function (v) { this.value = v; return this; };
  Param.prototype.linearRampToValueAtTime = function () { return this; };
  Param.prototype.exponentialRampToValueAtTime = function () { return this; };
  function Context() { this.state = 'running'; this.destination = {}; }
  Object.defineProperty(Context.prototype, 'currentTime', {
    get: function () { return performance.now() / 1000; } });
  Context.prototype.resume = function () { return Promise.resolve(); };
  Context.prototype.createGain = function () {
    return { gain: new Param(), connect: function (to) { return to; } };
  };
  Context.prototype.createOscillator = function () {
    var ctx = this, bell = null;
    return {
      type: 'sine', frequency: new Param(),
      connect: function (to) { return to; },
      start: function (at) {
        bell = { freq: this.frequency.value, at: at, scheduled: ctx.currentTime, cancelled: false };
        bells.push(bell);
      },
      stop: function (at) {
        if (bell && at < bell.at && at <= ctx.currentTime) bell.cancelled = true;
      }
    };
  };
  window.AudioContext = Context;
  var spoken = window.__spoken = [];
  var voices = [['en-GB', 'English'], ['ru-RU', 'Russian'], ['de-DE', 'Deutsch']].map(
    function (v) { return { lang: v[0], name: v[1] }; });
  Object.defineProperty(window, 'speechSynthesis', { configurable: true, value: {
    getVoices: function () { return voices; },
    speak: function (u) { spoken.push([u.lang, u.text]); }, cancel: function () {} } });
  window.SpeechSynthesisUtterance = function (text) { this.text = text; };
  var locks = window.__locks = [];
  Object.defineProperty(navigator, 'wakeLock', { value: { request: function (kind) {
    var lock = { released: false, addEventListener: function () {},
      release: function () { this.released = true; locks.push('released'); } };
    locks.push(kind);
    return Promise.resolve(lock);
  } } });
})();
"""


def chromium_or_skip() -> None:
    """Skip (with the reason) when Chromium or Playwright is missing, except in CI."""
    missing = None
    if not os.path.exists(CHROMIUM):
        missing = f"{CHROMIUM} is missing (apt-get install -y chromium)"
    else:
        try:
            import playwright.async_api  # noqa: F401
        except ImportError:
            missing = "playwright is not installed (pip install -e '.[test]')"
    if missing is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{missing}; the browser tests are mandatory in CI")
        pytest.skip(missing)


@dataclass
class Page:
    """A page and what it said in its console."""

    page: Any
    errors: list[str] = field(default_factory=list)

    async def js(self, expression: str) -> Any:
        return await self.page.evaluate(expression)


@asynccontextmanager
async def browser() -> AsyncIterator[Any]:
    chromium_or_skip()
    from playwright.async_api import async_playwright

    async with async_playwright() as driver:
        launched = await driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield launched
        finally:
            await launched.close()


async def open_player(
    chrome: Any,
    url: str,
    init_data: str,
    *,
    user_id: int,
    language: str = "en",
    dark: bool = False,
    clock_at_ms: float | None = None,
) -> Page:
    """A new page with the stand-ins, at `url` (the clock installed and paused first when
    `clock_at_ms` is given). Any request to another host fails the test at the end."""
    context = await chrome.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=1,
        color_scheme="dark" if dark else "light",
        locale=language.replace("_", "-"),
    )
    config = {
        "initData": init_data,
        "user": {"id": user_id, "first_name": "Ann", "language_code": language},
        "scheme": "dark" if dark else "light",
        "theme": DARK if dark else LIGHT,
    }
    stub = TELEGRAM_STUB % json.dumps(config)
    page = await context.new_page()
    found = Page(page)
    page.on("console", lambda m: found.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: found.errors.append(str(e)))

    async def route(request_route: Any) -> None:
        request = request_route.request
        if request.url.startswith("https://telegram.org/js/telegram-web-app.js"):
            await request_route.fulfill(body=stub, content_type="text/javascript")
        elif request.url.startswith(url.split("/app/")[0]):
            await request_route.continue_()
        else:
            found.errors.append(f"request to another host: {request.url}")
            await request_route.abort()

    await page.route("**/*", route)
    await page.add_init_script(RECORDERS)
    if clock_at_ms is not None:
        await page.clock.install(time=clock_at_ms)
        await page.clock.pause_at(clock_at_ms + 1000)
    await page.goto(url)
    return found
