from datetime import timedelta

from nudgebot.store import inbox
from nudgebot.store.db import SessionMaker
from nudgebot.store.models import utcnow


def _update(update_id: int, user_id: int = 42) -> dict[str, object]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": 0,
            "text": "hi",
            "chat": {"id": user_id, "type": "private"},
            "from": {"id": user_id, "is_bot": False, "first_name": "A"},
        },
    }


async def test_store_updates_returns_only_new_ids(sessionmaker: SessionMaker) -> None:
    async with sessionmaker.begin() as session:
        assert await inbox.store_updates(session, updates=[_update(1), _update(2)]) == [1, 2]
    async with sessionmaker.begin() as session:
        assert await inbox.store_updates(session, updates=[_update(2), _update(3)]) == [3]


async def test_pending_updates_are_oldest_first_until_marked(sessionmaker: SessionMaker) -> None:
    async with sessionmaker.begin() as session:
        await inbox.store_updates(session, updates=[_update(7), _update(5, user_id=9)])
    async with sessionmaker() as session:
        rows = await inbox.pending_updates(session)
        assert [r.update_id for r in rows] == [5, 7]
        assert rows[0].user_id == 9
        assert rows[0].payload["message"]["text"] == "hi"
    async with sessionmaker.begin() as session:
        await inbox.mark_processed(session, update_id=5)
    async with sessionmaker() as session:
        assert [r.update_id for r in await inbox.pending_updates(session)] == [7]


async def test_prune_removes_only_old_processed_updates(sessionmaker: SessionMaker) -> None:
    async with sessionmaker.begin() as session:
        await inbox.store_updates(session, updates=[_update(1), _update(2)])
        await inbox.mark_processed(session, update_id=1)
    async with sessionmaker.begin() as session:
        assert await inbox.prune_processed(session, before=utcnow() - timedelta(hours=1)) == 0
        assert await inbox.prune_processed(session, before=utcnow() + timedelta(hours=1)) == 1
    async with sessionmaker() as session:
        assert [r.update_id for r in await inbox.pending_updates(session)] == [2]


async def test_a_stored_claim_keeps_other_processes_off_until_its_lease_runs_out(
    sessionmaker: SessionMaker,
) -> None:
    now = utcnow()
    async with sessionmaker.begin() as session:
        await inbox.store_updates(
            session, updates=[_update(1)], received_at=now, claim_for=timedelta(minutes=2)
        )
        await inbox.store_updates(session, updates=[_update(2)], received_at=now)
    async with sessionmaker.begin() as session:
        taken = await inbox.claim_pending(session, now=now, lease=timedelta(minutes=2))
        assert [r.update_id for r in taken] == [2]  # 1 is held by the process that stored it
    async with sessionmaker.begin() as session:
        assert await inbox.claim_pending(session, now=now, lease=timedelta(minutes=2)) == []
    later = now + timedelta(minutes=3)
    async with sessionmaker.begin() as session:
        taken = await inbox.claim_pending(session, now=later, lease=timedelta(minutes=2))
        assert [r.update_id for r in taken] == [1, 2]  # both holders' leases ran out
    async with sessionmaker.begin() as session:
        await inbox.release_claims(session, update_ids=[1])
    async with sessionmaker.begin() as session:
        taken = await inbox.claim_pending(session, now=later, lease=timedelta(minutes=2))
        assert [r.update_id for r in taken] == [1]  # handed back at a shutdown: free at once
    async with sessionmaker.begin() as session:
        everything = await inbox.claim_pending(
            session, now=later, lease=timedelta(minutes=2), include_claimed=True
        )
        assert [r.update_id for r in everything] == [1, 2]


async def test_recent_count_sees_one_users_updates_of_the_last_minute(
    sessionmaker: SessionMaker,
) -> None:
    now = utcnow()
    async with sessionmaker.begin() as session:
        await inbox.store_updates(
            session, updates=[_update(1), _update(2)], received_at=now - timedelta(minutes=5)
        )
        await inbox.store_updates(
            session, updates=[_update(3), _update(4), _update(5, user_id=7)], received_at=now
        )
    async with sessionmaker() as session:
        since = now - timedelta(minutes=1)
        assert await inbox.recent_count(session, user_id=42, update_id=4, since=since) == 2
        assert await inbox.recent_count(session, user_id=42, update_id=3, since=since) == 1
        assert await inbox.recent_count(session, user_id=7, update_id=5, since=since) == 1


def test_arrival_time_is_the_message_date_so_a_backlog_is_not_a_flood() -> None:
    now = utcnow()
    sent = int((now - timedelta(hours=1)).timestamp())
    message = _update(1)
    message["message"]["date"] = sent  # type: ignore[index]
    assert inbox.arrival_time(message, now).timestamp() == sent
    future = _update(2)
    future["message"]["date"] = int((now + timedelta(hours=1)).timestamp())  # type: ignore[index]
    assert inbox.arrival_time(future, now) == now  # never later than it reached us
    assert inbox.arrival_time({"update_id": 3, "callback_query": {}}, now) == now
    broken = _update(4)
    broken["message"]["date"] = 10**20  # type: ignore[index]
    assert inbox.arrival_time(broken, now) == now
