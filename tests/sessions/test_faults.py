"""Telegram faults during a session, injected by the stand-in: nothing crashes, nothing is lost."""

from __future__ import annotations

import pytest

from bot import texts
from bot.domain.session import Status
from bot.sandbox.emulator import BotApiEmulator
from tests.harness import Harness, next_message

ANN = 5001


async def start_hold(emu: BotApiEmulator) -> None:
    emu.send_text(ANN, "/stretch")
    intro = await next_message(emu, ANN, 1)
    emu.press(ANN, intro.message_id, text=texts.BUTTON_READY)
    await next_message(emu, ANN, 2)


@pytest.mark.parametrize(
    ("code", "description"),
    [(500, "Internal Server Error"), (502, "Bad Gateway")],
)
@pytest.mark.slow  # 3.4 s here (--durations)
async def test_a_server_error_delays_the_step_but_loses_nothing(
    emu: BotApiEmulator, bot: Harness, code: int, description: str
) -> None:
    await start_hold(emu)
    emu.fail_next("sendMessage", error_code=code, description=description)
    switch = await next_message(emu, ANN, 3, timeout=8)  # shown again after the failure
    assert "Switch sides" in switch.text
    failed = [c for c in emu.calls if c.method == "sendMessage" and c.status == code]
    assert len(failed) == 1
    hold2 = await next_message(emu, ANN, 4, timeout=8)
    assert "right leg" in hold2.text
    assert sum("Switch sides" in m.text for m in emu.messages(ANN)) == 1  # not twice


@pytest.mark.slow  # 1.8 s here (--durations)
async def test_a_dropped_connection_is_retried(emu: BotApiEmulator, bot: Harness) -> None:
    await start_hold(emu)
    emu.reset_next("sendMessage")
    switch = await next_message(emu, ANN, 3, timeout=8)
    assert "Switch sides" in switch.text


@pytest.mark.slow  # waits real time (--durations ~1 s)
async def test_a_deleted_hold_message_does_not_stop_the_session(
    emu: BotApiEmulator, bot: Harness
) -> None:
    await start_hold(emu)
    emu.messages(ANN)[2].deleted = True  # the user deleted the countdown
    await emu.wait_for(lambda: any("Switch sides" in m.text for m in emu.messages(ANN)), timeout=8)
    not_found = [c for c in emu.calls if c.method == "editMessageText" and c.status == 400]
    assert not_found  # the close edit met "message to edit not found", and was let go


@pytest.mark.slow  # 2.2 s here (--durations)
async def test_a_user_who_blocks_the_bot_mid_session_is_left_alone(
    emu: BotApiEmulator, bot: Harness
) -> None:
    await start_hold(emu)
    emu.block(ANN)
    await emu.wait_for(
        lambda: any(c.status == 403 for c in emu.calls if c.method == "sendMessage"), timeout=8
    )
    await emu.settled(quiet=1.0)
    user = await bot.services.store.get_user(ANN)
    assert user is not None and not user.active
    assert await bot.services.store.live_session_of(ANN) is None
    sends_403 = [c for c in emu.calls if c.method == "sendMessage" and c.status == 403]
    assert len(sends_403) == 1  # no retry storm against a blocked user


@pytest.mark.slow  # 2.2 s here (--durations)
async def test_a_429_on_a_step_waits_and_retries(emu: BotApiEmulator, bot: Harness) -> None:
    await start_hold(emu)
    emu.fail_next(
        "sendMessage", error_code=429, description="Too Many Requests: retry after 1", retry_after=1
    )
    switch = await next_message(emu, ANN, 3, timeout=8)
    assert "Switch sides" in switch.text
    attempts = [c for c in emu.calls if c.method == "sendMessage"][-2:]
    assert attempts[0].status == 429 and attempts[1].at - attempts[0].at >= 1.0


async def test_message_not_modified_is_harmless(emu: BotApiEmulator, bot: Harness) -> None:
    await start_hold(emu)
    hold = emu.messages(ANN)[2]
    emu.press(ANN, hold.message_id, text=texts.BUTTON_PAUSE)
    await emu.wait_for(lambda: "Paused" in emu.messages(ANN)[2].text)
    live = await bot.services.store.live_session_of(ANN)
    assert live is not None and live.state.status is Status.PAUSED
    # Pausing again from the same (now stale) button is answered, not an error.
    emu.press(
        ANN,
        hold.message_id,
        data=emu.buttons(emu.messages(ANN)[2])[0][1].replace("resume", "pause"),
    )
    await emu.wait_for(
        lambda: any(
            c.method == "answerCallbackQuery" and c.params.get("text") == texts.STALE_BUTTON
            for c in emu.calls
        )
    )


async def finish_single(emu: BotApiEmulator) -> None:
    """A one-stretch session up to its last hold (20 clock-seconds: 2 real seconds)."""
    emu.send_text(ANN, "/stretch single")
    intro = await emu.wait_for_message(ANN, "Stretch 1 of 1")
    emu.press(ANN, intro.message_id, text=texts.BUTTON_READY)
    await emu.wait_for_message(ANN, "⏱")


def finishing(emu: BotApiEmulator) -> list[str]:
    return [m.text for m in emu.messages(ANN) if m.text.startswith("🎉")]


@pytest.mark.slow  # over ~2.5 s of real waiting (--durations)
async def test_a_finishing_message_that_failed_is_sent_again(
    emu: BotApiEmulator, bot: Harness
) -> None:
    await finish_single(emu)
    emu.fail_next("sendMessage", error_code=502, description="Bad Gateway", chat_id=ANN)
    await emu.wait_for(lambda: bool(finishing(emu)), timeout=8)
    assert any(c.status == 502 for c in emu.calls if c.method == "sendMessage")
    await emu.settled(quiet=1.0)
    assert len(finishing(emu)) == 1
    assert "Day 1" in finishing(emu)[0]  # the streak line came with it
    assert len(await bot.services.store.session_log(ANN)) == 1


@pytest.mark.slow  # over ~2.5 s of real waiting (--durations)
async def test_a_restart_shows_the_ending_a_failure_kept_from_the_chat(
    emu: BotApiEmulator, bot: Harness
) -> None:
    await finish_single(emu)
    emu.fail_next("sendMessage", error_code=500, chat_id=ANN)
    await emu.wait_for(
        lambda: any(c.status == 500 for c in emu.calls if c.method == "sendMessage"), timeout=8
    )
    await bot.stop()  # down before the retry: only the row knows the ending is unshown
    assert not finishing(emu)
    await bot.start()
    await emu.wait_for(lambda: bool(finishing(emu)), timeout=8)
    await emu.settled(quiet=1.0)
    assert len(finishing(emu)) == 1
    assert len(await bot.services.store.session_log(ANN)) == 1


@pytest.mark.slow  # 1.8 s here (--durations)
async def test_a_step_lost_on_the_way_is_shown_after_the_timeout(
    emu: BotApiEmulator, sqlite_url: str
) -> None:
    """A request that never reached Telegram looks to the bot like a read timeout (5 s in
    production, 0.5 s here: the same rule, without the wait); the step is shown again, once,
    and the session carries on."""
    bot = Harness(emu, sqlite_url, overrides={"telegram_read_timeout": 0.5})
    await bot.start()
    try:
        await start_hold(emu)
        emu.hang_next("sendMessage", seconds=1.0)
        switch = await next_message(emu, ANN, 3, timeout=12)
        assert "Switch sides" in switch.text
        assert any(c.method == "sendMessage" and c.status == 0 for c in emu.calls)  # lost one
        await emu.wait_for_message(ANN, "⏱ First stretch — right leg", timeout=8)
        assert sum("Switch sides" in m.text for m in emu.messages(ANN)) == 1
    finally:
        await bot.stop()
