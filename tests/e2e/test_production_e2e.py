"""Production hardening end to end: data rights, flood control, groups, logs, SIGTERM."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from pathlib import Path

import pytest

from tests.botapi_emulator import BotApiEmulator
from tests.e2e.botprocess import BotProcess, sqlite_bot
from tests.e2e.test_daily_tips_e2e import _onboard, outbox_states, seed_due_subscribers

pytestmark = pytest.mark.e2e

# Distinctive: searched for in every table after /forget, where a short id could be part of a
# timestamp. Only the /forget test speaks as this person on the module's shared bot.
ADA = 9_182_736


def _rows_mentioning(db: Path, needle: int) -> dict[str, int]:
    """Every table's rows that hold `needle` anywhere (any column, JSON included)."""
    found: dict[str, int] = {}
    with sqlite3.connect(db) as conn:
        tables = [
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not r[0].startswith("sqlite_")
        ]
        for table in tables:
            rows = conn.execute(f'SELECT * FROM "{table}"').fetchall()
            hits = sum(1 for row in rows if any(str(needle) in str(v) for v in row))
            if hits:
                found[table] = hits
    return found


async def test_mydata_sends_a_json_file_with_everything_kept(
    shared_bot: BotProcess, user: int
) -> None:
    emulator = shared_bot.emulator
    await _onboard(emulator, user, "Europe/Berlin", "08:30")
    emulator.send_text(user, "oatmeal with almonds")
    await emulator.wait_for_text(user, "This meal")
    emulator.send_text(user, "/mydata")
    call = await emulator.wait_for(
        lambda c: c.method == "sendDocument" and c.chat_id == user and c.error is None
    )
    assert "everything I keep about you" in call.text
    filename, body = call.files["document"]
    assert filename.endswith(".json")
    data = json.loads(body)
    assert data["telegram_user_id"] == user
    assert data["profile_and_preferences"]["timezone"] == "Europe/Berlin"
    assert data["profile_and_preferences"]["tip_time"] == "08:30:00"
    assert len(data["checkins"]) == 1 and data["checkins"][0]["total_mg"] > 0
    texts = [
        u["payload"].get("message", {}).get("text") for u in data["updates_kept_for_crash_recovery"]
    ]
    assert "oatmeal with almonds" in texts
    assert "how_long_each_part_is_kept" in data


async def test_forget_asks_first_then_erases_every_row_and_start_begins_fresh(
    shared_bot: BotProcess,
) -> None:
    emulator = shared_bot.emulator
    await _onboard(emulator, ADA, "Europe/Berlin", "08:30")
    emulator.send_text(ADA, "a handful of cashews")
    await emulator.wait_for_text(ADA, "This meal")
    emulator.send_text(ADA, "/forget")
    await emulator.wait_for_text(ADA, "Erase everything?")
    emulator.press(ADA, "No, keep it")
    await emulator.wait_for_text(ADA, "Nothing was erased")
    assert "users" in _rows_mentioning(shared_bot.workdir / "bot.db", ADA)

    emulator.send_text(ADA, "/forget")
    await emulator.wait_for_text(ADA, "Erase everything?")
    emulator.press(ADA, "Yes, erase everything")
    await emulator.wait_for_text(ADA, "everything I kept about you is erased")
    await asyncio.sleep(0.5)  # the update's own bookkeeping finishes
    assert _rows_mentioning(shared_bot.workdir / "bot.db", ADA) == {}

    emulator.send_text(ADA, "/start")
    await emulator.wait_for_text(ADA, "Step 1 of 5")
    assert "welcome back" not in emulator.last_text(ADA).casefold()


async def test_more_than_20_messages_a_minute_get_one_slow_down_and_are_dropped(
    shared_bot: BotProcess, user: int, other_user: int
) -> None:
    emulator = shared_bot.emulator
    flooder, neighbour = user, other_user
    for _ in range(30):
        emulator.send_text(flooder, "/help")
    emulator.send_text(neighbour, "/help")
    await emulator.wait_for_text(neighbour, "Here is what I can do")
    await emulator.wait_for_text(flooder, "more than I can read carefully", since=0)
    await asyncio.sleep(2.0)
    texts = [c.text for c in emulator.sent(flooder) if c.method == "sendMessage"]
    assert sum("Here is what I can do" in t for t in texts) == 20
    assert sum("more than I can read carefully" in t for t in texts) == 1
    assert len(texts) == 21


async def test_in_a_group_the_bot_says_once_it_works_in_private_then_stays_quiet(
    shared_bot: BotProcess, user: int
) -> None:
    emulator = shared_bot.emulator
    group = -100_555
    emulator.add_to_group(group, by_user_id=user)
    call = await emulator.wait_for(lambda c: c.method == "sendMessage" and c.chat_id == group)
    assert "private chats only" in call.text and "@nudge_test_bot" in call.text
    for text in ("/help", "/start", "oatmeal with almonds", "chest pain"):
        emulator.send_text(user, text, chat_id=group, chat_type="group")
    emulator.send_sticker(user)  # a private message still gets its answer, proving the bot ran
    await emulator.wait_for_text(user, "/help")
    await asyncio.sleep(1.0)
    assert len([c for c in emulator.sent(group) if c.method == "sendMessage"]) == 1
    assert [c.method for c in emulator.sent(user)] == ["sendMessage"]


async def test_logs_hold_neither_the_token_nor_what_people_write(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    process = sqlite_bot(emulator, tmp_path, env={"NUDGEBOT_LOG_LEVEL": "DEBUG"})
    await process.start()
    try:
        await _onboard(emulator, ADA, "Europe/Berlin", "08:30")
        emulator.send_text(ADA, "pumpkin seeds with zorblefruit marmalade")
        await emulator.wait_for_text(ADA, "This meal")
        emulator.send_text(ADA, "I take magnesium glycinate pills, zorbleplan")
        await emulator.wait_for_text(ADA, "pharmacist")
    finally:
        await process.stop()
    log = process.log_path.read_text()
    assert "DEBUG" in log  # the level was really on
    assert emulator.token not in log
    assert emulator.token.split(":")[1] not in log
    assert "zorble" not in log
    assert "pumpkin seeds with" not in log


async def test_sigterm_mid_drain_exits_within_10_s_and_loses_no_tip(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    process = sqlite_bot(emulator, tmp_path, env={"NUDGEBOT_TICK_SECONDS": "1"})
    await process.start()
    seed_due_subscribers(tmp_path, range(20_000, 20_100))
    try:
        await emulator.wait_for(
            lambda c: sum(1 for x in emulator.calls if "Source:" in x.text) >= 20, timeout=20
        )
        # The next send is told to wait 60 s: the bot must not sit that out when asked to stop.
        emulator.inject("sendMessage", error=429, retry_after=60)
        await emulator.wait_for(lambda c: c.error is not None and c.error["error_code"] == 429)
        started = time.monotonic()
        code = await process.stop(timeout=10.0)
        elapsed = time.monotonic() - started
    finally:
        await process.stop()
    assert code == 0
    assert elapsed < 10.0
    states = outbox_states(tmp_path)
    assert states.get("sending", 0) == 0, f"claims were left behind: {states}"

    # The message that met the 429 waits out its retry_after even across the restart.
    with sqlite3.connect(tmp_path / "bot.db") as conn:
        conn.execute("UPDATE outbox SET not_before = created_at")
    await process.start()
    try:
        async with asyncio.timeout(30):
            while outbox_states(tmp_path).get("sent", 0) < 100:
                await asyncio.sleep(0.1)
    finally:
        await process.stop()
    tips = [c.chat_id for c in emulator.calls if "Source:" in c.text and c.error is None]
    assert sorted(set(tips)) == list(range(20_000, 20_100))
    assert len(tips) == 100
