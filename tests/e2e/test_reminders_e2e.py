"""Evening check-in reminders and weekly summaries, end to end through the real bot process.

People are seeded in the bot's SQLite file the way the bot itself writes them (onboarding and
/settings are tested in test_onboarding_e2e.py); the bot's clock offset puts it on the evening
of a DST change without waiting for one.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
import pytest_asyncio

from nudgebot.content import load_content
from nudgebot.platform.clock import OFFSET_VARIABLE
from nudgebot.platform.i18n import format_day
from tests.botapi_emulator import BotApiEmulator
from tests.e2e.botprocess import BotProcess, shared_process

pytestmark = pytest.mark.e2e

FAST_TICK = {"NUDGEBOT_TICK_SECONDS": "1"}
CONTENT = load_content()
EVENING = CONTENT.reminders.evening


def _db(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path / "bot.db", timeout=10)


def _sql(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


def seed_person(
    path: Path,
    uid: int,
    *,
    zone: str = "UTC",
    kind: str = "evening",
    due: datetime,
    at: time | None = time(20),
    ignored: int = 0,
    now: datetime | None = None,
) -> None:
    """An onboarded subscriber (no daily tip due) with one reminder due at `due`."""
    now = now or datetime.now(UTC)
    with _db(path) as conn:
        conn.execute(
            "INSERT INTO users (id, chat_id, status, timezone, tip_time, onboarded_at,"
            " next_due_utc, tip_cycle, tip_pos, created_at, updated_at)"
            " VALUES (?, ?, 'active', ?, '08:00:00.000000', ?, NULL, 0, -1, ?, ?)",
            (uid, uid, zone, _sql(now), _sql(now), _sql(now)),
        )
        conn.executemany(
            "INSERT INTO user_topics (user_id, topic, created_at) VALUES (?, ?, ?)",
            [(uid, topic, _sql(now)) for topic in ("food", "activity", "stress")],
        )
        conn.execute(
            "INSERT INTO reminders (user_id, kind, enabled, at_time, next_due_utc, ignored,"
            " created_at, updated_at) VALUES (?, ?, 1, ?, ?, ?, ?, ?)",
            (
                uid,
                kind,
                at.strftime("%H:%M:%S.000000") if at else None,
                _sql(due),
                ignored,
                _sql(now),
                _sql(now),
            ),
        )


def seed_checkin(path: Path, uid: int, day: date, mg: float, food: str = "almonds") -> None:
    items = (
        f'[{{"food": "{food}", "name": "{food}", "portion": "1 handful", "grams": 28, "mg": {mg}}}]'
    )
    with _db(path) as conn:
        conn.execute(
            "INSERT INTO checkins (user_id, local_date, items, total_mg, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (uid, day.isoformat(), items, mg, _sql(datetime.now(UTC))),
        )


def reminder_row(path: Path, uid: int, kind: str = "evening") -> tuple[int, str | None, int]:
    """(enabled, next_due_utc, ignored) as stored."""
    with _db(path) as conn:
        row = conn.execute(
            "SELECT enabled, next_due_utc, ignored FROM reminders WHERE user_id = ? AND kind = ?",
            (uid, kind),
        ).fetchone()
    assert row is not None
    return int(row[0]), row[1], int(row[2])


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def module_bot(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[BotProcess]:
    async with shared_process(tmp_path_factory.mktemp("reminder-bot"), env=FAST_TICK) as process:
        yield process


@pytest.fixture
def rbot(module_bot: BotProcess, request: pytest.FixtureRequest) -> Iterator[BotProcess]:
    with module_bot.log_on_failure(request):
        yield module_bot


async def test_an_evening_reminder_comes_on_a_day_without_a_check_in_and_not_today_closes_it(
    rbot: BotProcess, user: int, other_user: int
) -> None:
    emulator = rbot.emulator
    now = datetime.now(UTC)
    seed_checkin(rbot.workdir, other_user, now.date(), 120)  # UTC: today is their local date
    seed_person(rbot.workdir, other_user, due=now - timedelta(seconds=1))
    seed_person(rbot.workdir, user, due=now - timedelta(seconds=1))

    call = await emulator.wait_for(
        lambda c: c.method == "sendMessage" and c.chat_id == user, timeout=15
    )
    assert call.text in EVENING.variants
    labels = [label for row in emulator.buttons(user) for label in row]
    assert labels[-1] == EVENING.not_today
    # the other person checked in today: by now their reminder was decided, and not sent
    await asyncio.sleep(1.5)
    assert emulator.sent(other_user) == []
    assert reminder_row(rbot.workdir, other_user)[2] == 0
    assert reminder_row(rbot.workdir, user)[2] == 1

    emulator.press(user, EVENING.not_today)
    await emulator.wait_for_text(user, EVENING.not_today_done)
    assert reminder_row(rbot.workdir, user)[2] == 0  # answered: not ignored


async def test_after_five_ignored_reminders_the_sixth_evening_says_they_stop(
    rbot: BotProcess, user: int
) -> None:
    seed_person(rbot.workdir, user, due=datetime.now(UTC) - timedelta(seconds=1), ignored=5)
    call = await rbot.emulator.wait_for(
        lambda c: c.method == "sendMessage" and c.chat_id == user, timeout=15
    )
    assert call.text == EVENING.stopped and "/settings" in call.text
    enabled, next_due, _ = reminder_row(rbot.workdir, user)
    assert (enabled, next_due) == (0, None)


async def test_the_weekly_summary_arrives_as_a_photo_with_its_text(
    rbot: BotProcess, user: int
) -> None:
    now = datetime.now(UTC)
    seed_checkin(rbot.workdir, user, now.date() - timedelta(days=1), 90, "black beans")
    seed_checkin(rbot.workdir, user, now.date(), 40, "banana")
    seed_person(rbot.workdir, user, kind="weekly", at=None, due=now - timedelta(seconds=1))

    call = await rbot.emulator.wait_for(
        lambda c: c.chat_id == user and c.method in ("sendPhoto", "sendMessage"), timeout=20
    )
    assert call.method == "sendPhoto"
    png = next(iter(call.files.values()))[1]
    assert png.startswith(b"\x89PNG")
    caption = call.text
    first, last = format_day(now.date() - timedelta(days=6)), format_day(now.date())
    assert caption.startswith(CONTENT.reminders.weekly.title.format(first=first, last=last))
    assert "black beans" in caption  # the food that brought the most
    assert "2 days" in caption and "65 mg" in caption  # averaged over the days with check-ins
    assert CONTENT.reminders.weekly.professional in caption


@pytest_asyncio.fixture(loop_scope="module")
async def dst_bot(emulator: BotApiEmulator, tmp_path: Path) -> AsyncIterator[BotProcess]:
    process = BotProcess(
        emulator,
        database_url=f"sqlite:///{tmp_path / 'bot.db'}",
        workdir=tmp_path,
        env=dict(FAST_TICK),
    )
    try:
        yield process
    finally:
        if process.proc is not None and process.proc.returncode is None:
            await process.stop()


def _offset_to(process: BotProcess, instant: datetime) -> None:
    """Set the bot's clock (for its next start) so that it reads `instant` now."""
    process.extra_env[OFFSET_VARIABLE] = f"{(instant - datetime.now(UTC)).total_seconds():.3f}"


async def test_evening_reminders_follow_the_local_time_across_dst_and_a_restart(
    dst_bot: BotProcess, user: int, other_user: int
) -> None:
    emulator = dst_bot.emulator
    # New York: Saturday 31 October 2026, 20:00 EDT is 00:00 UTC; the clocks go back that night,
    # so Sunday's 20:00 EST is 01:00 UTC.
    saturday = datetime(2026, 11, 1, 0, 0, tzinfo=UTC)
    sunday = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
    _offset_to(dst_bot, saturday - timedelta(seconds=30))
    await dst_bot.start()
    seed_person(dst_bot.workdir, user, zone="America/New_York", due=saturday, now=saturday)
    seed_person(dst_bot.workdir, other_user, zone="America/New_York", due=saturday, now=saturday)
    seed_checkin(dst_bot.workdir, other_user, date(2026, 10, 31), 100)
    seed_checkin(dst_bot.workdir, other_user, date(2026, 11, 1), 100)
    await dst_bot.stop()
    _offset_to(dst_bot, saturday + timedelta(seconds=2))
    await dst_bot.start()

    first = await emulator.wait_for(
        lambda c: c.method == "sendMessage" and c.chat_id == user, timeout=15
    )
    assert first.text in EVENING.variants
    stored = reminder_row(dst_bot.workdir, user)[1]
    assert stored is not None and datetime.fromisoformat(stored).replace(tzinfo=UTC) == sunday

    # A restart the same evening sends nothing again.
    await dst_bot.restart()
    await asyncio.sleep(2.5)
    assert len(emulator.sent(user)) == 1

    # Sunday evening, an hour later in UTC than Saturday's.
    await dst_bot.stop()
    _offset_to(dst_bot, sunday - timedelta(seconds=3))
    await dst_bot.start()
    since = emulator.mark()
    second = await emulator.wait_for(
        lambda c: c.method == "sendMessage" and c.chat_id == user, timeout=15, since=since
    )
    assert second.text in EVENING.variants and second.text != first.text
    offset = float(dst_bot.extra_env[OFFSET_VARIABLE])
    sent_on_bot_clock = second.wall + timedelta(seconds=offset)
    assert sunday <= sent_on_bot_clock < sunday + timedelta(seconds=10)
    # the person who checked in both days got neither reminder
    assert emulator.sent(other_user) == []


async def test_a_quick_check_in_from_the_evening_reminder_logs_the_meal_in_one_tap(
    rbot: BotProcess, user: int
) -> None:
    emulator = rbot.emulator
    seed_person(rbot.workdir, user, due=datetime.now(UTC) - timedelta(seconds=1))
    await emulator.wait_for(lambda c: c.method == "sendMessage" and c.chat_id == user, timeout=15)
    labels = [label for row in emulator.buttons(user) for label in row]
    banana = [label for label in labels if label.startswith("+ banana")]
    assert banana, labels
    assert labels[-1] == EVENING.not_today

    emulator.press(user, banana[0])

    reply = await emulator.wait_for_text(user, "Today so far: 32 mg")
    assert reply.method == "editMessageText"  # the reminder turns into the check-in's reply
    with _db(rbot.workdir) as conn:
        (count,) = conn.execute(
            "SELECT count(*) FROM checkins WHERE user_id = ?", (user,)
        ).fetchone()
    assert count == 1
    assert reminder_row(rbot.workdir, user)[2] == 0  # acted on: not counted as ignored
