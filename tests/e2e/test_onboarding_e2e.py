"""The walking skeleton, end to end: the real bot process against the Bot API emulator."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.botapi_emulator import BotApiEmulator
from tests.e2e.botprocess import BotProcess, run_cli

pytestmark = pytest.mark.e2e

ADA = 5001


async def _onboard_by_buttons(emu: BotApiEmulator, user: int = ADA) -> None:
    emu.send_text(user, "/start")
    await emu.wait_for_text(user, "Step 1 of 5")
    emu.press(user, "Europe/Berlin")
    await emu.wait_for_text(user, "Step 2 of 5")
    emu.press(user, "08:00")
    await emu.wait_for_text(user, "Step 3 of 5")
    await _tap_topic(emu, user, "Magnesium-rich foods")
    emu.press(user, "Done")
    await emu.wait_for_text(user, "Step 4 of 5")
    emu.press(user, "Prefer not to say (skip)")
    await emu.wait_for_text(user, "Step 5 of 5")
    emu.press(user, "No thanks")
    await emu.wait_for_text(user, "All set")


async def _tap_topic(emu: BotApiEmulator, user: int, label: str) -> list[list[str]]:
    """Tap a topic and wait for its button to change; the buttons afterwards."""
    mark = emu.mark()
    emu.press(user, label)
    await emu.wait_for(
        lambda c: c.method == "editMessageReplyMarkup" and c.chat_id == user, since=mark
    )
    return emu.buttons(user)


def _reminder_row(tmp_path: Path, user_id: int, kind: str) -> dict[str, object]:
    with sqlite3.connect(tmp_path / "bot.db") as conn:
        conn.row_factory = sqlite3.Row
        row = conn.execute(
            "SELECT * FROM reminders WHERE user_id = ? AND kind = ?", (user_id, kind)
        ).fetchone()
    assert row is not None, f"no {kind} reminder for {user_id}"
    return dict(row)


def _user_row(tmp_path: Path, user_id: int) -> dict[str, object]:
    with sqlite3.connect(tmp_path / "bot.db") as conn:
        conn.row_factory = sqlite3.Row
        row = conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
    assert row is not None, f"no users row for {user_id}"
    return dict(row)


def _topics(tmp_path: Path, user_id: int) -> set[str]:
    """The topics a person chose: their user_topics rows."""
    with sqlite3.connect(tmp_path / "bot.db") as conn:
        rows = conn.execute("SELECT topic FROM user_topics WHERE user_id = ?", (user_id,))
        return {topic for (topic,) in rows}


async def test_start_greets_with_disclaimer_and_asks_for_time_zone(
    shared_bot: BotProcess, user: int
) -> None:
    emulator = shared_bot.emulator
    emulator.send_text(user, "/start", first_name="Ada")
    greeting = await emulator.wait_for_text(user, "Hi Ada")
    assert "no substitute" in greeting.params["text"]
    await emulator.wait_for_text(user, "Which time zone")
    assert ["Europe/London", "Europe/Berlin", "Europe/Moscow"] in emulator.buttons(user)


async def test_full_onboarding_by_buttons_ends_with_a_summary(
    shared_bot: BotProcess, user: int
) -> None:
    emulator = shared_bot.emulator
    emulator.send_text(user, "/start")
    await emulator.wait_for_text(user, "Step 1 of 5")
    emulator.press(user, "America/New York")
    await emulator.wait_for_text(user, "Time zone: America/New_York")
    await emulator.wait_for_text(user, "Step 2 of 5")
    emulator.press(user, "07:00")
    await emulator.wait_for_text(user, "Step 3 of 5")
    await _tap_topic(emulator, user, "Magnesium-rich foods")
    await _tap_topic(emulator, user, "Physical activity")
    emulator.press(user, "Done")
    await emulator.wait_for_text(user, "Step 4 of 5")
    emulator.press(user, "31–50")
    await emulator.wait_for_text(user, "Age: 31–50")
    emulator.press(user, "Female")
    await emulator.wait_for_text(user, "Sex: Female")
    emulator.press(user, "Neither")
    await emulator.wait_for_text(user, "Pregnant or breastfeeding: Neither")
    emulator.press(user, "Done")
    await emulator.wait_for_text(user, "Step 5 of 5")
    assert "remind you in the evening" in emulator.last_text(user)
    emulator.press(user, "21:00")
    summary = (await emulator.wait_for_text(user, "All set")).params["text"]
    assert "America/New_York" in summary
    assert "07:00" in summary
    assert "Magnesium-rich foods, Physical activity" in summary
    assert "31–50 · Female" in summary
    assert "Evening reminder: at 21:00" in summary
    assert "Weekly summary: on" in summary
    row = _user_row(shared_bot.workdir, user)
    assert row["timezone"] == "America/New_York"
    topics = _topics(shared_bot.workdir, user)
    assert "stress" not in topics and "food" in topics
    assert row["onboarded_at"] is not None and row["flow"] is None


async def test_onboarding_by_typed_answers_with_one_retry(
    shared_bot: BotProcess, user: int
) -> None:
    emulator = shared_bot.emulator
    emulator.send_text(user, "/start")
    await emulator.wait_for_text(user, "Step 1 of 5")
    emulator.send_text(user, "somewhere nice")
    await emulator.wait_for_text(user, 'couldn\'t find a time zone for "somewhere nice"')
    emulator.send_text(user, "munich")
    await emulator.wait_for_text(user, "Europe/Berlin (from Munich)")
    await emulator.wait_for_text(user, "Step 2 of 5")
    emulator.send_text(user, "8:30pm")
    await emulator.wait_for_text(user, "Step 3 of 5")
    emulator.send_text(user, "food please")  # topics take buttons
    await emulator.wait_for_text(user, "Please choose with the buttons")
    await _tap_topic(emulator, user, "Stress")
    emulator.press(user, "Done")
    await emulator.wait_for_text(user, "Step 4 of 5")
    emulator.press(user, "Done")
    await emulator.wait_for_text(user, "Step 5 of 5")
    emulator.send_text(user, "hmm maybe later")  # neither a time nor yes or no
    await emulator.wait_for_text(user, "Please choose with the buttons")
    emulator.send_text(user, "9pm")  # typed instead of tapped
    summary = (await emulator.wait_for_text(user, "All set")).params["text"]
    assert "20:30" in summary and "Europe/Berlin" in summary
    assert "Profile: not shared" in summary
    assert "Evening reminder: at 21:00" in summary
    assert _user_row(shared_bot.workdir, user)["tip_time"].startswith("20:30")


async def test_topics_start_unchosen_and_done_needs_one(shared_bot: BotProcess, user: int) -> None:
    emulator = shared_bot.emulator
    emulator.send_text(user, "/start")
    await emulator.wait_for_text(user, "Step 1 of 5")
    emulator.send_text(user, "UTC")
    await emulator.wait_for_text(user, "Step 2 of 5")
    emulator.send_text(user, "7")
    await emulator.wait_for_text(user, "Step 3 of 5")
    assert emulator.buttons(user)[:4] == [
        ["⬜ Magnesium-rich foods"],
        ["⬜ Physical activity"],
        ["⬜ Stress"],
        ["Done ✓"],
    ]
    mark = emulator.mark()
    emulator.press(user, "Done")
    alert = await emulator.wait_for(
        lambda c: (
            c.method == "answerCallbackQuery" and "at least one" in str(c.params.get("text", ""))
        ),
        since=mark,
    )
    assert alert.params.get("show_alert") in (True, "true")
    buttons = await _tap_topic(emulator, user, "Stress")
    assert buttons[:3] == [["⬜ Magnesium-rich foods"], ["⬜ Physical activity"], ["✅ Stress"]]
    buttons = await _tap_topic(emulator, user, "Stress")
    assert buttons[2] == ["⬜ Stress"]  # a second tap takes it back
    await _tap_topic(emulator, user, "Physical activity")
    emulator.press(user, "Done")
    await emulator.wait_for_text(user, "Step 4 of 5")
    assert "activity" in _topics(shared_bot.workdir, user)
    assert "food" not in _topics(shared_bot.workdir, user)


async def test_last_topic_cannot_be_switched_off_in_settings(
    shared_bot: BotProcess, user: int
) -> None:
    emulator = shared_bot.emulator
    await _onboard_by_buttons(emulator, user)  # food only
    emulator.send_text(user, "/settings")
    await emulator.wait_for_text(user, "Your settings")
    emulator.press(user, "Topics")
    await emulator.wait_for_text(user, "Which topics")
    assert emulator.buttons(user)[0] == ["✅ Magnesium-rich foods"]
    mark = emulator.mark()
    emulator.press(user, "Magnesium-rich foods")
    alert = await emulator.wait_for(
        lambda c: (
            c.method == "answerCallbackQuery" and "at least one" in str(c.params.get("text", ""))
        ),
        since=mark,
    )
    assert alert.params.get("show_alert") in (True, "true")
    assert "food" in _topics(shared_bot.workdir, user)


async def test_back_returns_to_the_previous_question_keeping_answers(
    shared_bot: BotProcess, user: int
) -> None:
    emulator = shared_bot.emulator
    emulator.send_text(user, "/start")
    await emulator.wait_for_text(user, "Step 1 of 5")
    assert ["◀ Back"] not in emulator.buttons(user)  # nothing before the first question
    emulator.press(user, "Europe/Berlin")
    await emulator.wait_for_text(user, "Step 2 of 5")
    emulator.press(user, "09:00")
    await emulator.wait_for_text(user, "Step 3 of 5")
    assert emulator.buttons(user)[-1] == ["◀ Back"]
    emulator.press(user, "◀ Back")
    await emulator.wait_for_text(user, "Step 2 of 5")
    emulator.press(user, "◀ Back")
    await emulator.wait_for_text(user, "Step 1 of 5")
    emulator.send_text(user, "Tokyo")
    await emulator.wait_for_text(user, "Asia/Tokyo (from Tokyo)")
    await emulator.wait_for_text(user, "Step 2 of 5")
    row = _user_row(shared_bot.workdir, user)
    assert row["timezone"] == "Asia/Tokyo" and str(row["tip_time"]).startswith("09:00")
    assert row["onboarded_at"] is None


async def test_a_misspelt_city_is_confirmed_with_buttons_bigger_first(
    shared_bot: BotProcess, user: int
) -> None:
    emulator = shared_bot.emulator
    emulator.send_text(user, "/start")
    await emulator.wait_for_text(user, "Step 1 of 5")
    emulator.send_text(user, "sidney")
    await emulator.wait_for_text(user, 'Which one do you mean by "sidney"')
    assert emulator.buttons(user) == [
        ["Sydney, Australia"],
        ["Sidney, US"],
        ["Neither — type again"],
    ]
    assert _user_row(shared_bot.workdir, user)["timezone"] is None
    emulator.press(user, "Neither — type again")
    await emulator.wait_for_text(user, "Type a city near you")
    emulator.send_text(user, "sidney")
    await emulator.wait_for_text(user, 'Which one do you mean by "sidney"')
    emulator.press(user, "Sydney, Australia")
    await emulator.wait_for_text(user, "Time zone: Australia/Sydney")
    await emulator.wait_for_text(user, "Step 2 of 5")
    assert _user_row(shared_bot.workdir, user)["timezone"] == "Australia/Sydney"


async def test_a_country_with_several_zones_offers_them(shared_bot: BotProcess, user: int) -> None:
    emulator = shared_bot.emulator
    emulator.send_text(user, "/start")
    await emulator.wait_for_text(user, "Step 1 of 5")
    emulator.send_text(user, "australia")
    await emulator.wait_for_text(user, 'Which one do you mean by "australia"')
    labels = [row[0] for row in emulator.buttons(user)]
    assert labels[0].startswith("Sydney · UTC+") and any(x.startswith("Perth") for x in labels)
    emulator.press(user, "Perth")
    await emulator.wait_for_text(user, "Time zone: Australia/Perth")


async def test_a_greeting_is_not_taken_for_a_city(shared_bot: BotProcess, user: int) -> None:
    emulator = shared_bot.emulator
    emulator.send_text(user, "/start")
    await emulator.wait_for_text(user, "Step 1 of 5")
    emulator.send_text(user, "hola")
    await emulator.wait_for_text(user, 'couldn\'t find a time zone for "hola"')
    assert _user_row(shared_bot.workdir, user)["timezone"] is None
    emulator.send_text(user, "india")
    await emulator.wait_for_text(user, "Time zone: Asia/Kolkata (from India)")


async def test_a_part_of_the_day_gets_time_buttons(shared_bot: BotProcess, user: int) -> None:
    emulator = shared_bot.emulator
    emulator.send_text(user, "/start")
    await emulator.wait_for_text(user, "Step 1 of 5")
    emulator.send_text(user, "UTC")
    await emulator.wait_for_text(user, "Step 2 of 5")
    emulator.send_text(user, "morning")
    await emulator.wait_for_text(user, "In the morning, then")
    assert emulator.buttons(user)[0] == ["06:00", "07:00", "08:00", "09:00"]
    assert "didn't understand" not in emulator.last_text(user)
    emulator.press(user, "07:00")
    await emulator.wait_for_text(user, "Step 3 of 5")
    assert str(_user_row(shared_bot.workdir, user)["tip_time"]).startswith("07:00")


async def test_settings_switch_the_weekly_summary_off_and_on(
    shared_bot: BotProcess, user: int
) -> None:
    emulator = shared_bot.emulator
    await _onboard_by_buttons(emulator, user)
    emulator.send_text(user, "/settings")
    text = (await emulator.wait_for_text(user, "Your settings")).params["text"]
    assert "Weekly summary: on" in text and "Evening reminder: off" in text
    mark = emulator.mark()
    emulator.press(user, "Weekly summary: on")
    edited = await emulator.wait_for(
        lambda c: c.method == "editMessageText" and c.chat_id == user, since=mark
    )
    assert "Weekly summary: off" in edited.params["text"]
    assert ["Evening reminder", "Weekly summary: off"] in emulator.buttons(user)
    assert _reminder_row(shared_bot.workdir, user, "weekly")["enabled"] == 0
    mark = emulator.mark()
    emulator.press(user, "Weekly summary: off")
    edited = await emulator.wait_for(
        lambda c: c.method == "editMessageText" and c.chat_id == user, since=mark
    )
    assert "Weekly summary: on" in edited.params["text"]
    assert _reminder_row(shared_bot.workdir, user, "weekly")["enabled"] == 1


async def test_settings_set_and_turn_off_the_evening_reminder(
    shared_bot: BotProcess, user: int
) -> None:
    emulator = shared_bot.emulator
    await _onboard_by_buttons(emulator, user)
    emulator.send_text(user, "/settings")
    await emulator.wait_for_text(user, "Your settings")
    emulator.press(user, "Evening reminder")
    await emulator.wait_for_text(user, "remind you in the evening")
    assert "Step" not in emulator.last_text(user)
    assert ["No thanks"] in emulator.buttons(user) and ["Cancel"] in emulator.buttons(user)
    emulator.press(user, "19:00")
    saved = (await emulator.wait_for_text(user, "Saved")).params["text"]
    assert "Evening reminder: at 19:00" in saved
    row = _reminder_row(shared_bot.workdir, user, "evening")
    assert row["enabled"] == 1 and row["next_due_utc"] is not None
    emulator.send_text(user, "/settings")
    await emulator.wait_for_text(user, "Your settings")
    emulator.press(user, "Evening reminder")
    await emulator.wait_for_text(user, "remind you in the evening")
    assert ["18:00", "✓ 19:00", "20:00 (default)"] in emulator.buttons(user)
    emulator.press(user, "Turn it off")
    saved = (await emulator.wait_for_text(user, "Saved")).params["text"]
    assert "Evening reminder: off" in saved
    assert _reminder_row(shared_bot.workdir, user, "evening")["enabled"] == 0


async def test_settings_change_tip_time(shared_bot: BotProcess, user: int) -> None:
    emulator = shared_bot.emulator
    await _onboard_by_buttons(emulator, user)
    emulator.send_text(user, "/settings")
    await emulator.wait_for_text(user, "Your settings")
    emulator.press(user, "Tip time")
    await emulator.wait_for_text(user, "What time would you like")
    assert "Step" not in emulator.last_text(user)
    emulator.send_text(user, "6:45")
    saved = (await emulator.wait_for_text(user, "Saved")).params["text"]
    assert "06:45" in saved
    assert _user_row(shared_bot.workdir, user)["tip_time"].startswith("06:45")


async def test_settings_cancel_keeps_everything(shared_bot: BotProcess, user: int) -> None:
    emulator = shared_bot.emulator
    await _onboard_by_buttons(emulator, user)
    emulator.send_text(user, "/settings")
    await emulator.wait_for_text(user, "Your settings")
    emulator.press(user, "Time zone")
    await emulator.wait_for_text(user, "Which time zone")
    emulator.press(user, "Cancel")
    kept = await emulator.wait_for_text(user, "Nothing changed")
    assert "Europe/Berlin" in kept.params["text"]
    emulator.send_text(user, "Tokyo")  # no question open any more
    await emulator.wait_for_text(user, "/help")


async def test_restart_mid_onboarding_continues_at_the_same_step(
    emulator: BotApiEmulator, bot: BotProcess
) -> None:
    emulator.send_text(ADA, "/start")
    await emulator.wait_for_text(ADA, "Step 1 of 5")
    emulator.send_text(ADA, "London")
    await emulator.wait_for_text(ADA, "Step 2 of 5")
    await bot.restart()
    emulator.send_text(ADA, "9:15")  # typed answer to the question asked before the restart
    await emulator.wait_for_text(ADA, "Step 3 of 5")
    await bot.kill()
    await bot.start()
    emulator.send_text(ADA, "/start")
    await emulator.wait_for_text(ADA, "carry on where we left off")
    await emulator.wait_for_text(ADA, "Step 3 of 5")
    await _tap_topic(emulator, ADA, "Stress")
    emulator.press(ADA, "Done")
    await emulator.wait_for_text(ADA, "Step 4 of 5")
    emulator.press(ADA, "Prefer not to say (skip)")
    await emulator.wait_for_text(ADA, "Step 5 of 5")
    emulator.press(ADA, "No thanks")
    summary = (await emulator.wait_for_text(ADA, "All set")).params["text"]
    assert "Europe/London" in summary and "09:15" in summary


async def test_preferences_survive_a_restart_after_onboarding(
    emulator: BotApiEmulator, bot: BotProcess
) -> None:
    await _onboard_by_buttons(emulator)
    await bot.restart()
    emulator.send_text(ADA, "/settings")
    text = (await emulator.wait_for_text(ADA, "Your settings")).params["text"]
    assert "Europe/Berlin" in text and "08:00" in text


async def test_an_update_in_flight_when_the_bot_is_killed_is_answered_after_restart(
    emulator: BotApiEmulator, bot: BotProcess
) -> None:
    emulator.inject("sendMessage", error="slow", delay=10.0, chat_id=ADA)
    emulator.send_text(ADA, "/help")
    await emulator.wait_for(
        lambda c: c.method == "getUpdates" and int(c.params.get("offset", 0) or 0) > 1
    )  # confirmed to Telegram
    await asyncio.sleep(0.5)
    await bot.kill()
    assert emulator.pending_updates() == 0
    await bot.start()
    await emulator.wait_for_text(ADA, "Here is what I can do", since=0)


async def test_sticker_and_unknown_command_get_a_pointer_to_help(
    shared_bot: BotProcess, user: int
) -> None:
    emulator = shared_bot.emulator
    emulator.send_sticker(user)
    await emulator.wait_for_text(user, "/help lists what I can do")
    emulator.send_text(user, "/frobnicate")
    await emulator.wait_for_text(user, "/help lists what I can do")


async def test_random_text_outside_a_flow_gets_examples_and_points_to_help(
    shared_bot: BotProcess, user: int
) -> None:
    emulator = shared_bot.emulator
    await _onboard_by_buttons(emulator, user)
    emulator.send_text(user, "asdf qwerty")
    pointer = (await emulator.wait_for_text(user, "not sure what you meant")).params["text"]
    assert "/help" in pointer and "oatmeal with almonds" in pointer
    assert "couldn't find a food" not in pointer


async def test_stop_then_start_brings_tips_back_with_settings_kept(
    shared_bot: BotProcess, user: int
) -> None:
    emulator = shared_bot.emulator
    await _onboard_by_buttons(emulator, user)
    emulator.send_text(user, "/stop")
    await emulator.wait_for_text(user, "You're unsubscribed")
    assert _user_row(shared_bot.workdir, user)["status"] == "stopped"
    emulator.send_text(user, "/stop")
    await emulator.wait_for_text(user, "already unsubscribed")
    emulator.send_text(user, "/start", first_name="Ada")
    back = (await emulator.wait_for_text(user, "Welcome back, Ada")).params["text"]
    assert "Europe/Berlin" in back and "daily tips on" in back
    assert _user_row(shared_bot.workdir, user)["status"] == "active"


async def test_pause_and_resume(shared_bot: BotProcess, user: int) -> None:
    emulator = shared_bot.emulator
    await _onboard_by_buttons(emulator, user)
    emulator.send_text(user, "/pause")
    await emulator.wait_for_text(user, "Pause the daily tips for how long")
    emulator.press(user, "3 days")
    paused = (await emulator.wait_for_text(user, "Paused for 3 days, until")).params["text"]
    assert "Your next tip comes on" in paused and "at 08:00" in paused
    row = _user_row(shared_bot.workdir, user)
    assert row["status"] == "paused" and row["paused_until"] is not None
    emulator.send_text(user, "/resume")
    await emulator.wait_for_text(user, "on again. The next one comes at 08:00 (Europe/Berlin)")
    emulator.send_text(user, "/resume")
    await emulator.wait_for_text(user, "aren't paused")
    emulator.send_text(user, "/pause")
    await emulator.wait_for_text(user, "how long")
    emulator.press(user, "Until I resume")
    await emulator.wait_for_text(user, "Paused until you send /resume")


async def test_help_lists_every_command(shared_bot: BotProcess, user: int) -> None:
    emulator = shared_bot.emulator
    emulator.send_text(user, "/help")
    text = (await emulator.wait_for_text(user, "Here is what I can do")).params["text"]
    for command in (
        "/start",
        "/settings",
        "/pause",
        "/resume",
        "/checkin",
        "/today",
        "/week",
        "/undo",
        "/tip",
        "/stop",
        "/help",
    ):
        assert command in text


async def test_command_menu_is_set_at_start(shared_bot: BotProcess) -> None:
    emulator = shared_bot.emulator
    # since=0: the menu is set once, when the (shared) process starts.
    call = await emulator.wait_for(
        lambda c: c.method == "setMyCommands" and not c.params.get("language_code"), since=0
    )
    names = [c["command"] for c in call.params["commands"]]
    assert names == [
        "start",
        "settings",
        "pause",
        "resume",
        "checkin",
        "today",
        "week",
        "undo",
        "tip",
        "language",
        "stop",
        "mydata",
        "forget",
        "help",
    ]


async def test_failing_command_menu_is_logged_and_the_bot_keeps_running(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    emulator.inject("setMyCommands", error=500, times=5)
    process = BotProcess(
        emulator, database_url=f"sqlite:///{tmp_path / 'bot.db'}", workdir=tmp_path
    )
    await process.start()
    try:
        emulator.send_text(ADA, "/help")
        await emulator.wait_for_text(ADA, "Here is what I can do")
        assert "could not set the command menu" in process.log_tail(200)
    finally:
        await process.stop()


async def test_a_telegram_429_on_a_reply_is_waited_out(shared_bot: BotProcess, user: int) -> None:
    emulator = shared_bot.emulator
    mark = emulator.mark()
    emulator.inject("sendMessage", error=429, retry_after=1, chat_id=user)
    emulator.send_text(user, "/help")
    reply = await emulator.wait_for_text(user, "Here is what I can do", timeout=15)
    failed = [
        c
        for c in emulator.calls[mark:]
        if c.method == "sendMessage" and c.chat_id == user and c.error
    ]
    assert failed, "the 429 was never injected"
    assert reply.time - failed[0].time >= 0.9


async def test_a_stale_button_is_answered_and_changes_nothing(
    shared_bot: BotProcess, user: int
) -> None:
    emulator = shared_bot.emulator
    emulator.send_text(user, "/start")
    await emulator.wait_for_text(user, "Step 1 of 5")
    first_question = emulator.sent(user)[-1].result["message_id"]
    emulator.press(user, "UTC")
    await emulator.wait_for_text(user, "Step 2 of 5")
    mark = emulator.mark()
    emulator.press_data(user, "ob:tz:Asia/Tokyo", message_id=first_question)
    await emulator.wait_for(
        lambda c: (
            c.method == "answerCallbackQuery" and "out of date" in str(c.params.get("text", ""))
        ),
        since=mark,
    )
    assert _user_row(shared_bot.workdir, user)["timezone"] == "UTC"


async def test_sigterm_stops_the_bot_cleanly(bot: BotProcess) -> None:
    assert await bot.stop() == 0
    assert "stopping" in bot.log_tail()


def test_run_without_token_exits_with_one_line_naming_the_variable(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "run")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "NUDGEBOT_TOKEN" in lines[0] and "nudgebot console" in lines[0]


def test_run_with_an_invalid_setting_names_it(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "run", env={"NUDGEBOT_ADMIN_IDS": "12,bob"})
    assert result.returncode != 0
    assert "NUDGEBOT_ADMIN_IDS" in result.stderr


def test_console_runs_the_bot_without_token_or_network(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUDGEBOT_")}
    env["NUDGEBOT_BOT_API_URL"] = "http://127.0.0.1:9/bot"  # would fail if anything were sent
    # time 08:00, first topic, Done, skip the profile, the default evening reminder
    typed = "/start\nBerlin\n2\n1\n4\n10\n3\n/settings\n"
    result = subprocess.run(
        [sys.executable, "-m", "nudgebot", "console"],
        cwd=tmp_path,
        env=env,
        input=typed,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Hi Console" in out
    assert "[2] Europe/Berlin" in out
    assert "Time zone: Europe/Berlin (from Berlin)" in out
    assert "[2] 08:00" in out
    assert "[1] ✅ Magnesium-rich foods" in out
    assert "[3] 20:00 (default)" in out
    assert "All set" in out and "08:00" in out and "Evening reminder: at 20:00" in out
    assert "Your settings" in out
    assert (tmp_path / "nudgebot.db").exists()
