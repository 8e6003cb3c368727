"""Reminder-pass benchmark (not a test): evening reminders and weekly summaries, on SQLite.

    .venv/bin/python -m bench.reminders                  # 2,000 evening, 2,000 weekly
    .venv/bin/python -m bench.reminders --due 5000

Seeds a fresh SQLite file with `--due` people whose evening reminder is due in the same minute
(half of them with three past check-ins, so their buttons hold recent meals) and as many whose
weekly summary is due, then times ReminderService.queue_due in passes of 1,000, with the quick
check-in buttons the bot really builds (CheckinService.quick_choices per person). Prints the
milliseconds per 1,000 due for each kind, and how long the sender takes to draw one weekly chart.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from nudgebot.bot.application import _quick_buttons
from nudgebot.content import load_catalog
from nudgebot.features.meals.charts import chart_png
from nudgebot.features.meals.parser import load_index
from nudgebot.features.meals.service import CheckinService
from nudgebot.features.reminders.service import ReminderService
from nudgebot.platform.db import create_engine, create_sessionmaker, migrate

NOW = datetime(2026, 12, 6, 19, 0, 5, tzinfo=UTC)  # a Sunday, 20:00 in Berlin


def _sql(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


def seed(db: Path, due: int) -> None:
    """`due` evening reminders and `due` weekly summaries, all due at NOW."""
    meal = json.dumps(
        [
            {"food": "oatmeal", "name": "oatmeal", "portion": "1 bowl", "grams": 234, "mg": 63},
            {"food": "almonds", "name": "almonds", "portion": "1 handful", "grams": 28, "mg": 76},
        ]
    )
    created = _sql(NOW - timedelta(days=40))
    with sqlite3.connect(db) as conn:
        users, reminders, checkins = [], [], []
        for n in range(2 * due):
            uid = 1_000_000 + n
            users.append((uid, uid, created, created, created))
            kind = "evening" if n < due else "weekly"
            reminders.append((uid, kind, "20:00:00.000000", _sql(NOW - timedelta(seconds=5))))
            if n % 2 == 0:
                for back in (1, 2, 3):
                    day = (NOW - timedelta(days=back)).date().isoformat()
                    checkins.append((uid, day, meal, 139.0, _sql(NOW - timedelta(days=back))))
        conn.executemany(
            "INSERT INTO users (id, chat_id, status, timezone, tip_time, onboarded_at,"
            " tip_cycle, tip_pos, created_at, updated_at) VALUES (?, ?, 'active',"
            " 'Europe/Berlin', '08:00:00.000000', ?, 0, -1, ?, ?)",
            users,
        )
        conn.executemany(
            "INSERT INTO user_topics (user_id, topic, created_at) VALUES (?, ?, ?)",
            [(u[0], topic, created) for u in users for topic in ("food", "activity", "stress")],
        )
        conn.executemany(
            "INSERT INTO reminders (user_id, kind, enabled, at_time, next_due_utc, ignored,"
            " created_at, updated_at) VALUES (?, ?, 1, ?, ?, 0, ?, ?)",
            [(*r, created, created) for r in reminders],
        )
        conn.executemany(
            "INSERT INTO checkins (user_id, local_date, items, total_mg, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            checkins,
        )


async def run(due: int) -> dict[str, list[float]]:
    catalog = load_catalog()
    foods = load_index()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "reminders.db"
        url = f"sqlite+aiosqlite:///{db}"
        engine = create_engine(url)
        await migrate(engine)
        seed(db, due)
        sm = create_sessionmaker(engine)
        service = ReminderService(
            sm, catalog, quick_buttons=_quick_buttons(CheckinService(sm, foods), catalog)
        )
        timings: dict[str, list[float]] = {"evening": [], "weekly": []}
        try:
            while True:
                started = time.perf_counter()
                report = await service.queue_due(now=NOW, limit=1000)
                elapsed = (time.perf_counter() - started) * 1000
                if not report.due:
                    break
                if report.evening_sent:
                    timings["evening"].append(elapsed * 1000 / report.due)
                if report.weekly_sent:
                    timings["weekly"].append(elapsed * 1000 / report.due)
        finally:
            await engine.dispose()
    return timings


def chart_ms(rounds: int = 20) -> float:
    """Median milliseconds the sender spends drawing one weekly chart."""
    spec = {
        "days": [[(NOW - timedelta(days=6 - n)).date().isoformat(), 60.0 * n] for n in range(7)],
        "target_low": 310,
        "target_high": 420,
        "title": "Magnesium from food this week",
        "target_label": "Usual adult range",
        "unit": "mg",
    }
    chart_png(spec)  # matplotlib's first figure loads its fonts
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        chart_png(spec)
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--due", type=int, default=2000)
    args = parser.parse_args()
    timings = asyncio.run(run(args.due))
    print(f"weekly chart drawn by the sender: {chart_ms():.0f} ms each (median of 20)")
    for kind, values in timings.items():
        if values:
            print(
                f"{kind}: {statistics.median(values):.0f} ms per 1,000 due "
                f"(median of {len(values)} passes; min {min(values):.0f}, max {max(values):.0f})"
            )


if __name__ == "__main__":
    main()
