"""Daily-tip fan-out benchmark (not a test): start-up, memory, scheduler tick, send rate.

    .venv/bin/python -m bench.fanout                 # 100k subscribers on SQLite
    .venv/bin/python -m bench.fanout --subscribers 20000 --drain 300

1. Seeds N onboarded subscribers (random zones, times and topics) into a fresh database.
2. Starts the real `nudgebot run` process against the Bot API emulator and reports the time until
   it polls and its RSS, with N subscribers and with none (both should be flat in N).
3. Makes 5,000 subscribers due in the same minute and times scheduler passes (queue_due), in
   this process, on the same database: milliseconds per 1,000 due subscribers.
4. Lets the bot process drain those tips against the emulator enforcing Telegram's 30 msg/s
   with 429s, and reports the sustained send rate against the configured rate, and any 429s.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from nudgebot.content import load_catalog
from nudgebot.features.tips.schedule import next_due_utc
from nudgebot.features.tips.service import TipService
from nudgebot.platform.db import create_engine, create_sessionmaker, migrate
from tests.botapi_emulator import BotApiEmulator
from tests.e2e.botprocess import BotProcess

ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",
    "Australia/Sydney",
    "UTC",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "Europe/London",
    "Asia/Kathmandu",
]


def _sql(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


def seed(db: Path, n: int) -> None:
    """N onboarded subscribers, inserted in bulk."""
    now = datetime.now(UTC)
    rng = random.Random(42)
    rows, topic_rows = [], []
    for uid in range(1, n + 1):
        zone = rng.choice(ZONES)
        hour, minute = rng.randrange(6, 22), rng.choice((0, 15, 30, 45))
        due = next_due_utc(zone, datetime.min.time().replace(hour=hour, minute=minute), now)
        topics = rng.choice(((1, 1, 1), (1, 0, 0), (0, 1, 1), (1, 1, 0)))
        topic_rows.extend(
            (uid + 10_000, name, _sql(now))
            for name, on in zip(("food", "activity", "stress"), topics, strict=True)
            if on
        )
        rows.append(
            (
                uid + 10_000,
                uid + 10_000,
                zone,
                f"{hour:02d}:{minute:02d}:00.000000",
                _sql(now),
                _sql(due),
                _sql(now),
                _sql(now),
            )
        )
    with sqlite3.connect(db) as conn:
        conn.executemany(
            "INSERT INTO users (id, chat_id, status, timezone, tip_time, onboarded_at,"
            " next_due_utc, tip_cycle, tip_pos, created_at, updated_at)"
            " VALUES (?, ?, 'active', ?, ?, ?, ?, 0, -1, ?, ?)",
            rows,
        )
        conn.executemany(
            "INSERT INTO user_topics (user_id, topic, created_at) VALUES (?, ?, ?)", topic_rows
        )


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def startup(workdir: Path, url: str) -> tuple[float, float]:
    """Seconds from process start to its first getUpdates, and RSS (MB) two seconds later."""
    async with BotApiEmulator() as emu:
        bot = BotProcess(emu, database_url=url, workdir=workdir)
        started = time.monotonic()
        await bot.start(ready_timeout=60)
        elapsed = time.monotonic() - started
        await asyncio.sleep(2.0)  # a scheduler tick or two has run
        assert bot.proc is not None
        memory = rss_mb(bot.proc.pid)
        await bot.stop()
    return elapsed, memory


async def tick_benchmark(url: str, due: int) -> list[float]:
    """ms per 1,000 due subscribers, over passes of 1,000."""
    engine = create_engine(url)
    sm = create_sessionmaker(engine)
    tips = TipService(sm, load_catalog())
    await tips.sync_library()
    gc.freeze()  # as the bot does once started (runner.started_bot)
    now = datetime.now(UTC)
    with sqlite3.connect(url.split(":///", 1)[1]) as conn:
        conn.execute(
            "UPDATE users SET next_due_utc = ? WHERE id <= ?",
            (_sql(now - timedelta(seconds=5)), 10_000 + due),
        )
    timings = []
    while True:
        t0 = time.perf_counter()
        report = await tips.queue_due(now=now, limit=1000)
        if not report.due:
            break
        timings.append((time.perf_counter() - t0) * 1000 * 1000 / report.due)
    await engine.dispose()
    return timings


async def drain(
    emu: BotApiEmulator, workdir: Path, url: str, expected: int, rate: float, latency: float = 0.0
) -> tuple[float, int]:
    """Start the bot, let it send the queued tips; (messages/s sustained, 429s seen)."""
    emu.enforce_rate(per_second=30, per_chat_per_second=1)
    emu.latency = latency
    bot = BotProcess(
        emu,
        database_url=url,
        workdir=workdir,
        env={"NUDGEBOT_SEND_RATE": str(rate), "NUDGEBOT_TICK_SECONDS": "1"},
    )
    await bot.start(ready_timeout=60)
    try:
        while len(emu.sent()) < expected:
            await asyncio.sleep(0.2)
    finally:
        await bot.stop()
    times = sorted(c.time for c in emu.sent())
    # steady state: drop the first and last second (start-up and tail)
    inner = [t for t in times if times[0] + 1 <= t <= times[-1] - 1]
    sustained = (len(inner) - 1) / (inner[-1] - inner[0]) if len(inner) > 1 else float("nan")
    return sustained, emu.rate_violations


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=5_000)
    parser.add_argument(
        "--drain", type=int, default=1_500, help="how many of the due tips to time the sender on"
    )
    parser.add_argument("--rate", type=float, default=25.0)
    parser.add_argument(
        "--latency-ms", type=float, default=0.0, help="network round trip the emulator adds"
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="nudgebot-bench-"))
    db = workdir / "bench.db"
    url = f"sqlite+aiosqlite:///{db}"
    engine = create_engine(url)
    await migrate(engine)
    await engine.dispose()

    empty_start, empty_rss = await startup(workdir, url)
    t0 = time.perf_counter()
    seed(db, args.subscribers)
    seeded = time.perf_counter() - t0
    full_start, full_rss = await startup(workdir, url)

    timings = await tick_benchmark(url, args.due)
    # keep only `drain` tips queued so the send measurement is bounded in time
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE outbox SET state = 'cancelled' WHERE id > ?", (args.drain,))
    async with BotApiEmulator() as emu:
        sustained, violations = await drain(
            emu, workdir, url, args.drain, args.rate, args.latency_ms / 1000
        )

    print(f"subscribers seeded            {args.subscribers:>10,} ({seeded:.1f} s)")
    print(f"start-up, empty database      {empty_start:>10.2f} s   RSS {empty_rss:6.1f} MB")
    print(
        f"start-up, {args.subscribers:,} subscribers {full_start:>6.2f} s   RSS {full_rss:6.1f} MB"
    )
    print(
        f"scheduler tick, {args.due:,} due       "
        f"{statistics.median(timings):>6.1f} ms per 1,000 due (median of {len(timings)},"
        f" max {max(timings):.1f})"
    )
    print(
        f"send rate, {args.drain:,} tips, {args.latency_ms:g} ms round trip "
        f"{sustained:>6.2f} msg/s sustained of "
        f"{args.rate:g} configured ({100 * sustained / args.rate:.1f} %), "
        f"429s: {violations}"
    )
    if os.environ.get("KEEP_BENCH_DB") is None:
        for path in workdir.iterdir():
            path.unlink()
        workdir.rmdir()


if __name__ == "__main__":
    asyncio.run(main())
