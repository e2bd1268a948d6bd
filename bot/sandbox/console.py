"""`python -m bot try`: the chat in the terminal (Textual).

Bot messages are bubbles with their inline buttons (click, or Tab and Enter); an edited message
(the countdown) changes in place; a box at the bottom takes text and commands. Ctrl+N moves the
clock to the next nudge; Ctrl+C or Ctrl+Q quits. The box also takes the plain transcript's
console commands (`:help` lists them). Works in 80x24 over SSH.
"""

from __future__ import annotations

import asyncio
import io
import tempfile
from pathlib import Path
from typing import ClassVar

from PIL import Image, ImageSequence
from rich.color import Color
from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.widgets import Button, Footer, Header, Input, Static

from bot.sandbox.commands import CONSOLE_HELP, parse_location
from bot.sandbox.emulator import BotMessage
from bot.sandbox.runner import Sandbox, SandboxOptions


class Bubble(Vertical):
    """One bot message: its text, a picture's path, its buttons."""

    DEFAULT_CSS = """
    Bubble { height: auto; margin: 0 8 1 0; padding: 0 1; background: $boost; }
    Bubble .buttons { height: auto; }
    Bubble Button { min-width: 6; margin: 0 1 0 0; }
    """

    def __init__(self, message: BotMessage, buttons: list[tuple[str, str]]) -> None:
        super().__init__(id=f"m{message.message_id}")
        self.message_id = message.message_id
        self.text = Static(_body(message), markup=False)
        picture = message.photo if message.photo is not None else message.animation
        self.picture = Static(half_blocks(picture)) if picture is not None else None
        self.row = Horizontal(classes="buttons")
        self.labels = [label for label, _ in buttons]

    def compose(self) -> ComposeResult:
        if self.picture is not None:
            yield self.picture
        yield self.text
        yield self.row

    def on_mount(self) -> None:
        self.set_buttons(self.labels)

    def set_buttons(self, labels: list[str]) -> None:
        self.labels = labels
        self.row.remove_children()
        self.row.mount_all(
            [
                Button(label, id=f"b{self.message_id}_{i}", compact=True)
                for i, label in enumerate(labels, 1)
            ]
        )


class Mine(Static):
    DEFAULT_CSS = "Mine { margin: 0 0 1 8; padding: 0 1; background: $primary-darken-2; }"


# Columns of a picture in the chat: fits an 80-column terminal beside the bubble's margin.
PICTURE_COLUMNS = 56


def half_blocks(data: bytes, columns: int = PICTURE_COLUMNS) -> Text:
    """A picture as terminal text: one "▀" per two pixels stacked, the upper pixel's colour in
    front and the lower one's behind. For an animation, the frame in the middle (the pose held,
    since an animation goes into the pose and back)."""
    try:
        image = Image.open(io.BytesIO(data))
        frames = [f.copy() for f in ImageSequence.Iterator(image)]
    except (OSError, ValueError):
        return Text("[a picture that could not be read]")
    frame = frames[len(frames) // 2].convert("RGB")
    rows = max(1, round(frame.height * columns / frame.width / 2))
    small = frame.resize((columns, rows * 2), Image.Resampling.LANCZOS)
    pixels = small.load()
    assert pixels is not None
    text = Text()
    for row in range(rows):
        for x in range(columns):
            top = pixels[x, row * 2]
            bottom = pixels[x, row * 2 + 1]
            assert isinstance(top, tuple) and isinstance(bottom, tuple)
            text.append(
                "▀",
                style=Style(color=Color.from_rgb(*top[:3]), bgcolor=Color.from_rgb(*bottom[:3])),
            )
        if row < rows - 1:
            text.append("\n")
    return text


def _body(message: BotMessage) -> str:
    text = message.text
    data = next(
        (d for d in (message.photo, message.animation, message.document) if d is not None), None
    )
    if data is not None:
        folder = Path(tempfile.gettempdir()) / "limber-try"
        folder.mkdir(exist_ok=True)
        path = folder / (message.filename or f"file-{message.message_id}")
        path.write_bytes(data)
        kind = "file" if message.document is not None else "picture"
        text = f"{text}\n[{kind} saved: {path}]"
    return text


class ChatApp(App[None]):
    TITLE = "Limber (sandbox: no Telegram)"
    CSS = "#chat { height: 1fr; } Input { dock: bottom; }"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "next_nudge", "Next nudge", priority=True),
        Binding("ctrl+q", "quit", "Quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
    ]

    def __init__(self, options: SandboxOptions) -> None:
        super().__init__()
        self.box = Sandbox(options)
        self.shown: dict[int, tuple[int, str, tuple[str, ...]]] = {}
        self._refreshing = asyncio.Lock()

    def compose(self) -> ComposeResult:
        yield Header()
        yield VerticalScroll(id="chat")
        yield Input(placeholder="Type /start, /stretch, or anything; :help; Ctrl+N: next nudge")
        yield Footer()

    async def on_mount(self) -> None:
        self.box.emu.on_violation = self._violation
        await self.box.__aenter__()
        if self.box.player is not None:
            self.query_one("#chat", VerticalScroll).mount(Static(self.box.player.note))
        self.set_interval(0.1, self.refresh_chat)
        self.query_one(Input).focus()

    async def on_unmount(self) -> None:
        await self.box.__aexit__(None, None, None)

    def _violation(self, text: str) -> None:
        self.query_one("#chat", VerticalScroll).mount(Static(f"!! Bot API spec violation: {text}"))

    async def refresh_chat(self) -> None:
        # The timer and a test may both call this; one at a time, or a bubble mounts twice.
        async with self._refreshing:
            await self._refresh_chat()

    async def _refresh_chat(self) -> None:
        try:
            chat = self.query_one("#chat", VerticalScroll)
        except NoMatches:
            return  # the app is closing: its widgets go before its refresh timer stops
        changed = False
        for message in self.box.messages():
            buttons = self.box.emu.buttons(message)
            key = (len(message.edits), message.text, tuple(label for label, _ in buttons))
            if message.message_id not in self.shown:
                await chat.mount(Bubble(message, buttons))
                changed = True
            elif self.shown[message.message_id] != key:
                bubble = chat.query_one(f"#m{message.message_id}", Bubble)
                bubble.text.update(_body(message))
                if tuple(bubble.labels) != key[2]:
                    bubble.set_buttons(list(key[2]))
                changed = True
            self.shown[message.message_id] = key
        if changed:
            chat.scroll_end(animate=False)

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        event.input.value = ""
        if not text:
            return
        chat = self.query_one("#chat", VerticalScroll)
        await chat.mount(Mine(text, markup=False))
        note = await self._console_line(text)
        if note:
            await chat.mount(Static(note, classes="note", markup=False))

    async def _console_line(self, text: str) -> str | None:
        """The same console commands as the plain transcript (commands.CONSOLE_HELP); the
        note to show, if any."""
        command, _, args = text.partition(" ")
        if command == ":quit":
            self.exit()
        elif command == ":nudge":
            return (await self.box.next_nudge()).note
        elif command == ":location":
            where = parse_location(args)
            if where is None:
                return "(:location LATITUDE LONGITUDE, e.g. :location 48.85 2.35)"
            self.box.share_location(*where)
        elif command == ":sticker":
            self.box.send_sticker()
        elif command == ":help":
            return CONSOLE_HELP
        elif command.startswith(":"):
            return f"(no console command {command}; :help lists them)"
        elif text.isdigit() and (message := self.box.latest_with_buttons()) is not None:
            if not self.box.press(message, int(text)):
                return "(no such button)"
        else:
            self.box.say(text)
        return None

    def on_button_pressed(self, event: Button.Pressed) -> None:
        ident = event.button.id or ""
        message_id, _, number = ident.removeprefix("b").partition("_")
        self.query_one(Input).focus()  # keep typing where you were
        for message in self.box.messages():
            if str(message.message_id) == message_id:
                self.box.press(message, int(number))
                return

    async def action_next_nudge(self) -> None:
        jump = await self.box.next_nudge()
        await self.query_one("#chat", VerticalScroll).mount(Static(jump.note, classes="note"))
