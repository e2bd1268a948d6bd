"""The message catalogs are complete: every sentence in every language, same placeholders.

The msgids are extracted from bot/texts/ here, the way `pybabel extract` does (same
keywords), so a sentence added to bot/texts/ and not yet translated is named by this test even
if nobody ran `pybabel extract/update`.
"""

from __future__ import annotations

import re
from datetime import datetime, time
from importlib import import_module
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from bot import i18n, texts
from bot.config import PROJECT_ROOT
from bot.routines import load_routines
from bot.texts.base import Sentence

TEXTS = Path(texts.__file__).parent  # the package: one module per feature
KEYWORDS = {"_": None, "N_": None, "Sentence": None, "ngettext": (1, 2), "count": (1, 2)}
TRANSLATED = [lang for lang in i18n.LANGUAGES if lang != i18n.SOURCE]
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def source_messages() -> dict[str, tuple[str, ...]]:
    """msgid -> (singular,) or (singular, plural), straight from bot/texts/."""
    found: dict[str, tuple[str, ...]] = {}
    for module in sorted(TEXTS.glob("*.py")):
        for _line, message, _comments, _context in extract_from_file("python", module, KEYWORDS):
            forms = (message,) if isinstance(message, str) else tuple(message)
            found[forms[0]] = forms
    return found


def catalog(language: str):  # type: ignore[no-untyped-def]
    with i18n.catalog_path(language).open("rb") as po:
        return read_po(po, locale=language)


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def test_the_source_has_sentences_to_translate() -> None:
    messages = source_messages()
    assert len(messages) > 150
    assert any(len(forms) == 2 for forms in messages.values())  # plurals are extracted too
    fixed = {
        value.msgid
        for cls in type(texts).__mro__
        for value in vars(cls).values()
        if isinstance(value, Sentence)
    }
    assert len(fixed) > 90
    assert fixed <= set(messages)  # `Sentence("...")` is a keyword: every fixed one extracted


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_sentence_is_translated_and_none_is_fuzzy(language: str) -> None:
    po = catalog(language)
    problems = []
    for msgid in source_messages():
        entry = po.get(msgid)
        if entry is None:
            problems.append(f"missing: {msgid!r}")
        elif entry.fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
        elif not all(entry.string if isinstance(entry.string, tuple) else (entry.string,)):
            problems.append(f"empty: {msgid!r}")
    assert problems == [], f"{language}: {len(problems)} to translate\n" + "\n".join(problems)


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_translation_keeps_the_english_placeholders(language: str) -> None:
    po = catalog(language)
    problems = []
    for msgid, forms in source_messages().items():
        entry = po.get(msgid)
        if entry is None:
            continue  # reported by the completeness test
        wanted = set().union(*(placeholders(f) for f in forms))
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        for string in strings:
            if string and placeholders(string) != wanted:
                problems.append(f"{msgid!r}: {sorted(placeholders(string))} != {sorted(wanted)}")
    assert problems == [], f"{language}:\n" + "\n".join(problems)


@pytest.mark.parametrize("language", TRANSLATED)
def test_plural_entries_have_as_many_forms_as_the_language(language: str) -> None:
    po = catalog(language)
    for entry in po:
        if isinstance(entry.id, tuple):
            assert len(entry.string) == po.num_plurals, (language, entry.id)


def test_russian_counts_have_three_forms() -> None:
    with i18n.using("ru"):
        shown = [texts.count("{n} day", "{n} days", n) for n in (1, 2, 5, 11, 21, 22, 111)]
    assert shown == ["1 день", "2 дня", "5 дней", "11 дней", "21 день", "22 дня", "111 дней"]
    with i18n.using("fr"):  # French counts 0 and 1 as singular
        assert texts.count("{n} day", "{n} days", 0) == "0 jour"
    with i18n.using("de"):
        assert texts.count("{n} stretch", "{n} stretches", 1) == "1 Dehnung"


def test_every_fixed_sentence_goes_through_the_catalog() -> None:
    """A module-level string in bot/texts/ would stay English in every language: fixed
    sentences are `Sentence`s in a feature's class (read as texts.NAME; a plain string there is
    refused by tests/i18n/test_texts_typed.py). The `try` tool's SANDBOX_ notes are exempt."""
    features = [import_module(f"{texts.__name__}.{m.stem}") for m in TEXTS.glob("[!_]*.py")]
    plain = [
        f"{module.__name__}.{name}"
        for module in (texts, *features)
        for name, value in vars(module).items()
        if name.isupper() and isinstance(value, str) and not name.startswith("SANDBOX_")
    ]
    assert len(features) > 10
    assert plain == []


def test_constants_read_in_the_current_language() -> None:
    assert texts.BUTTON_READY == "✅ Ready"
    with i18n.using("de"):
        assert texts.BUTTON_READY == "✅ Bereit"
        assert "Zeitzone" in texts.ZONE_NOT_SET
    with i18n.using("ru"):
        assert texts.BUTTON_HURT == "🤕 Больно"
    assert texts.BUTTON_READY == "✅ Ready"  # the block's language ends with it
    with pytest.raises(AttributeError):
        texts.NO_SUCH_SENTENCE  # noqa: B018


def test_a_fuzzy_or_missing_entry_falls_back_to_english(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "de" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "limber.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
        '#, fuzzy\nmsgid "✅ Ready"\nmsgstr "✅ Bereit (unsicher)"\n\n'
        'msgid "⏭ Skip"\nmsgstr "⏭ Überspringen"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(i18n, "LOCALES", tmp_path)
    i18n.reload()
    try:
        with i18n.using("de"):
            assert texts.BUTTON_READY == "✅ Ready"  # fuzzy: not used
            assert texts.BUTTON_SKIP == "⏭ Überspringen"
            assert texts.BUTTON_STOP == "⏹ Stop"  # missing: English
    finally:
        i18n.reload()


@pytest.mark.parametrize(
    ("telegram", "language"),
    [
        ("en", "en"),
        ("en-GB", "en"),
        ("es", "es"),
        ("es-419", "es"),
        ("pt-br", "pt_BR"),
        ("pt", "pt_BR"),
        ("pt-PT", "pt_BR"),
        ("de-AT", "de"),
        ("fr-CA", "fr"),
        ("ru", "ru"),
        ("uk", "en"),
        ("zh-hans", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_telegram_language_codes_map_to_a_shipped_language(
    telegram: str | None, language: str
) -> None:
    assert i18n.from_telegram(telegram) == language
    assert i18n.effective(None, telegram) == language
    assert i18n.effective("fr", telegram) == "fr"  # a /language choice wins


@pytest.mark.parametrize(
    ("language", "clock", "day"),
    [
        ("en", "19:05", "Tue 1 Dec, 19:05"),
        ("es", "19:05", "mar, 1 dic, 19:05"),
        ("pt_BR", "19:05", "ter., 1 de dez., 19:05"),
        ("de", "19:05", "Di., 1. Dez., 19:05"),
        ("fr", "19:05", "mar. 1 déc., 19:05"),
        ("ru", "19:05", "вт, 1 дек., 19:05"),
    ],
)
def test_times_and_dates_are_written_as_the_language_writes_them(
    language: str, clock: str, day: str
) -> None:
    with i18n.using(language):
        assert texts.clock(time(19, 5)) == clock
        assert texts.day_and_time(datetime(2026, 12, 1, 19, 5)) == day
        assert texts.clock(time(7, 5)) in ("07:05", "7:05")


def test_the_shipped_routines_read_in_each_language() -> None:
    """Completeness and staleness of the routine words: tests/routines/test_routine_catalog.py."""
    library = load_routines(PROJECT_ROOT / "routines.toml")
    with i18n.using("ru"):
        assert texts.routine_title(library.default) == "Полная программа"
    assert texts.routine_title(library.default) == "Full routine"


def test_a_compiled_catalog_is_read_when_it_is_not_older_than_its_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The wheel carries .mo files (setup.py compiles them); a stale .mo never wins."""
    import os

    from babel.messages.mofile import write_mo

    folder = tmp_path / "de" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po = catalog("de")
    po.get("✅ Ready").string = "✅ Bereit (kompiliert)"
    with (folder / "limber.mo").open("wb") as out:
        write_mo(out, po)
    monkeypatch.setattr(i18n, "LOCALES", tmp_path)
    i18n.reload()
    try:
        with i18n.using("de"):
            assert texts.BUTTON_READY == "✅ Bereit (kompiliert)"  # no .po beside it: the .mo
        source = folder / "limber.po"
        source.write_bytes(
            (Path(i18n.__file__).parent / "locales/de/LC_MESSAGES/limber.po").read_bytes()
        )
        mo_time = (folder / "limber.mo").stat().st_mtime
        os.utime(source, (mo_time + 60, mo_time + 60))  # the .po edited after the build
        i18n.reload()
        with i18n.using("de"):
            assert texts.BUTTON_READY == "✅ Bereit"  # the newer .po wins
    finally:
        i18n.reload()
