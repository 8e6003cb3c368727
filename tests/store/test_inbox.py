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
