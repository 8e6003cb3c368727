"""Meal check-ins end to end against the real bot process."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from nudgebot.features.meals.parser import estimate_meal, load_index
from tests.botapi_emulator import BotApiEmulator
from tests.e2e.botprocess import BotProcess
from tests.e2e.test_onboarding_e2e import _onboard_by_buttons

pytestmark = pytest.mark.e2e


def _checkins(workdir: Path, user_id: int) -> int:
    with sqlite3.connect(workdir / "bot.db") as conn:
        query = "SELECT count(*) FROM checkins WHERE user_id = ?"
        return int(conn.execute(query, (user_id,)).fetchone()[0])


def _mg(text: str) -> int:
    """The parser's total for a text, as the reply rounds it (figures from usda.tsv)."""
    return round(estimate_meal(text, load_index()).total_mg)


async def test_checkins_reply_with_foods_total_and_running_total(
    shared_bot: BotProcess, user: int
) -> None:
    emulator = shared_bot.emulator
    await _onboard_by_buttons(emulator, user)
    first_text, second_text = "oatmeal with almonds and a banana", "½ cup spinach, 100 g salmon"
    first_mg, second_mg = _mg(first_text), _mg(second_text)
    emulator.send_text(user, first_text)
    first = (await emulator.wait_for_text(user, "This meal")).params["text"]
    assert "almonds" in first and "1 handful (28 g): 76 mg" in first
    assert f"This meal: about {first_mg} mg" in first
    assert f"Today so far: {first_mg} mg" in first and "310–420 mg" in first  # no profile: range
    assert "For more magnesium, add" in first
    emulator.send_text(user, second_text)
    second = (await emulator.wait_for_text(user, "This meal")).params["text"]
    assert f"Today so far: {first_mg + second_mg} mg" in second
    assert _checkins(shared_bot.workdir, user) == 2
    emulator.send_text(user, "/today")
    today = (await emulator.wait_for_text(user, "Today,")).params["text"]
    assert f"{first_mg} mg" in today and f"{second_mg} mg" in today
    assert "USDA FoodData Central" in today
    emulator.send_text(user, "/undo")
    await emulator.wait_for_text(user, "Removed your last check-in")
    assert _checkins(shared_bot.workdir, user) == 1


async def test_an_unknown_food_is_offered_as_buttons_chosen_and_remembered(
    shared_bot: BotProcess, user: int
) -> None:
    emulator = shared_bot.emulator
    await _onboard_by_buttons(emulator, user)
    emulator.send_text(user, "a banana and a bowl of ackee pudding")
    reply = (await emulator.wait_for_text(user, "This meal")).params["text"]
    assert "banana" in reply and "ackee" not in reply  # asked about below, not listed
    await emulator.wait_for_text(user, 'I don\'t know "ackee pudding" yet')
    labels = [label for row in emulator.buttons(user) for label in row]
    assert labels[-1] == "None of these" and 2 <= len(labels) <= 4
    emulator.press(user, labels[0])  # the question is the newest message with buttons
    added = (await emulator.wait_for_text(user, "Added")).params["text"]
    chosen = labels[0].split(" · ")[0]
    assert f'Next time I\'ll know that "ackee pudding" means {chosen}' in added
    assert "Today so far:" in added
    with sqlite3.connect(shared_bot.workdir / "bot.db") as conn:
        (items,) = conn.execute("SELECT items FROM checkins WHERE user_id = ?", (user,)).fetchone()
        remembered = conn.execute(
            "SELECT phrase FROM food_choices WHERE user_id = ?", (user,)
        ).fetchall()
    assert chosen in items and "banana" in items
    assert remembered == [("ackee pudding",)]
    assert _checkins(shared_bot.workdir, user) == 1  # added to the check-in that asked
    emulator.send_text(user, "ackee pudding again for dinner")
    again = (await emulator.wait_for_text(user, "This meal")).params["text"]
    assert chosen in again and "don't know" not in again
    assert _checkins(shared_bot.workdir, user) == 2


async def test_week_arrives_as_a_photo_with_a_summary(shared_bot: BotProcess, user: int) -> None:
    emulator = shared_bot.emulator
    await _onboard_by_buttons(emulator, user)
    emulator.send_text(user, "/checkin a handful of cashews")
    await emulator.wait_for_text(user, "This meal")
    emulator.send_text(user, "/week")
    photo = await emulator.wait_for(lambda c: c.method == "sendPhoto" and c.chat_id == user)
    assert "last 7 days" in photo.text and "in a row" in photo.text
    (_name, data) = next(iter(photo.files.values()))
    assert data.startswith(b"\x89PNG") and len(data) > 5000


async def test_a_red_flag_gets_the_emergency_reply_and_nothing_is_stored(
    shared_bot: BotProcess, user: int
) -> None:
    emulator = shared_bot.emulator
    await _onboard_by_buttons(emulator, user)
    emulator.send_text(user, "chest pain after lunch, had oatmeal")
    reply = (await emulator.wait_for_text(user, "emergency number")).params["text"]
    assert "magnesium" not in reply.lower() and "oatmeal" not in reply.lower()
    assert _checkins(shared_bot.workdir, user) == 0


async def test_red_flags_are_checked_even_mid_onboarding(shared_bot: BotProcess, user: int) -> None:
    emulator = shared_bot.emulator
    emulator.send_text(user, "/start")
    await emulator.wait_for_text(user, "Step 1 of 5")
    emulator.send_text(user, "I feel faint and my heart is racing")
    await emulator.wait_for_text(user, "emergency number")


async def test_supplement_questions_get_the_referral_and_no_dose(
    shared_bot: BotProcess, user: int
) -> None:
    emulator = shared_bot.emulator
    await _onboard_by_buttons(emulator, user)
    emulator.send_text(user, "should I take magnesium citrate with my oatmeal?")
    reply = (await emulator.wait_for_text(user, "upper limit")).params["text"]
    assert "350 mg" in reply and "doctor or pharmacist" in reply


async def test_the_check_in_button_under_a_tip_asks_what_was_eaten(
    shared_bot: BotProcess, user: int
) -> None:
    emulator = shared_bot.emulator
    await _onboard_by_buttons(emulator, user)
    emulator.send_text(user, "/tip")
    await emulator.wait_for_text(user, "Source:")
    emulator.press(user, "Check in a meal")
    await emulator.wait_for_text(user, "What did you eat?")
    labels = [label for row in emulator.buttons(user) for label in row]
    assert labels[0].startswith("+ almonds") and labels[-1] == "Cancel"  # no history yet


# ------------------------------------------------------------------ one-tap check-ins and fixes

BERLIN = ZoneInfo("Europe/Berlin")


def _sql(workdir: Path, query: str, *args: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(workdir / "bot.db") as conn:
        return list(conn.execute(query, args).fetchall())


def _subscribe(workdir: Path, user: int) -> None:
    """A subscriber set up in Berlin, as onboarding leaves one (onboarding has its own tests)."""
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(" ")
    _sql(
        workdir,
        "INSERT INTO users (id, chat_id, status, onboarded_at, timezone, tip_time,"
        " tip_cycle, tip_pos, created_at, updated_at)"
        " VALUES (?, ?, 'active', ?, 'Europe/Berlin', '08:00:00', 0, -1, ?, ?)",
        user,
        user,
        now,
        now,
        now,
    )
    for topic in ("food", "activity", "stress"):
        _sql(
            workdir,
            "INSERT INTO user_topics (user_id, topic, created_at) VALUES (?, ?, ?)",
            user,
            topic,
            now,
        )


def _move_checkins_to(workdir: Path, user: int, day: date, at: time) -> None:
    """Make a person's check-ins so far look logged on an earlier day, at a local time."""
    instant = datetime.combine(day, at, BERLIN).astimezone(UTC).replace(tzinfo=None)
    _sql(
        workdir,
        "UPDATE checkins SET local_date = ?, created_at = ? WHERE user_id = ?",
        day.isoformat(),
        instant.isoformat(" "),
        user,
    )


def _berlin_today() -> date:
    return datetime.now(BERLIN).date()


def _labels(emulator: BotApiEmulator, user: int) -> list[str]:
    return [label for row in emulator.buttons(user) for label in row]


async def test_a_recent_meal_is_logged_in_one_tap_with_the_reply_of_a_typed_one(
    shared_bot: BotProcess, user: int
) -> None:
    emulator, workdir = shared_bot.emulator, shared_bot.workdir
    _subscribe(workdir, user)
    text = "oatmeal with almonds and a banana"
    emulator.send_text(user, text)
    typed = (await emulator.wait_for_text(user, "This meal")).params["text"]
    _move_checkins_to(workdir, user, _berlin_today() - timedelta(days=1), time(7, 30))
    emulator.send_text(user, "/checkin")
    menu = await emulator.wait_for_text(user, "write it in plain words")
    labels = _labels(emulator, user)
    assert labels[0] == f"Same as yesterday's breakfast: oatmeal, almonds, banana · {_mg(text)} mg"
    assert labels[-1] == "Cancel"
    data = menu.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    emulator.press(user, labels[0])
    tapped = await emulator.wait_for_text(user, "This meal")
    assert tapped.method == "editMessageText"  # the menu becomes the check-in's reply
    reminder = "\n\nFor advice about your own health"
    assert tapped.params["text"] == typed.split(reminder)[0]  # the weekly line came with the first
    assert "almonds ×2" in _labels(emulator, user) and "↩️ Undo" in _labels(emulator, user)
    assert _checkins(workdir, user) == 2
    # the same tap again (a double tap, or Telegram delivering it twice) logs nothing new
    mark = emulator.mark()
    emulator.press_data(user, data, int(menu.result["message_id"]))
    await emulator.wait_for(lambda c: c.method == "answerCallbackQuery", since=mark)
    assert _checkins(workdir, user) == 2


async def test_a_new_subscriber_sees_only_additions_and_one_logs_its_portion(
    shared_bot: BotProcess, user: int
) -> None:
    emulator, workdir = shared_bot.emulator, shared_bot.workdir
    _subscribe(workdir, user)
    emulator.send_text(user, "/checkin")
    await emulator.wait_for_text(user, "write it in plain words")
    assert emulator.buttons(user) == [
        ["+ almonds, a handful · 76 mg", "+ black beans, a cup · 120 mg"],
        ["+ whole wheat bread, a slice · 25 mg", "+ banana, a piece · 32 mg"],
        ["Cancel"],
    ]
    emulator.press(user, "+ banana")
    reply = (await emulator.wait_for_text(user, "This meal")).params["text"]
    assert "banana, 1 piece (118 g): 32 mg" in reply and "Today so far: 32 mg" in reply
    (items,) = _sql(workdir, "SELECT items FROM checkins WHERE user_id = ?", user)[0]
    assert '"banana"' in str(items) and _checkins(workdir, user) == 1


async def test_doubling_a_portion_edits_the_reply_and_the_day_total(
    shared_bot: BotProcess, user: int
) -> None:
    emulator, workdir = shared_bot.emulator, shared_bot.workdir
    _subscribe(workdir, user)
    emulator.send_text(user, "a handful of almonds")
    await emulator.wait_for_text(user, "Today so far: 76 mg")
    emulator.press(user, "almonds ×2")
    doubled = (await emulator.wait_for_text(user, "2 handfuls (56 g)")).params["text"]
    assert "This meal: about 151 mg" in doubled and "Today so far: 151 mg" in doubled
    assert "almonds ×2" in _labels(emulator, user)  # the buttons stay
    ((total,),) = _sql(workdir, "SELECT total_mg FROM checkins WHERE user_id = ?", user)
    assert total == 151.2


async def test_undo_under_a_check_in_removes_it_and_shows_the_day_total(
    shared_bot: BotProcess, user: int
) -> None:
    emulator, workdir = shared_bot.emulator, shared_bot.workdir
    _subscribe(workdir, user)
    emulator.send_text(user, "a banana")
    await emulator.wait_for_text(user, "This meal")
    emulator.send_text(user, "a handful of almonds")
    await emulator.wait_for_text(user, "Today so far: 108 mg")
    emulator.press(user, "Undo")
    undone = (await emulator.wait_for_text(user, "Removed the check-in")).params["text"]
    assert "(almonds, 76 mg)" in undone and "Today so far: 32 mg" in undone
    assert _checkins(workdir, user) == 1


async def test_today_lists_check_ins_and_undoes_the_one_tapped(
    shared_bot: BotProcess, user: int
) -> None:
    emulator, workdir = shared_bot.emulator, shared_bot.workdir
    _subscribe(workdir, user)
    emulator.send_text(user, "a banana")
    await emulator.wait_for_text(user, "This meal")
    emulator.send_text(user, "a handful of almonds")
    await emulator.wait_for_text(user, "This meal")
    emulator.send_text(user, "/today")
    today = await emulator.wait_for_text(user, "2 check-ins")
    assert "• banana, 1 piece (118 g): 32 mg" in today.params["text"]
    labels = _labels(emulator, user)
    assert len(labels) == 2 and labels[0].startswith("Undo ") and "(banana)" in labels[0]
    emulator.press(user, labels[0])
    shown = (await emulator.wait_for_text(user, "1 check-in\n")).params["text"]
    assert "banana" not in shown and "Today so far: 76 mg" in shown
    assert _checkins(workdir, user) == 1
    (banana_data,) = [
        b["callback_data"]
        for row in today.params["reply_markup"]["inline_keyboard"]
        for b in row
        if "(banana)" in b["text"]
    ]
    mark = emulator.mark()
    emulator.press_data(user, banana_data, int(today.result["message_id"]))  # a stale tap
    await emulator.wait_for(
        lambda c: c.method == "answerCallbackQuery" and "already removed" in c.text, since=mark
    )
    assert _checkins(workdir, user) == 1


async def test_undo_command_shows_the_new_day_total(shared_bot: BotProcess, user: int) -> None:
    emulator, workdir = shared_bot.emulator, shared_bot.workdir
    _subscribe(workdir, user)
    emulator.send_text(user, "a banana")
    await emulator.wait_for_text(user, "This meal")
    emulator.send_text(user, "a handful of almonds")
    await emulator.wait_for_text(user, "This meal")
    emulator.send_text(user, "/undo")
    undone = (await emulator.wait_for_text(user, "Removed your last check-in")).params["text"]
    assert "(almonds, 76 mg)" in undone and "Today so far: 32 mg" in undone
    assert _checkins(workdir, user) == 1


async def test_week_averages_over_the_days_with_check_ins(
    shared_bot: BotProcess, user: int
) -> None:
    emulator, workdir = shared_bot.emulator, shared_bot.workdir
    _subscribe(workdir, user)
    emulator.send_text(user, "a handful of almonds")  # 76 mg
    await emulator.wait_for_text(user, "This meal")
    _move_checkins_to(workdir, user, _berlin_today() - timedelta(days=2), time(12))
    emulator.send_text(user, "a banana")  # 32 mg
    await emulator.wait_for_text(user, "This meal")
    emulator.send_text(user, "/week")
    photo = await emulator.wait_for(lambda c: c.method == "sendPhoto" and c.chat_id == user)
    assert "On the 2 days you checked in, 54 mg a day on average." in photo.text
    assert "Check-ins 1 day in a row." in photo.text
