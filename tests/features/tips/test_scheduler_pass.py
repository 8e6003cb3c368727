"""The scheduler pass in bulk: many people per (zone, time), DST edges, idempotent reruns."""

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import event, func, select

from nudgebot.content import load_catalog
from nudgebot.features.subscribers.preferences import TOPICS
from nudgebot.features.tips.schedule import local_date_of, next_due_utc
from nudgebot.features.tips.service import TipService
from nudgebot.platform import outbox
from nudgebot.platform.db import SessionMaker
from nudgebot.platform.models import Outbox, TipLog, User, UserTopic

CONTENT = load_catalog()


@pytest.fixture
async def tips(sessionmaker: SessionMaker) -> TipService:
    service = TipService(sessionmaker, CONTENT)
    await service.sync_library()
    return service


async def _add_users(sm: SessionMaker, people: list[tuple[int, str, time, datetime]]) -> None:
    """(id, zone, tip time, due instant) each, active, onboarded, with every topic."""
    async with sm.begin() as session:
        session.add_all(
            User(
                id=uid,
                chat_id=uid,
                status="active",
                timezone=zone,
                tip_time=at,
                onboarded_at=due - timedelta(days=30),
                next_due_utc=due,
            )
            for uid, zone, at, due in people
        )
        session.add_all(
            UserTopic(user_id=uid, topic=topic) for uid, *_ in people for topic in TOPICS
        )


async def _next_due(sm: SessionMaker) -> dict[int, datetime]:
    async with sm() as session:
        rows = await session.execute(select(User.id, User.next_due_utc))
        return {uid: due for uid, due in rows if due is not None}


async def _count(sm: SessionMaker, model: type[Outbox] | type[TipLog]) -> int:
    async with sm() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def test_people_sharing_a_zone_and_time_across_spring_forward_each_get_the_right_instant(
    sessionmaker: SessionMaker, tips: TipService
) -> None:
    # Berlin, the night of 29 March 2026: 02:00 CET jumps to 03:00 CEST. It is midnight local.
    now = datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    expected_next = {
        time(2, 30): datetime(2026, 3, 29, 1, 0, tzinfo=UTC),  # in the gap: 03:00 CEST
        time(8, 0): datetime(2026, 3, 29, 6, 0, tzinfo=UTC),  # 08:00 CEST, an hour earlier in UTC
        time(0, 30): datetime(2026, 3, 28, 23, 30, tzinfo=UTC),  # still CET, later tonight
    }
    people = []
    for n in range(60):
        at = list(expected_next)[n % 3]
        # due a few seconds to two days ago: some on time, some too late to send
        people.append((1000 + n, "Europe/Berlin", at, now - timedelta(minutes=47 * n + 1)))
    await _add_users(sessionmaker, people)

    report = await tips.queue_due(now=now)

    on_time = sum(1 for *_, due in people if now - due <= timedelta(hours=3))
    assert (report.due, report.queued, report.skipped_late) == (60, on_time, 60 - on_time)
    saved = await _next_due(sessionmaker)
    for uid, zone, at, due in people:
        assert saved[uid] == expected_next[at]
        # the same instant the per-person rule gives (after = the later of now and their due)
        assert saved[uid] == next_due_utc(zone, at, max(now, due))


async def test_a_fall_back_time_is_taken_once_on_its_first_occurrence(
    sessionmaker: SessionMaker, tips: TipService
) -> None:
    # New York, 1 November 2026: 01:30 happens at 05:30 UTC (EDT) and again at 06:30 UTC (EST).
    ny = "America/New_York"
    first = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    await _add_users(
        sessionmaker,
        [(2000 + n, ny, time(1, 30), first - timedelta(days=1, minutes=n)) for n in range(20)],
    )
    before = await tips.queue_due(now=datetime(2026, 11, 1, 4, 0, tzinfo=UTC))
    assert before.due == 20
    assert set((await _next_due(sessionmaker)).values()) == {first}

    report = await tips.queue_due(now=first + timedelta(minutes=15))  # between the two 01:30s
    assert (report.due, report.queued) == (20, 20)
    # the second 01:30 is the same local date: the next tip is the following night's
    assert set((await _next_due(sessionmaker)).values()) == {
        datetime(2026, 11, 2, 6, 30, tzinfo=UTC)
    }
    async with sessionmaker() as session:
        keys = set((await session.execute(select(Outbox.key))).scalars())
    assert keys == {f"tip:{2000 + n}:2026-11-01" for n in range(20)}


async def test_a_rerun_queues_nothing_twice_and_counts_exactly(
    sessionmaker: SessionMaker, tips: TipService
) -> None:
    now = datetime(2026, 6, 10, 6, 0, 5, tzinfo=UTC)  # 08:00:05 in Berlin
    due = datetime(2026, 6, 10, 6, 0, tzinfo=UTC)
    await _add_users(sessionmaker, [(3000 + n, "Europe/Berlin", time(8), due) for n in range(300)])
    # Forty of them already have today's tip in the outbox (queued by an earlier, lost pass).
    async with sessionmaker.begin() as session:
        await outbox.enqueue(
            session,
            messages=[
                outbox.NewMessage(f"tip:{3000 + n}:2026-06-10", "tip", 3000 + n, 3000 + n, {})
                for n in range(40)
            ],
        )

    first = await tips.queue_due(now=now)
    assert (first.due, first.queued) == (300, 260)
    assert await _count(sessionmaker, Outbox) == 300

    again = await tips.queue_due(now=now)
    assert again.due == 0
    # everyone due again the same local date (a crash before the move was saved): nothing new
    async with sessionmaker.begin() as session:
        for user in (await session.execute(select(User))).scalars():
            user.next_due_utc, user.last_tip_date = due, date(2026, 6, 9)
    rerun = await tips.queue_due(now=now)
    assert (rerun.due, rerun.queued) == (300, 0)
    assert await _count(sessionmaker, Outbox) == 300


async def test_people_without_a_zone_or_time_do_not_take_places_in_the_batch(
    sessionmaker: SessionMaker, tips: TipService
) -> None:
    now = datetime(2026, 6, 10, 6, 0, 5, tzinfo=UTC)
    await _add_users(
        sessionmaker,
        [(4000 + n, "Europe/Berlin", time(8), now - timedelta(seconds=5)) for n in range(5)],
    )
    async with sessionmaker.begin() as session:
        for n in range(10):  # due earlier than everyone, but cannot be scheduled
            session.add(
                User(id=4100 + n, chat_id=1, status="active", next_due_utc=now - timedelta(days=1))
            )
    report = await tips.queue_due(now=now, limit=5)
    assert (report.due, report.queued) == (5, 5)


@contextmanager
def _statements(sm: SessionMaker) -> Iterator[Counter[str]]:
    """Counts the statements sent, by their first two words and table."""
    seen: Counter[str] = Counter()
    engine = sm.kw["bind"].sync_engine

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        words = statement.split()
        verb = words[0].upper()
        table = {"INSERT": 2, "UPDATE": 1}.get(verb)
        seen[f"{verb} {words[table]}" if table else verb] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def test_a_pass_writes_each_table_in_one_statement_whatever_the_batch_size(
    sessionmaker: SessionMaker, tips: TipService
) -> None:
    now = datetime(2026, 6, 10, 6, 0, 5, tzinfo=UTC)
    zones = ["Europe/Berlin", "Asia/Kathmandu", "America/New_York", "UTC+05:45"]
    await _add_users(
        sessionmaker,
        [
            (5000 + n, zones[n % 4], time(6 + n % 12, 15 * (n % 4)), now - timedelta(seconds=n))
            for n in range(1500)
        ],
    )
    with _statements(sessionmaker) as seen:
        report = await tips.queue_due(now=now, limit=1500)
    assert (report.due, report.queued) == (1500, 1500)
    assert (seen["INSERT outbox"], seen["INSERT tip_log"], seen["UPDATE users"]) == (1, 1, 1)
    assert await _count(sessionmaker, TipLog) == 1500
    # each person's key is their own local date of the instant that was due
    async with sessionmaker() as session:
        rows = (await session.execute(select(Outbox.user_id, Outbox.key))).all()
    for user_id, key in rows:
        n = user_id - 5000
        local = local_date_of(now - timedelta(seconds=n), zones[n % 4])
        assert key == f"tip:{user_id}:{local.isoformat()}"
