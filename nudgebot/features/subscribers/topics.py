"""Repository functions for the topics a person chose (one user_topics row per topic).

Keyword-only arguments; they never commit: the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from sqlalchemy import BigInteger, Table, any_, bindparam, delete, insert, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from nudgebot.features.subscribers.preferences import TOPICS
from nudgebot.platform.clock import utcnow
from nudgebot.platform.models import UserTopic

_user_topics = cast(Table, UserTopic.__table__)

# Every combination of topics as one shared frozenset, by bit mask: the scheduler groups people
# by their topic set, and equal sets that are the same object hash and compare at once.
_BIT = {topic: 1 << place for place, topic in enumerate(TOPICS)}
_BY_MASK = tuple(
    frozenset(topic for topic, bit in _BIT.items() if mask & bit)
    for mask in range(1 << len(TOPICS))
)


def _masks(rows: Iterable[tuple[int, str]]) -> dict[int, int]:
    masks: dict[int, int] = {}
    for user_id, topic in rows:
        bit = _BIT.get(topic)
        if bit is not None:  # a topic the bot no longer has offers no tips: as if unchosen
            masks[user_id] = masks.get(user_id, 0) | bit
    return masks


async def topics_of(session: AsyncSession, *, user_id: int) -> frozenset[str]:
    """The topics this person chose (empty when none, or for someone unknown)."""
    t = _user_topics.c
    result = await session.execute(select(t.user_id, t.topic).where(t.user_id == user_id))
    return _BY_MASK[_masks(result).get(user_id, 0)]


async def topics_for(
    session: AsyncSession, *, user_ids: Iterable[int]
) -> dict[int, frozenset[str]]:
    """The topics of each of these people, in one query; everyone asked for has an entry.

    Equal sets are the same frozenset object (one per combination of topics).
    """
    wanted = list(dict.fromkeys(user_ids))
    if not wanted:
        return {}
    t = _user_topics.c
    if session.get_bind().dialect.name == "postgresql":
        # One array parameter: the SQL text does not depend on the count, so asyncpg prepares
        # it once (an IN list of n placeholders is a new statement for every n).
        matches = t.user_id == any_(bindparam("ids", wanted, type_=ARRAY(BigInteger)))
    else:
        matches = t.user_id.in_(wanted)
    result = await session.execute(select(t.user_id, t.topic).where(matches))
    masks = _masks(result)
    return {user_id: _BY_MASK[masks.get(user_id, 0)] for user_id in wanted}


async def set_topics(session: AsyncSession, *, user_id: int, topics: Iterable[str]) -> None:
    """Replace this person's topics with `topics` (rows of topics kept stay as they were)."""
    chosen = frozenset(topics)
    unknown = chosen - _BIT.keys()
    if unknown:
        raise ValueError(f"unknown topics {sorted(unknown)!r}")
    current = await topics_of(session, user_id=user_id)
    t = _user_topics.c
    dropped = current - chosen
    if dropped:
        await session.execute(
            delete(_user_topics).where(t.user_id == user_id, t.topic.in_(sorted(dropped)))
        )
    added = chosen - current
    if added:
        now = utcnow()
        await session.execute(
            insert(_user_topics),
            [{"user_id": user_id, "topic": topic, "created_at": now} for topic in sorted(added)],
        )
