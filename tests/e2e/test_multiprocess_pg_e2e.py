"""Two `nudgebot webhook` processes on one PostgreSQL database: every tip once, one rate limit."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import insert

from nudgebot.platform.db import create_engine, migrate
from nudgebot.platform.models import User, UserTopic
from tests.botapi_emulator import ApiCall, BotApiEmulator
from tests.conftest import PostgresDatabases
from tests.e2e.botprocess import BotProcess

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

SUBSCRIBERS = 1000
TELEGRAM_LIMIT_PER_SECOND = 30
ENV = {
    "NUDGEBOT_TICK_SECONDS": "1",
    # Short, so that the test of a killed process does not wait a minute for its claims.
    "NUDGEBOT_SEND_LEASE_SECONDS": "5",
}


async def _seed_due(url: str, count: int) -> None:
    engine = create_engine(url)
    await migrate(engine)
    now = datetime.now(UTC)
    rows = [
        {
            "id": 10_000 + n,
            "chat_id": 10_000 + n,
            "status": "active",
            "timezone": "UTC",
            "tip_time": time(8, 0),
            "onboarded_at": now,
            "next_due_utc": now - timedelta(seconds=1),
            "tip_cycle": 0,
            "tip_pos": -1,
            "created_at": now,
            "updated_at": now,
        }
        for n in range(count)
    ]
    async with engine.begin() as conn:
        await conn.execute(insert(User), rows)
        await conn.execute(
            insert(UserTopic),
            [
                {"user_id": row["id"], "topic": topic, "created_at": now}
                for row in rows
                for topic in ("food", "activity", "stress")
            ],
        )
    await engine.dispose()


@pytest_asyncio.fixture(loop_scope="module")
async def two_bots(
    emulator: BotApiEmulator,
    tmp_path: Path,
    postgres_databases: PostgresDatabases,
    request: pytest.FixtureRequest,
) -> AsyncIterator[list[BotProcess]]:
    url = await postgres_databases.new()
    await _seed_due(url, SUBSCRIBERS)
    emulator.enforce_rate(per_second=TELEGRAM_LIMIT_PER_SECOND, per_chat_per_second=1)
    bots = []
    for name in ("a", "b"):
        workdir = tmp_path / name
        workdir.mkdir()
        bots.append(
            BotProcess(emulator, database_url=url, workdir=workdir, env=ENV, command="webhook")
        )
    await asyncio.gather(*(bot.start() for bot in bots))
    try:
        yield bots
    finally:
        for bot in bots:
            code = await bot.stop()
            report = getattr(request.node, "rep_call", None)
            if report is not None and report.failed:
                print(f"----- {bot.workdir.name} log (exit {code}) -----\n{bot.log_tail(40)}")


def _tips(emulator: BotApiEmulator) -> list[ApiCall]:
    return [
        c
        for c in emulator.calls
        if c.method == "sendMessage" and c.error is None and "Source:" in c.text
    ]


async def _wait_for_distinct(emulator: BotApiEmulator, count: int, timeout: float) -> None:
    try:
        async with asyncio.timeout(timeout):
            while len({c.chat_id for c in _tips(emulator)}) < count:
                await asyncio.sleep(0.2)
    except TimeoutError:
        got = len({c.chat_id for c in _tips(emulator)})
        raise AssertionError(f"only {got} of {count} subscribers got their tip") from None


def _busiest_second(calls: list[ApiCall]) -> int:
    times = sorted(c.time for c in calls)
    best, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


def _senders(bots: list[BotProcess]) -> list[str]:
    return [b.workdir.name for b in bots if "sends for the bot now" in b.log_path.read_text()]


async def test_two_processes_send_every_due_tip_once_under_one_rate_limit(
    emulator: BotApiEmulator, two_bots: list[BotProcess]
) -> None:
    await _wait_for_distinct(emulator, SUBSCRIBERS, timeout=120)
    await asyncio.sleep(2.0)  # anything sent twice would show up now
    tips = _tips(emulator)
    per_chat = Counter(c.chat_id for c in tips)
    assert len(per_chat) == SUBSCRIBERS
    assert max(per_chat.values()) == 1, "a subscriber got the same day's tip twice"
    # Both processes ran the scheduler, one of them sent: the bot's rate is one budget.
    assert len(_senders(two_bots)) == 1
    assert emulator.rate_violations == 0
    assert _busiest_second(tips) <= TELEGRAM_LIMIT_PER_SECOND
    duration = tips[-1].time - tips[0].time
    print(f"{SUBSCRIBERS} tips in {duration:.1f} s: {SUBSCRIBERS / duration:.1f} msg/s combined")


async def test_the_other_process_finishes_a_killed_senders_claims_after_the_lease(
    emulator: BotApiEmulator, two_bots: list[BotProcess]
) -> None:
    await _wait_for_distinct(emulator, 200, timeout=60)
    (leader_name,) = _senders(two_bots)
    leader = next(b for b in two_bots if b.workdir.name == leader_name)
    survivor = next(b for b in two_bots if b is not leader)
    await leader.kill()
    killed_at = len(_tips(emulator))
    assert killed_at < SUBSCRIBERS, "the test needs the kill to happen mid-way"
    await _wait_for_distinct(emulator, SUBSCRIBERS, timeout=120)
    await asyncio.sleep(2.0)
    per_chat = Counter(c.chat_id for c in _tips(emulator))
    assert len(per_chat) == SUBSCRIBERS
    twice = [chat for chat, n in per_chat.items() if n > 1]
    # Only what was on the wire or answered but not yet marked can repeat: the sender's window
    # on loopback (a few sends) plus at most one batch of marks (50 ms of sending).
    assert len(twice) <= 8, f"more than the in-flight tips were repeated: {twice}"
    print(f"repeated after kill -9: {len(twice)}")
    assert "sends for the bot now" in survivor.log_path.read_text()
    assert emulator.rate_violations == 0


async def test_replies_and_bulk_sends_of_two_processes_share_one_budget(
    emulator: BotApiEmulator, two_bots: list[BotProcess]
) -> None:
    await _wait_for_distinct(emulator, 60, timeout=60)  # the tips go out at 25/s
    start = emulator.mark()
    asked: dict[int, float] = {}
    # 15 people a second write to the bot for 3 s, half of them reaching each process: with the
    # tips that is 40 messages a second wanted, and Telegram takes 30.
    for n in range(45):
        user = 500 + n
        target = two_bots[n % 2]
        asked[user] = asyncio.get_running_loop().time()
        update = emulator.private_text_update(user, "/help")
        assert await emulator.deliver(update, url=target.webhook_url) == 200
        await asyncio.sleep(1 / 15)
    answered: dict[int, float] = {}
    for user in asked:
        call = await emulator.wait_for_text(user, "here is what i can do", since=start)
        answered[user] = call.time
    await asyncio.sleep(1.0)
    window = [c for c in emulator.calls[start:] if c.method == "sendMessage" and not c.error]
    assert emulator.rate_violations == 0
    assert _busiest_second(window) <= TELEGRAM_LIMIT_PER_SECOND
    assert len(_tips(emulator)) > 60  # the broadcast of tips went on meanwhile
    # Replies never wait behind bulk sends: each answered within a second.
    delays = [answered[u] - asked[u] for u in asked]
    assert max(delays) < 1.0, f"slowest reply took {max(delays):.2f} s"
