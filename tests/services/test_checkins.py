from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from nudgebot.features.meals.parser import MealEstimate, estimate_meal, load_index
from nudgebot.services.checkins import AnswerKind, CheckinKind, CheckinService, streak
from nudgebot.services.subscribers import SubscriberService
from nudgebot.store.db import SessionMaker
from nudgebot.store.models import Checkin, FoodChoice, FoodQuestion

TABLE = load_index()
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def meal(text: str) -> MealEstimate:
    return estimate_meal(text, TABLE)


def mg(text: str) -> float:
    """What the parser makes of a text, in mg (the figures come from usda.tsv)."""
    return round(meal(text).total_mg, 1)


@pytest.fixture
async def service(sessionmaker: SessionMaker) -> CheckinService:
    subs = SubscriberService(sessionmaker)
    await subs.start(user_id=1, chat_id=1)
    await subs.answer_text(user_id=1, text="Europe/Berlin")
    await subs.answer_text(user_id=1, text="08:00")
    await subs.choose(user_id=1, step="topics", value="done")
    for value in ("age=31-50", "sex=female", "life=neither", "done"):
        await subs.choose(user_id=1, step="profile", value=value)
    return CheckinService(sessionmaker, TABLE)


async def _count(sm: SessionMaker) -> int:
    async with sm() as session:
        return int((await session.execute(select(func.count()).select_from(Checkin))).scalar_one())


async def test_a_checkin_is_stored_and_totalled_against_the_personal_target(
    service: CheckinService, sessionmaker: SessionMaker
) -> None:
    result = await service.record(
        user_id=1,
        estimate=meal("oatmeal with almonds and a banana"),
        update_id=10,
        now=NOW,
    )
    assert result.kind is CheckinKind.RECORDED
    assert [i.food.id for i in result.estimate.items] == ["oatmeal", "almonds", "banana"]
    assert result.day_total_mg == pytest.approx(mg("oatmeal with almonds and a banana"))
    assert result.target is not None and (result.target.low, result.target.high) == (320, 320)
    assert 1 <= len(result.suggestions) <= 2
    assert not {f.id for f in result.suggestions} & {"oatmeal", "almonds", "banana"}
    second = await service.record(user_id=1, estimate=meal("½ cup spinach"), update_id=11, now=NOW)
    assert second.day_total_mg == pytest.approx(
        mg("oatmeal with almonds and a banana") + mg("½ cup spinach")
    )
    assert await _count(sessionmaker) == 2


async def test_the_same_update_replayed_after_a_crash_is_stored_once(
    service: CheckinService, sessionmaker: SessionMaker
) -> None:
    await service.record(user_id=1, estimate=meal("a banana"), update_id=42, now=NOW)
    again = await service.record(user_id=1, estimate=meal("a banana"), update_id=42, now=NOW)
    assert again.kind is CheckinKind.DUPLICATE
    assert again.day_total_mg == pytest.approx(mg("a banana"))
    assert await _count(sessionmaker) == 1


async def test_nothing_recognised_stores_nothing_and_names_the_text(
    service: CheckinService, sessionmaker: SessionMaker
) -> None:
    result = await service.record(user_id=1, estimate=meal("something zxqvy"), update_id=1, now=NOW)
    assert result.kind is CheckinKind.NOTHING_RECOGNISED
    assert result.estimate is not None and result.estimate.unknown == ("zxqvy",)
    assert await _count(sessionmaker) == 0


async def test_a_reply_with_a_referral_does_not_add_the_weekly_reminder(
    service: CheckinService,
) -> None:
    referred = await service.record(
        user_id=1, estimate=meal("oatmeal"), update_id=1, referred=True, now=NOW
    )
    next_day = await service.record(
        user_id=1, estimate=meal("a banana"), update_id=2, now=NOW + timedelta(days=1)
    )
    assert referred.kind is CheckinKind.RECORDED
    assert (referred.remind, next_day.remind) == (False, False)


async def test_after_warfarin_is_mentioned_no_vitamin_k_rich_food_is_suggested(
    service: CheckinService,
) -> None:
    rich = {f.id for f in TABLE.foods if f.vitamin_k_rich}
    assert {"spinach_cooked", "kale_cooked", "collard_greens", "swiss_chard"} <= rich
    await service.record(user_id=1, estimate=meal("a banana"), update_id=1, warfarin=True, now=NOW)
    suggested: set[str] = set()
    for n in range(2, 40):  # the seed varies the picks: every day of many
        result = await service.record(
            user_id=1, estimate=meal("a banana"), update_id=n, now=NOW + timedelta(days=n)
        )
        suggested |= {f.id for f in result.suggestions}
    assert suggested and not suggested & rich


async def test_without_warfarin_leafy_greens_are_suggested(service: CheckinService) -> None:
    suggested: set[str] = set()
    for n in range(1, 40):
        result = await service.record(
            user_id=1, estimate=meal("a banana"), update_id=n, now=NOW + timedelta(days=n)
        )
        suggested |= {f.id for f in result.suggestions}
    assert suggested & {f.id for f in TABLE.foods if f.vitamin_k_rich}


async def test_the_reminder_comes_at_most_weekly(service: CheckinService) -> None:
    first = await service.record(user_id=1, estimate=meal("a banana"), update_id=1, now=NOW)
    soon = await service.record(
        user_id=1, estimate=meal("a banana"), update_id=2, now=NOW + timedelta(days=3)
    )
    later = await service.record(
        user_id=1, estimate=meal("a banana"), update_id=3, now=NOW + timedelta(days=7)
    )
    assert (first.remind, soon.remind, later.remind) == (True, False, True)


async def test_today_undo_and_week(service: CheckinService) -> None:
    await service.record(
        user_id=1, estimate=meal("a banana"), update_id=1, now=NOW - timedelta(days=2)
    )
    await service.record(
        user_id=1, estimate=meal("a banana"), update_id=2, now=NOW - timedelta(days=1)
    )
    await service.record(user_id=1, estimate=meal("a handful of cashews"), update_id=3, now=NOW)
    await service.record(user_id=1, estimate=meal("a banana"), update_id=4, now=NOW)
    cashews, banana = mg("a handful of cashews"), mg("a banana")
    day = await service.today(user_id=1, now=NOW)
    assert day is not None and day.total_mg == pytest.approx(cashews + banana)
    assert [total for _, total in day.entries] == [cashews, banana]
    assert await service.undo(user_id=1) == ("banana", banana)
    week = await service.week(user_id=1, now=NOW)
    assert week is not None
    assert [total for _, total in week.days] == [0, 0, 0, 0, banana, banana, cashews]
    assert week.streak == 3


async def test_a_day_well_above_target_is_reported_as_reached(
    service: CheckinService,
) -> None:
    result = await service.record(
        user_id=1, estimate=meal("3 oz pumpkin seeds, 1 cup spinach"), update_id=1, now=NOW
    )
    assert result.target is not None and result.day_total_mg > result.target.high


def test_streak_counts_days_in_a_row_ending_today_or_yesterday() -> None:
    today = NOW.date()
    days = [today - timedelta(days=n) for n in (0, 1, 2, 4)]
    assert streak(days, today) == 3
    assert streak(days[1:], today) == 2
    assert streak([today - timedelta(days=3)], today) == 0
    assert streak([], today) == 0


async def _rows(sm: SessionMaker, model: type) -> list[object]:
    async with sm() as session:
        return list((await session.execute(select(model))).scalars())


async def test_an_unknown_food_is_asked_about_and_the_choice_added_and_remembered(
    service: CheckinService, sessionmaker: SessionMaker
) -> None:
    estimate = meal("a banana and a bowl of ackee pudding")
    result = await service.record(user_id=1, estimate=estimate, update_id=5, now=NOW)
    (question,) = result.questions
    assert question.phrase == "ackee pudding" and question.options
    answer = await service.answer(user_id=1, question_id=question.id, choice=0, now=NOW)
    assert answer.kind is AnswerKind.ADDED and answer.item is not None
    assert answer.day_total_mg == pytest.approx(mg("a banana") + answer.item.mg, abs=0.05)
    (checkin,) = await _rows(sessionmaker, Checkin)
    assert [i["food"] for i in checkin.items] == ["banana", question.options[0].id]  # type: ignore[attr-defined]
    again = await service.answer(user_id=1, question_id=question.id, choice=1, now=NOW)
    assert again.kind is AnswerKind.ALREADY
    assert len(await _rows(sessionmaker, Checkin)) == 1
    remembered = await service.remembered(user_id=1)
    assert remembered["ackee pudding"].id == question.options[0].id
    later = estimate_meal("ackee pudding", TABLE, remembered=remembered)
    assert [i.food.id for i in later.items] == [question.options[0].id]


async def test_a_choice_for_a_message_with_no_known_food_makes_a_new_checkin(
    service: CheckinService, sessionmaker: SessionMaker
) -> None:
    result = await service.record(user_id=1, estimate=meal("ackee pudding"), update_id=6, now=NOW)
    assert result.kind is CheckinKind.NOTHING_RECOGNISED and result.questions
    assert await _count(sessionmaker) == 0
    answer = await service.answer(user_id=1, question_id=result.questions[0].id, choice=0, now=NOW)
    assert answer.kind is AnswerKind.ADDED
    assert await _count(sessionmaker) == 1


async def test_none_of_these_adds_nothing_and_remembers_nothing(
    service: CheckinService, sessionmaker: SessionMaker
) -> None:
    result = await service.record(
        user_id=1, estimate=meal("a banana and ackee pudding"), update_id=7, now=NOW
    )
    answer = await service.answer(
        user_id=1, question_id=result.questions[0].id, choice=None, now=NOW
    )
    assert answer.kind is AnswerKind.NONE_OF_THESE
    assert await _rows(sessionmaker, FoodChoice) == []
    (checkin,) = await _rows(sessionmaker, Checkin)
    assert [i["food"] for i in checkin.items] == ["banana"]  # type: ignore[attr-defined]


async def test_someone_else_cannot_answer_a_question(service: CheckinService) -> None:
    result = await service.record(user_id=1, estimate=meal("ackee pudding"), update_id=8, now=NOW)
    answer = await service.answer(user_id=2, question_id=result.questions[0].id, choice=0, now=NOW)
    assert answer.kind is AnswerKind.ALREADY


async def test_a_replayed_update_asks_the_same_questions_once(
    service: CheckinService, sessionmaker: SessionMaker
) -> None:
    first = await service.record(
        user_id=1, estimate=meal("a banana and ackee pudding"), update_id=9, now=NOW
    )
    again = await service.record(
        user_id=1, estimate=meal("a banana and ackee pudding"), update_id=9, now=NOW
    )
    assert again.kind is CheckinKind.DUPLICATE
    assert [q.id for q in again.questions] == [q.id for q in first.questions]
    assert len(await _rows(sessionmaker, FoodQuestion)) == 1


async def test_suggestions_fit_the_cuisine_the_person_logs(service: CheckinService) -> None:
    indian = {f.id for f in TABLE.foods if "india" in f.cuisines}
    picked: set[str] = set()
    for n in range(1, 15):
        result = await service.record(
            user_id=1,
            estimate=meal("dal and 2 roti"),
            update_id=100 + n,
            now=NOW + timedelta(days=n),
        )
        picked |= {f.id for f in result.suggestions}
    assert picked & indian, picked
    everyday = {f.id for f in TABLE.foods if f.everyday}
    assert picked <= everyday


async def test_a_replayed_update_with_no_known_food_asks_once(
    service: CheckinService, sessionmaker: SessionMaker
) -> None:
    first = await service.record(user_id=1, estimate=meal("ackee pudding"), update_id=12, now=NOW)
    again = await service.record(user_id=1, estimate=meal("ackee pudding"), update_id=12, now=NOW)
    assert first.questions and [q.id for q in again.questions] == [q.id for q in first.questions]
    assert len(await _rows(sessionmaker, FoodQuestion)) == 1
