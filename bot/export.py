"""/export's file: everything Limber keeps about one user, as a ZIP of CSV files.

- profile.csv: the settings a person recognises (name, language, time zone, nudge times).
- history.csv: sessions with their local day, and the back-pain answers (bot/progress.py).
- tables/<table>.csv: every row of every table that holds the user's data, all columns, as
  stored. The tables come from the schema (Store.rows_of_user), so a table added later is in
  the export without a change here: the promise in /privacy stays true by construction.

A ZIP rather than one CSV with sections: each file opens as a plain table in a spreadsheet.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime
from typing import Any

from bot.progress import Progress
from bot.store.repo import Store

FILENAME = "limber-export.zip"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _csv(header: list[str], rows: list[list[Any]] | list[tuple[Any, ...]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue().encode("utf-8")


async def build_export(store: Store, progress: Progress, user_id: int) -> bytes | None:
    """The ZIP for `user_id`, or None when Limber keeps nothing about them."""
    user = await store.get_user(user_id)
    if user is None:
        return None
    nudges = await store.nudges_of(user_id)
    profile: list[list[Any]] = [
        ["telegram_user_id", user.id],
        ["first_name", user.first_name],
        ["language", user.language_code],
        ["time_zone", user.timezone],
        ["nudges_on", user.active],
        ["paused_until_utc", user.paused_until],
        ["joined_utc", user.created_at],
        ["last_session_finished_utc", user.last_finished_at],
    ]
    for kind in sorted(nudges):
        nudge = nudges[kind]
        profile.append([f"{kind}_nudge_time", nudge.local_time])
        profile.append([f"{kind}_nudge_on", nudge.enabled])
    tables = await store.rows_of_user(user_id)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("profile.csv", _csv(["field", "value"], profile))
        archive.writestr("history.csv", await progress.export_csv(user_id))
        for name, (columns, rows) in tables.items():
            archive.writestr(f"tables/{name}.csv", _csv(columns, rows))
    return buffer.getvalue()
