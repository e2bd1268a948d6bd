"""The sentences are typed (issue 26): a misspelled `texts.NAME` is a mypy error, not a
run-time AttributeError in front of a user; the declared names are exactly the sentences of the
feature classes (bot/texts/); no module reads its names through a module `__getattr__`; and no
sentence is dead (defined, translated five times, and never shown)."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot import texts
from bot.texts.base import Composed, Sentence

PACKAGE = Path(texts.__file__).resolve().parent
BOT = PACKAGE.parent
ROOT = BOT.parent


def declared() -> set[str]:
    return {name for name in texts.__annotations__ if not name.startswith("_")}


def feature_classes() -> list[type]:
    return [c for c in type(texts).__mro__ if c.__module__.startswith(f"{texts.__name__}.")]


def sentences(cls: type) -> set[str]:
    return {n for n, v in vars(cls).items() if isinstance(v, Sentence | Composed)}


def test_the_declared_names_are_exactly_the_fixed_sentences() -> None:
    classes = feature_classes()
    assert len(classes) >= 10
    every = [name for cls in classes for name in sentences(cls)]
    assert len(every) == len(set(every)), "a sentence name in two features"
    assert declared() == set(every)
    assert texts.BUTTON_READY == "✅ Ready"  # read through the descriptor, translated at use


def test_a_feature_class_holds_only_sentences() -> None:
    """A plain string in a feature's class would be read in English in every language."""
    for cls in feature_classes():
        plain = [
            n
            for n, v in vars(cls).items()
            if n.isupper() and not isinstance(v, Sentence | Composed)
        ]
        assert plain == [], cls


def test_no_module_imports_a_fixed_sentence_by_name() -> None:
    """`from bot.texts import BUTTON_READY` would read it once, at import, in English."""
    found = [
        f"{path.relative_to(ROOT)}: {alias.name}"
        for folder in (BOT, ROOT / "tests", ROOT / "benchmarks")
        for path in sorted(folder.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(texts.__name__)
        for alias in node.names
        if alias.name in declared()
    ]
    assert found == []


def module_functions(tree: ast.Module) -> list[str]:
    """The functions a module defines at its own level, in `if` and `try` blocks too (the old
    `if not TYPE_CHECKING: def __getattr__`), not in its classes or functions."""
    found, todo = [], list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found.append(node.name)
        elif not isinstance(node, ast.ClassDef):
            todo += [child for child in ast.iter_child_nodes(node) if isinstance(child, ast.stmt)]
    return found


def test_no_module_reads_its_names_through_a_module_getattr() -> None:
    """A module `__getattr__` makes mypy accept any name on the module (texts.TYPO passed)."""
    assert "__getattr__" in module_functions(ast.parse("if not X:\n    def __getattr__(): ...\n"))
    found = [
        str(path.relative_to(ROOT))
        for path in sorted(BOT.rglob("*.py"))
        if "__getattr__" in module_functions(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert found == []


@pytest.mark.slow  # two mypy runs (about 5 s each with its cache, 30 s without)
def test_mypy_refuses_a_misspelled_sentence_name() -> None:
    def check(*names: str) -> subprocess.CompletedProcess[str]:
        program = "from bot import texts\nfrom bot.texts.session import Session\n\n" + "".join(
            f"shown{i}: str = {name}\n" for i, name in enumerate(names)
        )
        return subprocess.run(
            [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "-c", program],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )

    wrong = check("texts.BUTTON_REDY", "Session.BUTTON_REDY")
    assert wrong.returncode != 0
    assert 'Module has no attribute "BUTTON_REDY"' in wrong.stdout
    assert '"type[Session]" has no attribute "BUTTON_REDY"' in wrong.stdout
    right = check("texts.BUTTON_READY", "Session.BUTTON_READY", "texts.ZONE_NOT_SET")
    assert right.returncode == 0, right.stdout


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} | {
        n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)
    }


def dead_sentences(bot: Path) -> list[str]:
    """The sentences and functions of <bot>/texts/ nothing uses: neither code outside the
    package (`texts.NAME` anywhere in <bot>/ but <bot>/texts/) nor a sentence that is used."""
    package = bot / "texts"
    defined: dict[str, tuple[str, set[str]]] = {}  # name -> (module, the names it uses)
    for path in sorted(package.glob("*.py")):
        if path.name in ("__init__.py", "base.py"):  # the surface and the machinery
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef):
                defined[node.name] = (path.stem, _names(node))
            elif isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                target = node.targets[0] if isinstance(node, ast.Assign) else node.target
                if isinstance(target, ast.Name):
                    defined[target.id] = (path.stem, _names(node.value))
            elif isinstance(node, ast.ClassDef):  # a feature's fixed sentences
                for item in node.body:
                    if isinstance(item, ast.Assign) and isinstance(item.targets[0], ast.Name):
                        defined[item.targets[0].id] = (path.stem, _names(item.value))
    todo = [
        name
        for path in bot.rglob("*.py")
        if package not in path.parents
        for name in re.findall(r"\btexts\.(\w+)", path.read_text(encoding="utf-8"))
    ]
    live: set[str] = set()
    while todo:
        name = todo.pop()
        if name not in live:
            live.add(name)
            todo += defined.get(name, ("", set()))[1]
    return sorted(f"{module}.{name}" for name, (module, _) in defined.items() if name not in live)


def test_no_sentence_is_dead() -> None:
    assert dead_sentences(BOT) == []


def test_the_dead_check_finds_a_sentence_and_a_function_nothing_uses(tmp_path: Path) -> None:
    """On a copy of bot/'s code: a sentence and a function added and never used are named,
    and so is a sentence that only they use."""
    copy = tmp_path / "bot"
    shutil.copytree(
        BOT, copy, ignore=lambda folder, names: [n for n in names if n.endswith((".pyc", ".po"))]
    )
    session = copy / "texts" / "session.py"
    text = session.read_text(encoding="utf-8")
    text = text.replace(
        "    STARTING_OVER = Sentence(",
        '    NEVER_SHOWN = Sentence("Nobody reads this.")\n    STARTING_OVER = Sentence(',
        1,
    )
    text += '\n\ndef never_called() -> str:\n    return _("{x}").format(x=Session.NEVER_SHOWN)\n'
    session.write_text(text, encoding="utf-8")
    assert dead_sentences(copy) == ["session.NEVER_SHOWN", "session.never_called"]
