"""`limber try --group N`: the colleagues of a team break. The group is made with you as its
admin and the bot added by you; when a break is announced, the colleagues answer it as people
do: all but the last press I'm in, the last one Not today (with four of you: Ana and Ben in,
Chloé not today, and you decide)."""

from __future__ import annotations

import asyncio

from bot.keyboards.team import TeamPress
from bot.sandbox.emulator import BotApiEmulator

WATCH_SECONDS = 0.05


class SandboxTeam:
    def __init__(self, emu: BotApiEmulator, chat_id: int, members: dict[int, str]) -> None:
        self.emu = emu
        self.chat_id = chat_id
        you = next(iter(members))
        self.colleagues = {u: n for u, n in members.items() if u != you}
        emu.add_group(chat_id, members, admins={you}, added_by=you)
        self._answered: set[int] = set()
        self._task = asyncio.create_task(self._watch())

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(WATCH_SECONDS)
            for message in self.emu.messages(self.chat_id):
                if message.message_id in self._answered:
                    continue
                buttons = [(d, TeamPress.unpack(d)) for _, d in self.emu.buttons(message)]
                if not any(press is not None for _, press in buttons):
                    continue
                self._answered.add(message.message_id)
                self._answer(message.message_id, buttons)

    def _answer(self, message_id: int, buttons: list[tuple[str, TeamPress | None]]) -> None:
        join = next(d for d, p in buttons if p is not None and p.joining)
        skip = next(d for d, p in buttons if p is not None and not p.joining)
        people = list(self.colleagues.items())
        for n, (user_id, name) in enumerate(people):
            data = skip if n == len(people) - 1 and len(people) > 1 else join
            self.emu.press(user_id, message_id, data=data, chat_id=self.chat_id, first_name=name)

    def stop(self) -> None:
        self._task.cancel()
