"""Sessions for a person lying on the floor holding a leg (issue 13), through the real
Application and the Bot API stand-in: hands-free sessions, pictures of every stretch, honest
endings, "This hurts" and its next-day question, /stretch mid-session, the session settings."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot import texts
from bot.clock import ScaledClock
from bot.domain.session import Status
from bot.pictures import picture_key
from bot.routines import load_routines
from bot.sandbox.emulator import ApiCall, BotApiEmulator, BotMessage
from bot.sandbox.spec import Upload
from bot.sessions.aftercare import PAIN_CHECK_HOUR
from bot.store.repo import Store
from tests.harness import DATA, Harness, first_hold, next_message

ANN = 1001
POSED = DATA / "posed.toml"

# A routine of short phases for measuring a whole hands-free session on a slow clock.
TIMED = """
[stretches.a]
name = "Two-sided"
steps = ["Lie down."]
hold_seconds = 5
ready_seconds = 3
switch_seconds = 4

[stretches.b]
name = "One-sided"
steps = ["Sit."]
hold_seconds = 6
each_side = false

[routines.timed]
title = "Timed"
stretches = ["a", "b"]
default = true
"""


def labels(emu: BotApiEmulator, message: BotMessage) -> list[str]:
    return [text for text, _ in emu.buttons(message)]


def animations(emu: BotApiEmulator) -> list[ApiCall]:
    return [c for c in emu.calls if c.method == "sendAnimation" and c.status == 200]


# Hands-free -----------------------------------------------------------------------------------


@pytest.mark.slow  # a whole session on a slow clock: ~9 s of real time
async def test_one_tap_starts_a_session_that_finishes_by_itself_on_time(
    emu: BotApiEmulator, sqlite_url: str, tmp_path: Path
) -> None:
    """No tap after /stretch: get-ready, hold, switch, hold, next card, hold, the end. Each
    follow-up comes no sooner than its phase and within 1 s after it, on the bot's clock; the
    start and the end of every hold are new messages (so the phone sounds)."""
    routines = tmp_path / "timed.toml"
    routines.write_text(TIMED)
    speed = 3.0
    clock = ScaledClock(speed)
    harness = Harness(emu, sqlite_url, routines=routines, clock=clock)
    await harness.start()
    try:
        emu.send_text(ANN, "/stretch")
        # note, card a, hold a left, switch, hold a right, card b, hold b, the end, pain question
        await next_message(emu, ANN, 8, timeout=30)
        messages = emu.messages(ANN)
        assert [c.method for c in emu.calls if c.method == "answerCallbackQuery"] == []
        card_a, hold_l, switch, hold_r, card_b, hold_b, done = messages[1:8]
        assert "Stretch 1 of 2" in card_a.text and "starts by itself in 3 s" in card_a.text
        assert "Switch sides" in switch.text and "4 s" in switch.text
        assert "Stretch 2 of 2" in card_b.text and "10 s" in card_b.text  # the default count
        assert "Done!" in done.text and "2 stretches" in done.text
        assert messages[8].text == texts.PAIN_QUESTION
        # Each hold began as a new message and ended in place with what was held; the next
        # step came as a new message.
        assert hold_l.text.startswith("✓ Two-sided — left leg: 5 s held")
        assert hold_r.text.startswith("✓ Two-sided — right leg: 5 s held")
        assert hold_b.text.startswith("✓ One-sided: 6 s held")

        def clock_gap(later: BotMessage, earlier: BotMessage) -> float:
            return (later.sent_at - earlier.sent_at) * speed

        # (message, the one before it, the clock seconds of the phase between them)
        for later, earlier, phase in (
            (hold_l, card_a, 3),
            (switch, hold_l, 5),
            (hold_r, switch, 4),
            (card_b, hold_r, 5),
            (hold_b, card_b, 10),
            (done, hold_b, 6),
        ):
            # The earlier message went out a few ms after its phase began: 0.15 clock-seconds
            # (50 ms real) of slack on the early side, 1 clock-second on the late side.
            gap = clock_gap(later, earlier)
            assert phase - 0.15 <= gap <= phase + 1.0, (later.text[:30], gap, phase)
        (entry,) = await harness.services.store.session_log(ANN)
        assert (entry.holds_done, entry.stretches_done) == (3, 2)
    finally:
        await harness.stop()


@pytest.mark.slow  # over ~2.5 s (--durations): a tap-through card is watched waiting 1.5 s
async def test_tap_through_is_a_setting_and_the_hold_length_too(
    emu: BotApiEmulator, bot: Harness
) -> None:
    # Someone set up already (zone chosen, onboarding over), without the onboarding's chat.
    store, now = bot.services.store, bot.clock.now()
    await store.upsert_user(ANN, ANN, "Ann", "en", now)
    await store.update_user(ANN, now, timezone="Europe/Berlin", onboarding=None)
    count = 0
    emu.send_text(ANN, "/settings")
    menu = await next_message(emu, ANN, count)
    assert "Sessions:" in menu.text
    assert "hands-free" in menu.text and "30 s" in menu.text
    assert "✓ Hold 30 s" in labels(emu, menu) and "✓ Hands-free" in labels(emu, menu)
    emu.press(ANN, menu.message_id, text="Hold 45 s")
    await emu.wait_for(lambda: "✓ Hold 45 s" in labels(emu, emu.messages(ANN)[count]))
    emu.press(ANN, menu.message_id, text=texts.BUTTON_TAP_THROUGH)
    await emu.wait_for(lambda: "tap through" in emu.messages(ANN)[count].text)
    emu.press(ANN, menu.message_id, text="Relaxed")
    await emu.wait_for(lambda: "relaxed pauses" in emu.messages(ANN)[count].text)
    user = await bot.services.store.get_user(ANN)
    assert user is not None
    assert (user.hands_free, user.hold_seconds, user.pace) == (False, 45, "relaxed")

    emu.send_text(ANN, "/stretch")
    card = await next_message(emu, ANN, count + 1)
    assert "Hold 45 s on each side. Tap Ready" in card.text
    assert labels(emu, card)[0] == texts.BUTTON_READY and texts.BUTTON_PAUSE not in labels(
        emu, card
    )
    await asyncio.sleep(1.5)  # 15 clock-seconds: a tap-through card waits for Ready
    assert len(emu.messages(ANN)) == count + 2
    emu.press(ANN, card.message_id, text=texts.BUTTON_READY)
    hold = await next_message(emu, ANN, count + 2)
    assert "45 s left" in hold.text
    live = await bot.services.store.live_session_of(ANN)
    assert live is not None and live.state.phase_seconds == 45


# Pictures -------------------------------------------------------------------------------------


async def test_each_card_with_pose_data_is_an_animation_uploaded_once_per_bot(
    emu: BotApiEmulator, sqlite_url: str
) -> None:
    """A routine someone wrote: its posed stretch gets its own picture. Its first upload goes
    alone, the card as text after it (a card never waits on an upload: issue 29); every later
    card is the animation by the kept file_id with the card as caption, no second upload; a
    stretch without pose data keeps the text card."""
    harness = Harness(emu, sqlite_url, routines=POSED)
    await harness.start()
    try:
        emu.send_text(ANN, "/stretch")
        card = await next_message(emu, ANN, 2)
        picture = emu.messages(ANN)[1]
        (first,) = animations(emu)
        assert isinstance(first.params["animation"], Upload)  # a multipart upload
        assert "caption" not in first.params and labels(emu, picture) == []
        assert picture.animation is not None and picture.animation.startswith(b"GIF8")
        assert card.text.startswith("🧘 Mine") and "Bed leg raise" in card.text
        assert labels(emu, card)[:2] == [texts.BUTTON_READY, texts.BUTTON_PAUSE]
        emu.press(ANN, card.message_id, text=texts.BUTTON_PAUSE)  # a text card: text edits
        await emu.wait_for(lambda: "Paused" in emu.messages(ANN)[2].text)
        emu.press(ANN, card.message_id, text=texts.BUTTON_RESUME)
        await emu.wait_for(lambda: "Paused" not in emu.messages(ANN)[2].text)
        emu.press(ANN, card.message_id, text=texts.BUTTON_SKIP)
        plain = await next_message(emu, ANN, 3)
        assert "Calf rub" in plain.text and plain.animation is None and plain.photo is None
        emu.press(ANN, plain.message_id, text=texts.BUTTON_STOP)
        await next_message(emu, ANN, 4)

        emu.send_text(ANN, "/stretch")
        again = await next_message(emu, ANN, 5)
        _, second_call = animations(emu)
        assert second_call.params["animation"] == again.file_id == picture.file_id
        assert isinstance(second_call.params["animation"], str)  # the file_id, not the file
        assert again.text.startswith("🧘 Mine")  # the card as its caption
        assert len(emu.files) == 1  # uploaded once
        # Pause and Resume edit the caption (a media message has no text to edit).
        emu.press(ANN, again.message_id, text=texts.BUTTON_PAUSE)
        await emu.wait_for(lambda: "Paused" in emu.messages(ANN)[5].text)

        pose = load_routines(POSED).stretches["bedraise"].pose
        assert pose is not None
        key = picture_key(pose, "animation")
        store = harness.services.store
        assert await store.file_id_of(emu.bot_id, key) == picture.file_id
        assert await store.file_id_of(emu.bot_id + 1, key) is None  # per bot
    finally:
        await harness.stop()


async def test_a_card_too_long_for_a_caption_goes_as_picture_then_text(
    emu: BotApiEmulator, sqlite_url: str, tmp_path: Path
) -> None:
    long_steps = ", ".join(f'"Step {i}: {"breathe out slowly and let go " * 3}"' for i in range(9))
    source = POSED.read_text()
    start = source.index("steps = [", source.index("[stretches.bedraise]"))
    end = source.index("]", start) + 1
    routines = tmp_path / "long.toml"
    routines.write_text(source[:start] + f"steps = [{long_steps}]" + source[end:])
    harness = Harness(emu, sqlite_url, routines=routines)
    await harness.start()
    try:
        emu.send_text(ANN, "/stretch")
        card = await next_message(emu, ANN, 2)
        picture = emu.messages(ANN)[1]
        assert picture.animation is not None and picture.text == "" and labels(emu, picture) == []
        assert len(card.text) > 1024 and "Step 8" in card.text
        assert texts.BUTTON_READY in labels(emu, card)
        emu.press(ANN, card.message_id, text=texts.BUTTON_PAUSE)  # a text message: text edits
        await emu.wait_for(lambda: "Paused" in emu.messages(ANN)[2].text)
    finally:
        await harness.stop()


# Honest endings, "This hurts" -----------------------------------------------------------------


async def test_this_hurts_offers_a_pause_and_asks_about_the_back_the_next_day(
    emu: BotApiEmulator, bot: Harness
) -> None:
    hold = await first_hold(emu, ANN)
    emu.press(ANN, hold.message_id, text=texts.BUTTON_HURT)
    advice = await next_message(emu, ANN, 3)
    assert "never pain" in advice.text and "doctor" in advice.text
    offer = await next_message(emu, ANN, 4)
    assert offer.text == texts.HURT_PAUSE_OFFER
    assert labels(emu, offer) == [
        texts.BUTTON_PAUSE_3,
        texts.BUTTON_PAUSE_7,
        texts.BUTTON_NO_THANKS,
    ]
    store = bot.services.store
    clock = bot.clock
    emu.press(ANN, offer.message_id, text=texts.BUTTON_PAUSE_3)
    await emu.wait_for(lambda: "paused until" in emu.messages(ANN)[4].text)
    user = await store.get_user(ANN)
    assert user is not None and user.paused_until is not None
    assert abs(user.paused_until - (clock.now() + timedelta(days=3))) < timedelta(minutes=1)

    # Not asked the same day; asked once the next day at 10:00 local (UTC here).
    aftercare = bot.services.coach.aftercare
    assert aftercare is not None
    assert await aftercare.tick() == 0
    assert isinstance(clock, ScaledClock)
    tomorrow = clock.now().astimezone(ZoneInfo("UTC")).date() + timedelta(days=1)
    due = datetime.combine(tomorrow, PAIN_CHECK_HOUR, tzinfo=UTC)
    clock.advance(due - clock.now() + timedelta(seconds=1))
    assert await aftercare.tick() == 1
    question = await next_message(emu, ANN, 5)
    assert question.text == texts.PAIN_QUESTION
    assert await aftercare.tick() == 0  # once
    # The answer can be changed the same day: the buttons stay.
    emu.press(ANN, question.message_id, text="6")
    await emu.wait_for(lambda: "6/10" in emu.messages(ANN)[5].text)
    emu.press(ANN, question.message_id, text="3")
    await emu.wait_for(lambda: "3/10" in emu.messages(ANN)[5].text)
    assert list((await store.pain_reports(ANN)).values()) == [3]


async def test_no_thanks_keeps_the_nudges_and_still_asks_tomorrow(
    emu: BotApiEmulator, bot: Harness
) -> None:
    emu.send_text(ANN, "/stretch")
    card = await next_message(emu, ANN, 1)
    emu.press(ANN, card.message_id, text=texts.BUTTON_HURT)  # "This hurts" on the card too
    await next_message(emu, ANN, 2)
    offer = await next_message(emu, ANN, 3)
    emu.press(ANN, offer.message_id, text=texts.BUTTON_NO_THANKS)
    await emu.wait_for(lambda: emu.messages(ANN)[3].text == texts.HURT_NO_PAUSE)
    user = await bot.services.store.get_user(ANN)
    assert user is not None and user.paused_until is None
    # Tomorrow at 10:00 is 10 to 34 hours away depending on the hour now (it failed before
    # 10:00 UTC with "a day from now"): two days from now is past it at any hour.
    assert await bot.services.store.claim_pain_checks(bot.clock.now() + timedelta(days=2))


# /stretch mid-session -------------------------------------------------------------------------


async def test_stretch_mid_session_asks_and_start_over_closes_the_old_hold(
    emu: BotApiEmulator, bot: Harness
) -> None:
    emu.send_text(ANN, "/stretch single")
    card = await next_message(emu, ANN, 1)
    emu.press(ANN, card.message_id, text=texts.BUTTON_READY)
    hold = await next_message(emu, ANN, 2)
    emu.send_text(ANN, "/stretch")
    ask = await next_message(emu, ANN, 3)
    assert "Carry on, or start over?" in ask.text
    assert labels(emu, ask) == [texts.BUTTON_CARRY_ON, texts.BUTTON_START_OVER]
    live = await bot.services.store.live_session_of(ANN)
    assert live is not None and live.routine_id == "single"  # nothing replaced yet
    emu.press(ANN, ask.message_id, text=texts.BUTTON_START_OVER)
    fresh = await next_message(emu, ANN, 4)
    assert "Quick test" in fresh.text
    old = emu.messages(ANN)[2]
    assert old.message_id == hold.message_id
    assert "left" not in old.text and "stopped early" in old.text  # never frozen mid-count
    assert labels(emu, old) == []
    live = await bot.services.store.live_session_of(ANN)
    assert live is not None and live.routine_id == "quick"


async def test_stretch_mid_session_carry_on_leaves_the_session_running(
    emu: BotApiEmulator, bot: Harness
) -> None:
    emu.send_text(ANN, "/stretch single")
    card = await next_message(emu, ANN, 1)
    emu.send_text(ANN, "/stretch")
    ask = await next_message(emu, ANN, 2)
    emu.press(ANN, ask.message_id, text=texts.BUTTON_CARRY_ON)
    await emu.wait_for(lambda: emu.messages(ANN)[2].text == texts.CARRYING_ON)
    live = await bot.services.store.live_session_of(ANN)
    assert live is not None and live.state.status is Status.ACTIVE and live.version >= 1
    hold = await next_message(emu, ANN, 3)  # the get-ready count goes on by itself
    assert "Second stretch" in hold.text and card.message_id != hold.message_id


# The sandbox: the picture in the terminal -----------------------------------------------------


@pytest.mark.slow  # starts `python -m bot try` as a process
def test_try_plain_prints_where_the_picture_was_saved() -> None:
    from tests.sandbox.test_try import run_try

    result = run_try("/stretch\n", "--plain", "--speed", "30", "--routines", str(POSED))
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if "[animated picture" in line]
    assert len(lines) == 1, result.stdout
    path = Path(lines[0].rsplit(": ", 1)[1].rstrip("]"))
    assert path.suffix == ".gif" and path.read_bytes().startswith(b"GIF8")


def test_the_terminal_chat_draws_a_picture_as_half_blocks() -> None:
    from bot.pictures import draw_animation
    from bot.sandbox.console import half_blocks

    pose = load_routines(POSED).stretches["bedraise"].pose
    assert pose is not None
    drawn = half_blocks(draw_animation(pose), columns=40)
    rows = drawn.plain.split("\n")
    assert len(rows) > 5 and all(row == "▀" * 40 for row in rows)
    colours = {str(span.style) for span in drawn.spans}
    assert len(colours) > 3  # a picture, not a blank box
    assert "could not be read" in half_blocks(b"not a picture").plain


@pytest.mark.slow  # a Textual app and a session: ~3 s
async def test_the_terminal_chat_shows_the_card_with_its_picture() -> None:
    from bot.sandbox.console import ChatApp
    from bot.sandbox.runner import SandboxOptions, parse_start
    from tests.sandbox.test_try import START, _settle, bubbles, texts_shown

    app = ChatApp(SandboxOptions(routines=POSED, speed=20.0, start=parse_start(START)))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"/stretch", "enter")
        await _settle(pilot, app, lambda: "Bed leg raise" in texts_shown(app))
        # Its first upload: the picture, then the card (issue 29: a card never waits on it).
        await _settle(pilot, app, lambda: any(b.picture is not None for b in bubbles(app)))
        picture = next(b for b in bubbles(app) if b.picture is not None)
        assert "▀▀▀▀" in str(picture.picture.render())


# The store part, on both databases ------------------------------------------------------------


async def test_the_store_keeps_one_file_id_per_bot_and_claims_a_pain_check_once(
    store: Store,
) -> None:
    now = datetime(2026, 1, 5, 15, 0, tzinfo=UTC)
    await store.remember_file_id(1, "key", "first", now)
    await store.remember_file_id(1, "key", "second", now)  # a racing upload: the first stays
    await store.remember_file_id(2, "key", "other bot", now)
    assert await store.file_id_of(1, "key") == "first"
    assert await store.file_id_of(2, "key") == "other bot"
    assert await store.file_id_of(3, "key") is None

    await store.upsert_user(ANN, ANN, "Ann", "en", now)
    await store.schedule_pain_check(ANN, now + timedelta(hours=19))
    assert await store.claim_pain_checks(now) == []
    later = now + timedelta(hours=20)
    first, second = await asyncio.gather(
        store.claim_pain_checks(later), store.claim_pain_checks(later)
    )
    assert sorted([*first, *second]) == [(ANN, ANN)]  # asked once, however many workers
    await store.set_session_prefs(ANN, now, hold_seconds=60, pace="quick")
    await store.set_session_prefs(ANN, now, hands_free=False)
    user = await store.get_user(ANN)
    assert user is not None
    assert (user.hands_free, user.hold_seconds, user.pace) == (False, 60, "quick")


async def test_a_crowd_of_first_sessions_uploads_the_picture_once(
    emu: BotApiEmulator, sqlite_url: str
) -> None:
    """Twenty people sending /stretch at the same moment, before any file_id is known (right
    after a deploy): one upload, the other cards sent by the id it brought back."""
    harness = Harness(emu, sqlite_url, routines=POSED)
    await harness.start()
    try:
        crowd = list(range(9_000, 9_020))
        for uid in crowd:
            emu.send_text(uid, "/stretch")
        # Each card as the picture by the id (once it was back), or as text while it uploaded
        # (a card waits for the upload at most half its get-ready count: issue 29).
        await emu.wait_for(
            lambda: all(any("Bed leg raise" in m.text for m in emu.messages(u)) for u in crowd),
            timeout=30,
        )
        await emu.settled(quiet=0.5)
        assert len(emu.files) == 1
        uploads = [c for c in animations(emu) if isinstance(c.params["animation"], Upload)]
        assert len(uploads) == 1
    finally:
        await harness.stop()


async def test_when_uploads_fail_the_crowd_does_not_queue_behind_one_another(
    emu: BotApiEmulator, sqlite_url: str
) -> None:
    """Telegram in trouble: every upload of a crowd's picture hangs half a second, then fails.
    Nobody's card waits for it, nor queues behind another's: each goes as text at once."""
    emu.hang_next("sendAnimation", times=10, seconds=0.5)
    harness = Harness(emu, sqlite_url, routines=POSED)
    await harness.start()
    try:
        crowd = list(range(9_100, 9_110))
        began = time.monotonic()
        for uid in crowd:
            emu.send_text(uid, "/stretch")

        def carded() -> bool:
            return all(any("Bed leg raise" in m.text for m in emu.messages(u)) for u in crowd)

        await emu.wait_for(carded, timeout=10)
        assert time.monotonic() - began < 2.5  # drawing once, then half a second at most
    finally:
        await harness.stop()
