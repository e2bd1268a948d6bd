"""The shape issue #12 set for the code outside the sandbox: no class over 300 lines and no
function over 60, so each flow can be read without scrolling back up a layer."""

from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parent.parent / "bot"
MAX_CLASS = 300
MAX_FUNCTION = 60


def _too_long() -> list[str]:
    found = []
    for path in sorted(BOT.rglob("*.py")):
        if "sandbox" in path.relative_to(BOT).parts:
            continue  # the Bot API emulator and the terminal chat are tools, not the bot
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                limit = MAX_CLASS if isinstance(node, ast.ClassDef) else MAX_FUNCTION
                if length > limit:
                    found.append(f"{path.relative_to(BOT.parent)}: {node.name} ({length} lines)")
    return found


def test_no_class_over_300_lines_and_no_function_over_60() -> None:
    assert _too_long() == []
