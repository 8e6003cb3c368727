"""The bot's one send budget: evenly spaced slots, replies first, shared across processes."""

from __future__ import annotations

import asyncio
import time

import pytest

from nudgebot.platform.budget import SendBudget, SharedSendBudget
from nudgebot.platform.db import create_engine
from tests.conftest import PostgresDatabases


def _busiest_second(moments: list[float], *, jitter: float = 0.02) -> int:
    """The most wake-ups in any window of one second less `jitter`: a timer wakes a millisecond
    or two late (a database round trip tens of milliseconds under load), so at exactly 1/limit
    apart limit+1 of them can fall a hair inside one second. The slots themselves never do."""
    moments = sorted(moments)
    best, start = 0, 0
    for end, moment in enumerate(moments):
        while moment - moments[start] >= 1.0 - jitter:
            start += 1
        best = max(best, end - start + 1)
    return best


async def _stamp(slot: object, into: list[float]) -> None:
    await slot  # type: ignore[misc]
    into.append(time.monotonic())


async def test_slots_are_evenly_spaced_so_no_second_holds_more_than_the_limit() -> None:
    budget = SendBudget(20)
    moments: list[float] = []
    await asyncio.gather(*(_stamp(budget.reply_slot(), moments) for _ in range(45)))
    assert _busiest_second(moments) <= 20
    assert max(moments) - min(moments) == pytest.approx(44 / 20, abs=0.15)


async def test_a_reply_never_waits_behind_bulk_sends() -> None:
    budget = SendBudget(20)
    bulk: list[float] = []
    bulk_task = asyncio.gather(*(_stamp(budget.bulk_slot(), bulk) for _ in range(40)))
    await asyncio.sleep(0.3)
    asked = time.monotonic()
    await budget.reply_slot()
    waited = time.monotonic() - asked
    await bulk_task
    assert waited <= 1 / 20 + 0.02  # one slot at most, not the 30 bulk sends still waiting
    assert _busiest_second([*bulk, asked + waited]) <= 20


async def test_bulk_waits_for_slots_that_replies_booked() -> None:
    budget = SendBudget(10)
    for _ in range(10):  # a burst of replies books the next second
        booked, _wait = budget._book_locally(bulk=False)
        assert booked
    started = time.monotonic()
    await budget.bulk_slot()
    assert time.monotonic() - started >= 0.9


@pytest.mark.postgres
async def test_two_processes_book_from_one_schedule_on_postgresql(
    postgres_databases: PostgresDatabases,
) -> None:
    from nudgebot.platform.db import migrate

    url = await postgres_databases.new()
    engines = [create_engine(url), create_engine(url)]
    await migrate(engines[0])
    try:
        first, second = (SharedSendBudget(engine, 20) for engine in engines)
        moments: list[float] = []
        await asyncio.gather(
            *(_stamp(first.reply_slot(), moments) for _ in range(20)),
            *(_stamp(second.bulk_slot(), moments) for _ in range(10)),
            *(_stamp(second.reply_slot(), moments) for _ in range(15)),
        )
        assert _busiest_second(moments, jitter=0.08) <= 20
        assert max(moments) - min(moments) >= 44 / 20 - 0.15
    finally:
        for engine in engines:
            await engine.dispose()


async def test_a_reply_goes_out_on_the_local_schedule_when_the_database_is_down() -> None:
    engine = create_engine("postgresql+asyncpg://postgres@127.0.0.1:9/nowhere")
    try:
        budget = SharedSendBudget(engine, 20)
        started = time.monotonic()
        await budget.reply_slot()
        await budget.reply_slot()
        assert time.monotonic() - started < 1.2
    finally:
        await engine.dispose()
