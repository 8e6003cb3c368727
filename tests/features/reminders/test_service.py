"""The reminder pass: evening check-in nudges and weekly summaries, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from nudgebot.content import load_catalog
from nudgebot.features.reminders import repo as reminders_repo
from nudgebot.features.reminders import rules as kinds
from nudgebot.features.reminders.repo import WeekCheckin
from nudgebot.features.reminders.service import (
    Buttons,
    ReminderService,
    summarise_week,
)
from nudgebot.platform.callbacks import NotToday, pack
from nudgebot.platform.db import SessionMaker
from nudgebot.platform.models import Checkin, Outbox, Reminder, User

CATALOG = load_catalog()
CONTENT = CATALOG.reference
ZONE = "Europe/Berlin"


async def _person(
    sm: SessionMaker,
    uid: int,
    *,
    now: datetime,
    evening: time | None = time(20),
    weekly: bool = False,
    status: str = "active",
    zone: str = ZONE,
    tip_time: time = time(8),
) -> None:
    async with sm.begin() as session:
        user = User(
            id=uid,
            chat_id=uid,
            status=status,
            timezone=zone,
            tip_time=tip_time,
            onboarded_at=now - timedelta(days=30),
        )
        session.add(user)
        await session.flush()
        if evening is not None:
            await reminders_repo.set_reminder(
                session, user=user, kind=kinds.EVENING, enabled=True, at_time=evening, now=now
            )
        if weekly:
            await reminders_repo.set_reminder(
                session, user=user, kind=kinds.WEEKLY, enabled=True, now=now
            )


async def _checkin(sm: SessionMaker, uid: int, day: date, mg: float, name: str = "almonds") -> None:
    async with sm.begin() as session:
        session.add(
            Checkin(
                user_id=uid,
                local_date=day,
                items=[{"food": name, "name": name, "portion": "1", "grams": 28, "mg": mg}],
                total_mg=mg,
            )
        )


async def _sent(sm: SessionMaker, uid: int) -> list[Outbox]:
    async with sm() as session:
        rows = await session.execute(
            select(Outbox).where(Outbox.user_id == uid).order_by(Outbox.id)
        )
        return list(rows.scalars())


async def _reminder(sm: SessionMaker, uid: int, kind: str = kinds.EVENING) -> Reminder:
    async with sm() as session:
        row = await session.get(Reminder, (uid, kind))
        assert row is not None
        return row


def _service(sm: SessionMaker) -> ReminderService:
    async def quick(user_ids: Mapping[int, str], now: datetime) -> dict[int, Buttons]:
        return {uid: [[("Oatmeal · 60 mg", f"qk:test:{uid}")]] for uid in user_ids}

    return ReminderService(sm, CATALOG, quick_buttons=quick)


# Friday 4 Dec 2026, 18:00 in Berlin (CET, UTC+1)
FRIDAY_EVENING = datetime(2026, 12, 4, 19, 0, 5, tzinfo=UTC)


async def test_the_evening_reminder_goes_on_a_day_without_a_check_in_with_quick_buttons(
    sessionmaker: SessionMaker,
) -> None:
    start = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
    await _person(sessionmaker, 1, now=start)
    row = await _reminder(sessionmaker, 1)
    assert row.next_due_utc == datetime(2026, 12, 4, 19, 0, tzinfo=UTC)  # 20:00 CET

    report = await _service(sessionmaker).queue_due(now=FRIDAY_EVENING)

    assert report.evening_sent == 1
    (message,) = await _sent(sessionmaker, 1)
    assert message.key == "evening:1:2026-12-04"
    assert message.payload["text"] in CONTENT.reminders.evening.variants
    assert message.payload["buttons"][0] == [["Oatmeal · 60 mg", "qk:test:1"]]
    not_today = pack(NotToday())
    assert message.payload["buttons"][-1] == [[CONTENT.reminders.evening.not_today, not_today]]
    row = await _reminder(sessionmaker, 1)
    assert (row.ignored, row.last_local_date) == (1, date(2026, 12, 4))
    assert row.next_due_utc == datetime(2026, 12, 5, 19, 0, tzinfo=UTC)


async def test_no_evening_reminder_on_a_day_with_a_check_in(sessionmaker: SessionMaker) -> None:
    await _person(sessionmaker, 2, now=datetime(2026, 12, 4, 8, 0, tzinfo=UTC))
    await _checkin(sessionmaker, 2, date(2026, 12, 4), 80)

    report = await _service(sessionmaker).queue_due(now=FRIDAY_EVENING)

    assert (report.due, report.evening_sent) == (1, 0)
    assert await _sent(sessionmaker, 2) == []
    row = await _reminder(sessionmaker, 2)
    assert row.next_due_utc == datetime(2026, 12, 5, 19, 0, tzinfo=UTC)


@pytest.mark.parametrize("status", ["paused", "stopped", "blocked"])
async def test_no_evening_reminder_while_paused_stopped_or_blocked(
    sessionmaker: SessionMaker, status: str
) -> None:
    await _person(sessionmaker, 3, now=datetime(2026, 12, 4, 8, 0, tzinfo=UTC), status=status)
    report = await _service(sessionmaker).queue_due(now=FRIDAY_EVENING)
    assert (report.due, report.evening_sent, report.skipped) == (1, 0, 1)
    assert await _sent(sessionmaker, 3) == []


async def test_a_second_pass_and_a_rerun_send_nothing_more(sessionmaker: SessionMaker) -> None:
    await _person(sessionmaker, 4, now=datetime(2026, 12, 4, 8, 0, tzinfo=UTC))
    service = _service(sessionmaker)
    await service.queue_due(now=FRIDAY_EVENING)
    # As if another process (or a restart) found the same row due again, before it moved on.
    async with sessionmaker.begin() as session:
        row = await session.get(Reminder, (4, kinds.EVENING))
        assert row is not None
        row.next_due_utc = datetime(2026, 12, 4, 19, 0, tzinfo=UTC)
    report = await service.queue_due(now=FRIDAY_EVENING + timedelta(minutes=1))
    assert report.evening_sent == 0
    assert len(await _sent(sessionmaker, 4)) == 1


async def test_five_ignored_reminders_stop_them_with_one_notice(sessionmaker: SessionMaker) -> None:
    await _person(sessionmaker, 5, now=datetime(2026, 12, 4, 8, 0, tzinfo=UTC))
    service = _service(sessionmaker)
    for day in range(7):
        await service.queue_due(now=FRIDAY_EVENING + timedelta(days=day))
    sent = await _sent(sessionmaker, 5)
    texts = [m.payload["text"] for m in sent]
    assert len(sent) == 6  # five reminders, then the notice, then nothing
    assert all(t in CONTENT.reminders.evening.variants for t in texts[:5])
    assert len(set(texts[:5])) == 5  # a different wording each evening
    assert texts[5] == CONTENT.reminders.evening.stopped
    row = await _reminder(sessionmaker, 5)
    assert (row.enabled, row.next_due_utc) == (False, None)
    assert row.stopped_at is not None


async def test_a_check_in_or_not_today_resets_the_ignored_count(sessionmaker: SessionMaker) -> None:
    await _person(sessionmaker, 6, now=datetime(2026, 12, 4, 8, 0, tzinfo=UTC))
    service = _service(sessionmaker)
    for day in range(4):
        await service.queue_due(now=FRIDAY_EVENING + timedelta(days=day))
    assert (await _reminder(sessionmaker, 6)).ignored == 4
    await service.not_today(user_id=6)
    assert (await _reminder(sessionmaker, 6)).ignored == 0
    for day in range(4, 8):
        await service.queue_due(now=FRIDAY_EVENING + timedelta(days=day))
    async with sessionmaker.begin() as session:
        await reminders_repo.note_checkin(session, user_id=6)
    for day in range(8, 12):
        await service.queue_due(now=FRIDAY_EVENING + timedelta(days=day))
    texts = [m.payload["text"] for m in await _sent(sessionmaker, 6)]
    assert CONTENT.reminders.evening.stopped not in texts
    assert len(texts) == 12


async def test_the_evening_reminder_keeps_its_local_time_across_the_dst_change(
    sessionmaker: SessionMaker,
) -> None:
    # New York falls back on Sunday 1 November 2026: 20:00 EDT is 00:00 UTC, 20:00 EST 01:00 UTC.
    start = datetime(2026, 10, 31, 12, 0, tzinfo=UTC)
    await _person(sessionmaker, 7, now=start, zone="America/New_York")
    service = _service(sessionmaker)
    instants = []
    now = start
    for _ in range(3):
        row = await _reminder(sessionmaker, 7)
        assert row.next_due_utc is not None
        instants.append(row.next_due_utc)
        now = row.next_due_utc + timedelta(seconds=5)
        await service.queue_due(now=now)
    assert instants == [
        datetime(2026, 11, 1, 0, 0, tzinfo=UTC),  # Sat 31 Oct 20:00 EDT
        datetime(2026, 11, 2, 1, 0, tzinfo=UTC),  # Sun 1 Nov 20:00 EST
        datetime(2026, 11, 3, 1, 0, tzinfo=UTC),
    ]
    keys = [m.key for m in await _sent(sessionmaker, 7)]
    assert keys == ["evening:7:2026-10-31", "evening:7:2026-11-01", "evening:7:2026-11-02"]


async def test_a_reminder_hours_late_after_downtime_is_skipped(sessionmaker: SessionMaker) -> None:
    await _person(sessionmaker, 8, now=datetime(2026, 12, 4, 8, 0, tzinfo=UTC))
    report = await _service(sessionmaker).queue_due(now=FRIDAY_EVENING + timedelta(hours=3))
    assert (report.evening_sent, report.skipped) == (0, 1)
    row = await _reminder(sessionmaker, 8)
    assert row.next_due_utc == datetime(2026, 12, 5, 19, 0, tzinfo=UTC)
    assert row.ignored == 0


async def test_the_weekly_summary_comes_on_sunday_at_the_tip_time_with_its_chart(
    sessionmaker: SessionMaker,
) -> None:
    start = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # a Tuesday
    await _person(sessionmaker, 9, now=start, evening=None, weekly=True)
    row = await _reminder(sessionmaker, 9, kinds.WEEKLY)
    sunday_8am = datetime(2026, 12, 6, 7, 0, tzinfo=UTC)  # 08:00 CET
    assert row.next_due_utc == sunday_8am
    await _checkin(sessionmaker, 9, date(2026, 12, 2), 150, "spinach")
    await _checkin(sessionmaker, 9, date(2026, 12, 3), 350, "pumpkin seeds")
    await _checkin(sessionmaker, 9, date(2026, 11, 29), 999, "last week's beans")

    report = await _service(sessionmaker).queue_due(now=sunday_8am + timedelta(seconds=3))

    assert report.weekly_sent == 1
    (message,) = await _sent(sessionmaker, 9)
    assert message.key == "weekly:9:2026-12-06"
    text = message.payload["text"]
    assert "2 days" in text and "250 mg" in text  # the average over the days with check-ins
    assert "pumpkin seeds" in text and "beans" not in text
    assert CONTENT.reminders.weekly.professional in text
    assert len(text) <= 1024  # a photo caption
    chart = message.payload["chart"]
    assert chart["days"][0][0] == "2026-11-30"
    assert [mg for _, mg in chart["days"]][2:4] == [150, 350]
    assert (await _reminder(sessionmaker, 9, kinds.WEEKLY)).next_due_utc == sunday_8am + timedelta(
        days=7
    )


async def test_a_week_without_check_ins_gets_no_summary(sessionmaker: SessionMaker) -> None:
    await _person(
        sessionmaker, 10, now=datetime(2026, 12, 1, 12, 0, tzinfo=UTC), evening=None, weekly=True
    )
    report = await _service(sessionmaker).queue_due(now=datetime(2026, 12, 6, 7, 0, 3, tzinfo=UTC))
    assert (report.weekly_sent, report.skipped) == (0, 1)
    assert await _sent(sessionmaker, 10) == []


async def test_a_changed_zone_moves_every_reminder(sessionmaker: SessionMaker) -> None:
    now = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
    await _person(sessionmaker, 11, now=now, weekly=True)
    async with sessionmaker.begin() as session:
        user = await session.get(User, 11)
        assert user is not None
        user.timezone = "Asia/Tokyo"
        await reminders_repo.reschedule(session, user=user, now=now)
    assert (await _reminder(sessionmaker, 11)).next_due_utc == datetime(
        2026, 12, 4, 11, 0, tzinfo=UTC
    )
    assert (await _reminder(sessionmaker, 11, kinds.WEEKLY)).next_due_utc == datetime(
        2026, 12, 5, 23, 0, tzinfo=UTC
    )


def test_the_week_average_counts_only_days_with_check_ins() -> None:
    from nudgebot.features.meals.targets import daily_target

    rows = [
        WeekCheckin(1, date(2026, 12, 6), [{"name": "oats", "mg": 60.0}], 60.0),
        WeekCheckin(1, date(2026, 12, 6), [{"name": "almonds", "mg": 80.0}], 80.0),
        WeekCheckin(1, date(2026, 12, 1), [{"name": "almonds", "mg": 80.0}], 80.0),
    ]
    summary = summarise_week(
        rows, last=date(2026, 12, 6), target=daily_target("31-50", "female", "neither")
    )
    assert summary is not None
    assert summary.days_with_checkins == 2
    assert summary.average_on_checkin_days == 110.0
    assert summary.top_food == "almonds"
    assert summary.days_reached == 0
    text = ReminderService(None, CATALOG).weekly_caption(summary, user_id=1)  # type: ignore[arg-type]
    assert "1 days" not in text and "2 days" in text
