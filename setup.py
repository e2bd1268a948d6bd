"""Build hook: ship `migrations/` and `routines.toml` inside the package.

The project keeps both at the repository root (Alembic's and the operator's usual place), and
git holds them once. At build time they are copied into `bot/_packaged/` of the wheel, so an
installed `limber` finds them through importlib.resources (bot/resources.py) from any
directory. A copy made by the build, never committed, cannot drift from its source.

The message catalogs (bot/locales/<lang>/LC_MESSAGES/limber.po) are compiled here to
limber.mo beside their copies in the wheel, with Babel (a build requirement in pyproject.toml):
git holds only the .po that translators edit, and an installed bot reads the compiled form.
A checkout or `pip install -e` has no .mo, and bot/i18n.py compiles the .po in memory at first
use instead (14 ms for all five), so a catalog edit shows without a build step.

Why a build_py step rather than setuptools' `package-dir` mapping: mapping `migrations/` to a
package needs an explicit list of every package (`packages.find` does not see mapped
directories, so each new `bot.*` package would have to be added by hand), and `routines.toml`
sits at the root, which cannot be mapped without also mapping every other root file.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
PACKAGED = ("migrations", "routines.toml")
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc")


class BuildWithData(build_py):
    def run(self) -> None:
        super().run()
        if self.dry_run:
            return
        target = Path(self.build_lib) / "bot" / "_packaged"
        target.mkdir(parents=True, exist_ok=True)
        for name in PACKAGED:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, target / name, ignore=SKIP, dirs_exist_ok=True)
            else:
                shutil.copy2(source, target / name)
        compile_catalogs(Path(self.build_lib) / "bot" / "locales")


def compile_catalogs(built: Path) -> None:
    """Each catalog (limber.po: the bot's sentences; routines.po: the routine words) to a .mo
    in the build, fuzzy entries left out (as at run time)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in sorted((ROOT / "bot" / "locales").glob("*/LC_MESSAGES/*.po")):
        language = po.parent.parent.name
        with po.open("rb") as source:
            catalog = read_po(source, locale=language)
        mo = built / language / "LC_MESSAGES" / po.with_suffix(".mo").name
        mo.parent.mkdir(parents=True, exist_ok=True)
        with mo.open("wb") as out:
            write_mo(out, catalog, use_fuzzy=False)


setup(cmdclass={"build_py": BuildWithData})
