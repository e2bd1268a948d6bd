"""`python -m bot try`: the chat in the terminal (Textual).

Bot messages are bubbles with their inline buttons (click, or Tab and Enter); an edited message
(the countdown) changes in place; a box at the bottom takes text and commands. Ctrl+N moves the
clock to the next nudge; Ctrl+C or Ctrl+Q quits. Works in 80x24 over SSH.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Footer, Header, Input, Static

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
        self.row = Horizontal(classes="buttons")
        self.labels = [label for label, _ in buttons]

    def compose(self) -> ComposeResult:
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


def _body(message: BotMessage) -> str:
    text = message.text
    data = message.photo if message.photo is not None else message.document
    if data is not None:
        folder = Path(tempfile.gettempdir()) / "limber-try"
        folder.mkdir(exist_ok=True)
        path = folder / (message.filename or f"file-{message.message_id}")
        path.write_bytes(data)
        text = f"{text}\n[{'picture' if message.photo is not None else 'file'} saved: {path}]"
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
        yield Input(placeholder="Type /start, /stretch, or anything; Ctrl+N: next nudge")
        yield Footer()

    async def on_mount(self) -> None:
        self.box.emu.on_violation = self._violation
        await self.box.__aenter__()
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
        chat = self.query_one("#chat", VerticalScroll)
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
        await self.query_one("#chat", VerticalScroll).mount(Mine(text, markup=False))
        self.box.say(text)

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
