from datetime import timedelta

from nudgebot.platform import outbox
from nudgebot.platform.clock import utcnow
from nudgebot.platform.db import SessionMaker
from nudgebot.platform.outbox import NewMessage


def _msg(key: str, user_id: int = 1, priority: int = 0) -> NewMessage:
    return NewMessage(
        key=key,
        kind="tip",
        user_id=user_id,
        chat_id=user_id,
        payload={"text": key},
        priority=priority,
    )


async def test_enqueue_ignores_a_key_queued_before(sessionmaker: SessionMaker) -> None:
    async with sessionmaker.begin() as session:
        assert await outbox.enqueue(session, messages=[_msg("a"), _msg("b")]) == 2
    async with sessionmaker.begin() as session:
        assert await outbox.enqueue(session, messages=[_msg("b"), _msg("c")]) == 1
    async with sessionmaker() as session:
        assert await outbox.count_by_state(session) == {"queued": 3}


async def test_enqueue_handles_more_rows_than_one_statement_takes(
    sessionmaker: SessionMaker,
) -> None:
    async with sessionmaker.begin() as session:
        messages = [_msg(f"k{i}", user_id=i) for i in range(1200)]
        assert await outbox.enqueue(session, messages=messages) == 1200


async def test_claim_takes_ready_rows_in_priority_order_once(sessionmaker: SessionMaker) -> None:
    async with sessionmaker.begin() as session:
        await outbox.enqueue(session, messages=[_msg("low", priority=1), _msg("high")])
    now = utcnow()
    async with sessionmaker.begin() as session:
        rows = await outbox.claim(session, now=now, lease=timedelta(seconds=60), limit=10)
        assert [r.key for r in rows] == ["high", "low"]
    async with sessionmaker.begin() as session:
        assert await outbox.claim(session, now=now, lease=timedelta(seconds=60), limit=10) == []


async def test_an_expired_lease_is_claimed_again(sessionmaker: SessionMaker) -> None:
    async with sessionmaker.begin() as session:
        await outbox.enqueue(session, messages=[_msg("a")])
    now = utcnow()
    async with sessionmaker.begin() as session:
        await outbox.claim(session, now=now, lease=timedelta(seconds=30), limit=10)
    async with sessionmaker.begin() as session:
        later = now + timedelta(seconds=31)
        rows = await outbox.claim(session, now=later, lease=timedelta(seconds=30), limit=10)
        assert [r.key for r in rows] == ["a"]


async def test_retry_waits_until_not_before(sessionmaker: SessionMaker) -> None:
    async with sessionmaker.begin() as session:
        await outbox.enqueue(session, messages=[_msg("a")])
    now = utcnow()
    async with sessionmaker.begin() as session:
        (row,) = await outbox.claim(session, now=now, lease=timedelta(seconds=30), limit=1)
        await outbox.mark_retry(
            session,
            outbox_id=row.id,
            error="boom",
            not_before=now + timedelta(seconds=10),
        )
    async with sessionmaker.begin() as session:
        assert await outbox.claim(session, now=now, lease=timedelta(seconds=30), limit=1) == []
        rows = await outbox.claim(
            session, now=now + timedelta(seconds=11), lease=timedelta(seconds=30), limit=1
        )
        assert rows[0].attempts == 1 and rows[0].last_error == "boom"


async def test_blocked_user_stops_all_their_unsent_messages(sessionmaker: SessionMaker) -> None:
    async with sessionmaker.begin() as session:
        await outbox.enqueue(session, messages=[_msg("a", 1), _msg("b", 1), _msg("c", 2)])
    async with sessionmaker.begin() as session:
        assert await outbox.mark_user_blocked(session, user_id=1, error="403") == 2
    async with sessionmaker() as session:
        assert await outbox.count_by_state(session) == {"blocked": 2, "queued": 1}


async def test_release_claims_requeues_everything_in_flight(sessionmaker: SessionMaker) -> None:
    async with sessionmaker.begin() as session:
        await outbox.enqueue(session, messages=[_msg("a"), _msg("b")])
    async with sessionmaker.begin() as session:
        await outbox.claim(session, now=utcnow(), lease=timedelta(minutes=5), limit=10)
    async with sessionmaker.begin() as session:
        assert await outbox.release_claims(session) == 2
    async with sessionmaker() as session:
        assert await outbox.count_by_state(session) == {"queued": 2}
