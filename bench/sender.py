"""Outbox sender benchmark (not a test): the real bot process against the Bot API emulator.

    .venv/bin/python -m bench.sender                      # everything below, one run
    .venv/bin/python -m bench.sender --only free          # free rate at each round trip
    .venv/bin/python -m bench.sender --only paid --only crash

1. free: N queued messages drained at each round trip (`--latency-ms`, default 0,80,150) and each
   configured rate (`--rates`, default 25,28), with the emulator enforcing Telegram's 30/s and
   1/s per chat; sustained rate (first and last second left out), share of the configured rate,
   429s, and the largest window of sends in flight the emulator saw.
2. paid: a paid broadcast (allow_paid_broadcast) at `--paid-rate` with an 80 ms round trip, on
   SQLite and on PostgreSQL (if reachable): sustained rate.
3. crash: a 5,000-recipient broadcast at an 80 ms round trip; the process is killed (SIGKILL)
   half-way and started again: messages lost (must be 0) and sent twice, against the window.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import uuid
from collections import Counter
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import insert

from nudgebot.platform.db import create_engine, migrate
from nudgebot.platform.models import Broadcast, Outbox, User, UserTopic
from tests.botapi_emulator import ApiCall, BotApiEmulator
from tests.conftest import PG_ADMIN_URL, _pg_create, _pg_drop, _pg_reachable
from tests.e2e.botprocess import BotProcess

FIRST_ID = 100_000


async def queue_broadcast(url: str, recipients: int, *, paid: bool = False) -> None:
    """A migrated database with `recipients` subscribers and one broadcast queued to them."""
    engine = create_engine(url)
    await migrate(engine)
    now = datetime.now(UTC)
    async with engine.begin() as conn:
        await conn.execute(
            insert(User),
            [
                {
                    "id": FIRST_ID + n,
                    "chat_id": FIRST_ID + n,
                    "status": "active",
                    "timezone": "UTC",
                    "tip_time": time(8),
                    "onboarded_at": now,
                    "next_due_utc": now + timedelta(hours=12),
                    "tip_cycle": 0,
                    "tip_pos": -1,
                    "created_at": now,
                    "updated_at": now,
                }
                for n in range(recipients)
            ],
        )
        await conn.execute(
            insert(UserTopic),
            [
                {"user_id": FIRST_ID + n, "topic": topic, "created_at": now}
                for n in range(recipients)
                for topic in ("food", "activity", "stress")
            ],
        )
        await conn.execute(
            insert(Broadcast),
            [
                {
                    "id": 1,
                    "admin_id": 1,
                    "admin_chat_id": 1,
                    "audience": "all",
                    "payload": {"text": "Heart week"},
                    "state": "sending",
                    "total": recipients,
                    "skipped_blocked": 0,
                    "cancelled": 0,
                    "paid": paid,
                    "created_at": now,
                }
            ],
        )
        await conn.execute(
            insert(Outbox),
            [
                {
                    "key": f"broadcast:1:{FIRST_ID + n}",
                    "kind": "broadcast",
                    "user_id": FIRST_ID + n,
                    "chat_id": FIRST_ID + n,
                    "payload": {"text": "Heart week: a walk a day."},
                    "priority": 1,
                    "state": "queued",
                    "attempts": 0,
                    "broadcast_id": 1,
                    "paid": paid,
                    "not_before": now,
                    "created_at": now,
                }
                for n in range(recipients)
            ],
        )
    await engine.dispose()


def broadcast_calls(emu: BotApiEmulator) -> list[ApiCall]:
    return [c for c in emu.sent() if (c.chat_id or 0) >= FIRST_ID]


def sustained(calls: list[ApiCall]) -> float:
    """Messages/s between the end of the first second and the start of the last one."""
    times = sorted(c.time for c in calls)
    inner = [t for t in times if times[0] + 1 <= t <= times[-1] - 1]
    return (len(inner) - 1) / (inner[-1] - inner[0]) if len(inner) > 1 else float("nan")


async def drain(
    url: str, workdir: Path, *, count: int, latency: float, env: dict[str, str]
) -> tuple[BotApiEmulator, BotProcess]:
    """Start the bot on a queued database and wait until every message went out once."""
    emu = BotApiEmulator()
    await emu.start()
    emu.enforce_rate(per_second=30, per_chat_per_second=1)
    emu.latency = latency
    bot = BotProcess(emu, database_url=url, workdir=workdir, env=env)
    await bot.start(ready_timeout=60)
    try:
        async with asyncio.timeout(600):
            while len({c.chat_id for c in broadcast_calls(emu)}) < count:
                await asyncio.sleep(0.1)
    finally:
        await bot.stop()
        await emu.stop()
    return emu, bot


async def new_database(kind: str, workdir: Path) -> str:
    if kind == "sqlite":
        return f"sqlite+aiosqlite:///{workdir / f'{uuid.uuid4().hex[:8]}.db'}"
    name = f"nudgebot_bench_{uuid.uuid4().hex[:8]}"
    await _pg_create(name)
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


async def drop_database(url: str) -> None:
    if url.startswith("postgresql"):
        await _pg_drop(url.rsplit("/", 1)[1])


async def free_rate(workdir: Path, latencies: list[float], rates: list[float], count: int) -> None:
    print("free rate (Telegram's 30/s enforced by the emulator, 1/s per chat)")
    for rate in rates:
        for latency in latencies:
            url = await new_database("sqlite", workdir)
            await queue_broadcast(url, count)
            env = {"NUDGEBOT_SEND_RATE": f"{rate:g}"}
            emu, _ = await drain(url, workdir, count=count, latency=latency, env=env)
            got = sustained(broadcast_calls(emu))
            print(
                f"  {latency * 1000:>4.0f} ms round trip, {rate:g}/s configured: "
                f"{got:6.2f} msg/s ({100 * got / rate:5.1f} %), 429s: {emu.rate_violations}, "
                f"most in flight: {emu.max_sends_in_flight}"
            )


async def paid_rate(workdir: Path, rate: float, count: int) -> None:
    print(f"paid broadcast, {rate:g}/s configured, 80 ms round trip, {count:,} messages")
    kinds = ["sqlite"] + (["postgres"] if await _pg_reachable() else [])
    for kind in kinds:
        url = await new_database(kind, workdir)
        try:
            await queue_broadcast(url, count, paid=True)
            env = {
                "NUDGEBOT_PAID_BROADCAST_RATE": f"{rate:g}",
                "NUDGEBOT_SEND_MAX_IN_FLIGHT": "200",
            }
            emu, _ = await drain(url, workdir, count=count, latency=0.08, env=env)
            calls = broadcast_calls(emu)
            got = sustained(calls)
            paid = sum(c.paid for c in calls)
            print(
                f"  {kind:<9} {got:7.1f} msg/s sustained, {paid:,} sent paid, "
                f"429s: {emu.rate_violations}, most in flight: {emu.max_sends_in_flight}"
            )
        finally:
            await drop_database(url)


async def crash(workdir: Path, count: int, kill_after: int) -> None:
    print(f"kill -9 half-way through a {count:,}-recipient broadcast, 80 ms round trip")
    url = await new_database("sqlite", workdir)
    await queue_broadcast(url, count)
    emu = BotApiEmulator()
    await emu.start()
    emu.enforce_rate(per_second=30, per_chat_per_second=1)
    emu.latency = 0.08
    bot = BotProcess(emu, database_url=url, workdir=workdir)
    try:
        await bot.start(ready_timeout=60)
        while len(broadcast_calls(emu)) < kill_after:
            await asyncio.sleep(0.01)
        in_flight = emu.sends_in_flight
        await bot.kill()
        await bot.start(ready_timeout=60)
        async with asyncio.timeout(900):
            while len({c.chat_id for c in broadcast_calls(emu)}) < count:
                await asyncio.sleep(0.2)
        await asyncio.sleep(2.0)
        await bot.stop()
    finally:
        await emu.stop()
    per_chat = Counter(c.chat_id for c in broadcast_calls(emu))
    lost = count - len(per_chat)
    twice = sum(n - 1 for n in per_chat.values() if n > 1)
    print(
        f"  lost {lost}, sent twice {twice} (sends in flight at the kill: {in_flight}, "
        f"429s: {emu.rate_violations})"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=["free", "paid", "crash"])
    parser.add_argument("--latency-ms", default="0,80,150")
    parser.add_argument("--rates", default="25,28")
    parser.add_argument("--count", type=int, default=600, help="messages per free-rate run")
    parser.add_argument("--paid-rate", type=float, default=1000)
    parser.add_argument("--paid-count", type=int, default=10_000)
    parser.add_argument("--crash-count", type=int, default=5000)
    args = parser.parse_args()
    parts = args.only or ["free", "paid", "crash"]
    workdir = Path(tempfile.mkdtemp(prefix="nudgebot-sender-"))
    if "free" in parts:
        latencies = [float(ms) / 1000 for ms in args.latency_ms.split(",")]
        rates = [float(r) for r in args.rates.split(",")]
        await free_rate(workdir, latencies, rates, args.count)
    if "paid" in parts:
        await paid_rate(workdir, args.paid_rate, args.paid_count)
    if "crash" in parts:
        await crash(workdir, args.crash_count, args.crash_count // 2)


if __name__ == "__main__":
    asyncio.run(main())
