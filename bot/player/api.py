"""The player's routes on Limber's own web server: the page, its words, and the JSON API.

Every /app/api/ call carries Telegram's initData in `Authorization: tma <initData>`; it is
checked (initdata.py) and rate-limited per user before anything is read, and a refused one
gets 401 with nothing read or changed. Nothing here logs a request, initData or a user's
data: uvicorn's access log is off on both servers (log_level warning).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot import i18n, texts
from bot.domain.session import Event
from bot.player import page
from bot.player.account import AccountApi
from bot.player.caller import Caller, Endpoint, Handler
from bot.player.initdata import Refused, WebAppUser, verify
from bot.player.limits import UserLimits
from bot.player.live import LiveHub
from bot.player.view import clock_fields, session_view
from bot.services import Services
from bot.store.player import Watch, shows
from bot.store.repo import SessionRecord

log = logging.getLogger(__name__)

PRESSABLE = {
    e.value: e for e in (Event.READY, Event.PAUSE, Event.RESUME, Event.SKIP, Event.STOP, Event.HURT)
}
# A press's body is {"session": n, "version": n, "action": "pause"}: far below this.
MAX_PRESS_BYTES = 1024
# The page's answer waits for the press to be saved, not for the chat to be updated (that may
# wait its turn at Telegram's rate limiter); past this it answers from the row as it is.
PRESS_ANSWER_SECONDS = 5.0
_NO_STORE = {"Cache-Control": "no-store"}


def _error(status: int, reason: str) -> JSONResponse:
    return JSONResponse({"error": reason}, status_code=status, headers=_NO_STORE)


def _int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19:
        return int(value)
    return None


class PlayerApi:
    """The routes, with the per-worker pieces they share (the live hub, the limits)."""

    def __init__(self, svc: Services) -> None:
        self.svc = svc
        self.token = svc.settings.require_token()
        self.hub = LiveHub(svc.store)
        self.limits = UserLimits()
        self._pressing: set[asyncio.Task[object]] = set()

    def routes(self) -> list[BaseRoute]:
        return [
            *page.routes(),
            Route("/app/api/state", self.state, methods=["GET"]),
            Route("/app/api/press", self._checked(self.press), methods=["POST"]),
            Route("/app/api/picture/{routine}/{index:int}", self._checked(self.picture)),
            *self._more_routes(),
        ]

    def _more_routes(self) -> list[BaseRoute]:
        return AccountApi(self.svc).routes(self._checked)

    def _checked(self, handler: Handler) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            user = self._verified(request)
            if isinstance(user, Response):
                return user
            language = await self._language(user)
            with i18n.using(language):
                return await handler(request, Caller(user, language))

        return endpoint

    def _verified(self, request: Request) -> WebAppUser | Response:
        """Who sent the request, or the refusal: 401 without valid initData, 429 over the
        user's rate; nothing is read before this."""
        scheme, _, init_data = request.headers.get("authorization", "").partition(" ")
        try:
            if scheme.lower() != "tma":
                raise Refused("no initData")
            user = verify(init_data, self.token, self.svc.clock.now())
        except Refused:
            return _error(401, "unauthorized")
        if not self.limits.allow(user.id):
            return _error(429, "too many requests")
        return user

    async def _language(self, user: WebAppUser) -> str:
        """The page's language: the user's /language choice, else Telegram's."""
        stored = await self.svc.store.get_user(user.id)
        return i18n.effective(stored.language if stored else None, user.language_code)

    # The session -----------------------------------------------------------------------------

    def _body(self, caller: Caller, record: SessionRecord | None) -> dict[str, Any]:
        body: dict[str, Any] = {
            **clock_fields(self.svc.clock),
            "language": caller.language,
            "session": None,
        }
        if record is not None:
            body["session"] = session_view(
                record, self.svc.library, self.svc.clock.now(), self.svc.coach.chat.pause_limit
            )
        return body

    async def _view(self, caller: Caller, record: SessionRecord | None) -> Response:
        return JSONResponse(self._body(caller, record), headers=_NO_STORE)

    async def state(self, request: Request) -> Response:
        """The user's session; with `wait=1`, once it is no longer `session`@`version`
        (a long-poll: WAIT_SECONDS at most, then the same state again). A poll at what the
        live hub last told this user waits without a read; a woken one is answered from the
        hub's tick (bot/player/live.py)."""
        user = self._verified(request)
        if isinstance(user, Response):
            return user
        params = request.query_params
        session_id = _int(params.get("session"))
        # A page with no session waits for one; its version is no part of what it shows.
        version = _int(params.get("version")) if session_id is not None else None
        watch = Watch(user.id, session_id, version or 0)
        if params.get("wait") != "1":
            return await self._answer(user, await self._language(user), watch)
        if not self.limits.start_waiting(user.id):
            return _error(429, "too many requests")
        try:
            if not self.hub.current(watch):
                current = await self.svc.store.player_session(user.id, session_id)
                if not shows(current, watch):
                    # Already moved on: this read is the answer.
                    return self._shown(user, await self._language(user), current)
            change = await self.hub.wait(watch)
        finally:
            self.limits.stop_waiting(user.id)
        if change is None:  # nothing new within the wait: the state as it is
            return await self._answer(user, await self._language(user), watch)
        # The tick read the user's language with the row: the page's words follow a
        # /language made while it waited.
        language = i18n.effective(change.language, user.language_code)
        return self._shown(user, language, change.record)

    async def _answer(self, user: WebAppUser, language: str, watch: Watch) -> Response:
        record = await self.svc.store.player_session(user.id, watch.session_id)
        return self._shown(user, language, record)

    def _shown(self, user: WebAppUser, language: str, record: SessionRecord | None) -> Response:
        with i18n.using(language):
            return JSONResponse(self._body(Caller(user, language), record), headers=_NO_STORE)

    async def press(self, request: Request, caller: Caller) -> Response:
        """A button in the page: the same `Coach.press` as the chat's button, by the same
        compare-and-set; the chat's messages change as for a chat press."""
        body = await request.body()
        if len(body) > MAX_PRESS_BYTES:
            return _error(413, "too large")
        try:
            data = json.loads(body)
        except ValueError:
            return _error(400, "not JSON")
        if not isinstance(data, dict):
            return _error(400, "not an object")
        session_id, version = _int(data.get("session")), _int(data.get("version"))
        event = PRESSABLE.get(str(data.get("action")))
        if session_id is None or version is None or event is None:
            return _error(400, "session, version and action are required")
        record = await self.svc.store.get_session(session_id)
        if record is None or record.user_id != caller.user.id:
            return _error(403, "not your session")
        committed = asyncio.Event()

        async def saved() -> None:
            committed.set()

        pressing = asyncio.create_task(
            self.svc.coach.press(session_id, event, version, caller.user.id, saved)
        )
        self._pressing.add(pressing)
        pressing.add_done_callback(self._pressing.discard)
        waiting = asyncio.create_task(committed.wait())
        done, _ = await asyncio.wait(
            {pressing, waiting}, timeout=PRESS_ANSWER_SECONDS, return_when="FIRST_COMPLETED"
        )
        waiting.cancel()
        if pressing in done and not pressing.result().ok:
            outcome = pressing.result()
            refused = self._body(caller, await self.svc.store.get_session(session_id))
            refused["note"] = outcome.answer or texts.STALE_BUTTON
            return JSONResponse(refused, status_code=409, headers=_NO_STORE)
        return await self._view(caller, await self.svc.store.get_session(session_id))

    async def picture(self, request: Request, caller: Caller) -> Response:
        """The stretch's animated picture: the GIF the chat's card carries, drawn once."""
        routine = self.svc.library.get(str(request.path_params["routine"]))
        index = int(request.path_params["index"])
        if routine is None or not 0 <= index < len(routine.stretches):
            return _error(404, "no such stretch")
        pose = routine.stretches[index].pose
        pictures = self.svc.coach.chat.pictures
        if pose is None or pictures is None:
            return _error(404, "no picture")
        drawn = await asyncio.to_thread(pictures.animation, pose)
        return Response(
            drawn.data, media_type=drawn.mime, headers={"Cache-Control": "private, max-age=86400"}
        )


def player_routes(
    svc: Services, stopping: list[Callable[[], None]] | None = None
) -> list[BaseRoute]:
    """The player's routes when PUBLIC_URL is set; none otherwise. `stopping`: what the
    server calls as it stops (bot/health.py `Server`), given the answer to waiting pages."""
    if not svc.settings.public_url:
        return []
    api = PlayerApi(svc)
    if stopping is not None:
        stopping.append(api.hub.release)
    return api.routes()
