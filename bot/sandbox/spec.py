"""Checks requests against the Telegram Bot API spec (machine-readable, from the official page).

Every request the bot makes in tests and in `try` passes through here: an unknown method or
parameter, a missing required one, a wrong type (recursively, into keyboards and commands) or a
broken limit (text 1-4096 characters, callback data 1-64 bytes, ...) is a violation, reported in
words a developer can act on. Values arrive as PTB sends them (form fields whose non-string
values are JSON), so each is coerced by the type the spec declares.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

PACKAGED = "botapi-spec.json"
# Limits the spec states in prose (see shared/botapi/limits.txt).
TEXT_LIMITS = {
    ("sendmessage", "text"): (1, 4096),
    ("editmessagetext", "text"): (1, 4096),
    ("sendphoto", "caption"): (0, 1024),
    ("sendanimation", "caption"): (0, 1024),
    ("senddocument", "caption"): (0, 1024),
    ("editmessagecaption", "caption"): (0, 1024),
    ("answercallbackquery", "text"): (0, 200),
    ("setmydescription", "description"): (0, 512),
    ("setmyshortdescription", "short_description"): (0, 120),
}
MAX_BUTTONS = 100
MAX_BUTTONS_PER_ROW = 8


@dataclass(frozen=True, slots=True)
class Upload:
    """A file part of a multipart request."""

    filename: str
    data: bytes


class Spec:
    """The spec's methods and types, with case-insensitive method lookup."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.version = str(data.get("version", ""))
        self.methods: dict[str, dict[str, Any]] = {
            name.lower(): body for name, body in data["methods"].items()
        }
        self.types: dict[str, dict[str, Any]] = data["types"]

    @classmethod
    def load(cls, path: Path | None = None) -> Spec:
        """The spec at `path`, or the subset packaged with the bot."""
        if path is None:
            text = resources.files("bot.sandbox").joinpath(PACKAGED).read_text(encoding="utf-8")
        else:
            text = path.read_text(encoding="utf-8")
        return cls(json.loads(text))

    def canonical(self, method: str) -> str | None:
        """The method's spelling in the spec, or None if there is no such method."""
        body = self.methods.get(method.lower())
        return str(body["name"]) if body else None

    def check_call(self, method: str, raw: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """Coerce `raw` by the method's declared field types; return (params, violations)."""
        body = self.methods.get(method.lower())
        if body is None:
            return {}, [f"unknown method {method!r}"]
        name = body["name"]
        fields = {f["name"]: f for f in body.get("fields", [])}
        problems: list[str] = []
        params: dict[str, Any] = {}
        for key, value in raw.items():
            field = fields.get(key)
            if field is None:
                problems.append(f"{name}: unknown parameter {key!r}")
                continue
            coerced, errors = self._coerce(value, field["types"], f"{name}.{key}")
            problems.extend(errors)
            params[key] = coerced
        for key, field in fields.items():
            if field.get("required") and key not in raw:
                problems.append(f"{name}: missing required parameter {key!r}")
        for (m, key), (low, high) in TEXT_LIMITS.items():
            if m == name.lower() and isinstance(params.get(key), str):
                length = len(params[key])
                if not low <= length <= high:
                    problems.append(f"{name}.{key}: {length} characters, allowed {low}-{high}")
        return params, problems

    # Coercion ---------------------------------------------------------------------------------

    def _coerce(self, value: Any, types: list[str], where: str) -> tuple[Any, list[str]]:
        first_errors: list[str] | None = None
        for declared in types:
            coerced, errors = self._as(value, declared, where)
            if not errors:
                return coerced, []
            if first_errors is None:
                first_errors = errors
        return value, first_errors or [f"{where}: no type matches"]

    def _as(self, value: Any, declared: str, where: str) -> tuple[Any, list[str]]:
        if declared.startswith("Array of "):
            inner = declared.removeprefix("Array of ")
            items = _json_if_text(value)
            if not isinstance(items, list):
                return value, [f"{where}: expected {declared}, got {type(items).__name__}"]
            out, problems = [], []
            for i, item in enumerate(items):
                coerced, errors = self._coerce(item, [inner], f"{where}[{i}]")
                out.append(coerced)
                problems.extend(errors)
            return out, problems
        if declared == "String":
            return (value, []) if isinstance(value, str) else (value, [f"{where}: expected String"])
        if declared == "Integer":
            return _integer(value, where)
        if declared in ("Float", "Float number"):
            return _float(value, where)
        if declared in ("Boolean", "True"):
            return _boolean(value, where)
        if declared == "InputFile":
            if isinstance(value, Upload):
                return value, []
            return value, [f"{where}: expected an uploaded file"]
        body = self.types.get(declared)
        if body is None:
            return value, [f"{where}: the spec has no type {declared!r}"]
        return self._object(_json_if_text(value), declared, body, where)

    def _object(
        self, value: Any, name: str, body: dict[str, Any], where: str
    ) -> tuple[Any, list[str]]:
        subtypes = body.get("subtypes")
        if subtypes:
            return self._coerce(value, list(subtypes), where)
        if not isinstance(value, dict):
            return value, [f"{where}: expected {name} object, got {type(value).__name__}"]
        fields = {f["name"]: f for f in body.get("fields", [])}
        out: dict[str, Any] = {}
        problems: list[str] = []
        for key, item in value.items():
            field = fields.get(key)
            if field is None:
                problems.append(f"{where}: unknown field {key!r} in {name}")
                continue
            coerced, errors = self._coerce(item, field["types"], f"{where}.{key}")
            out[key] = coerced
            problems.extend(errors)
        for key, field in fields.items():
            if field.get("required") and key not in value:
                problems.append(f"{where}: {name} lacks required field {key!r}")
        problems.extend(_object_limits(name, out, where))
        return out, problems


def _object_limits(name: str, value: dict[str, Any], where: str) -> list[str]:
    problems = []
    if name == "InlineKeyboardButton" and "callback_data" in value:
        size = len(str(value["callback_data"]).encode("utf-8"))
        if not 1 <= size <= 64:
            problems.append(f"{where}.callback_data: {size} bytes, allowed 1-64")
    if name == "InlineKeyboardMarkup":
        rows = value.get("inline_keyboard") or []
        if sum(len(r) for r in rows if isinstance(r, list)) > MAX_BUTTONS:
            problems.append(f"{where}: more than {MAX_BUTTONS} buttons")
        if any(isinstance(r, list) and len(r) > MAX_BUTTONS_PER_ROW for r in rows):
            problems.append(f"{where}: more than {MAX_BUTTONS_PER_ROW} buttons in a row")
    return problems


def _json_if_text(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _integer(value: Any, where: str) -> tuple[Any, list[str]]:
    if isinstance(value, bool):
        return value, [f"{where}: expected Integer, got Boolean"]
    if isinstance(value, int):
        return value, []
    if isinstance(value, str):
        try:
            return int(value), []
        except ValueError:
            pass
    return value, [f"{where}: expected Integer, got {value!r:.40}"]


def _float(value: Any, where: str) -> tuple[Any, list[str]]:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value), []
    if isinstance(value, str):
        try:
            return float(value), []
        except ValueError:
            pass
    return value, [f"{where}: expected Float, got {value!r:.40}"]


def _boolean(value: Any, where: str) -> tuple[Any, list[str]]:
    if isinstance(value, bool):
        return value, []
    if value in ("true", "True", "1"):
        return True, []
    if value in ("false", "False", "0"):
        return False, []
    return value, [f"{where}: expected Boolean, got {value!r:.40}"]
