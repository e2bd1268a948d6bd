"""A loopback stand-in of the Telegram Bot API: real HTTP, a tiny chat model, spec checks.

The real Application talks to it exactly as to Telegram (PTB's base_url points here). It serves
getUpdates from updates the tests (or the terminal chat of `python -m bot try`) push as users,
keeps what the bot sent and edited per chat (pictures too: an upload gets a file_id, which a
later sendPhoto/sendAnimation may pass instead of the file), validates every request against
the Bot API spec (bot.sandbox.spec) and can answer with Telegram's errors: 429 with
retry_after, 403 for a user who blocked the bot, 400 for edits, 5xx, dropped connections,
delays and flood limits.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from aiohttp import BodyPartReader, web
from aiohttp.web_request import FileField

from bot.sandbox import collector
from bot.sandbox.groups import ApiError, GroupChats
from bot.sandbox.loop_lag import LoopLag
from bot.sandbox.spec import Spec, Upload

DEFAULT_TEST_TOKEN = "123456789:TEST-token-for-the-loopback-stand-in"
FLOOD_METHODS = {
    "sendmessage",
    "sendphoto",
    "sendanimation",
    "senddocument",
    "editmessagetext",
    "editmessagereplymarkup",
    "editmessagecaption",
}
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a specified content and reply markup of the message"
)


@dataclass
class BotMessage:
    """A message in a chat, as the emulator keeps it."""

    chat_id: int
    message_id: int
    text: str = ""
    reply_markup: dict[str, Any] | None = None
    sent_at: float = 0.0
    from_bot: bool = True
    edits: list[tuple[float, str]] = field(default_factory=list)
    photo: bytes | None = None
    animation: bytes | None = None
    document: bytes | None = None
    file_id: str | None = None  # the picture's or animation's file_id
    filename: str | None = None
    deleted: bool = False


@dataclass
class ApiCall:
    """One request the bot made, with what it was answered."""

    method: str
    params: dict[str, Any]
    at: float
    status: int = 200
    response: Any = None


@dataclass
class _Fault:
    method: str
    kind: str  # "error", "reset", "delay", "hang"
    times: int
    chat_id: int | None = None
    error_code: int = 500
    description: str = "Internal Server Error"
    retry_after: int | None = None
    seconds: float = 0.0
    until: float | None = None  # monotonic time the fault ends (a window), else by `times`
    uploads_only: bool = False  # only requests that carry a file upload


class BotApiEmulator(GroupChats):
    """See the module docstring. Use as `async with BotApiEmulator(spec_path) as emu:`.
    Group chats (members, admins, the bot added or removed, upgrades): bot/sandbox/groups.py."""

    def __init__(self, spec_path: Path | None = None, *, token: str = DEFAULT_TEST_TOKEN) -> None:
        self.token = token
        self.spec = Spec.load(spec_path)
        self.calls: list[ApiCall] = []
        self.violations: list[str] = []
        self.commands: list[dict[str, Any]] = []
        # setMyCommands / setMyDescription / setMyShortDescription per language_code.
        self.commands_by_language: dict[str, list[dict[str, Any]]] = {}
        self.descriptions: dict[str, str] = {}
        self.short_descriptions: dict[str, str] = {}
        self._user_languages: dict[int, str | None] = {}
        self.webhook: dict[str, Any] = {}
        self.flood_429s = 0
        # Each bot-wide 429: (when, sends counted in its second, the stand-in's own worst
        # lateness in that second): loop_lag.py says how to read the last.
        self.flood_windows: list[tuple[float, int, float]] = []
        self._lag = LoopLag()
        self._collector: contextlib.ExitStack | None = None
        self.on_violation: Callable[[str], None] | None = None
        self._chats: dict[int, list[BotMessage]] = {}
        self._chat_types: dict[int, str] = {}
        self._next_message_id: dict[int, int] = {}
        self._updates: list[dict[str, Any]] = []
        # Files the bot uploaded, by the file_id they were given: (data, filename).
        self.files: dict[str, tuple[bytes, str]] = {}
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._faults: list[_Fault] = []
        self._blocked: set[int] = set()
        self._flood: tuple[float, float, float] | None = None
        self._sent_all: deque[float] = deque()
        # Per chat: (tokens, when last refilled) of a bucket of `per_chat_burst` messages.
        self._chat_bucket: dict[int, tuple[float, float]] = {}
        self.flood_429s_by_chat: dict[int, int] = {}
        self._changed = asyncio.Event()
        self._last_request = time.monotonic()
        self._runner: web.AppRunner | None = None
        self._closing = False
        self.port = 0
        self.bot_id = int(token.split(":")[0]) if token.split(":")[0].isdigit() else 1
        self._init_groups()

    # Lifecycle ----------------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._closing = False
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("GET", "/file/bot{token}/{path:.*}", self._file)
        app.router.add_route("GET", "/_standin/stats", self._stats)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        self.port = int(server.sockets[0].getsockname()[1])  # type: ignore[attr-defined]
        self.host = host
        if self._flood is not None:
            self._lag.start()

    async def stop(self) -> None:
        # Wake the long polls: the server's cleanup waits for every open handler, and a
        # getUpdates held for its timeout (1 s in tests) made each test's teardown ~0.7 s.
        self._closing = True
        self._notify()
        if self._collector is not None:
            self._collector.close()
            self._collector = None
        await self._lag.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotApiEmulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def file_base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # Users -> bot ---------------------------------------------------------------------------------

    def set_user_language(self, user_id: int, language_code: str | None) -> None:
        """The language of the user's Telegram app: sent with every update from them (presses,
        locations and stickers too), as Telegram does, whatever a call passes."""
        self._user_languages[user_id] = language_code

    def _user(
        self, user_id: int, first_name: str = "Ann", language_code: str | None = "en"
    ) -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        language_code = self._user_languages.get(user_id, language_code)
        if language_code:
            user["language_code"] = language_code
        return user

    def _chat(self, chat_id: int, chat_type: str | None = None) -> dict[str, Any]:
        group = self.group_chat_json(chat_id)
        if group is not None:
            return group
        kind = chat_type or self._chat_types.get(chat_id) or ("private" if chat_id > 0 else "group")
        self._chat_types.setdefault(chat_id, kind)
        if kind == "private":
            return {"id": chat_id, "type": "private", "first_name": "User"}
        if kind == "channel":
            return {"id": chat_id, "type": "channel", "title": "A channel"}
        return {"id": chat_id, "type": kind, "title": "A group"}

    def _new_id(self, chat_id: int) -> int:
        self._next_message_id[chat_id] = self._next_message_id.get(chat_id, 0) + 1
        return self._next_message_id[chat_id]

    def _user_message(
        self,
        user_id: int,
        chat_id: int | None,
        chat_type: str | None,
        first_name: str,
        language_code: str | None,
        **content: Any,
    ) -> dict[str, Any]:
        chat = chat_id if chat_id is not None else user_id
        message_id = self._new_id(chat)
        self._chats.setdefault(chat, []).append(
            BotMessage(
                chat, message_id, str(content.get("text", "")), None, time.monotonic(), False
            )
        )
        return {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self._chat(chat, chat_type),
            "from": self._user(user_id, first_name, language_code),
            **content,
        }

    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue any update (an update_id is assigned)."""
        update = {"update_id": next(self._update_ids), **update}
        self._updates.append(update)
        self._notify()
        return update

    def send_text(
        self,
        user_id: int,
        text: str,
        *,
        first_name: str = "Ann",
        language_code: str | None = "en",
        chat_id: int | None = None,
        chat_type: str | None = None,
    ) -> dict[str, Any]:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0] if text.split() else text
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        message = self._user_message(
            user_id, chat_id, chat_type, first_name, language_code, **content
        )
        return self.push_update({"message": message})

    def send_location(self, user_id: int, latitude: float, longitude: float) -> dict[str, Any]:
        location = {"latitude": latitude, "longitude": longitude}
        message = self._user_message(user_id, None, None, "Ann", "en", location=location)
        return self.push_update({"message": message})

    def send_sticker(self, user_id: int) -> dict[str, Any]:
        sticker = {
            "file_id": "sticker1",
            "file_unique_id": "s1",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
        message = self._user_message(user_id, None, None, "Ann", "en", sticker=sticker)
        return self.push_update({"message": message})

    def send_photo(self, user_id: int) -> dict[str, Any]:
        photo = [{"file_id": "photo1", "file_unique_id": "p1", "width": 90, "height": 90}]
        message = self._user_message(user_id, None, None, "Ann", "en", photo=photo)
        return self.push_update({"message": message})

    def edit_text(self, user_id: int, message_id: int, text: str) -> dict[str, Any]:
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "edit_date": int(time.time()),
            "chat": self._chat(user_id),
            "from": self._user(user_id),
            "text": text,
        }
        return self.push_update({"edited_message": message})

    def channel_post(self, chat_id: int, text: str) -> dict[str, Any]:
        message_id = self._new_id(chat_id)
        post = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self._chat(chat_id, "channel"),
            "text": text,
        }
        return self.push_update({"channel_post": post})

    def press(
        self,
        user_id: int,
        message_id: int,
        *,
        data: str | None = None,
        text: str | None = None,
        chat_id: int | None = None,
        first_name: str = "Ann",
    ) -> dict[str, Any]:
        """Press a button of the bot's message (by callback data or label), as `user_id`."""
        chat = chat_id if chat_id is not None else user_id
        message = self._find(chat, message_id)
        if message is None:
            raise LookupError(f"no message {message_id} in chat {chat}")
        buttons = self.buttons(message)
        if data is None:
            matches = [d for label, d in buttons if label == text]
            if not matches:
                raise LookupError(f"no button {text!r} on message {message_id}: {buttons}")
            data = matches[0]
        query = {
            "id": str(next(self._callback_ids)),
            "from": self._user(user_id, first_name),
            "chat_instance": str(chat),
            "data": data,
            "message": self._message_json(message),
        }
        return self.push_update({"callback_query": query})

    # Inspection -----------------------------------------------------------------------------------

    def messages(self, chat_id: int) -> list[BotMessage]:
        """The bot's messages in the chat, oldest first (deleted ones left out)."""
        return [m for m in self._chats.get(chat_id, []) if m.from_bot and not m.deleted]

    def last_message(self, chat_id: int) -> BotMessage | None:
        found = self.messages(chat_id)
        return found[-1] if found else None

    @staticmethod
    def buttons(message: BotMessage) -> list[tuple[str, str]]:
        """(label, callback data) of each inline button, row by row."""
        markup = message.reply_markup or {}
        return [
            (str(b.get("text", "")), str(b.get("callback_data", "")))
            for row in markup.get("inline_keyboard", [])
            for b in row
        ]

    def assert_no_violations(self) -> None:
        if self.violations:
            raise AssertionError("Bot API spec violations:\n" + "\n".join(self.violations))

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait until `predicate()` holds (checked on every request and update)."""
        deadline = time.monotonic() + timeout
        while True:
            event = self._changed
            if predicate():
                return
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                recent = "\n".join(
                    f"  {c.method} {c.status} {json.dumps(c.params, default=str)[:200]}"
                    for c in self.calls[-12:]
                )
                raise TimeoutError(f"condition not met within {timeout} s; recent calls:\n{recent}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), min(remaining, 0.25))

    async def wait_for_message(
        self, chat_id: int, contains: str, timeout: float = 5.0
    ) -> BotMessage:
        def found() -> bool:
            return any(contains in m.text for m in self.messages(chat_id))

        await self.wait_for(found, timeout)
        return next(m for m in self.messages(chat_id) if contains in m.text)

    async def settled(self, quiet: float = 0.5, timeout: float = 10.0) -> None:
        """Return once the bot made no request (but getUpdates) for `quiet` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            idle = time.monotonic() - self._last_request
            if idle >= quiet:
                return
            await asyncio.sleep(quiet - idle)
        raise TimeoutError("the bot did not settle")

    # Faults ---------------------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        error_code: int = 500,
        description: str = "Internal Server Error",
        retry_after: int | None = None,
        times: int = 1,
        chat_id: int | None = None,
    ) -> None:
        self._faults.append(
            _Fault(method.lower(), "error", times, chat_id, error_code, description, retry_after)
        )

    def reset_next(self, method: str, times: int = 1) -> None:
        """Drop the connection of the next matching request(s) without an answer."""
        self._faults.append(_Fault(method.lower(), "reset", times))

    def hang_next(self, method: str, times: int = 1, seconds: float = 7.0) -> None:
        """Leave the next matching request(s) unanswered for `seconds`, without acting on them
        (a request lost on the way: the bot times out and cannot know it did not arrive)."""
        self._faults.append(_Fault(method.lower(), "hang", times, seconds=seconds))

    def delay(self, method: str, seconds: float, times: int = 1_000_000) -> None:
        """Answer matching requests `seconds` late, acting on them only then (a slow server:
        a bot that times out first cannot know its request will still take effect)."""
        self._faults.append(_Fault(method.lower(), "delay", times, seconds=seconds))

    def fail_uploads_for(
        self,
        seconds: float,
        *,
        error_code: int = 500,
        description: str = "Internal Server Error",
        method: str = "sendAnimation",
    ) -> None:
        """Answer `error_code` to every upload (a request carrying a file, not a file_id) for
        the next `seconds`: Telegram's media servers in trouble while text still goes."""
        self._faults.append(
            _Fault(
                method.lower(), "error", 1_000_000, None, error_code, description,
                until=time.monotonic() + seconds, uploads_only=True,
            )
        )  # fmt: skip

    def slow_uploads(self, seconds: float, *, method: str = "sendAnimation") -> None:
        """Answer every upload `seconds` late, acting on it only then (after a bot's read
        timeout, the picture still arrives: the bot cannot know it will)."""
        self._faults.append(
            _Fault(method.lower(), "delay", 1_000_000, seconds=seconds, uploads_only=True)
        )

    def block(self, user_id: int) -> None:
        self._blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        self._blocked.discard(user_id)

    def enforce_flood(
        self,
        per_second_overall: float = 30,
        per_chat_per_second: float = 1.0,
        per_chat_burst: float = 3.0,
        per_group_per_minute: float | None = None,
    ) -> None:
        """Answer 429 as Telegram does: over `per_second_overall` in any second for the bot,
        or over a chat's allowance (a burst of `per_chat_burst`, refilled at
        `per_chat_per_second`: Telegram's "about one a second, short bursts allowed"), or
        over `per_group_per_minute` in any 60 s for a group added with add_group."""
        self._flood = (per_second_overall, per_chat_per_second, per_chat_burst)
        self.group_per_minute = per_group_per_minute
        if self._collector is None:
            # Counting sends per second as they arrive: a collection of this process's heap
            # would stamp a burst that was never sent (collector.py), until stop().
            self._collector = contextlib.ExitStack()
            self._collector.enter_context(collector.held())
        with contextlib.suppress(RuntimeError):  # no running loop: set up before the test's
            self._lag.start()

    # HTTP -----------------------------------------------------------------------------------------

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _stats(self, request: web.Request) -> web.StreamResponse:
        """Counts for a stand-in running in another process (benchmarks)."""
        sent = sum(1 for c in self.calls if c.method == "sendMessage" and c.status == 200)
        body = {
            "calls": len(self.calls),
            "sent": sent,
            "flood_429s": self.flood_429s,
            "violations": len(self.violations),
        }
        return _json(200, body)

    async def _file(self, request: web.Request) -> web.StreamResponse:
        return web.Response(status=404)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return _json(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        raw = await _read_params(request)
        canonical = self.spec.canonical(method)
        if canonical is None:
            self._violation(f"unknown method {method!r}")
            return _json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        params, problems = self.spec.check_call(method, raw)
        call = ApiCall(canonical, params, time.monotonic())
        self.calls.append(call)
        if canonical.lower() != "getupdates":
            self._last_request = call.at
        for problem in problems:
            self._violation(problem)
        if problems:
            return self._answer(call, 400, None, f"Bad Request: {problems[0]}")
        fault = self._take_fault(canonical.lower(), params)
        if fault is not None:
            if fault.kind == "reset":
                call.status = 0
                self._notify()
                if request.transport is not None:
                    request.transport.close()
                raise ConnectionResetError("dropped by the stand-in")
            if fault.kind == "hang":
                # Never answered, never applied: the bot's read timeout is all it will see.
                call.status = 0
                self._notify()
                await asyncio.sleep(fault.seconds)
                return self._answer(call, 504, None, "Gateway Timeout")
            if fault.kind == "delay":
                await asyncio.sleep(fault.seconds)
            else:
                return self._answer(
                    call, fault.error_code, None, fault.description, fault.retry_after
                )
        try:
            result = await self._dispatch(canonical.lower(), params)
        except ApiError as exc:
            return self._answer(
                call, exc.code, None, exc.description, exc.retry_after, exc.migrate_to
            )
        return self._answer(call, 200, result)

    async def webhook_response(self, body: bytes, content_type: str = "") -> None:
        """Act on a webhook's response as Telegram does: a JSON body naming a `method` is that
        Bot API call, checked against the spec like any other (its result goes nowhere; the
        bot cannot see it). An empty or other body is nothing to do."""
        if not body or "json" not in content_type:
            return
        try:
            raw = json.loads(body)
        except ValueError:
            self._violation("webhook response is not JSON")
            return
        if not isinstance(raw, dict) or not isinstance(raw.get("method"), str):
            return
        method = raw.pop("method")
        canonical = self.spec.canonical(method)
        if canonical is None:
            self._violation(f"unknown method {method!r} in a webhook response")
            return
        params, problems = self.spec.check_call(method, raw)
        call = ApiCall(canonical, params, time.monotonic())
        self.calls.append(call)
        for problem in problems:
            self._violation(problem)
        if problems:
            self._answer(call, 400, None, f"Bad Request: {problems[0]}")
            return
        try:
            result = await self._dispatch(canonical.lower(), params)
        except ApiError as exc:
            self._answer(call, exc.code, None, exc.description, exc.retry_after)
            return
        self._answer(call, 200, result)

    def _violation(self, text: str) -> None:
        self.violations.append(text)
        if self.on_violation is not None:
            self.on_violation(text)

    def _answer(
        self,
        call: ApiCall,
        status: int,
        result: Any,
        description: str | None = None,
        retry_after: int | None = None,
        migrate_to: int | None = None,
    ) -> web.Response:
        call.status = status
        if status == 200:
            body: dict[str, Any] = {"ok": True, "result": result}
        else:
            body = {"ok": False, "error_code": status, "description": description or ""}
            if retry_after is not None:
                body["parameters"] = {"retry_after": retry_after}
            if migrate_to is not None:
                body["parameters"] = {"migrate_to_chat_id": migrate_to}
        call.response = body
        self._notify()
        return _json(status, body)

    def _take_fault(self, method: str, params: dict[str, Any]) -> _Fault | None:
        for fault in list(self._faults):
            if fault.until is not None and time.monotonic() >= fault.until:
                self._faults.remove(fault)  # its window is over
                continue
            if fault.method != method or fault.times <= 0:
                continue
            if fault.uploads_only and not any(isinstance(v, Upload) for v in params.values()):
                continue
            if fault.chat_id is not None and params.get("chat_id") != fault.chat_id:
                continue
            fault.times -= 1
            if fault.times <= 0 and fault.kind != "delay":
                self._faults.remove(fault)
            return fault
        return None

    def _check_flood(self, method: str, chat_id: int) -> None:
        if self._flood is None or method not in FLOOD_METHODS:
            return
        overall, per_chat, burst = self._flood
        now = time.monotonic()
        window = self._sent_all
        while window and now - window[0] >= 1.0:
            window.popleft()
        tokens, stamp = self._chat_bucket.get(chat_id, (burst, now))
        tokens = min(burst, tokens + (now - stamp) * per_chat)
        if tokens < 1.0:
            self.flood_429s += 1
            self.flood_429s_by_chat[chat_id] = self.flood_429s_by_chat.get(chat_id, 0) + 1
            self._chat_bucket[chat_id] = (tokens, now)
            wait = max(1, math.ceil((1.0 - tokens) / per_chat))
            raise ApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
        if len(window) >= overall:
            self.flood_429s += 1
            self.flood_windows.append((now, len(window), self._lag.worst(1.0, now)))
            raise ApiError(429, "Too Many Requests: retry after 1", retry_after=1)
        window.append(now)
        self._chat_bucket[chat_id] = (tokens - 1.0, now)

    # Methods --------------------------------------------------------------------------------------

    async def _dispatch(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getme":
            return {
                "id": self.bot_id,
                "is_bot": True,
                "first_name": "Limber",
                "username": "limber_test_bot",
                "can_join_groups": True,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            }
        if method == "getupdates":
            return await self._get_updates(params)
        if method in ("setmycommands",):
            listed = [dict(c) for c in params.get("commands", [])]
            if params.get("language_code"):
                self.commands_by_language[str(params["language_code"])] = listed
            else:
                self.commands = listed
            return True
        if method == "getmycommands":
            if params.get("language_code"):
                return self.commands_by_language.get(str(params["language_code"]), [])
            return self.commands
        if method == "deletemycommands":
            if params.get("language_code"):
                self.commands_by_language.pop(str(params["language_code"]), None)
            else:
                self.commands = []
            return True
        if method in ("setmydescription", "setmyshortdescription"):
            # Kept per language code ("" = the default for every other language).
            store = self.descriptions if method == "setmydescription" else self.short_descriptions
            key = "description" if method == "setmydescription" else "short_description"
            store[str(params.get("language_code") or "")] = str(params.get(key) or "")
            return True
        if method == "setwebhook":
            self.webhook = dict(params)
            return True
        if method == "deletewebhook":
            self.webhook = {}
            return True
        if method == "getwebhookinfo":
            return {
                "url": self.webhook.get("url", ""),
                "has_custom_certificate": False,
                "pending_update_count": 0,
            }
        if method == "answercallbackquery":
            return True
        chat_id = params.get("chat_id")
        if method in ("getchatmember", "getchatadministrators", "getchat"):
            found = self.group_method(method, params)
            if found is None:
                raise ApiError(400, "Bad Request: chat not found")
            return found
        if isinstance(chat_id, int) and chat_id in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if isinstance(chat_id, int) and (method in FLOOD_METHODS or method.startswith("send")):
            self.check_group_send(method, chat_id)
            if method in FLOOD_METHODS and self._flood is not None:
                self.check_group_flood(chat_id)
        if isinstance(chat_id, int):
            self._check_flood(method, chat_id)
        if method == "sendmessage":
            return self._store_message(params, text=params["text"])
        if method == "sendphoto":
            picture = self._media(params.get("photo"))
            return self._store_message(params, text=params.get("caption", ""), photo=picture)
        if method == "sendanimation":
            moving = self._media(params.get("animation"))
            return self._store_message(params, text=params.get("caption", ""), animation=moving)
        if method == "senddocument":
            upload = params.get("document")
            return self._store_message(params, text=params.get("caption", ""), document=upload)
        if method == "sendlocation":
            return self._store_message(params, text="")
        if method == "sendchataction":
            return True
        if method in ("editmessagetext", "editmessagereplymarkup", "editmessagecaption"):
            return self._edit(method, params)
        if method == "deletemessage":
            message = self._find(int(params["chat_id"]), int(params["message_id"]))
            if message is None:
                raise ApiError(400, "Bad Request: message to delete not found")
            message.deleted = True
            return True
        return True

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        deadline = time.monotonic() + timeout
        while not self._updates and not self._closing and time.monotonic() < deadline:
            event = self._changed
            try:
                await asyncio.wait_for(event.wait(), deadline - time.monotonic())
            except TimeoutError:
                break
        allowed = params.get("allowed_updates")
        ready = self._updates[:limit]
        if allowed:
            ready = [u for u in ready if any(k in u for k in allowed)]
        return ready

    def _media(self, value: Any) -> tuple[str, Upload]:
        """A picture sent as a new upload (given a file_id here) or as the file_id of an
        earlier one, like Telegram: an unknown file_id is refused."""
        if isinstance(value, Upload):
            file_id = f"file{len(self.files) + 1}-{value.filename}"
            self.files[file_id] = (value.data, value.filename)
            return file_id, value
        if isinstance(value, str) and value in self.files:
            data, filename = self.files[value]
            return value, Upload(filename, data)
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    def _store_message(
        self,
        params: dict[str, Any],
        *,
        text: str,
        photo: Any = None,
        animation: tuple[str, Upload] | None = None,
        document: Any = None,
    ) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        message = BotMessage(
            chat_id=chat_id,
            message_id=self._new_id(chat_id),
            text=text,
            reply_markup=params.get("reply_markup"),
            sent_at=time.monotonic(),
        )
        if isinstance(photo, tuple):
            message.file_id, photo = photo
        if isinstance(photo, Upload):
            message.photo, message.filename = photo.data, photo.filename
        if animation is not None:
            message.file_id, upload = animation
            message.animation, message.filename = upload.data, upload.filename
        if isinstance(document, Upload):
            message.document, message.filename = document.data, document.filename
        self._chats.setdefault(chat_id, []).append(message)
        return self._message_json(message)

    def _edit(self, method: str, params: dict[str, Any]) -> Any:
        if "chat_id" not in params or "message_id" not in params:
            raise ApiError(400, "Bad Request: inline messages are not supported by the stand-in")
        message = self._find(int(params["chat_id"]), int(params["message_id"]))
        if message is None or not message.from_bot:
            raise ApiError(400, "Bad Request: message to edit not found")
        markup = params.get("reply_markup")
        media = message.photo is not None or message.animation is not None
        media = media or message.document is not None
        if method == "editmessagetext" and media:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        if method == "editmessagecaption" and not media:
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        if method == "editmessagereplymarkup":
            text = message.text
        elif method == "editmessagecaption":
            text = params.get("caption", "")
        else:
            text = params["text"]
        if text == message.text and _markup(markup) == _markup(message.reply_markup):
            raise ApiError(400, NOT_MODIFIED)
        message.text = text
        message.reply_markup = markup
        message.edits.append((time.monotonic(), text))
        return self._message_json(message)

    def _find(self, chat_id: int, message_id: int) -> BotMessage | None:
        for message in self._chats.get(chat_id, []):
            if message.message_id == message_id and not message.deleted:
                return message
        return None

    def _message_json(self, message: BotMessage) -> dict[str, Any]:
        body: dict[str, Any] = {
            "message_id": message.message_id,
            "date": int(time.time()),
            "chat": self._chat(message.chat_id),
        }
        if message.from_bot:
            body["from"] = {
                "id": self.bot_id,
                "is_bot": True,
                "first_name": "Limber",
                "username": "limber_test_bot",
            }
        else:
            body["from"] = self._user(message.chat_id)
        if message.animation is not None:
            # Telegram sends a GIF as an animation, and as a document for older clients.
            body["animation"] = {
                "file_id": message.file_id,
                "file_unique_id": f"a{message.message_id}",
                "width": 640,
                "height": 480,
                "duration": 3,
                "file_name": message.filename or "animation.gif",
                "mime_type": "image/gif",
            }
            body["document"] = {
                "file_id": message.file_id,
                "file_unique_id": f"a{message.message_id}",
                "file_name": message.filename or "animation.gif",
                "mime_type": "image/gif",
            }
            if message.text:
                body["caption"] = message.text
        elif message.photo is not None:
            body["photo"] = [
                {
                    "file_id": message.file_id or f"photo{message.message_id}",
                    "file_unique_id": f"p{message.message_id}",
                    "width": 1000,
                    "height": 600,
                }
            ]
            if message.text:
                body["caption"] = message.text
        elif message.document is not None:
            body["document"] = {
                "file_id": f"doc{message.message_id}",
                "file_unique_id": f"d{message.message_id}",
                "file_name": message.filename or "file",
            }
            if message.text:
                body["caption"] = message.text
        elif message.text:
            body["text"] = message.text
        if message.reply_markup:
            body["reply_markup"] = message.reply_markup
        return body


def _markup(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    if not markup or not markup.get("inline_keyboard"):
        return None
    return markup


def _json(status: int, body: Any) -> web.Response:
    return web.Response(status=status, text=json.dumps(body), content_type="application/json")


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Parameters from the query string and a form, multipart or JSON body."""
    params: dict[str, Any] = dict(request.query)
    if request.method != "POST" or not request.body_exists:
        return params
    ctype = request.content_type
    if ctype == "application/json":
        body = await request.json()
        if isinstance(body, dict):
            params.update(body)
    elif ctype == "multipart/form-data":
        reader = await request.multipart()
        while True:
            part = await reader.next()
            if part is None:
                break
            if not isinstance(part, BodyPartReader):
                continue
            name = part.name or ""
            data = await part.read(decode=False)
            if part.filename:
                params[name] = Upload(part.filename, bytes(data))
            else:
                params[name] = bytes(data).decode("utf-8")
    else:
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, str):
                params[key] = value
            elif isinstance(value, FileField):
                params[key] = Upload(value.filename, value.file.read())
    return params


async def _serve(port: int, flood: bool) -> None:
    emulator = BotApiEmulator()
    if flood:
        emulator.enforce_flood()
    await emulator.start(port=port)
    print(emulator.port, flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":  # a stand-in in its own process, for benchmarks
    import sys

    asyncio.run(_serve(int(sys.argv[1]) if len(sys.argv) > 1 else 0, "--flood" in sys.argv))
