"""The routine words go through gettext catalogs, and a translation is tied to its English.

A translated step is found only for the exact English it was made from (context and msgid), so
a changed English step shows in English, check-routines names it stale in each language, and
the completeness test below fails until it is translated again.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot import i18n, routine_catalog, texts
from bot.__main__ import main
from bot.config import PROJECT_ROOT
from bot.routines import load_routines

SHIPPED = PROJECT_ROOT / "routines.toml"
TRANSLATED = [lang for lang in i18n.LANGUAGES if lang != i18n.SOURCE]


def untranslated(routines: Path) -> list[str]:
    """What the completeness test asserts empty: each word a language shows in English."""
    library = load_routines(routines)
    return [
        f"{g.language}: {g.context} ({g.why})" for g in routine_catalog.gaps(library, TRANSLATED)
    ]


def test_every_routine_word_is_translated_from_the_current_english() -> None:
    assert untranslated(SHIPPED) == []


def test_the_template_holds_every_word_of_routines_toml() -> None:
    """bot/locales/routines.pot is what translators update from: it must match the file."""
    library = load_routines(SHIPPED)
    with (i18n.LOCALES / "routines.pot").open("rb") as pot:
        shipped = {(m.context, m.id) for m in read_po(pot) if m.id}
    wanted = {(e.context, e.english) for e in routine_catalog.entries(library)}
    assert shipped == wanted, "run: python -m bot routines-catalog"


def test_a_changed_english_step_makes_its_translations_stale(tmp_path: Path) -> None:
    """On a copy: one English step changed, and every language reads that step in English
    until it is redone; the completeness test above would fail, naming it in five languages."""
    copy = tmp_path / "routines.toml"
    copy.write_text(
        SHIPPED.read_text(encoding="utf-8").replace(
            "Put the middle of the towel behind the ankle", "Loop the towel around the foot"
        ),
        encoding="utf-8",
    )
    shutil.copytree(i18n.LOCALES, tmp_path / "locales")
    assert untranslated(copy) == [
        f"{language}: stretches.towel.steps.2 (stale)" for language in TRANSLATED
    ]
    library = load_routines(copy)
    for language in TRANSLATED:
        steps = routine_catalog.stretch_text(library.stretches["towel"], language).steps
        assert steps[1].startswith("Loop the towel around the foot")  # never the old step
        assert steps[0] != library.stretches["towel"].steps[0]  # the others still translated


def test_check_routines_names_stale_and_missing_words_per_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "routines.toml"
    copy.write_text(
        SHIPPED.read_text(encoding="utf-8")
        .replace("Sit at the edge of a sturdy chair", "Sit on the front edge of a sturdy chair")
        .replace('title = "Desk break"', 'title = "Desk stretch"'),
        encoding="utf-8",
    )
    assert main(["check-routines", str(copy)]) == 0  # warnings, not an error
    err = capsys.readouterr().err
    for language in TRANSLATED:
        assert (
            f"warning: {language}: 2 in English; 2 stale (the English changed since): "
            "stretches.chair.steps.1, routines.desk.title"
        ) in err
    assert main(["check-routines", str(SHIPPED)]) == 0
    assert "translations: complete and current in es, pt_BR, de, fr, ru" in capsys.readouterr().out


def test_a_custom_file_reads_its_own_catalog_then_the_shipped_one(tmp_path: Path) -> None:
    """A file of one's own: its words untranslated, or from locales/ beside it; a stretch
    copied word for word from the shipped file is translated by the shipped catalog."""
    shipped = load_routines(SHIPPED).stretches["towel"]
    path = tmp_path / "mine.toml"
    path.write_text(
        '[stretches.calf]\nname = "Calf stretch"\nsteps = ["Stand at a wall."]\nhold_seconds = 30\n'
        f'[stretches.towel]\nname = "{shipped.name}"\n'
        f"steps = [{', '.join(repr(s).replace(chr(39), chr(34)) for s in shipped.steps)}]\n"
        f'tip = "{shipped.tip}"\nhold_seconds = 30\n'
        '[routines.r]\ntitle = "Mine"\nstretches = ["calf", "towel"]\ndefault = true\n',
        encoding="utf-8",
    )
    library = load_routines(path)
    with i18n.using("de"):
        assert texts.stretch_name(library.stretches["calf"]) == "Calf stretch"  # no catalog
        assert texts.stretch_name(library.stretches["towel"]) == "Dehnung mit Handtuch"
    folder = tmp_path / "locales" / "de" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "routines.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgctxt "stretches.calf.name"\nmsgid "Calf stretch"\nmsgstr "Wadendehnung"\n',
        encoding="utf-8",
    )
    i18n.reload()  # catalogs are read once per process (a restart in real life)
    with i18n.using("de"):
        assert texts.stretch_name(library.stretches["calf"]) == "Wadendehnung"
        assert texts.routine_title(library.default) == "Mine"


def test_old_translation_tables_are_moved_to_catalogs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file from before still loads (in English), check-routines says why, and
    `routines-catalog` moves its tables into catalogs beside it."""
    path = tmp_path / "old.toml"
    path.write_text(
        '[stretches.one]\nname = "One"\nsteps = ["Lie down.", "Relax."]\nhold_seconds = 30\n'
        '[stretches.one.i18n.es]\nname = "Uno"\nsteps = ["Túmbate.", "Relájate."]\n'
        '[routines.r]\ntitle = "R"\nstretches = ["one"]\ndefault = true\n',
        encoding="utf-8",
    )
    library = load_routines(path)
    assert library.ignored_tables == ("stretches.one.i18n.es",)
    assert main(["check-routines", str(path)]) == 0
    assert "1 [... .i18n.<lang>] tables are no longer read" in capsys.readouterr().err
    assert main(["routines-catalog", str(path)]) == 0
    i18n.reload()
    assert (tmp_path / "locales" / "routines.pot").exists()
    library = load_routines(path)
    words = routine_catalog.stretch_text(library.stretches["one"], "es")
    assert (words.name, words.steps) == ("Uno", ("Túmbate.", "Relájate."))
    assert routine_catalog.routine_text(library.default, "es").title == "R"  # not translated
