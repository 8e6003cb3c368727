"""Bulk writes of the scheduler pass: exact counts, order, values as SQLAlchemy would store them."""

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import bindparam, insert, select, text, update

from nudgebot.features.tips import repo as tips
from nudgebot.features.tips import schedule_repo as schedule
from nudgebot.features.tips.repo import LibraryTip
from nudgebot.platform import bulk, outbox
from nudgebot.platform.clock import utcnow
from nudgebot.platform.db import SessionMaker
from nudgebot.platform.models import Outbox, TipLog, User
from nudgebot.platform.outbox import NewMessage


def _user(user_id: int, **extra: object) -> User:
    values: dict[str, object] = {
        "id": user_id,
        "chat_id": user_id,
        "status": "active",
        "timezone": "Europe/Berlin",
        "tip_time": time(8),
        "onboarded_at": utcnow(),
        "next_due_utc": utcnow(),
    }
    return User(**(values | extra))


async def test_enqueue_counts_a_key_repeated_in_one_batch_once(sessionmaker: SessionMaker) -> None:
    payload = {"text": "hi"}
    messages = [NewMessage(key, "tip", 1, 1, payload) for key in ("a", "b", "a", "c", "b")]
    async with sessionmaker.begin() as session:
        assert await outbox.enqueue(session, messages=messages) == 3
    async with sessionmaker.begin() as session:
        assert await outbox.enqueue(session, messages=messages[:2]) == 0


async def test_enqueue_keeps_the_order_payloads_and_fields_of_the_messages(
    sessionmaker: SessionMaker,
) -> None:
    shared = {"text": "Eat greens. «Source»", "buttons": [[["👍", "tip:up:3"]]], "tip_num": 3}
    messages = [
        NewMessage(f"k{n}", "tip", n, 100 + n, shared if n % 2 else {"n": n}, priority=n % 3)
        for n in range(50)
    ]
    messages.append(NewMessage("b", "broadcast", 7, 8, {"text": "news"}, broadcast_id=None))
    async with sessionmaker.begin() as session:
        assert await outbox.enqueue(session, messages=messages) == 51
    async with sessionmaker() as session:
        rows = list((await session.execute(select(Outbox).order_by(Outbox.id))).scalars())
    assert [r.key for r in rows] == [m.key for m in messages]
    for row, message in zip(rows, messages, strict=True):
        assert (row.kind, row.user_id, row.chat_id, row.priority) == (
            message.kind,
            message.user_id,
            message.chat_id,
            message.priority,
        )
        assert row.payload == message.payload
        assert (row.state, row.attempts, row.broadcast_id) == ("queued", 0, None)
        assert row.not_before == row.created_at


async def test_save_schedule_sets_and_clears_each_users_values(sessionmaker: SessionMaker) -> None:
    paused = utcnow() + timedelta(days=2)
    async with sessionmaker.begin() as session:
        session.add_all(
            [
                _user(1, status="paused", paused_until=paused, last_tip_date=date(2026, 1, 1)),
                _user(2, tip_pos=9),
            ]
        )
    async with sessionmaker() as session:
        before = {u.id: u.updated_at for u in (await session.execute(select(User))).scalars()}
    later = datetime(2026, 12, 24, 7, 0, tzinfo=UTC)
    rows = [
        {
            "id": 1,
            "status": "active",
            "paused_until": None,
            "next_due_utc": later,
            "last_tip_date": None,
            "tip_cycle": 3,
            "tip_pos": 12,
        },
        {
            "id": 2,
            "status": "paused",
            "paused_until": paused,
            # an aware instant in another offset is the same instant
            "next_due_utc": later.astimezone(timezone(timedelta(hours=-5))),
            "last_tip_date": date(2026, 12, 23),
            "tip_cycle": 0,
            "tip_pos": -1,
        },
    ]
    async with sessionmaker.begin() as session:
        await schedule.save_schedule(session, rows=rows)
    async with sessionmaker() as session:
        users = {u.id: u for u in (await session.execute(select(User))).scalars()}
    one, two = users[1], users[2]
    assert (one.status, one.paused_until, one.next_due_utc) == ("active", None, later)
    assert (one.last_tip_date, one.tip_cycle, one.tip_pos) == (None, 3, 12)
    assert (two.status, two.paused_until, two.next_due_utc) == ("paused", paused, later)
    assert (two.last_tip_date, two.tip_cycle, two.tip_pos) == (date(2026, 12, 23), 0, -1)
    assert one.updated_at > before[1] and two.updated_at > before[2]


async def test_save_schedule_refuses_rows_setting_different_columns(
    sessionmaker: SessionMaker,
) -> None:
    async with sessionmaker.begin() as session:
        with pytest.raises(ValueError, match="same columns"):
            await schedule.save_schedule(
                session, rows=[{"id": 1, "tip_pos": 1}, {"id": 2, "tip_cycle": 1}]
            )


async def test_log_tips_records_daily_and_extra_tips(sessionmaker: SessionMaker) -> None:
    async with sessionmaker.begin() as session:
        await tips.sync_library(session, tips=[LibraryTip("food-001", "food", "t", "s", False)])
    async with sessionmaker() as session:
        (tip,) = await tips.enabled_tips(session)
    given = [(1, tip.num, "daily", date(2026, 3, 29)), (2, tip.num, "extra", None)]
    async with sessionmaker.begin() as session:
        await tips.log_tips(session, rows=given)
        await tips.log_tips(session, rows=[])
    async with sessionmaker() as session:
        logged = (await session.execute(select(TipLog).order_by(TipLog.id))).scalars().all()
    assert [(r.user_id, r.tip_num, r.kind, r.local_date) for r in logged] == given
    assert all(r.created_at is not None for r in logged)


async def test_executemany_stores_values_exactly_as_sqlalchemy_does(
    sessionmaker: SessionMaker,
) -> None:
    async with sessionmaker() as session:
        if session.get_bind().dialect.name != "sqlite":
            pytest.skip("executemany is the SQLite path")
    due = datetime(2026, 3, 29, 3, 0, tzinfo=timezone(timedelta(hours=2)))
    async with sessionmaker.begin() as session:
        session.add_all([_user(1), _user(2)])
    async with sessionmaker.begin() as session:
        await session.execute(update(User).where(User.id == 1).values(next_due_utc=due))
        users = User.__table__
        stmt = (
            update(users)
            .where(users.c.id == bindparam("id", type_=users.c.id.type))
            .values(
                next_due_utc=bindparam("next_due_utc", type_=users.c.next_due_utc.type),
                updated_at=utcnow(),
            )
        )
        assert await bulk.executemany(session, stmt, [{"id": 2, "next_due_utc": due}]) == 1
    async with sessionmaker() as session:
        stored = (await session.execute(text("SELECT next_due_utc FROM users ORDER BY id"))).all()
    assert stored[0] == stored[1]


async def test_executemany_refuses_a_default_it_would_have_to_compute(
    sessionmaker: SessionMaker,
) -> None:
    async with sessionmaker() as session:
        if session.get_bind().dialect.name != "sqlite":
            pytest.skip("executemany is the SQLite path")
    log = TipLog.__table__
    stmt = insert(log).values(
        {c: bindparam(c, type_=log.c[c].type) for c in ("user_id", "tip_num", "kind")}
    )
    async with sessionmaker.begin() as session:
        with pytest.raises(ValueError, match="created_at"):
            await bulk.executemany(session, stmt, [{"user_id": 1, "tip_num": 1, "kind": "daily"}])
