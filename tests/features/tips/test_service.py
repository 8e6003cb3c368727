from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from nudgebot.content import load_catalog
from nudgebot.features.subscribers.preferences import TOPICS
from nudgebot.features.subscribers.service import SubscriberService
from nudgebot.features.tips.service import TipService
from nudgebot.platform.db import SessionMaker
from nudgebot.platform.models import Outbox, Tip, TipLog, User, UserTopic

CONTENT = load_catalog()


@pytest.fixture
async def tips(sessionmaker: SessionMaker) -> TipService:
    service = TipService(sessionmaker, CONTENT)
    await service.sync_library()
    return service


async def _subscriber(
    sm: SessionMaker,
    user_id: int,
    *,
    zone: str = "Europe/Berlin",
    at: str = "08:00",
    topics: tuple[str, ...] = (),
) -> None:
    subs = SubscriberService(sm)
    await subs.start(user_id=user_id, chat_id=user_id)
    await subs.answer_text(user_id=user_id, text=zone)
    await subs.answer_text(user_id=user_id, text=at)
    for topic in ("food", "activity", "stress"):  # onboarding starts with none chosen
        if topic not in topics:  # `topics`: the ones switched off
            await subs.choose(user_id=user_id, step="topics", value=topic)
    await subs.choose(user_id=user_id, step="topics", value="done")
    await subs.choose(user_id=user_id, step="profile", value="skip")
    await subs.choose(user_id=user_id, step="evening", value="off")


async def _user(sm: SessionMaker, user_id: int) -> User:
    async with sm() as session:
        user = await session.get(User, user_id)
        assert user is not None
        return user


async def _outbox(sm: SessionMaker) -> list[Outbox]:
    async with sm() as session:
        return list((await session.execute(select(Outbox).order_by(Outbox.id))).scalars())


async def test_onboarding_schedules_the_first_tip_at_the_chosen_local_time(
    sessionmaker: SessionMaker, tips: TipService
) -> None:
    await _subscriber(sessionmaker, 1, zone="America/New_York", at="07:30")
    user = await _user(sessionmaker, 1)
    assert user.next_due_utc is not None
    local = user.next_due_utc.astimezone(__import__("zoneinfo").ZoneInfo("America/New_York"))
    assert (local.hour, local.minute) == (7, 30)
    assert user.next_due_utc > datetime.now(UTC)


async def test_a_due_subscriber_gets_one_tip_and_moves_to_tomorrow(
    sessionmaker: SessionMaker, tips: TipService
) -> None:
    await _subscriber(sessionmaker, 1)
    due = (await _user(sessionmaker, 1)).next_due_utc
    assert due is not None
    report = await tips.queue_due(now=due + timedelta(seconds=5))
    assert (report.due, report.queued) == (1, 1)
    (row,) = await _outbox(sessionmaker)
    local_date = due.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Berlin")).date()
    assert row.key == f"tip:1:{local_date.isoformat()}"
    assert "Source: " in row.payload["text"]
    assert [b[1] for b in row.payload["buttons"][0]] == [
        f"tip:up:{row.payload['tip_num']}",
        "tip:more",
        "tip:snooze",
    ]
    user = await _user(sessionmaker, 1)
    assert user.next_due_utc == due + timedelta(days=1)
    assert user.last_tip_date == local_date
    again = await tips.queue_due(now=due + timedelta(seconds=20))
    assert again.due == 0 and len(await _outbox(sessionmaker)) == 1


async def test_a_tip_is_never_queued_twice_for_one_local_date(
    sessionmaker: SessionMaker, tips: TipService
) -> None:
    await _subscriber(sessionmaker, 1)
    due = (await _user(sessionmaker, 1)).next_due_utc
    assert due is not None
    await tips.queue_due(now=due)
    # the person moves their tip later the same day: still one tip that date
    subs = SubscriberService(sessionmaker)
    await subs.open_setting(user_id=1, step="time")
    await subs.answer_text(user_id=1, text="23:00")
    later = (await _user(sessionmaker, 1)).next_due_utc
    assert later is not None
    report = await tips.queue_due(now=later)
    assert report.queued == 0 and len(await _outbox(sessionmaker)) == 1


async def test_more_than_three_hours_late_is_skipped_and_the_next_is_on_time(
    sessionmaker: SessionMaker, tips: TipService
) -> None:
    await _subscriber(sessionmaker, 1)
    due = (await _user(sessionmaker, 1)).next_due_utc
    assert due is not None
    report = await tips.queue_due(now=due + timedelta(hours=3, minutes=1))
    assert (report.queued, report.skipped_late) == (0, 1)
    assert (await _user(sessionmaker, 1)).next_due_utc == due + timedelta(days=1)


async def test_two_hours_late_is_still_sent(sessionmaker: SessionMaker, tips: TipService) -> None:
    await _subscriber(sessionmaker, 1)
    due = (await _user(sessionmaker, 1)).next_due_utc
    assert due is not None
    assert (await tips.queue_due(now=due + timedelta(hours=2))).queued == 1


async def test_paused_and_stopped_subscribers_get_nothing(
    sessionmaker: SessionMaker, tips: TipService
) -> None:
    subs = SubscriberService(sessionmaker)
    await _subscriber(sessionmaker, 1)
    await _subscriber(sessionmaker, 2)
    await subs.pause(user_id=1, days=0)
    await subs.stop(user_id=2)
    assert (await _user(sessionmaker, 2)).next_due_utc is None
    due = (await _user(sessionmaker, 1)).next_due_utc
    assert due is not None
    report = await tips.queue_due(now=due)
    assert (report.queued, report.skipped_inactive) == (0, 1)


async def test_a_timed_pause_ends_by_itself(sessionmaker: SessionMaker, tips: TipService) -> None:
    subs = SubscriberService(sessionmaker)
    await _subscriber(sessionmaker, 1)
    due = (await _user(sessionmaker, 1)).next_due_utc
    assert due is not None
    await subs.pause(user_id=1, days=1, now=due - timedelta(hours=28))  # ended 4 h ago
    assert (await tips.queue_due(now=due)).queued == 1
    user = await _user(sessionmaker, 1)
    assert user.status == "active" and user.paused_until is None


async def test_tips_come_only_from_the_persons_topics_without_repeats(
    sessionmaker: SessionMaker, tips: TipService
) -> None:
    await _subscriber(sessionmaker, 1, topics=("food", "activity"))  # stress only
    stress = [t for t in CONTENT.reference.tips if t.topic == "stress"]
    due = (await _user(sessionmaker, 1)).next_due_utc
    assert due is not None
    for day in range(len(stress)):
        await tips.queue_due(now=due + timedelta(days=day))
    async with sessionmaker() as session:
        nums = [r.tip_num for r in (await session.execute(select(TipLog))).scalars()]
        topics = {
            t.topic for t in (await session.execute(select(Tip).where(Tip.num.in_(nums)))).scalars()
        }
    assert len(nums) == len(stress) == len(set(nums))
    assert topics == {"stress"}


async def test_a_tip_added_later_joins_the_rotation(
    sessionmaker: SessionMaker, tips: TipService
) -> None:
    await _subscriber(sessionmaker, 1, topics=("food", "activity"))
    async with sessionmaker.begin() as session:
        session.add(
            Tip(
                id="admin-0001",
                topic="stress",
                text="Take three slow breaths now.",
                source="Team",
                origin="admin",
                enabled=True,
            )
        )
    count = sum(1 for t in CONTENT.reference.tips if t.topic == "stress") + 1
    seen = set()
    for _ in range(count):
        tip = await tips.extra_tip(user_id=1)
        assert tip is not None
        seen.add(tip.text)
    assert any("Take three slow breaths now." in text for text in seen)
    assert len(seen) == count


async def test_extra_tip_does_not_use_up_the_daily_one(
    sessionmaker: SessionMaker, tips: TipService
) -> None:
    await _subscriber(sessionmaker, 1)
    assert await tips.extra_tip(user_id=1) is not None
    due = (await _user(sessionmaker, 1)).next_due_utc
    assert due is not None
    assert (await tips.queue_due(now=due)).queued == 1


async def test_helpful_is_recorded_once_and_unknown_tips_are_refused(
    sessionmaker: SessionMaker, tips: TipService
) -> None:
    async with sessionmaker() as session:
        num = (await session.execute(select(Tip.num).limit(1))).scalar_one()
    assert await tips.mark_helpful(user_id=1, tip_num=num) is True
    assert await tips.mark_helpful(user_id=1, tip_num=num) is False
    assert await tips.mark_helpful(user_id=1, tip_num=999_999) is None


async def test_many_due_subscribers_are_taken_in_batches(
    sessionmaker: SessionMaker, tips: TipService
) -> None:
    now = datetime.now(UTC)
    async with sessionmaker.begin() as session:
        session.add_all(
            User(
                id=i,
                chat_id=i,
                status="active",
                timezone="UTC",
                tip_time=time(8),
                onboarded_at=now,
                next_due_utc=now - timedelta(seconds=i % 50),
            )
            for i in range(1, 251)
        )
        session.add_all(
            UserTopic(user_id=i, topic=topic) for i in range(1, 251) for topic in TOPICS
        )
    first = await tips.queue_due(now=now, limit=100)
    second = await tips.queue_due(now=now, limit=200)
    assert (first.queued, second.queued) == (100, 150)
    assert len({r.key for r in await _outbox(sessionmaker)}) == 250
