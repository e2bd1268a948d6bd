"""A routine's words in the reader's language, through gettext catalogs like every other
sentence.

routines.toml holds the English (the structure, the timings and the pose data with it); the
translations live in `<locales>/<lang>/LC_MESSAGES/routines.po`, one entry per word a user
reads, each with a context naming where it comes from:

    msgctxt "stretches.lying.steps.2"
    msgid   "Keep one leg straight on the floor and pull the other leg up to your chest, ..."
    msgstr  "Deja una pierna estirada en el suelo y lleva la otra hacia el pecho, ..."

Why a context per step and the English as the msgid: a translation is found only for the exact
English it was made from. Change one English step and its translations stop matching: the
reader sees the new English (never a translation of the old step, which is how five languages
came to teach a different stretch from the English), `limber check-routines` names the step as
stale in each language, and tests/routines/test_routine_catalog.py fails until it is translated
again.
(Routine texts were tables inside routines.toml before: nothing tied a translated step to the
English it came from, and a corrected English step left five stale translations "complete".)

Where catalogs are looked for: `locales/` beside the routines file (a custom file's own
translations), then the shipped bot/locales. An entry matches only on its context AND its
English, so the shipped catalog translates a custom file's stretch only where it is word for
word a shipped one; anything else reads in the file's own language.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from bot import i18n
from bot.routines import Library, Routine, RoutineText, Stretch, StretchText

DOMAIN = "routines"


@dataclass(frozen=True, slots=True)
class Entry:
    """One word a user reads: where it is (the gettext context) and its English."""

    context: str
    english: str


def stretch_entries(stretch: Stretch) -> Iterator[Entry]:
    key = f"stretches.{stretch.id}"
    yield Entry(f"{key}.name", stretch.name)
    for n, step in enumerate(stretch.steps, 1):
        yield Entry(f"{key}.steps.{n}", step)
    if stretch.tip:
        yield Entry(f"{key}.tip", stretch.tip)


def routine_entries(routine: Routine) -> Iterator[Entry]:
    key = f"routines.{routine.id}"
    yield Entry(f"{key}.title", routine.title)
    if routine.description:
        yield Entry(f"{key}.description", routine.description)


def entries(library: Library) -> list[Entry]:
    """Every word of the file a user reads, in file order."""
    found = [e for s in library.stretches.values() for e in stretch_entries(s)]
    return found + [e for r in library.routines.values() for e in routine_entries(r)]


def catalog_dirs(source: Path | None) -> tuple[Path, ...]:
    """Where a file's translations are looked for, first match wins."""
    own = (source.parent / "locales",) if source is not None else ()
    return tuple(dict.fromkeys((*own, i18n.LOCALES)))


def _translate(dirs: Iterable[Path], language: str, entry: Entry) -> str:
    if language == i18n.SOURCE:
        return entry.english
    for folder in dirs:
        shown = i18n.compiled(folder, DOMAIN, language).pgettext(entry.context, entry.english)
        if shown != entry.english:
            return shown
    return entry.english


# The words of a stretch per language, kept: every card shown looks them up (14 us in
# English, 37 in German or Russian, each time; a dict lookup here). Keyed by the object, so a
# routines file read again (new objects) is looked up afresh; bounded by the routines times
# the languages, cleared past _KEPT_AT_MOST in case a long-lived process reloads often.
_STRETCH_TEXTS: dict[tuple[int, str], tuple[Stretch, StretchText]] = {}
_KEPT_AT_MOST = 4096
i18n.on_reload(_STRETCH_TEXTS.clear)


def stretch_text(stretch: Stretch, language: str) -> StretchText:
    """The stretch's words in `language`; each one without a current translation in English."""
    kept = _STRETCH_TEXTS.get((id(stretch), language))
    if kept is not None and kept[0] is stretch:
        return kept[1]
    dirs = catalog_dirs(stretch.source)
    words = [_translate(dirs, language, e) for e in stretch_entries(stretch)]
    steps = tuple(words[1 : 1 + len(stretch.steps)])
    text = StretchText(name=words[0], steps=steps, tip=words[-1] if stretch.tip else None)
    if len(_STRETCH_TEXTS) >= _KEPT_AT_MOST:
        _STRETCH_TEXTS.clear()
    _STRETCH_TEXTS[(id(stretch), language)] = (stretch, text)
    return text


def routine_text(routine: Routine, language: str) -> RoutineText:
    dirs = catalog_dirs(routine.source)
    title, *rest = (_translate(dirs, language, e) for e in routine_entries(routine))
    return RoutineText(title=title, description=rest[0] if rest else None)


# -- for translators and check-routines ------------------------------------------------------


def template(library: Library) -> Catalog:
    """The .pot: every entry with its context, English as the msgid."""
    pot = Catalog(project="limber-routines", version="1", fuzzy=False)
    for entry in entries(library):
        pot.add(entry.english, context=entry.context)
    return pot


def write_template(library: Library, out: Path) -> None:
    buffer = io.BytesIO()
    write_po(buffer, template(library), width=100, omit_header=False, sort_output=False)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(buffer.getvalue())


def _po(folder: Path, language: str) -> Catalog | None:
    path = folder / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.exists():
        return None
    with path.open("rb") as source:
        return read_po(source, locale=language)


@dataclass(frozen=True, slots=True)
class Gap:
    """A word shown in English in one language, and why."""

    language: str
    context: str
    why: str  # "missing", "stale" (translated from other English) or "fuzzy"


def gaps(library: Library, languages: Iterable[str]) -> list[Gap]:
    """Per language and word: what a reader of that language would see in English.

    "stale": the catalog has this context translated from different English (the English was
    changed after it was translated). Read from the .po (not the compiled form) so the old
    English can be compared.
    """
    wanted = entries(library)
    dirs = catalog_dirs(library.path)
    found: list[Gap] = []
    for language in languages:
        catalogs = [c for c in (_po(d, language) for d in dirs) if c is not None]
        for entry in wanted:
            found += _gap(catalogs, language, entry)
    return found


def _gap(catalogs: list[Catalog], language: str, entry: Entry) -> list[Gap]:
    stale = fuzzy = False
    for catalog in catalogs:
        message = catalog.get(entry.english, context=entry.context)
        if message is not None and message.string and not message.fuzzy:
            return []
        fuzzy = fuzzy or (message is not None and message.fuzzy)
        stale = stale or any(
            m.context == entry.context and m.id != entry.english and m.string for m in catalog
        )
    why = "fuzzy" if fuzzy else "stale" if stale else "missing"
    return [Gap(language, entry.context, why)]


def report(library: Library, languages: Iterable[str]) -> list[str]:
    """check-routines' warnings: one line per language, each word named with why."""
    by_language: dict[str, list[Gap]] = {}
    for gap in gaps(library, languages):
        by_language.setdefault(gap.language, []).append(gap)
    lines = []
    for language, found in by_language.items():
        stale = [g.context for g in found if g.why == "stale"]
        other = [f"{g.context} ({g.why})" if g.why == "fuzzy" else g.context for g in found]
        other = [c for c, g in zip(other, found, strict=True) if g.why != "stale"]
        parts = []
        if stale:
            parts.append(f"{len(stale)} stale (the English changed since): " + ", ".join(stale))
        if other:
            parts.append(f"{len(other)} not translated: " + ", ".join(other))
        lines.append(f"{language}: {len(found)} in English; " + "; ".join(parts))
    return lines


def from_tables(path: Path, library: Library) -> dict[str, Catalog]:
    """A file's old [... .i18n.<lang>] tables as one catalog per language, each translation
    under the English it sits beside (`limber routines-catalog` writes them out once)."""
    import tomllib

    data = tomllib.loads(path.read_text(encoding="utf-8"))
    found: dict[str, Catalog] = {}

    def add(language: str, entry: Entry, text: object) -> None:
        if isinstance(text, str) and text.strip():
            catalog = found.setdefault(language, Catalog(locale=language, project="limber"))
            catalog.add(entry.english, text.strip(), context=entry.context)

    for sid, stretch in library.stretches.items():
        tables = data.get("stretches", {}).get(sid, {}).get("i18n", {})
        for language, words in tables.items() if isinstance(tables, dict) else ():
            own = list(stretch_entries(stretch))
            add(language, own[0], words.get("name"))
            for n, step in enumerate(words.get("steps") or [], 1):
                if n <= len(stretch.steps):
                    add(language, own[n], step)
            if stretch.tip:
                add(language, own[-1], words.get("tip"))
    for rid, routine in library.routines.items():
        tables = data.get("routines", {}).get(rid, {}).get("i18n", {})
        for language, words in tables.items() if isinstance(tables, dict) else ():
            title, *rest = routine_entries(routine)
            add(language, title, words.get("title"))
            if rest:
                add(language, rest[0], words.get("description"))
    return found


def write_catalogs(locales: Path, catalogs: dict[str, Catalog]) -> list[Path]:
    """Each catalog to `locales/<lang>/LC_MESSAGES/routines.po`, merged over what is there
    (an entry already translated for the same context and English is kept)."""
    written = []
    for language, new in catalogs.items():
        out = locales / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        merged = _po(locales, language) or Catalog(locale=language, project="limber")
        for message in new:
            if message.id and merged.get(message.id, context=message.context) is None:
                merged.add(message.id, message.string, context=message.context)
        buffer = io.BytesIO()
        write_po(buffer, merged, width=100, sort_output=False)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(buffer.getvalue())
        written.append(out)
    return written
