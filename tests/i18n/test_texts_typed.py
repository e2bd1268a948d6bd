"""The sentences are typed (issue 26): a misspelled `texts.NAME` is a mypy error, not a
run-time AttributeError in front of a user; the declared names are exactly the sentences;
and no sentence is dead (defined, translated five times, and never shown)."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot import texts

BOT = Path(texts.__file__).resolve().parent
ROOT = BOT.parent


def declared() -> set[str]:
    return {name for name in texts.__annotations__ if not name.startswith("_")}


def test_the_declared_names_are_exactly_the_fixed_sentences() -> None:
    assert declared() == set(texts._CONSTANTS) | set(texts._COMPOSED)
    assert texts.BUTTON_READY == "✅ Ready"  # read through __getattr__, translated at use


@pytest.mark.slow  # a mypy run (about 5 s with its cache, 30 s without)
def test_mypy_refuses_a_misspelled_sentence_name() -> None:
    def check(name: str) -> subprocess.CompletedProcess[str]:
        program = f"from bot import texts\n\nshown: str = texts.{name}\n"
        return subprocess.run(
            [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "-c", program],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )

    wrong = check("BUTTON_REDY")
    assert wrong.returncode != 0
    assert 'Module has no attribute "BUTTON_REDY"' in wrong.stdout
    assert check("BUTTON_READY").returncode == 0, check("BUTTON_READY").stdout


def _code(exclude_texts: bool) -> str:
    files = sorted(BOT.rglob("*.py"))
    return "\n".join(
        p.read_text(encoding="utf-8")
        for p in files
        if not (exclude_texts and p.name == "texts.py" and p.parent == BOT)
    )


def test_no_sentence_is_dead() -> None:
    """A fixed sentence is used outside texts.py, or by a composed one inside it; a sentence
    function is called somewhere besides its definition."""
    elsewhere = _code(exclude_texts=True)
    inside = (BOT / "texts.py").read_text(encoding="utf-8")
    everywhere = _code(exclude_texts=False)
    dead = [
        name
        for name in declared()
        if not re.search(rf"\b{name}\b", elsewhere)
        and not re.search(rf"_CONSTANTS\[[\"']{name}[\"']\]", inside)
    ]
    functions = [
        name
        for name, value in vars(texts).items()
        if inspect.isfunction(value) and value.__module__ == texts.__name__
    ]
    dead += [
        f"{name}()"
        for name in functions
        if len(re.findall(rf"\b{name}\b", everywhere)) <= 1  # only its own def
    ]
    assert sorted(dead) == []
