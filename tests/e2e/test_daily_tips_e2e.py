"""Daily tips end to end: scheduling at local times, the outbox sender, faults and a crash."""

from __future__ import annotations

import asyncio
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio

from nudgebot.platform.clock import OFFSET_VARIABLE
from nudgebot.platform.i18n import format_day
from tests.botapi_emulator import BotApiEmulator
from tests.e2e.botprocess import BotProcess, shared_process

pytestmark = pytest.mark.e2e

FAST_TICK = {"NUDGEBOT_TICK_SECONDS": "1"}
# How long after a test starts its bot's clock turns a minute: room to start the bot and onboard
# three people with the tip time typed still ahead (see _next_minute), not a real minute's wait.
MINUTE_TURNS_AFTER_SECONDS = 20.0


def _offset_to_just_before_a_minute(lead: float) -> float:
    """A clock offset (seconds, within half a minute) that makes a minute turn `lead` s from now."""
    now = datetime.now(UTC)
    offset = (60.0 - lead - (now.second + now.microsecond / 1e6)) % 60.0
    return offset - 60.0 if offset > 30.0 else offset


def clock_offset(process: BotProcess) -> timedelta:
    """How far the bot's clock runs ahead of the real one (the offset its test gave it)."""
    return timedelta(seconds=float(process.extra_env.get(OFFSET_VARIABLE, 0)))


def bot_now(process: BotProcess) -> datetime:
    """The instant on the bot's clock."""
    return datetime.now(UTC) + clock_offset(process)


@pytest_asyncio.fixture(loop_scope="module")
async def tip_bot(emulator: BotApiEmulator, tmp_path: Path) -> AsyncIterator[BotProcess]:
    """A bot of its own, ticking every second, whose clock turns a minute 20 s after its start."""
    offset = _offset_to_just_before_a_minute(MINUTE_TURNS_AFTER_SECONDS)
    process = BotProcess(
        emulator,
        database_url=f"sqlite:///{tmp_path / 'bot.db'}",
        workdir=tmp_path,
        env={**FAST_TICK, OFFSET_VARIABLE: f"{offset:.3f}"},
    )
    await process.start()
    try:
        yield process
    finally:
        await process.stop()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def module_tip_bot(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[BotProcess]:
    """One emulator and one bot ticking every second, for the tests that seed their own people."""
    async with shared_process(tmp_path_factory.mktemp("tip-bot"), env=FAST_TICK) as process:
        yield process


@pytest.fixture
def shared_tip_bot(
    module_tip_bot: BotProcess, request: pytest.FixtureRequest
) -> Iterator[BotProcess]:
    with module_tip_bot.log_on_failure(request):
        yield module_tip_bot


def _db(tmp_path: Path) -> sqlite3.Connection:
    return sqlite3.connect(tmp_path / "bot.db", timeout=10)


def _sql_time(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


def seed_due_subscribers(
    tmp_path: Path, user_ids: range | list[int], *, due: datetime | None = None
) -> None:
    """Onboarded subscribers whose tip is due now (written as the bot itself would)."""
    now = datetime.now(UTC)
    due = due or now - timedelta(seconds=1)
    with _db(tmp_path) as conn:
        conn.executemany(
            "INSERT INTO users (id, chat_id, status, timezone, tip_time, onboarded_at,"
            " next_due_utc, tip_cycle, tip_pos, created_at, updated_at)"
            " VALUES (?, ?, 'active', 'UTC', '08:00:00.000000', ?, ?, 0, -1, ?, ?)",
            [
                (uid, uid, _sql_time(now), _sql_time(due), _sql_time(now), _sql_time(now))
                for uid in user_ids
            ],
        )
        conn.executemany(
            "INSERT INTO user_topics (user_id, topic, created_at) VALUES (?, ?, ?)",
            [
                (uid, topic, _sql_time(now))
                for uid in user_ids
                for topic in ("food", "activity", "stress")
            ],
        )


def outbox_states(tmp_path: Path, *, chat_id: int | None = None) -> Counter[str]:
    """How many outbox rows are in each state (only those to chat_id, if given)."""
    where, args = ("WHERE chat_id = ?", (chat_id,)) if chat_id is not None else ("", ())
    query = f"SELECT state, count(*) FROM outbox {where} GROUP BY state"
    with _db(tmp_path) as conn:
        return Counter(dict(conn.execute(query, args)))


async def wait_outbox(
    tmp_path: Path, expected: Counter[str], timeout: float = 10.0, *, chat_id: int | None = None
) -> None:
    """Wait until the outbox rows (to chat_id, if given) are in exactly these states."""
    try:
        async with asyncio.timeout(timeout):
            while outbox_states(tmp_path, chat_id=chat_id) != expected:
                await asyncio.sleep(0.05)
    except TimeoutError:
        states = outbox_states(tmp_path, chat_id=chat_id)
        raise AssertionError(f"outbox is {states}, expected {expected}") from None


def _tip_calls(emu: BotApiEmulator, chat_id: int | None = None) -> list[object]:
    return [c for c in emu.sent(chat_id) if "Source:" in c.text]


async def _onboard(emu: BotApiEmulator, user: int, zone: str, at: str) -> None:
    emu.send_text(user, "/start")
    await emu.wait_for_text(user, "Step 1 of 5")
    emu.send_text(user, zone)
    await emu.wait_for_text(user, "Step 2 of 5")
    emu.send_text(user, at)
    await emu.wait_for_text(user, "Step 3 of 5")
    for topic in ("Magnesium-rich foods", "Physical activity", "Stress"):  # none chosen yet
        mark = emu.mark()
        emu.press(user, topic)
        await emu.wait_for(
            lambda c: c.method == "editMessageReplyMarkup" and c.chat_id == user, since=mark
        )
    emu.press(user, "Done")
    await emu.wait_for_text(user, "Step 4 of 5")
    emu.press(user, "Prefer not to say (skip)")
    await emu.wait_for_text(user, "Step 5 of 5")
    emu.press(user, "No thanks")
    await emu.wait_for_text(user, "All set")


def _next_minute(zone: str, now_utc: datetime) -> tuple[str, datetime]:
    """A tip time one minute ahead of now_utc in `zone` (two if the minute is about to turn)."""
    now = now_utc.astimezone(ZoneInfo(zone))
    ahead = 2 if now.second > 50 else 1
    at = (now + timedelta(minutes=ahead)).replace(second=0, microsecond=0)
    return at.strftime("%H:%M"), at


async def test_three_users_in_three_zones_get_one_tip_each_at_their_local_time(
    emulator: BotApiEmulator, tip_bot: BotProcess
) -> None:
    zones = {7001: "America/New_York", 7002: "Asia/Kathmandu", 7003: "Australia/Sydney"}
    targets = {}
    for user, zone in zones.items():
        typed, at = _next_minute(zone, bot_now(tip_bot))
        await _onboard(emulator, user, zone, typed)
        targets[user] = at
    for user, at in targets.items():
        call = await emulator.wait_for(
            lambda c, u=user: c.method == "sendMessage" and c.chat_id == u and "Source:" in c.text,
            timeout=150,
        )
        arrived = call.wall + clock_offset(tip_bot)  # on the bot's clock, as `at` is
        assert at.astimezone(UTC) <= arrived + timedelta(seconds=1)
        assert arrived - at.astimezone(UTC) < timedelta(seconds=60)
        assert emulator.buttons(user) == [
            ["👍 Helpful", "Another tip", "Snooze 1 day"],
            ["✍️ Check in a meal"],
        ]
    await asyncio.sleep(3)  # several more ticks: still exactly one each
    for user in zones:
        assert len(_tip_calls(emulator, user)) == 1


async def test_a_tip_is_sent_at_the_next_minute_and_only_once(
    emulator: BotApiEmulator, tip_bot: BotProcess, tmp_path: Path
) -> None:
    typed, _ = _next_minute("Europe/Berlin", bot_now(tip_bot))
    await _onboard(emulator, 7010, "Europe/Berlin", typed)
    await emulator.wait_for(lambda c: c.chat_id == 7010 and "Source:" in c.text, timeout=150)
    await tip_bot.restart()  # a restart the same day does not send it again
    await asyncio.sleep(3)
    assert len(_tip_calls(emulator, 7010)) == 1
    await wait_outbox(tmp_path, Counter({"sent": 1}))


async def test_429_on_a_tip_waits_retry_after_and_delivers(shared_tip_bot: BotProcess) -> None:
    emulator = shared_tip_bot.emulator
    emulator.inject("sendMessage", error=429, retry_after=2, chat_id=7020)
    seed_due_subscribers(shared_tip_bot.workdir, [7020])
    ok = await emulator.wait_for(
        lambda c: c.chat_id == 7020 and c.error is None and "Source:" in c.text, timeout=20
    )
    (refused,) = [c for c in emulator.calls if c.chat_id == 7020 and c.error]
    assert ok.time - refused.time >= 1.95
    await wait_outbox(shared_tip_bot.workdir, Counter({"sent": 1}), chat_id=7020)


async def test_403_blocks_the_user_and_nothing_more_is_tried(shared_tip_bot: BotProcess) -> None:
    emulator = shared_tip_bot.emulator
    emulator.inject("sendMessage", error=403, chat_id=7030)
    seed_due_subscribers(shared_tip_bot.workdir, [7030, 7031])
    await emulator.wait_for(lambda c: c.chat_id == 7031 and "Source:" in c.text, timeout=20)
    await emulator.wait_for(lambda c: c.chat_id == 7030 and c.error is not None, timeout=20)
    await asyncio.sleep(2)
    assert len([c for c in emulator.calls if c.chat_id == 7030]) == 1
    with _db(shared_tip_bot.workdir) as conn:
        status, due = conn.execute(
            "SELECT status, next_due_utc FROM users WHERE id = 7030"
        ).fetchone()
    assert (status, due) == ("blocked", None)
    # a later /start reactivates them
    emulator.send_text(7030, "/start")
    await emulator.wait_for(
        lambda c: c.method == "sendMessage" and c.chat_id == 7030 and c.error is None, timeout=10
    )
    with _db(shared_tip_bot.workdir) as conn:
        status, due = conn.execute(
            "SELECT status, next_due_utc FROM users WHERE id = 7030"
        ).fetchone()
    assert status == "active" and due is not None


async def test_tip_buttons_record_helpful_send_another_and_snooze(
    shared_tip_bot: BotProcess,
) -> None:
    emulator = shared_tip_bot.emulator
    seed_due_subscribers(shared_tip_bot.workdir, [7040])
    await emulator.wait_for(lambda c: c.chat_id == 7040 and "Source:" in c.text, timeout=20)
    mark = emulator.mark()
    emulator.press(7040, "👍 Helpful")
    await emulator.wait_for(
        lambda c: (
            c.method == "answerCallbackQuery" and "glad it helped" in str(c.params.get("text"))
        ),
        timeout=10,
        since=mark,
    )
    with _db(shared_tip_bot.workdir) as conn:
        assert conn.execute(
            "SELECT count(*) FROM tip_feedback WHERE user_id = 7040"
        ).fetchone() == (1,)
    emulator.press(7040, "Another tip")
    await emulator.wait_for(
        lambda c: c.chat_id == 7040 and "Source:" in c.text, since=emulator.mark(), timeout=10
    )
    emulator.press(7040, "Snooze 1 day")
    snoozed = await emulator.wait_for_text(7040, "Snoozed")
    with _db(shared_tip_bot.workdir) as conn:
        assert conn.execute("SELECT status FROM users WHERE id = 7040").fetchone() == ("paused",)
    # Tips at 08:00 UTC: a day from now, then the first 08:00 not before that.
    ends = bot_now(shared_tip_bot) + timedelta(days=1)
    first = ends.replace(hour=8, minute=0, second=0, microsecond=0)
    next_tip = first if first >= ends else first + timedelta(days=1)
    assert f"Your next tip comes on {format_day(next_tip.date())} at 08:00." in snoozed.text


def _paused_until(workdir: Path, user_id: int) -> str:
    with _db(workdir) as conn:
        return str(
            conn.execute("SELECT paused_until FROM users WHERE id = ?", (user_id,)).fetchone()[0]
        )


async def test_snooze_during_a_longer_pause_keeps_it_and_names_the_next_tip(
    shared_tip_bot: BotProcess,
) -> None:
    emulator = shared_tip_bot.emulator
    seed_due_subscribers(shared_tip_bot.workdir, [7045])
    tip = await emulator.wait_for(lambda c: c.chat_id == 7045 and "Source:" in c.text, timeout=20)
    emulator.send_text(7045, "/pause")
    await emulator.wait_for_text(7045, "for how long?")
    emulator.press(7045, "7 days")
    paused = await emulator.wait_for_text(7045, "Paused for 7 days")
    week = _paused_until(shared_tip_bot.workdir, 7045)
    ends = bot_now(shared_tip_bot) + timedelta(days=7)
    first = ends.replace(hour=8, minute=0, second=0, microsecond=0)
    next_tip = first if first >= ends else first + timedelta(days=1)
    next_words = f"Your next tip comes on {format_day(next_tip.date())} at 08:00."
    assert next_words in paused.text
    assert f"until {format_day(ends.date())}" in paused.text
    emulator.press(7045, "Snooze 1 day", message_id=tip.result["message_id"])
    kept = await emulator.wait_for_text(7045, "already")
    assert "that stays" in kept.text and next_words.replace("Your next", "your next") in kept.text
    assert "Snoozed" not in kept.text
    assert _paused_until(shared_tip_bot.workdir, 7045) == week


async def test_tip_command_gives_an_extra_tip(shared_tip_bot: BotProcess) -> None:
    emulator = shared_tip_bot.emulator
    await _onboard(emulator, 7050, "UTC", "07:00")
    emulator.send_text(7050, "/tip")
    reply = await emulator.wait_for_text(7050, "Source:")
    assert reply.params.get("reply_markup")


async def test_killed_mid_drain_of_200_tips_delivers_all_after_restart(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    env = {**FAST_TICK, "NUDGEBOT_SEND_RATE": "25"}
    bot = BotProcess(
        emulator, database_url=f"sqlite:///{tmp_path / 'bot.db'}", workdir=tmp_path, env=env
    )
    await bot.start()
    try:
        seed_due_subscribers(tmp_path, range(8001, 8201))
        async with asyncio.timeout(30):
            while len(_tip_calls(emulator)) < 60:
                await asyncio.sleep(0.05)
        await bot.kill()
        delivered_before = len(_tip_calls(emulator))
        assert delivered_before < 200
        await bot.start()
        async with asyncio.timeout(60):
            while len({c.chat_id for c in _tip_calls(emulator)}) < 200:
                await asyncio.sleep(0.1)
        await asyncio.sleep(2)
        per_chat = Counter(c.chat_id for c in _tip_calls(emulator))
        assert set(per_chat) == set(range(8001, 8201))
        # Only what was in flight can repeat: the sender's window on loopback (3 sends at
        # 25/s) and the marks of its last 50 ms not yet written (at most 2).
        assert sum(per_chat.values()) - 200 <= 5
        await wait_outbox(tmp_path, Counter({"sent": 200}))
    finally:
        await bot.stop()
