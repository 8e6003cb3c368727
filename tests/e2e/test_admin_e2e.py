"""Admins end to end: who may act, adding tips, broadcasting safely and resumably."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.botapi_emulator import BotApiEmulator
from tests.e2e.botprocess import BotProcess, running
from tests.e2e.test_onboarding_e2e import _onboard_by_buttons

pytestmark = pytest.mark.e2e

ADMIN = 9000
STRANGER = 5001
SUBSCRIBERS = range(20001, 20301)  # 300


def _db(tmp_path: Path) -> sqlite3.Connection:
    return sqlite3.connect(tmp_path / "bot.db", timeout=10)


def seed_subscribers(tmp_path: Path, ids: range, *, stress: bool = True) -> None:
    """Onboarded, active subscribers with no daily tip due soon."""
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    with _db(tmp_path) as conn:
        conn.executemany(
            "INSERT INTO users (id, chat_id, status, timezone, tip_time, onboarded_at,"
            " next_due_utc, tip_cycle, tip_pos, created_at, updated_at)"
            " VALUES (?, ?, 'active', 'UTC', '08:00:00.000000', ?, NULL, 0, -1, ?, ?)",
            [(uid, uid, now, now, now) for uid in ids],
        )
        topics = ("food", "activity", "stress") if stress else ("food", "activity")
        conn.executemany(
            "INSERT INTO user_topics (user_id, topic, created_at) VALUES (?, ?, ?)",
            [(uid, topic, now) for uid in ids for topic in topics],
        )


def _count(tmp_path: Path, sql: str) -> int:
    with _db(tmp_path) as conn:
        return int(conn.execute(sql).fetchone()[0])


async def test_a_stranger_cannot_use_admin_commands_or_forge_admin_buttons(
    emulator: BotApiEmulator, admin_bot: BotProcess, tmp_path: Path
) -> None:
    await _onboard_by_buttons(emulator, STRANGER)
    for command in ("/broadcast", "/addtip", "/stats", "/tip_off food-001"):
        emulator.send_text(STRANGER, command)
        reply = await emulator.wait_for_text(STRANGER, "/help lists what I can do")
        assert reply.params["text"] == "I didn't catch that one. /help lists what I can do."
    mark = emulator.mark()
    emulator.press_data(STRANGER, "adm:send", message_id=1)
    emulator.press_data(STRANGER, "adm:aud:all", message_id=1)
    await emulator.wait_for(lambda c: c.method == "answerCallbackQuery", since=mark)
    await asyncio.sleep(1)
    assert _count(tmp_path, "SELECT count(*) FROM broadcasts") == 0
    assert _count(tmp_path, "SELECT count(*) FROM admin_drafts") == 0
    assert _count(tmp_path, "SELECT count(*) FROM tips WHERE enabled = 0") == 0
    assert _count(tmp_path, "SELECT count(*) FROM audit_log WHERE action = 'denied'") == 6
    assert "non-admin 5001 tried /broadcast" in admin_bot.log_tail(200)
    # only admins get the admin command menu
    assert "broadcast" in [c["command"] for c in emulator.commands[f"chat:{ADMIN}"]]
    assert "broadcast" not in [c["command"] for c in emulator.commands["default"]]


async def test_help_lists_the_admin_commands_for_admins_only(
    emulator: BotApiEmulator, admin_bot: BotProcess
) -> None:
    emulator.send_text(ADMIN, "/help")
    admin_help = (await emulator.wait_for_text(ADMIN, "Here is what I can do")).text
    assert "Admin commands:" in admin_help
    assert "/broadcast" in admin_help and "/addtip" in admin_help and "/stats" in admin_help
    emulator.send_text(STRANGER, "/help")
    help_text = (await emulator.wait_for_text(STRANGER, "Here is what I can do")).text
    assert "Admin commands" not in help_text and "/broadcast" not in help_text
    assert admin_help.startswith(help_text)


async def test_admin_adds_a_tip_that_joins_the_rotation(
    emulator: BotApiEmulator, admin_bot: BotProcess, tmp_path: Path
) -> None:
    emulator.send_text(ADMIN, "/addtip")
    await emulator.wait_for_text(ADMIN, "Which topic?")
    emulator.press(ADMIN, "Stress")
    await emulator.wait_for_text(ADMIN, "Send the tip text")
    emulator.send_text(
        ADMIN, "Take three slow breaths before you open your email.\n\nsource: NIH NCCIH"
    )
    preview = await emulator.wait_for_text(ADMIN, "Source: NIH NCCIH")
    assert preview.text == (
        "Take three slow breaths before you open your email.\n\nSource: NIH NCCIH"
    )
    await emulator.wait_for_text(ADMIN, "Save this tip?")
    emulator.press(ADMIN, "Save ✓")
    saved = await emulator.wait_for_text(ADMIN, "Saved as admin-0001")
    assert "joins the rotation" in saved.params["text"]
    with _db(tmp_path) as conn:
        row = conn.execute(
            "SELECT topic, enabled, author_id, origin, text, source FROM tips"
            " WHERE id = 'admin-0001'"
        ).fetchone()
    assert row == (
        "stress",
        1,
        ADMIN,
        "admin",
        "Take three slow breaths before you open your email.",
        "NIH NCCIH",
    )
    emulator.send_text(ADMIN, "/tips breaths")
    listing = await emulator.wait_for_text(ADMIN, "admin-0001")
    assert "stress" in listing.params["text"]
    emulator.send_text(ADMIN, "/tip_off admin-0001")
    await emulator.wait_for_text(ADMIN, "out of rotation")
    assert (
        _count(tmp_path, "SELECT count(*) FROM audit_log WHERE action IN ('add_tip', 'tip_off')")
        == 2
    )


async def test_cancelling_the_broadcast_of_a_saved_tip_says_it_stays_saved(
    emulator: BotApiEmulator, admin_bot: BotProcess, tmp_path: Path
) -> None:
    seed_subscribers(tmp_path, range(20001, 20004))
    emulator.send_text(ADMIN, "/addtip")
    await emulator.wait_for_text(ADMIN, "Which topic?")
    emulator.press(ADMIN, "Stress")
    await emulator.wait_for_text(ADMIN, "Send the tip text")
    emulator.send_text(ADMIN, "Stretch your shoulders for a minute.\nSource: NHS")
    await emulator.wait_for_text(ADMIN, "Save this tip?")
    emulator.press(ADMIN, "Save ✓")
    await emulator.wait_for_text(ADMIN, "Saved as admin-0001")
    emulator.press(ADMIN, "Broadcast this tip now")
    preview = await emulator.wait_for_text(ADMIN, "Send it?")
    assert "3 subscribers" in preview.text
    emulator.press(ADMIN, "Cancel")
    told = await emulator.wait_for_text(ADMIN, "Not broadcast")
    assert "admin-0001 stays saved" in told.text and "Nothing was sent or saved" not in told.text
    await asyncio.sleep(1)
    assert not [c for c in emulator.sent() if c.chat_id in SUBSCRIBERS]
    assert _count(tmp_path, "SELECT count(*) FROM broadcasts") == 0
    assert _count(tmp_path, "SELECT count(*) FROM tips WHERE id = 'admin-0001' AND enabled") == 1


async def _broadcast(
    emu: BotApiEmulator, text: str, audience: str = "All active subscribers"
) -> None:
    emu.send_text(ADMIN, "/broadcast")
    await emu.wait_for_text(ADMIN, "Send the message to broadcast")
    emu.send_text(ADMIN, text)
    await emu.wait_for_text(ADMIN, "another language?")
    emu.press(ADMIN, "Continue ➜")
    await emu.wait_for_text(ADMIN, "Who should get it?")
    emu.press(ADMIN, audience)
    await emu.wait_for_text(ADMIN, "Send it?")


async def test_broadcast_to_300_with_10_blocked_ends_with_290_sent(
    emulator: BotApiEmulator, admin_bot: BotProcess, tmp_path: Path
) -> None:
    seed_subscribers(tmp_path, SUBSCRIBERS)
    blocked = list(SUBSCRIBERS)[::30]
    for chat in blocked:
        emulator.inject("sendMessage", error=403, chat_id=chat)
    await _broadcast(emulator, "Heart week starts Monday: a walk a day.")
    preview = emulator.last_text(ADMIN)
    assert "300 subscribers" in preview
    assert not [c for c in emulator.sent() if c.chat_id in SUBSCRIBERS]  # nothing yet
    emulator.press(ADMIN, "Send to 300")
    await emulator.wait_for_text(ADMIN, "is done", timeout=60)
    report = emulator.last_text(ADMIN)
    assert "290 sent" in report and "10 blocked" in report
    per_chat = Counter(c.chat_id for c in emulator.sent() if c.chat_id in SUBSCRIBERS)
    assert len(per_chat) == 290 and set(per_chat.values()) == {1}
    assert _count(tmp_path, "SELECT count(*) FROM users WHERE status = 'blocked'") == 10


async def test_a_broadcast_killed_half_way_resumes_and_sends_each_copy_once(
    emulator: BotApiEmulator, admin_bot: BotProcess, tmp_path: Path
) -> None:
    seed_subscribers(tmp_path, SUBSCRIBERS)
    await _broadcast(emulator, "Half-way test")
    emulator.press(ADMIN, "Send to 300")
    async with asyncio.timeout(30):
        while len([c for c in emulator.sent() if c.chat_id in SUBSCRIBERS]) < 120:
            await asyncio.sleep(0.05)
    await admin_bot.kill()
    await admin_bot.start()
    await emulator.wait_for_text(ADMIN, "is done", timeout=60, since=0)
    per_chat = Counter(c.chat_id for c in emulator.sent() if c.chat_id in SUBSCRIBERS)
    assert set(per_chat) == set(SUBSCRIBERS)
    # only what was in flight can repeat: the window on loopback plus unwritten marks
    assert sum(per_chat.values()) - 300 <= 5


async def test_cancel_before_confirmation_sends_nothing(
    emulator: BotApiEmulator, admin_bot: BotProcess, tmp_path: Path
) -> None:
    seed_subscribers(tmp_path, range(20001, 20011))
    await _broadcast(emulator, "Never sent")
    emulator.send_text(ADMIN, "/cancel")
    await emulator.wait_for_text(ADMIN, "Nothing was sent")
    await asyncio.sleep(2)
    assert not [c for c in emulator.sent() if c.chat_id in SUBSCRIBERS]
    assert _count(tmp_path, "SELECT count(*) FROM broadcasts") == 0


async def test_a_checkin_during_a_broadcast_is_answered_within_a_second(
    emulator: BotApiEmulator, admin_bot: BotProcess, tmp_path: Path
) -> None:
    seed_subscribers(tmp_path, SUBSCRIBERS)
    await _onboard_by_buttons(emulator, STRANGER)
    await _broadcast(emulator, "Busy sender")
    emulator.press(ADMIN, "Send to 301")
    async with asyncio.timeout(30):
        while len([c for c in emulator.sent() if c.chat_id in SUBSCRIBERS]) < 50:
            await asyncio.sleep(0.05)
    started = time.monotonic()
    emulator.send_text(STRANGER, "a handful of cashews")
    answer = await emulator.wait_for_text(STRANGER, "This meal")
    assert answer.time - started < 1.0
    remaining = 300 - len([c for c in emulator.sent() if c.chat_id in SUBSCRIBERS])
    assert remaining > 0  # the broadcast was still running


async def test_stats_and_broadcasts_list(
    emulator: BotApiEmulator, admin_bot: BotProcess, tmp_path: Path
) -> None:
    seed_subscribers(tmp_path, range(20001, 20006))
    emulator.send_text(ADMIN, "/stats")
    stats = (await emulator.wait_for_text(ADMIN, "subscribers:")).params["text"]
    assert "5 subscribers: 5 active" in stats
    emulator.send_text(ADMIN, "/broadcasts")
    await emulator.wait_for_text(ADMIN, "No broadcasts yet")


async def test_a_paid_broadcast_goes_fast_and_carries_on_free_when_the_stars_run_out(
    emulator: BotApiEmulator, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    process = BotProcess(
        emulator,
        database_url=f"sqlite:///{tmp_path / 'bot.db'}",
        workdir=tmp_path,
        env={"NUDGEBOT_ADMIN_IDS": str(ADMIN), "NUDGEBOT_PAID_BROADCAST_RATE": "500"},
    )
    async with running(process, request):
        people = range(20001, 20101)
        seed_subscribers(tmp_path, people)
        # Free sends stay under 30/s, paid ones under 1,000/s (the admin's own quick steps
        # would trip the per-chat limit, which this test is not about).
        emulator.enforce_rate(per_second=30)
        emulator.star_balance = 4.0  # 40 paid messages, then Telegram refuses
        await _broadcast(emulator, "Fast news")
        preview = emulator.last_text(ADMIN)
        assert "about 4 s at the current send rate" in preview
        assert "paid broadcast: about 1 s at up to 500 messages a second" in preview
        assert "about 10 Telegram Stars" in preview
        emulator.press(ADMIN, "Send fast (paid")
        # Told once, as a message of its own (an edited status makes no sound).
        told = await emulator.wait_for(
            lambda c: (
                c.method == "sendMessage"
                and c.chat_id == ADMIN
                and "refused paid sending" in c.text
            ),
            timeout=30,
        )
        report = await emulator.wait_for_text(ADMIN, "is done", timeout=60, since=0)
    sent = [c for c in emulator.sent() if c.chat_id in people]
    assert len(sent) == 100 and len({c.chat_id for c in sent}) == 100
    assert sum(c.paid for c in sent) == 40
    assert emulator.rate_violations == 0, [c for c in emulator.calls if c.error]
    told_twice = [c for c in emulator.sent(ADMIN) if "refused paid sending" in c.text]
    assert told_twice == [told]
    assert "4 Telegram Stars spent" in report.text
    assert _count(tmp_path, "SELECT count(*) FROM outbox WHERE paid AND state = 'sent'") == 40
