"""300 groups with a team desk break at the same minute (issue 25).

The real Application (rate limiter on, chats paced as in production) against the Bot API
stand-in enforcing Telegram's limits: 30 messages a second for the bot, a burst of 3 then one a
second per chat, and 20 messages a minute per group (edits counted too). Every group's break is
at the same instant, about two minutes ahead, so the announcements go out at once; three
members of each group press "I'm in" as soon as they see it. Measured: 429s, when each break
started (its first edit after its time) and ended, and the most messages any group got in a
minute. Real time: about four minutes.

Run: python benchmarks/team_breaks.py [--groups 300] [--database URL] [--json PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LEAD_SECONDS = 125.0  # the break's time from now: its announcement is due in 5 s
MEMBERS = 5
JOINING = 3
EDITS = ("editMessageCaption", "editMessageText")


async def run(groups: int, database: str | None) -> dict[str, Any]:
    from bot.app import team_desk
    from bot.clock import SystemClock
    from bot.config import DEFAULT_ROUTINES
    from bot.domain import team
    from bot.domain.schedule import EVERY_DAY
    from bot.sandbox.emulator import BotApiEmulator
    from tests.harness import Harness

    url = database or f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/team.db"
    async with BotApiEmulator() as emu:
        emu.enforce_flood(30, 1.0, 3.0, per_group_per_minute=team.GROUP_MESSAGES_PER_MINUTE)
        bot = Harness(
            emu,
            url,
            routines=DEFAULT_ROUTINES,
            clock=SystemClock(),
            overrides={"chat_pace_per_second": 1, "team_tick_seconds": 1.0},
        )
        await bot.start()
        try:
            store = bot.services.store
            now = datetime.now(UTC).replace(microsecond=0)
            break_at = now + timedelta(seconds=LEAD_SECONDS)
            break_mono = time.monotonic() + (break_at - datetime.now(UTC)).total_seconds()
            chats = [-(10_000_000 + n) for n in range(groups)]
            for n, chat in enumerate(chats):
                members = {chat * -10 + m: f"P{n}-{m}" for m in range(MEMBERS)}
                emu.add_group(chat, members, admins={next(iter(members))}, bot_in=True)
                await store.set_team_break(
                    chat,
                    local_time=f"{break_at:%H:%M}",
                    days=EVERY_DAY,
                    timezone="UTC",
                    language="en",
                    set_by=0,
                    next_break_at=break_at,
                    announce_at=break_at - team.ANNOUNCE_AHEAD,
                    now=now,
                )
            presser = asyncio.create_task(_press_when_announced(emu, chats))
            deadline = break_mono + 85 + 120
            ended = 0
            while time.monotonic() < deadline:
                ended = sum(1 for c in chats if _ended(emu, c))
                if ended == groups:
                    break
                await asyncio.sleep(1.0)
            presser.cancel()
            desk = team_desk(bot.app)  # type: ignore[arg-type]
            return _figures(emu, chats, break_mono, ended, desk.totals.failed, groups)
        finally:
            await bot.stop()


def _ended(emu: Any, chat: int) -> bool:
    found = emu.messages(chat)
    return bool(found) and "stretched" in found[-1].text


async def _press_when_announced(emu: Any, chats: list[int]) -> None:
    pressed: set[int] = set()
    while len(pressed) < len(chats):
        for chat in chats:
            if chat in pressed or not emu.messages(chat):
                continue
            card = emu.messages(chat)[-1]
            join = emu.buttons(card)[0][1]
            for m in range(JOINING):
                emu.press(
                    chat * -10 + m, card.message_id, data=join, chat_id=chat, first_name=f"P{m}"
                )
            pressed.add(chat)
        await asyncio.sleep(0.2)


def _figures(
    emu: Any, chats: list[int], break_mono: float, ended: int, failed: int, groups: int
) -> dict[str, Any]:
    starts: list[float] = []
    ends: list[float] = []
    busiest = 0
    for chat in chats:
        ok = [c for c in emu.calls if c.params.get("chat_id") == chat and c.status == 200]
        edits = [c.at for c in ok if c.method in EDITS and c.at >= break_mono - 0.05]
        if edits:
            starts.append(edits[0] - break_mono)
            ends.append(edits[-1] - break_mono)
        stamps = sorted(c.at for c in ok if c.method != "answerCallbackQuery")
        busiest = max(
            busiest, max((sum(1 for t in stamps if s <= t < s + 60) for s in stamps), default=0)
        )
    sent = [c for c in emu.calls if c.params.get("chat_id") in set(chats) and c.status == 200]
    return {
        "groups": groups,
        "breaks_started": len(starts),
        "breaks_ended_with_names": ended,
        "http_429": emu.flood_429s + emu.group_429s,
        "group_429": emu.group_429s,
        "start_lateness_s": {
            "median": round(statistics.median(starts), 1) if starts else None,
            "max": round(max(starts), 1) if starts else None,
        },
        "started_within_60s": sum(1 for s in starts if s <= 60),
        "end_after_time_s_max": round(max(ends), 1) if ends else None,
        "messages_and_edits": len(sent),
        "most_in_one_group_in_60s": busiest,
        "edits_failed": failed,
        "spec_violations": len(emu.violations),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--groups", type=int, default=300)
    parser.add_argument("--database", help="default: a throwaway SQLite file")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    figures = asyncio.run(run(args.groups, args.database))
    text = json.dumps(figures, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")


if __name__ == "__main__":
    main()
