import asyncio
from datetime import date, time, timedelta

from sqlalchemy import func, select

from nudgebot.features.tips import repo as tips
from nudgebot.features.tips import schedule_repo as schedule
from nudgebot.features.tips.repo import LibraryTip
from nudgebot.platform.clock import utcnow
from nudgebot.platform.db import SessionMaker
from nudgebot.platform.models import Tip, User, UserTopic


def _user(user_id: int, due_in: timedelta | None, **extra: object) -> User:
    return User(
        id=user_id,
        chat_id=user_id,
        status="active",
        timezone="Europe/Berlin",
        tip_time=time(8),
        onboarded_at=utcnow(),
        next_due_utc=None if due_in is None else utcnow() + due_in,
        **extra,
    )


def _topics(user_id: int, *topics: str) -> list[UserTopic]:
    return [UserTopic(user_id=user_id, topic=topic) for topic in topics]


async def test_due_subscribers_are_those_whose_instant_has_come(
    sessionmaker: SessionMaker,
) -> None:
    async with sessionmaker.begin() as session:
        session.add_all(
            [
                _user(1, timedelta(minutes=-5)),
                _user(2, timedelta(minutes=-1)),
                _user(3, timedelta(minutes=5)),
                _user(4, None),
                *_topics(1, "food", "activity", "stress"),
                *_topics(2, "food", "activity"),
                *_topics(3, "food", "activity", "stress"),
                *_topics(4, "food", "activity", "stress"),
            ]
        )
    async with sessionmaker.begin() as session:
        due = await schedule.due_subscribers(session, now=utcnow(), limit=10)
        assert [d.id for d in due] == [1, 2]
        assert due[0].topics == {"food", "activity", "stress"}
        assert due[1].topics == {"food", "activity"}
        assert due[0].tip_time == time(8) and due[0].tip_pos == -1


async def test_save_schedule_writes_each_users_values(sessionmaker: SessionMaker) -> None:
    async with sessionmaker.begin() as session:
        session.add_all([_user(1, timedelta(0)), _user(2, timedelta(0))])
    later = utcnow() + timedelta(days=1)
    async with sessionmaker.begin() as session:
        await schedule.save_schedule(
            session,
            rows=[
                {"id": 1, "next_due_utc": later, "last_tip_date": date(2026, 11, 25), "tip_pos": 7},
                {"id": 2, "next_due_utc": later, "last_tip_date": None, "tip_pos": -1},
            ],
        )
    async with sessionmaker() as session:
        one, two = await session.get(User, 1), await session.get(User, 2)
        assert one is not None and two is not None
        assert one.next_due_utc == later and one.tip_pos == 7
        assert one.last_tip_date == date(2026, 11, 25)
        assert two.last_tip_date is None and two.next_due_utc == later


def _lib(tip_id: str, text: str = "Eat greens.", topic: str = "food") -> LibraryTip:
    return LibraryTip(tip_id, topic, text, "NIH ODS", False)


async def test_library_sync_adds_updates_and_retires(sessionmaker: SessionMaker) -> None:
    async with sessionmaker.begin() as session:
        assert await tips.sync_library(session, tips=[_lib("food-001"), _lib("food-002")]) == (2, 0)
        session.add(
            Tip(
                id="admin-1",
                topic="stress",
                text="Breathe.",
                source="admin",
                origin="admin",
                enabled=True,
            )
        )
    async with sessionmaker.begin() as session:
        result = await tips.sync_library(session, tips=[_lib("food-001", "Eat more greens.")])
        assert result == (0, 1)
    async with sessionmaker() as session:
        enabled = {t.id: t for t in await tips.enabled_tips(session)}
        assert set(enabled) == {"food-001", "admin-1"}
        assert enabled["food-001"].text == "Eat more greens."


async def test_library_sync_keeps_tip_numbers_stable(sessionmaker: SessionMaker) -> None:
    async with sessionmaker.begin() as session:
        await tips.sync_library(session, tips=[_lib("food-001"), _lib("food-002")])
    async with sessionmaker() as session:
        before = {t.id: t.num for t in await tips.enabled_tips(session)}
    async with sessionmaker.begin() as session:
        await tips.sync_library(session, tips=[_lib("food-002"), _lib("food-001", "new")])
    async with sessionmaker() as session:
        assert {t.id: t.num for t in await tips.enabled_tips(session)} == before


async def test_feedback_is_stored_once(sessionmaker: SessionMaker) -> None:
    async with sessionmaker.begin() as session:
        await tips.sync_library(session, tips=[_lib("food-001")])
    async with sessionmaker() as session:
        (tip,) = await tips.enabled_tips(session)
    async with sessionmaker.begin() as session:
        assert await tips.add_feedback(session, user_id=5, tip_num=tip.num, kind="helpful")
    async with sessionmaker.begin() as session:
        assert not await tips.add_feedback(session, user_id=5, tip_num=tip.num, kind="helpful")


async def test_processes_starting_at_once_sync_the_library_without_a_clash(
    sessionmaker: SessionMaker,
) -> None:
    library = [_lib(f"food-{n:03d}") for n in range(1, 120)]

    async def one_start() -> tuple[int, int]:
        async with sessionmaker.begin() as session:
            return await tips.sync_library(session, tips=library)

    results = await asyncio.gather(*(one_start() for _ in range(4)))
    assert sorted(added for added, _ in results) == [0, 0, 0, 119]
    async with sessionmaker() as session:
        rows = (await session.execute(select(func.count()).select_from(Tip))).scalar_one()
    assert rows == 119
