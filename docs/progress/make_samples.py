"""Draws the issue-17 samples in this folder from a month of seeded history:
weekly-summary.txt (the summary sent on Sunday night), stats.png and stats-caption.txt (/stats),
stats-<language>.png (the same /stats picture in each language Limber speaks),
reach-choices.png (the mobility check's picture).

Run from the project root: python docs/progress/make_samples.py
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bot import i18n  # noqa: E402
from bot.clock import MovableClock  # noqa: E402
from bot.progress import Progress  # noqa: E402
from bot.reach_pictures import reach_choices_png  # noqa: E402
from bot.store.db import create_engine, upgrade_async  # noqa: E402
from bot.store.repo import Store  # noqa: E402
from tests.history import seed_sessions  # noqa: E402

HERE = Path(__file__).parent
ZONE = "Europe/Berlin"
# Sunday 29 Nov 2026, 22:02 in Berlin: the weekly summary's instant.
SUNDAY = datetime(2026, 11, 29, 21, 2, tzinfo=UTC)
USER = 1


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/samples.db"
        await upgrade_async(url)
        store = Store(create_engine(url))
        start = SUNDAY - timedelta(days=34)
        await store.upsert_user(USER, USER, "Ann", "en", start)
        await store.update_user(USER, start, timezone=ZONE, onboarding=None)
        finished = []
        for i in range(1, 35):
            day = SUNDAY - timedelta(days=i)
            if i in (9, 23, 24, 25):  # a missed day a freeze saves, and a break
                continue
            finished.append(day.replace(hour=6, minute=40))  # morning, 07:40 in Berlin
            if i % 3 == 0 or i < 5:
                finished.append(day.replace(hour=20, minute=30))  # bedtime
        await seed_sessions(store, USER, sorted(finished), ZONE, seconds=330)
        for i, score in ((33, 6), (30, 6), (27, 5), (22, 5), (18, 5), (15, 4), (12, 4),
                         (8, 4), (6, 3), (4, 3), (2, 3), (1, 2)):
            await store.record_pain(USER, (SUNDAY - timedelta(days=i)).date(), score, SUNDAY)
        for i, left, right in ((28, 45, 30), (21, 45, 45), (14, 60, 45), (7, 60, 60), (0, 75, 60)):
            day = (SUNDAY - timedelta(days=i)).date()
            await store.record_reach(USER, day, "left", left, SUNDAY)
            await store.record_reach(USER, day, "right", right, SUNDAY)
        progress = Progress(store, MovableClock(SUNDAY, frozen=True), None)  # type: ignore[arg-type]
        summary = await progress.weekly_text(USER, SUNDAY)
        assert summary is not None
        (HERE / "weekly-summary.txt").write_text(summary + "\n", encoding="utf-8")
        caption, png = await progress.stats(USER)
        assert png is not None
        (HERE / "stats.png").write_bytes(png)
        (HERE / "stats-caption.txt").write_text(caption + "\n", encoding="utf-8")
        for language in i18n.LANGUAGES:
            # The picture is drawn in a thread that inherits the caller's language.
            with i18n.using(language):
                _, localised = await progress.stats(USER)
            assert localised is not None
            (HERE / f"stats-{language}.png").write_bytes(localised)
        (HERE / "reach-choices.png").write_bytes(reach_choices_png())
        await store.close()


if __name__ == "__main__":
    asyncio.run(main())
