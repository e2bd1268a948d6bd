"""`python -m bot try --plain`: the chat as a line-by-line transcript.

Each bot message prints as it arrives (edits too, marked), its buttons numbered below it. A line
of input is text or a command for the bot, a number to press that button of the latest message
with buttons, or a console command (runner.CONSOLE_HELP: `:nudge`, `:location`, `:sticker`,
`:help`, `:quit`). After
each line it waits until the bot has settled before reading the next, so piped input gives a
readable, repeatable conversation.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from typing import TextIO

from bot.sandbox.commands import CONSOLE_HELP, parse_location
from bot.sandbox.emulator import BotMessage
from bot.sandbox.runner import Sandbox

SETTLE_SECONDS = 0.5
HELP = (
    "(type text or /commands; a number presses a button; :nudge jumps to the next scheduled "
    "message; :location LAT LON, :sticker; :help; :quit)"
)


class Transcript:
    """Prints what changed in the chat since the last look."""

    def __init__(self, box: Sandbox, out: TextIO) -> None:
        self.box = box
        self.out = out
        self.seen: dict[int, int] = {}  # message id -> number of edits seen
        self.printed: dict[int, str] = {}  # message id -> text last printed

    def flush(self) -> bool:
        changed = False
        for message in self.box.messages():
            edits = len(message.edits)
            if message.message_id not in self.seen:
                self._print(message, edited=False)
            elif self.seen[message.message_id] != edits:
                # Only the buttons went (a step moved on): nothing worth a line.
                if self.printed.get(message.message_id) != message.text:
                    self._print(message, edited=True)
            else:
                continue
            self.seen[message.message_id] = edits
            changed = True
        return changed

    def _print(self, message: BotMessage, *, edited: bool) -> None:
        self.printed[message.message_id] = message.text
        label = "bot (edited)" if edited else "bot"
        # Without the invisible marks that isolate people's names (texts._echo): a terminal
        # may draw them.
        lines = message.text.replace("\u2068", "").replace("\u2069", "").splitlines() or [""]
        self.out.write(f"{label}> {lines[0]}\n")
        for line in lines[1:]:
            self.out.write(f"     {line}\n" if line else "\n")
        if not edited:  # an edit keeps the picture printed with the message
            self._print_media(message)
        for i, (text, _) in enumerate(self.box.emu.buttons(message), 1):
            self.out.write(f"     [{i}] {text}\n")
        self.out.flush()

    def _print_media(self, message: BotMessage) -> None:
        if message.photo is not None:
            self.out.write(f"     [picture, {len(message.photo)} bytes: {self._save(message)}]\n")
        if message.animation is not None:
            size = len(message.animation)
            self.out.write(f"     [animated picture, {size} bytes: {self._save(message)}]\n")
        if message.document is not None:
            self.out.write(f"     [file {message.filename}: {self._save(message)}]\n")

    def _save(self, message: BotMessage) -> str:
        import tempfile
        from pathlib import Path

        data = next(
            (d for d in (message.photo, message.animation, message.document) if d is not None),
            None,
        )
        folder = Path(tempfile.gettempdir()) / "limber-try"
        folder.mkdir(exist_ok=True)
        path = folder / (message.filename or f"file-{message.message_id}")
        path.write_bytes(data or b"")
        return str(path)


async def settle(box: Sandbox, transcript: Transcript, quiet: float = SETTLE_SECONDS) -> None:
    """Print changes until nothing new has come for `quiet` seconds."""
    loop = asyncio.get_running_loop()
    last_change = loop.time()
    while loop.time() - last_change < quiet:
        await asyncio.sleep(0.05)
        if transcript.flush():
            last_change = loop.time()


def _lines(source: TextIO) -> asyncio.Queue[str | None]:
    """Lines of `source`, read by a daemon thread: a blocked read never holds up the exit
    (Ctrl-C, or the bot done) the way a read in the default executor would."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def read() -> None:
        for line in source:
            loop.call_soon_threadsafe(queue.put_nowait, line)
        loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=read, name="stdin-reader", daemon=True).start()
    return queue


async def run_plain(box: Sandbox, source: TextIO = sys.stdin, out: TextIO = sys.stdout) -> None:
    transcript = Transcript(box, out)

    def show_violation(text: str) -> None:
        out.write(f"!! Bot API spec violation: {text}\n")

    box.emu.on_violation = show_violation
    out.write(f"Limber sandbox, no Telegram needed {HELP}\n")
    if box.player is not None:
        out.write(f"{box.player.note}\n")
    out.flush()
    lines = _lines(source)
    while True:
        line = await lines.get()
        # What came while we waited for this line (the end of a hold, say) prints before it.
        transcript.flush()
        if line is None:
            break
        text = line.rstrip("\n")
        out.write(f"you> {text}\n")
        if text.strip() == ":quit":
            return  # at once: a running session is not waited for (issue 23)
        await _one_line(box, text, out)
        await settle(box, transcript)
    await settle(box, transcript)
    await _until_sessions_rest(box, transcript)


async def _one_line(box: Sandbox, text: str, out: TextIO) -> None:
    """A console command, a button number, or text for the bot."""
    command, _, args = text.strip().partition(" ")
    if command == ":nudge":
        jump = await box.next_nudge()
        out.write(f"   {jump.note}\n")
    elif command == ":location":
        where = parse_location(args)
        if where is None:
            out.write("   (:location LATITUDE LONGITUDE, e.g. :location 48.85 2.35)\n")
        else:
            box.share_location(*where)
    elif command == ":sticker":
        box.send_sticker()
    elif command == ":help":
        out.write(f"{CONSOLE_HELP}\n")
    elif command.startswith(":"):
        out.write(f"   (no console command {command}; :help lists them)\n")
    elif text.strip().isdigit() and (message := box.latest_with_buttons()) is not None:
        if not box.press(message, int(text.strip())):
            out.write("   (no such button)\n")
    elif text:
        box.say(text)


async def _until_sessions_rest(box: Sandbox, transcript: Transcript) -> None:
    """At the end of the input, a hands-free session still running goes on to its end (a
    transcript piped in ends right after /stretch); a paused one is left as it is."""
    while await box.team_break_running() or any(
        r.state.timed for r in await box.services.store.live_sessions()
    ):
        await settle(box, transcript, quiet=0.2)
    await settle(box, transcript)
