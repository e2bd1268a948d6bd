"""The rooms of docs/architecture.md are contracts (pyproject.toml, [tool.importlinter]) that
import-linter checks: the tree keeps them, an import that breaks one fails, and the doc lists
the same rooms in the same order as the contract."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which(
    "lint-imports"
)

pytestmark = pytest.mark.skipif(LINT is None, reason="import-linter is not installed")


def lint(root: Path) -> subprocess.CompletedProcess[str]:
    assert LINT is not None
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [LINT, "--no-cache", "--config", str(root / "pyproject.toml")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_tree_keeps_every_contract() -> None:
    done = lint(ROOT)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "0 broken" in done.stdout


def test_an_import_that_breaks_a_contract_fails_naming_it(tmp_path: Path) -> None:
    """On a copy: the pure session machine importing the sentences (the cycle issue 26 found
    between domain/weekly.py and texts.py) breaks the domain contract and the layers."""
    shutil.copytree(ROOT / "bot", tmp_path / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    session = tmp_path / "bot" / "domain" / "session.py"
    session.write_text(
        session.read_text(encoding="utf-8").replace(
            "from __future__ import annotations\n",
            "from __future__ import annotations\n\nfrom bot import texts  # noqa: F401\n",
            1,
        ),
        encoding="utf-8",
    )
    done = lint(tmp_path)
    assert done.returncode != 0
    assert "The domain is pure" in done.stdout and "BROKEN" in done.stdout
    assert "bot.domain.session -> bot.texts" in done.stdout


def test_the_architecture_doc_lists_the_rooms_of_the_contract() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    layers = next(c for c in contracts if c["type"] == "layers")["layers"]
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    block = doc.split("```text\n# the rooms, top to bottom\n", 1)[1].split("```", 1)[0]
    assert [line.strip() for line in block.splitlines() if line.strip()] == layers
