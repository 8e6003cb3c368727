"""The check-in reply and its "did you mean" keyboard, without Telegram."""

from __future__ import annotations

from nudgebot.content import load_content
from nudgebot.features.meals.parser import estimate_meal, load_index
from nudgebot.handlers.checkins import QUESTION_DATA, question_keyboard, render_checkin
from nudgebot.services.checkins import CheckinKind, CheckinResult, FoodQuestionView

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
        match = QUESTION_DATA.match(item)
        assert match is not None and len(item.encode()) <= 64
        assert match[1] == "123456789012"
        assert match[2] == (str(n) if n < len(data) - 1 else "x")
