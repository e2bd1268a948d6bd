"""Progress and settings in the player: the same figures as /stats (Progress.stats) and the
same setters, choices and readers as /settings, /timezone, /morning, /bedtime and /language,
so the page can never accept what the chat would refuse."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot import i18n, texts
from bot.domain.session import PACES
from bot.domain.timeinput import parse_time_of_day
from bot.handlers.summary import settings_text
from bot.keyboards.floor import HOLD_CHOICES
from bot.places.labels import zone_label
from bot.places.zones import is_utc_offset, resolve_zone
from bot.player.caller import Caller, Checked
from bot.services import Services

_NO_STORE = {"Cache-Control": "no-store"}
MAX_SETTING_BYTES = 1024
NUDGE_KINDS = ("morning", "bedtime")


def _refused(reason: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": reason}, status_code=status, headers=_NO_STORE)


class AccountApi:
    def __init__(self, svc: Services) -> None:
        self.svc = svc

    def routes(self, checked: Checked) -> list[BaseRoute]:
        return [
            Route("/app/api/progress", checked(self.progress), methods=["GET"]),
            Route("/app/api/progress.png", checked(self.progress_picture), methods=["GET"]),
            Route("/app/api/settings", checked(self.settings), methods=["GET"]),
            Route("/app/api/settings", checked(self.change), methods=["POST"]),
        ]

    async def progress(self, request: Request, caller: Caller) -> Response:
        text, png = await self.svc.progress.stats(caller.user.id)
        return JSONResponse({"text": text, "picture": png is not None}, headers=_NO_STORE)

    async def progress_picture(self, request: Request, caller: Caller) -> Response:
        _, png = await self.svc.progress.stats(caller.user.id)
        if png is None:
            return _refused("no history yet", 404)
        return Response(png, media_type="image/png", headers=_NO_STORE)

    async def settings(self, request: Request, caller: Caller) -> Response:
        body = await self._settings(caller.user.id)
        if body is None:
            return _refused(texts.NO_USER, 404)
        return JSONResponse(body, headers=_NO_STORE)

    async def _settings(self, user_id: int) -> dict[str, Any] | None:
        user = await self.svc.store.get_user(user_id)
        schedule = await self.svc.subscriptions.schedule(user_id)
        if user is None or schedule is None:
            return None
        return {
            "summary": "\n\n".join(
                [
                    settings_text(schedule, self.svc.clock.now()),
                    texts.session_settings_line(user.hands_free, user.hold_seconds, user.pace),
                ]
            ),
            "hold": user.hold_seconds or 30,
            "holds": [{"value": s, "label": texts.button_hold(s)} for s in HOLD_CHOICES],
            "pace": user.pace,
            "paces": [{"value": p, "label": texts.pace_label(p)} for p in PACES],
            "hands_free": user.hands_free,
            "language": i18n.effective(user.language, user.language_code),
            "languages": [{"value": c, "label": n} for c, n in i18n.NATIVE_NAMES.items()],
            "timezone": zone_label(user.timezone, i18n.current()),
            **{
                kind: schedule.time_of(kind) if schedule.enabled(kind) else ""
                for kind in NUDGE_KINDS
            },
        }

    async def change(self, request: Request, caller: Caller) -> Response:
        """One setting: {"field": ..., "value": ...}; refused as the chat refuses it."""
        raw = await request.body()
        if len(raw) > MAX_SETTING_BYTES:
            return _refused("too large", 413)
        try:
            data = json.loads(raw)
        except ValueError:
            return _refused("not JSON")
        if not isinstance(data, dict) or not isinstance(data.get("field"), str):
            return _refused("field and value are required")
        user_id = caller.user.id
        if await self.svc.store.get_user(user_id) is None:
            return _refused(texts.NO_USER, 404)
        problem = await self._apply(user_id, data["field"], data.get("value"))
        if problem is not None:
            return _refused(problem)
        with i18n.using(await self._language(user_id)):
            body = await self._settings(user_id)
            if body is not None:
                body["words"] = texts.player_words()  # a new language reads at once
        return JSONResponse(body, headers=_NO_STORE)

    async def _language(self, user_id: int) -> str:
        user = await self.svc.store.get_user(user_id)
        return i18n.effective(user.language, user.language_code) if user else i18n.SOURCE

    async def _apply(self, user_id: int, field: str, value: object) -> str | None:
        """Save one setting; the sentence the chat would answer a bad value with, or None."""
        store, now = self.svc.store, self.svc.clock.now()
        if field == "hold" and isinstance(value, int) and value in HOLD_CHOICES:
            await store.set_session_prefs(user_id, now, hold_seconds=value)
        elif field == "pace" and isinstance(value, str) and value in PACES:
            await store.set_session_prefs(user_id, now, pace=value)
        elif field == "hands_free" and isinstance(value, bool):
            await store.set_session_prefs(user_id, now, hands_free=value)
        elif field == "language" and isinstance(value, str) and i18n.normalize(value):
            await store.set_language(user_id, i18n.normalize(value), now)
        elif field in NUDGE_KINDS and isinstance(value, str):
            return await self._nudge_time(user_id, field, value)
        elif field == "timezone" and isinstance(value, str):
            return await self._zone(user_id, value)
        else:
            return texts.UNKNOWN_BUTTON
        return None

    async def _nudge_time(self, user_id: int, kind: str, value: str) -> str | None:
        subscriptions = self.svc.subscriptions
        if not value.strip():
            await subscriptions.set_enabled(user_id, kind, False)
            return None
        local = parse_time_of_day(value)
        if local is None:
            return texts.BAD_TIME
        await subscriptions.set_time(user_id, kind, local)
        await subscriptions.set_enabled(user_id, kind, True)
        return None

    async def _zone(self, user_id: int, value: str) -> str | None:
        if is_utc_offset(value):
            return texts.OFFSET_ZONE
        found = resolve_zone(value, i18n.current())
        if found is None:
            return texts.BAD_ZONE
        await self.svc.subscriptions.set_timezone(user_id, found.zone)
        return None
