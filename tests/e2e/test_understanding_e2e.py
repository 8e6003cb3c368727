"""The message router end to end: the real bot process answers each kind of message rightly."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import pytest

from nudgebot.features.meals.parser import estimate_meal, load_index
from tests.botapi_emulator import BotApiEmulator
from tests.e2e.botprocess import BotProcess
from tests.e2e.test_admin_e2e import seed_subscribers
from tests.e2e.test_onboarding_e2e import _onboard_by_buttons

pytestmark = pytest.mark.e2e

ADMIN = 9000


def _scalar(tmp_path: Path, sql: str) -> object:
    with sqlite3.connect(tmp_path / "bot.db", timeout=10) as conn:
        return conn.execute(sql).fetchone()[0]


def _checkins(workdir: Path, user_id: int) -> int:
    return int(str(_scalar(workdir, f"SELECT count(*) FROM checkins WHERE user_id = {user_id}")))


async def test_a_crisis_message_gets_the_crisis_reply_and_no_check_in(
    shared_bot: BotProcess, user: int
) -> None:
    emulator = shared_bot.emulator
    await _onboard_by_buttons(emulator, user)
    mark = emulator.mark()
    emulator.send_text(user, "work stress is so bad i want to kill myself, had a banana earlier")
    reply = (await emulator.wait_for_text(user, "988", since=mark)).params["text"]
    assert "Samaritans" in reply and "findahelpline.com" in reply
    assert "magnesium" not in reply.lower() and "banana" not in reply.lower()
    await asyncio.sleep(0.5)  # nothing else follows it
    assert _checkins(shared_bot.workdir, user) == 0
    after = [c for c in emulator.calls[mark:] if c.method == "sendMessage" and c.chat_id == user]
    assert len(after) == 1


async def test_an_emergency_in_the_middle_of_onboarding_gets_the_emergency_reply(
    shared_bot: BotProcess, user: int
) -> None:
    emulator = shared_bot.emulator
    emulator.send_text(user, "/start")
    await emulator.wait_for_text(user, "Step 1 of 5")
    emulator.send_text(user, "my dad just collapsed and hes not breathing right")
    reply = (await emulator.wait_for_text(user, "emergency number")).params["text"]
    assert "magnesium" not in reply.lower()
    # The open question is still open: a city answers it afterwards.
    emulator.send_text(user, "Berlin")
    await emulator.wait_for_text(user, "Time zone: Europe/Berlin")


async def test_questions_are_answered_with_a_source_and_the_persons_target(
    shared_bot: BotProcess, user: int
) -> None:
    emulator = shared_bot.emulator
    await _onboard_by_buttons(emulator, user)
    emulator.send_text(user, "is magnesium good for blood pressure")
    answer = (await emulator.wait_for_text(user, "Source:")).params["text"]
    assert "blood pressure" in answer and "couldn't find a food" not in answer
    emulator.send_text(user, "what is my target?")
    target = (await emulator.wait_for_text(user, "310–420 mg")).params["text"]
    assert "/settings" in target
    emulator.send_text(user, "who won the match last night?")
    await emulator.wait_for_text(user, "I can't answer that one")
    assert _checkins(shared_bot.workdir, user) == 0


async def test_thanks_gets_a_warm_line_and_a_newcomer_is_told_how_to_start(
    shared_bot: BotProcess, user: int
) -> None:
    emulator = shared_bot.emulator
    emulator.send_text(user, "hello!")
    greeting = (await emulator.wait_for_text(user, "Hello")).params["text"]
    assert "/start" in greeting
    await _onboard_by_buttons(emulator, user)
    mark = emulator.mark()
    emulator.send_text(user, "thank you!")
    thanks = (await emulator.wait_for_text(user, "welcome", since=mark)).params["text"]
    assert "couldn't find" not in thanks and "/start" not in thanks


async def test_stop_in_words_stops_the_daily_tips(shared_bot: BotProcess, user: int) -> None:
    emulator = shared_bot.emulator
    await _onboard_by_buttons(emulator, user)
    emulator.send_text(user, "please stop sending me tips")
    await emulator.wait_for_text(user, "You're unsubscribed")
    assert _scalar(shared_bot.workdir, f"SELECT status FROM users WHERE id = {user}") == "stopped"


async def test_a_captioned_photo_is_logged_and_an_uncaptioned_one_gets_a_pointer(
    shared_bot: BotProcess, user: int
) -> None:
    emulator = shared_bot.emulator
    await _onboard_by_buttons(emulator, user)
    caption = "oatmeal with almonds and a banana"
    total = round(estimate_meal(caption, load_index()).total_mg)
    emulator.send_photo(user, caption)
    await emulator.wait_for_text(user, f"This meal: about {total} mg")
    assert _checkins(shared_bot.workdir, user) == 1
    emulator.send_photo(user)
    photo = await emulator.wait_for_text(user, "I can't look at photos yet")
    assert "type what you ate" in photo.text.lower() and "oatmeal with banana" in photo.text
    emulator.send_voice(user)
    await emulator.wait_for_text(user, "I can't listen to voice")
    assert _checkins(shared_bot.workdir, user) == 1


async def test_a_sticker_location_or_file_gets_a_pointer_to_type_the_meal(
    shared_bot: BotProcess, user: int
) -> None:
    emulator = shared_bot.emulator
    seed_subscribers(shared_bot.workdir, range(user, user + 1))
    emulator.send_sticker(user)
    sticker = await emulator.wait_for_text(user, "Nice sticker")
    assert "what you ate" in sticker.text and "Send /start" not in sticker.text
    emulator.enqueue_update(
        {
            "message": {
                "message_id": 9_000_001,
                "date": int(time.time()),
                "chat": {"id": user, "type": "private", "first_name": "Ada"},
                "from": {"id": user, "is_bot": False, "first_name": "Ada"},
                "location": {"latitude": 52.52, "longitude": 13.4},
            }
        }
    )
    location = await emulator.wait_for_text(user, "I don't need your location")
    assert "/settings" in location.text and "what you ate" in location.text
    assert _checkins(shared_bot.workdir, user) == 0


async def test_a_sticker_from_someone_not_set_up_also_says_how_to_start(
    shared_bot: BotProcess, user: int
) -> None:
    emulator = shared_bot.emulator
    emulator.send_sticker(user)
    sticker = await emulator.wait_for_text(user, "Nice sticker")
    assert "Send /start to set me up" in sticker.text


async def test_warfarin_and_spinach_get_the_warfarin_advice_the_meal_and_no_greens(
    shared_bot: BotProcess, user: int
) -> None:
    emulator = shared_bot.emulator
    await _onboard_by_buttons(emulator, user)
    mark = emulator.mark()
    emulator.send_text(user, "i take warfarin is spinach ok")
    reply = (await emulator.wait_for_text(user, "This meal")).params["text"]
    # The advice comes first, as a message of its own (a later ×½ / ×2 fix edits only the meal).
    sent = emulator.calls[mark:]
    advice, meal = (c.text for c in sent if c.method == "sendMessage" and c.chat_id == user)
    assert "vitamin K" in advice and "steady" in advice and "This meal" not in advice
    assert meal == reply and "spinach" in meal
    assert _checkins(shared_bot.workdir, user) == 1
    assert _scalar(shared_bot.workdir, f"SELECT warfarin_noted_at FROM users WHERE id = {user}")
    greens = ("spinach", "kale", "collard", "chard", "beet greens", "broccoli", "brussels")
    for meal in ("a banana", "2 slices whole wheat toast", "an apple", "brown rice"):
        mark = emulator.mark()
        emulator.send_text(user, meal)
        text = (await emulator.wait_for_text(user, "This meal", since=mark)).params["text"]
        added = text.partition("For more magnesium")[2].lower()
        assert not any(green in added for green in greens), text


async def test_an_emergency_in_the_middle_of_an_admin_draft_is_answered_not_broadcast(
    emulator: BotApiEmulator, admin_bot: BotProcess, tmp_path: Path
) -> None:
    emulator.send_text(ADMIN, "/broadcast")
    await emulator.wait_for_text(ADMIN, "Send the message to broadcast")
    emulator.send_text(ADMIN, "my jaw and left arm ache and i'm sweating a lot")
    await emulator.wait_for_text(ADMIN, "emergency number")
    # The draft still waits for its message: the next text is taken as the broadcast.
    emulator.send_text(ADMIN, "New tips are coming next week.")
    await emulator.wait_for_text(ADMIN, "another language?")
