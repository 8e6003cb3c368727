"""The check-in reply, its buttons, /today, /undo and /week texts, without Telegram."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, time

from nudgebot.content import load_content
from nudgebot.features.meals.handlers import question_keyboard, render_checkin
from nudgebot.features.meals.parser import estimate_meal, load_index
from nudgebot.features.meals.quick import Addition, QuickChoices, RecentMeal
from nudgebot.features.meals.service import (
    CheckinKind,
    CheckinResult,
    DayEntry,
    DaySummary,
    FoodQuestionView,
    LoggedItem,
    UndoResult,
    WeekSummary,
)
from nudgebot.features.meals.targets import Target
from nudgebot.features.meals.views import (
    fix_rows,
    meal_label,
    quick_menu_rows,
    quick_rows,
    today_rows,
    today_text,
    undo_text,
    week_caption,
)
from nudgebot.platform.callbacks import (
    MEAL_TAPS,
    AddFood,
    ChangeAmounts,
    FoodQuestionAnswer,
    QuickCancel,
    RepeatMeal,
    SetAmount,
    UndoCheckin,
    UndoFromToday,
    pack,
    pattern,
    unpack,
)

REPLIES = load_content().replies


def _asked(text: str) -> CheckinResult:
    estimate = estimate_meal(text, load_index())
    (part,) = estimate.unknown_parts
    question = FoodQuestionView(123456789012, part.text, part.options)
    return CheckinResult(CheckinKind.NOTHING_RECOGNISED, estimate, questions=(question,))


def test_nothing_recognised_but_asked_about_says_nothing_more() -> None:
    assert render_checkin(REPLIES, _asked("a bowl of ackee pudding")) == ""
    bare = CheckinResult(CheckinKind.NOTHING_RECOGNISED, estimate_meal("zxqvy", load_index()))
    assert render_checkin(REPLIES, bare) == REPLIES.checkin.nothing


def test_the_keyboard_offers_each_food_then_none_of_these_within_64_bytes() -> None:
    result = _asked("a bowl of ackee pudding")
    rows = question_keyboard(REPLIES, result.questions[0], result).inline_keyboard
    data = [str(button.callback_data) for row in rows for button in row]
    assert len(data) == len(result.questions[0].options) + 1
    assert rows[-1][0].text == REPLIES.checkin.none_of_these
    for n, item in enumerate(data):
        assert len(item.encode()) <= 64
        choice = n if n < len(data) - 1 else None
        assert unpack(item) == FoodQuestionAnswer(123456789012, choice)


# ------------------------------------------------------------------ one-tap check-ins

MEAL = RecentMeal(
    checkin_id=987654321,
    meal="breakfast",
    local_date=date(2026, 11, 24),
    days_ago=1,
    foods=("oatmeal, cooked", "almonds", "banana"),
    total_mg=175.2,
    times=1,
)
ADDITION = Addition("black_beans", "black beans", "cup", 172.0, 120.4)


def _all_data(rows: list[list[tuple[str, str]]]) -> list[str]:
    return [data for row in rows for _, data in row]


def test_a_recent_meal_reads_as_the_meal_it_was_with_its_foods_and_total() -> None:
    assert (
        meal_label(REPLIES, MEAL)
        == "Same as yesterday's breakfast: oatmeal, almonds, banana · 175 mg"
    )
    assert meal_label(REPLIES, replace(MEAL, days_ago=0)).startswith("Same as today's breakfast")
    assert meal_label(REPLIES, replace(MEAL, days_ago=3, times=4)).startswith(
        "Your usual breakfast"
    )
    assert meal_label(REPLIES, replace(MEAL, days_ago=3, local_date=date(2026, 11, 22))).startswith(
        "Same as breakfast on Sun 22 Nov"
    )


def test_quick_rows_give_a_row_per_meal_then_additions_two_a_row() -> None:
    choices = QuickChoices((MEAL, replace(MEAL, checkin_id=5)), (ADDITION,) * 3)
    rows = quick_rows(REPLIES, choices)
    assert [len(row) for row in rows] == [1, 1, 2, 1]
    assert rows[2][0][0] == "+ black beans, a cup · 120 mg"
    taps = [unpack(data) for data in _all_data(rows)]
    assert taps[0] == RepeatMeal(987654321)
    assert taps[2] == AddFood("black_beans")
    menu = quick_menu_rows(REPLIES, choices)
    assert menu[:-1] == rows and menu[-1] == [(REPLIES.quick.cancel, pack(QuickCancel()))]


def test_every_button_fits_telegrams_64_bytes_and_reads_back() -> None:
    big = 10**18 - 1
    foods = [
        LoggedItem(f"food_{n}", "a very long food name, with a comma", "1 cup", 2999.9, 1.0)
        for n in range(3)
    ]
    rows = [
        *quick_rows(REPLIES, QuickChoices((replace(MEAL, checkin_id=big),), (ADDITION,))),
        *fix_rows(REPLIES, big, foods),
    ]
    for data in _all_data(rows):
        assert len(data.encode()) <= 64 and re.match(pattern(*MEAL_TAPS), data)
        assert isinstance(unpack(data), MEAL_TAPS), data


def test_fix_buttons_halve_or_double_each_food_as_an_absolute_amount() -> None:
    items = (
        LoggedItem("oatmeal", "oatmeal, cooked", "1 bowl (234 g)", 234.0, 63.2),
        LoggedItem("almonds", "almonds", "1 handful (28 g)", 28.0, 75.6),
    )
    rows = fix_rows(REPLIES, 42, items)
    assert [[label for label, _ in row] for row in rows] == [
        ["oatmeal, cooked ×½", "oatmeal, cooked ×2"],
        ["almonds ×½", "almonds ×2"],
        ["↩️ Undo"],
    ]
    assert unpack(rows[1][1][1]) == SetAmount(checkin_id=42, index=1, grams=56.0)
    assert unpack(rows[0][0][1]) == SetAmount(checkin_id=42, index=0, grams=117.0)
    assert unpack(rows[2][0][1]) == UndoCheckin(checkin_id=42)


def test_more_than_three_foods_get_one_change_amounts_button_that_opens_a_row_each() -> None:
    items = tuple(LoggedItem(f"f{n}", f"food {n}", "1 cup", 100.0, 10.0) for n in range(4))
    collapsed = fix_rows(REPLIES, 7, items)
    assert [[label for label, _ in row] for row in collapsed] == [["Change amounts", "↩️ Undo"]]
    assert unpack(collapsed[0][0][1]) == ChangeAmounts(checkin_id=7)
    assert len(fix_rows(REPLIES, 7, items, expanded=True)) == 5


def test_forged_or_old_callback_data_is_not_a_tap() -> None:
    for data in ("qm:", "qm:abc", "cp:1:2", "cp:1:100:5", "qa:Almonds", "cu:1:2", "zz:1", "qx:1"):
        assert unpack(data) is None, data


def _day(*entries: DayEntry) -> DaySummary:
    return DaySummary(
        date(2026, 11, 25), entries, sum(e.total_mg for e in entries), Target(320, 320)
    )


def test_today_lists_each_check_in_with_its_time_foods_and_an_undo_button() -> None:
    oats = LoggedItem("oatmeal", "oatmeal, cooked", "1 bowl (234 g)", 234.0, 63.2)
    almonds = LoggedItem("almonds", "almonds", "1 handful (28 g)", 28.0, 75.6)
    day = _day(
        DayEntry(11, time(8, 5), (oats, almonds), 138.8), DayEntry(12, time(13, 0), (oats,), 63.2)
    )
    text = today_text(REPLIES, day)
    assert text.startswith("Today, Wed 25 Nov: 2 check-ins")
    assert "🕒 08:05: 139 mg" in text and "• almonds, 1 handful (28 g): 76 mg" in text
    assert "Today so far: 202 mg of your 320 mg" in text
    rows = today_rows(REPLIES, day)
    assert rows[0] == [("Undo 08:05 (oatmeal, almonds)", "tu:11")]
    assert unpack(rows[1][0][1]) == UndoFromToday(checkin_id=12)
    assert "1 check-in\n" in today_text(REPLIES, _day(DayEntry(12, time(13), (oats,), 63.2)))


def test_undo_says_what_was_removed_and_the_new_day_total() -> None:
    removed = UndoResult(("banana",), 31.9, day_total_mg=100.0, target=Target(320, 320))
    text = undo_text(REPLIES, removed, last=True)
    assert text.startswith("Removed your last check-in (banana, 32 mg).")
    assert "Today so far: 100 mg of your 320 mg" in text


def _week(values: list[float], streak: int) -> WeekSummary:
    days = tuple((date(2026, 11, 19 + n), v) for n, v in enumerate(values))
    return WeekSummary(days, Target(320, 320), streak, logged_days=sum(1 for v in values if v))


def test_week_averages_over_the_days_with_check_ins_in_words_that_agree() -> None:
    three = week_caption(REPLIES, _week([0, 0, 200, 0, 100, 330, 0], streak=1))
    assert "On the 3 days you checked in, 210 mg a day on average." in three
    assert "1 day reached your 320 mg target." in three
    assert "Check-ins 1 day in a row." in three
    one = week_caption(REPLIES, _week([0, 0, 0, 0, 0, 0, 150], streak=2))
    assert "On the 1 day you checked in: 150 mg." in one
    assert "0 days reached" in one and "2 days in a row" in one
