"""One owner per session's next step (issue 29 item 1): whatever worker or restart arms a
follow-up for a session, each step (card, hold, switch, ending) is sent once.

Two workers in one process on one PostgreSQL, as two webhook workers behind a balancer are:
worker A runs the sessions, worker B adopts them as a restart or a sweep after an outage does
(`resume_all`), and presses go to either. Before the claim, both followed every session and
both sent its steps.
"""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from bot import texts
from bot.domain.session import Event
from bot.sandbox.emulator import BotApiEmulator, BotMessage
from tests.harness import Harness, next_message

pytestmark = [pytest.mark.postgres, pytest.mark.slow]  # a routine's real seconds, twice

USERS = [7301, 7302, 7303, 7304]
# The "quick" routine, hands-free: card, left hold, switch, right hold, card, hold, ending.
EXPECTED = {"card 1": 1, "card 2": 1, "hold": 3, "switch": 1, "ending": 1}


def step_kind(text: str) -> str | None:
    if "Stretch 1 of 2" in text:
        return "card 1"
    if "Stretch 2 of 2" in text:
        return "card 2"
    if text.startswith("⏱"):
        return "hold"
    if "Switch sides" in text:
        return "switch"
    if text.startswith("🎉"):
        return "ending"
    return None


def steps_sent(emu: BotApiEmulator, chat_id: int) -> Counter[str]:
    """Every step the stand-in accepted for the chat (sends, not edits)."""
    found: Counter[str] = Counter()
    for call in emu.calls:
        if call.method not in ("sendMessage", "sendAnimation") or call.status != 200:
            continue
        if int(call.params.get("chat_id", 0)) != chat_id:
            continue
        kind = step_kind(str(call.params.get("text") or call.params.get("caption") or ""))
        if kind is not None:
            found[kind] += 1
    return found


def with_pause(emu: BotApiEmulator, chat_id: int) -> list[BotMessage]:
    return [
        m
        for m in emu.messages(chat_id)
        if any(label == texts.BUTTON_PAUSE for label, _ in emu.buttons(m))
    ]


def ended(emu: BotApiEmulator, chat_id: int) -> bool:
    return steps_sent(emu, chat_id)["ending"] > 0


async def test_two_workers_following_one_session_send_each_step_once(
    emu: BotApiEmulator, pg_url: str
) -> None:
    a = Harness(emu, pg_url)
    b = Harness(emu, pg_url, clock=a.clock, polling=False)  # one wall clock, as in a fleet
    await a.start()
    await b.start()
    try:
        for uid in USERS:
            emu.send_text(uid, "/stretch")
        for uid in USERS:
            await next_message(emu, uid, 0, timeout=10)
        # Worker B adopts every live session, as a restarted worker or a sweep does.
        await b.services.coach.resume_all()
        # A press on one worker while the other follows: pause through A, resume through B.
        pauser = USERS[0]
        await emu.wait_for(lambda: bool(with_pause(emu, pauser)), timeout=10)
        emu.press(pauser, with_pause(emu, pauser)[-1].message_id, text=texts.BUTTON_PAUSE)
        await emu.wait_for(lambda: "Paused" in emu.messages(pauser)[-1].text, timeout=10)
        record = await b.services.store.live_session_of(pauser)
        assert record is not None
        await b.services.coach.press(record.id, Event.RESUME, record.version, pauser)
        await emu.wait_for(lambda: all(ended(emu, u) for u in USERS), timeout=40)
        await asyncio.sleep(2.0)  # room for a late duplicate to show up
    finally:
        await b.stop()
        await a.stop()
    doubled = {u: steps_sent(emu, u) for u in USERS if steps_sent(emu, u) != Counter(EXPECTED)}
    assert not doubled, f"steps not sent exactly once: {doubled}"
