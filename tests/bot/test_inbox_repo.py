from datetime import timedelta

from nudgebot.bot.intake import inbox_repo as inbox
from nudgebot.bot.intake.inbox import flood_counts
from nudgebot.platform.clock import utcnow
from nudgebot.platform.db import SessionMaker
from nudgebot.platform.models import InboxUpdate


async def _unprocessed(sessionmaker: SessionMaker) -> list[InboxUpdate]:
    """Every unprocessed update, oldest first, as a single process takes them at start-up."""
    async with sessionmaker.begin() as session:
        return await inbox.claim_pending(
            session, now=utcnow(), lease=timedelta(minutes=2), include_claimed=True
        )


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


async def test_unprocessed_updates_are_taken_oldest_first_until_marked(
    sessionmaker: SessionMaker,
) -> None:
    async with sessionmaker.begin() as session:
        await inbox.store_updates(session, updates=[_update(7), _update(5, user_id=9)])
    rows = await _unprocessed(sessionmaker)
    assert [r.update_id for r in rows] == [5, 7]
    assert rows[0].user_id == 9
    assert rows[0].payload["message"]["text"] == "hi"
    async with sessionmaker.begin() as session:
        await inbox.mark_processed(session, update_id=5)
    assert [r.update_id for r in await _unprocessed(sessionmaker)] == [7]


async def test_prune_removes_only_old_processed_updates(sessionmaker: SessionMaker) -> None:
    async with sessionmaker.begin() as session:
        await inbox.store_updates(session, updates=[_update(1), _update(2)])
        await inbox.mark_processed(session, update_id=1)
    async with sessionmaker.begin() as session:
        assert await inbox.prune_processed(session, before=utcnow() - timedelta(hours=1)) == 0
        assert await inbox.prune_processed(session, before=utcnow() + timedelta(hours=1)) == 1
    assert [r.update_id for r in await _unprocessed(sessionmaker)] == [2]


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


async def test_recent_arrivals_are_these_users_updates_of_the_window(
    sessionmaker: SessionMaker,
) -> None:
    now = utcnow()
    async with sessionmaker.begin() as session:
        await inbox.store_updates(
            session, updates=[_update(1), _update(2)], received_at=now - timedelta(minutes=5)
        )
        await inbox.store_updates(
            session,
            updates=[_update(3), _update(4), _update(5, user_id=7), _update(6, user_id=8)],
            received_at=now,
        )
    async with sessionmaker() as session:
        rows = await inbox.recent_arrivals(
            session, user_ids=[42, 7], since=now - timedelta(minutes=1)
        )
    assert sorted((u, i) for u, i, _ in rows) == [(7, 5), (42, 3), (42, 4)]


def test_flood_counts_count_one_senders_updates_within_the_window_up_to_each() -> None:
    t0 = utcnow()
    minute = timedelta(minutes=1)
    arrivals = [(42, n, t0 + timedelta(seconds=n)) for n in range(1, 26)]
    arrivals += [(7, 100, t0), (42, 200, t0 + timedelta(minutes=5))]
    items = [
        (21, 42, t0 + timedelta(seconds=21)),
        (25, 42, t0 + timedelta(seconds=25)),
        (100, 7, t0),
        (200, 42, t0 + timedelta(minutes=5)),
        (300, None, t0),
    ]
    counts = flood_counts(items, arrivals, minute)
    assert counts == {21: 21, 25: 25, 100: 1, 200: 1}


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
