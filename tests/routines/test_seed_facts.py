"""The chiropractor's facts hold on every stretch card, in every shipped language.

A whole session (the full routine, hands-free, the shipped routines.toml) is walked through the
emulator in each language, and every card is checked against tests/data/seed_facts.toml: each
fact's words must be on its stretch's card, none of the words that contradict the source may be
anywhere in the session, and the session shows the medical note and 30 s a side.
"""

from __future__ import annotations

import asyncio
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from bot import i18n, routine_catalog, texts
from bot.clock import ScaledClock
from bot.config import PROJECT_ROOT
from bot.routines import load_routines
from bot.sandbox.emulator import BotApiEmulator
from tests.harness import Harness

FACTS = Path(__file__).parents[1] / "data" / "seed_facts.toml"
ROUTINES = PROJECT_ROOT / "routines.toml"
TELEGRAM_CODE = {"pt_BR": "pt-br"}


def facts() -> dict[str, Any]:
    return tomllib.loads(FACTS.read_text(encoding="utf-8"))


def problems(language: str, cards: dict[str, str], everything: str) -> list[str]:
    """Each fact missing from its card, each contradiction found: what the test asserts empty."""
    data = facts()
    found = []
    for fact in data["fact"]:
        for sid, card in cards.items():
            if fact["stretch"] not in ("*", sid):
                continue
            for pattern in fact[language]:
                if not re.search(pattern, card, re.IGNORECASE):
                    found.append(f"{sid}: missing {fact['source']!r} ({pattern!r})")
    for pattern in data["never"][language]:
        for match in re.finditer(pattern, everything, re.IGNORECASE):
            around = everything[max(0, match.start() - 40) : match.end() + 40]
            found.append(f"contradicts the source: {pattern!r} in …{around}…")
    for pattern in data["session"][language]:
        if not re.search(pattern, everything, re.IGNORECASE):
            found.append(f"the session never says {pattern!r}")
    return found


def test_every_shipped_language_and_stretch_has_its_facts_listed() -> None:
    data = facts()
    stretches = set(load_routines(ROUTINES).stretches)
    assert {f["stretch"] for f in data["fact"]} == stretches | {"*"}
    for fact in data["fact"]:
        assert set(i18n.LANGUAGES) <= set(fact), fact["source"]
    assert set(data["never"]) == set(data["session"]) == set(i18n.LANGUAGES)


@pytest.fixture
def bot_options() -> dict[str, Any]:
    """How this file's bot differs from the shared one (tests/conftest.py)."""
    # At 120x the full routine (about 6 clock minutes) takes about 3 s.
    return dict(routines=ROUTINES, clock=ScaledClock(120.0))


@pytest.mark.slow  # a whole session per language
@pytest.mark.parametrize("language", i18n.LANGUAGES)
async def test_a_whole_session_teaches_the_chiropractors_stretches(
    emu: BotApiEmulator, bot: Harness, language: str
) -> None:
    user = 7100 + i18n.LANGUAGES.index(language)
    emu.set_user_language(user, TELEGRAM_CODE.get(language, language))
    library = load_routines(ROUTINES)
    emu.send_text(user, "/stretch", first_name="Ana")
    store = bot.services.store
    await emu.wait_for(lambda: len(emu.messages(user)) >= 2, timeout=10)
    for _ in range(600):  # the session runs by itself to its end (at most 60 s here)
        if await store.live_session_of(user) is None:
            break
        await asyncio.sleep(0.1)
    else:
        pytest.fail("the session did not end")
    shown = [m.text for m in emu.messages(user)]
    everything = "\n".join(shown)
    cards: dict[str, str] = {}
    for n, stretch in enumerate(library.default.stretches, 1):
        with i18n.using(language):
            header = texts.intro_header(n, len(library.default.stretches), stretch)
        cards[stretch.id] = next((t for t in shown if header in t), "")
        assert cards[stretch.id], f"no card for {stretch.id} ({header!r})"
        name = routine_catalog.stretch_text(stretch, language).name
        assert name in cards[stretch.id]
    assert problems(language, cards, everything) == []
