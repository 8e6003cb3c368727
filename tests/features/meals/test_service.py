from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select, update

from nudgebot.features.meals.parser import MealEstimate, estimate_meal, load_index
from nudgebot.features.meals.service import (
    RECENT_DAYS,
    AnswerKind,
    CheckinKind,
    CheckinService,
    streak,
)
from nudgebot.features.subscribers.service import SubscriberService
from nudgebot.platform.db import SessionMaker
from nudgebot.platform.models import Checkin, FoodChoice, FoodQuestion, Reminder, User

TABLE = load_index()
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def meal(text: str) -> MealEstimate:
    return estimate_meal(text, TABLE)


def mg(text: str) -> float:
    """What the parser makes of a text, in mg (the figures come from usda.tsv)."""
    return round(meal(text).total_mg, 1)


@pytest.fixture
async def service(sessionmaker: SessionMaker) -> CheckinService:
    await SubscriberService(sessionmaker).start(user_id=1, chat_id=1)
    # set up as onboarding leaves it (the steps themselves are tested with the subscribers)
    async with sessionmaker.begin() as session:
        await session.execute(
            update(User)
            .where(User.id == 1)
            .values(
                flow=None,
                onboarded_at=NOW - timedelta(days=30),
                timezone="Europe/Berlin",
                tip_time=time(8),
                age_band="31-50",
                sex="female",
                life_stage="neither",
            )
        )
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
    assert [entry.total_mg for entry in day.entries] == [cashews, banana]
    assert [[i.name for i in entry.items] for entry in day.entries] == [
        ["cashews, dry roasted"],
        ["banana"],
    ]
    assert day.entries[0].local_time == time(13)  # 12:00 UTC in Berlin (winter)
    removed = await service.undo(user_id=1, now=NOW)
    assert removed is not None and (removed.foods, removed.mg) == (("banana",), banana)
    assert removed.day_total_mg == pytest.approx(cashews)  # the new day total
    week = await service.week(user_id=1, now=NOW)
    assert week is not None
    assert [total for _, total in week.days] == [0, 0, 0, 0, banana, banana, cashews]
    assert week.streak == 3
    assert week.logged_days == 3
    assert week.average_mg == pytest.approx((2 * banana + cashews) / 3)  # not over seven


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


# ------------------------------------------------------------------ one-tap check-ins

BREAKFAST_TIME = datetime(2026, 11, 24, 6, 30, tzinfo=UTC)  # 07:30 in Berlin, yesterday
MORNING = datetime(2026, 11, 25, 7, tzinfo=UTC)  # 08:00 in Berlin, today


async def test_a_new_subscriber_is_offered_only_the_everyday_additions(
    service: CheckinService,
) -> None:
    choices = await service.quick_choices(user_id=1, now=MORNING)
    assert choices.meals == ()
    assert [a.food_id for a in choices.additions] == [
        "almonds",
        "black_beans",
        "bread_whole_wheat",
        "banana",
    ]


async def test_yesterdays_breakfast_is_offered_once_with_its_foods_and_total(
    service: CheckinService,
) -> None:
    text = "oatmeal with almonds and a banana"
    await service.record(user_id=1, estimate=meal(text), update_id=1, now=BREAKFAST_TIME)
    await service.record(
        user_id=1,
        estimate=meal("a banana, almonds and oatmeal"),
        update_id=2,
        now=BREAKFAST_TIME - timedelta(days=2),
    )
    await service.record(
        user_id=1,
        estimate=meal("lentil soup"),
        update_id=3,
        now=BREAKFAST_TIME + timedelta(hours=6),
    )
    choices = await service.quick_choices(user_id=1, now=MORNING)
    first, second = choices.meals
    assert (first.meal, first.days_ago, first.times) == ("breakfast", 1, 2)
    assert first.foods == ("oatmeal, cooked", "almonds", "banana")
    assert first.total_mg == pytest.approx(mg(text))
    assert (second.meal, second.days_ago) == ("lunch", 1)


async def test_the_choices_of_many_people_at_once_are_each_persons_own(
    service: CheckinService, sessionmaker: SessionMaker
) -> None:
    # The evening reminders of a pass read everyone's buttons in two queries: the same answer.
    await SubscriberService(sessionmaker).start(user_id=2, chat_id=2)
    await service.record(
        user_id=1, estimate=meal("oatmeal with almonds"), update_id=1, now=BREAKFAST_TIME
    )
    await service.record(
        user_id=1,
        estimate=meal("lentil soup"),
        update_id=2,
        now=MORNING - timedelta(days=RECENT_DAYS + 1),  # read, but too old to offer
    )
    await service.record(user_id=2, estimate=meal("spinach"), update_id=3, now=BREAKFAST_TIME)
    await service.note_warfarin(user_id=2)
    many = await service.quick_choices_of(user_ids=[1, 2, 404], now=MORNING)
    assert set(many) == {1, 2}
    for uid in (1, 2):
        assert many[uid] == await service.quick_choices(user_id=uid, now=MORNING)
    assert [m.foods for m in many[1].meals] == [("oatmeal, cooked", "almonds")]


async def test_a_tap_on_a_recent_meal_logs_it_again_today_once(
    service: CheckinService, sessionmaker: SessionMaker
) -> None:
    text = "oatmeal with almonds and a banana"
    await service.record(user_id=1, estimate=meal(text), update_id=1, now=BREAKFAST_TIME)
    (recent,) = (await service.quick_choices(user_id=1, now=MORNING)).meals
    result = await service.log_again(user_id=1, checkin_id=recent.checkin_id, key=-123, now=MORNING)
    assert result.kind is CheckinKind.RECORDED and result.checkin_id != recent.checkin_id
    assert [i.food_id for i in result.logged] == ["oatmeal", "almonds", "banana"]
    assert result.meal_mg == pytest.approx(mg(text))
    assert result.day_total_mg == pytest.approx(mg(text))  # today's only check-in
    assert result.target is not None and result.suggestions
    again = await service.log_again(user_id=1, checkin_id=recent.checkin_id, key=-123, now=MORNING)
    assert again.kind is CheckinKind.DUPLICATE and again.checkin_id == result.checkin_id
    assert again.day_total_mg == pytest.approx(mg(text))
    assert await _count(sessionmaker) == 2
    day = await service.today(user_id=1, now=MORNING)
    assert day is not None and day.entries[0].local_time == time(8)


async def test_a_meal_that_is_gone_or_someone_elses_logs_nothing(
    service: CheckinService, sessionmaker: SessionMaker
) -> None:
    await SubscriberService(sessionmaker).start(user_id=2, chat_id=2)
    await service.record(user_id=1, estimate=meal("a banana"), update_id=1, now=BREAKFAST_TIME)
    (recent,) = (await service.quick_choices(user_id=1, now=MORNING)).meals
    theirs = await service.log_again(user_id=2, checkin_id=recent.checkin_id, key=-1, now=MORNING)
    assert theirs.kind is CheckinKind.GONE
    await service.undo(user_id=1, checkin_id=recent.checkin_id, now=MORNING)
    gone = await service.log_again(user_id=1, checkin_id=recent.checkin_id, key=-2, now=MORNING)
    assert gone.kind is CheckinKind.GONE
    assert await _count(sessionmaker) == 0


async def test_a_tap_on_an_addition_logs_its_standard_portion_once(
    service: CheckinService, sessionmaker: SessionMaker
) -> None:
    result = await service.log_addition(user_id=1, food_id="black_beans", key=-7, now=MORNING)
    assert result.kind is CheckinKind.RECORDED
    (item,) = result.logged
    assert item.food_id == "black_beans" and item.portion.startswith("1 cup")
    assert result.day_total_mg == pytest.approx(item.mg)
    again = await service.log_addition(user_id=1, food_id="black_beans", key=-7, now=MORNING)
    assert again.kind is CheckinKind.DUPLICATE
    unknown = await service.log_addition(user_id=1, food_id="no_such_food", key=-8, now=MORNING)
    assert unknown.kind is CheckinKind.GONE
    assert await _count(sessionmaker) == 1


async def test_additions_leave_out_vitamin_k_greens_after_warfarin(
    service: CheckinService,
) -> None:
    for n in range(3):
        await service.record(
            user_id=1, estimate=meal("spinach"), update_id=n + 1, now=BREAKFAST_TIME
        )
    liked = await service.quick_choices(user_id=1, now=MORNING)
    assert liked.additions[0].food_id == "spinach_cooked"
    await service.note_warfarin(user_id=1)
    careful = await service.quick_choices(user_id=1, now=MORNING)
    rich = {f.id for f in TABLE.foods if f.vitamin_k_rich}
    assert careful.additions and not {a.food_id for a in careful.additions} & rich


async def test_doubling_a_food_updates_its_amount_the_meal_and_the_day_once(
    service: CheckinService,
) -> None:
    first = await service.record(
        user_id=1, estimate=meal("oatmeal with almonds"), update_id=1, now=MORNING
    )
    assert first.checkin_id is not None
    almonds = first.logged[1]
    doubled = await service.change_amount(
        user_id=1, checkin_id=first.checkin_id, index=1, grams=almonds.grams * 2, now=MORNING
    )
    assert doubled.kind is CheckinKind.CHANGED
    assert doubled.logged[1].grams == pytest.approx(56)
    assert doubled.logged[1].mg == pytest.approx(almonds.mg * 2, abs=0.1)
    assert doubled.logged[1].portion == "2 handfuls (56 g)"
    assert doubled.day_total_mg == pytest.approx(first.day_total_mg + almonds.mg, abs=0.1)
    replayed = await service.change_amount(
        user_id=1, checkin_id=first.checkin_id, index=1, grams=almonds.grams * 2, now=MORNING
    )
    assert replayed.day_total_mg == pytest.approx(doubled.day_total_mg)  # not four times
    halved = await service.change_amount(
        user_id=1,
        checkin_id=first.checkin_id,
        index=0,
        grams=first.logged[0].grams / 2,
        now=MORNING,
    )
    assert halved.logged[0].mg == pytest.approx(first.logged[0].mg / 2, abs=0.1)
    day = await service.today(user_id=1, now=MORNING)
    assert day is not None and day.total_mg == pytest.approx(halved.day_total_mg)


async def test_amounts_out_of_range_or_of_someone_elses_check_in_change_nothing(
    service: CheckinService, sessionmaker: SessionMaker
) -> None:
    await SubscriberService(sessionmaker).start(user_id=2, chat_id=2)
    first = await service.record(user_id=1, estimate=meal("a banana"), update_id=1, now=MORNING)
    assert first.checkin_id is not None
    theirs = await service.change_amount(
        user_id=2, checkin_id=first.checkin_id, index=0, grams=236, now=MORNING
    )
    assert theirs.kind is CheckinKind.GONE
    no_item = await service.change_amount(
        user_id=1, checkin_id=first.checkin_id, index=5, grams=236, now=MORNING
    )
    assert no_item.kind is CheckinKind.GONE
    too_much = await service.change_amount(
        user_id=1, checkin_id=first.checkin_id, index=0, grams=9999, now=MORNING
    )
    assert too_much.logged == first.logged


async def test_undoing_one_check_in_by_id_is_only_for_its_owner_and_only_once(
    service: CheckinService, sessionmaker: SessionMaker
) -> None:
    await SubscriberService(sessionmaker).start(user_id=2, chat_id=2)
    first = await service.record(user_id=1, estimate=meal("a banana"), update_id=1, now=MORNING)
    await service.record(user_id=1, estimate=meal("almonds"), update_id=2, now=MORNING)
    assert first.checkin_id is not None
    assert await service.undo(user_id=2, checkin_id=first.checkin_id, now=MORNING) is None
    removed = await service.undo(user_id=1, checkin_id=first.checkin_id, now=MORNING)
    assert removed is not None and removed.foods == ("banana",)
    assert removed.day_total_mg == pytest.approx(mg("almonds"))
    assert await service.undo(user_id=1, checkin_id=first.checkin_id, now=MORNING) is None
    assert await _count(sessionmaker) == 1


async def _ignored(sm: SessionMaker) -> int:
    async with sm() as session:
        row = await session.get(Reminder, (1, "evening"))
        assert row is not None
        return row.ignored


async def _ignore_evenings(sm: SessionMaker) -> None:
    async with sm.begin() as session:
        session.add(Reminder(user_id=1, kind="evening", enabled=True, at_time=time(20), ignored=2))


@pytest.mark.parametrize("path", ["typed", "meal", "addition", "answer"])
async def test_every_check_in_path_resets_the_ignored_evening_reminders(
    service: CheckinService, sessionmaker: SessionMaker, path: str
) -> None:
    earlier = await service.record(
        user_id=1, estimate=meal("a banana and ackee pudding"), update_id=1, now=BREAKFAST_TIME
    )
    assert earlier.checkin_id is not None
    await _ignore_evenings(sessionmaker)
    assert await _ignored(sessionmaker) == 2
    if path == "typed":
        await service.record(user_id=1, estimate=meal("almonds"), update_id=2, now=MORNING)
    elif path == "meal":
        await service.log_again(user_id=1, checkin_id=earlier.checkin_id, key=-3, now=MORNING)
    elif path == "addition":
        await service.log_addition(user_id=1, food_id="almonds", key=-4, now=MORNING)
    else:
        await service.answer(user_id=1, question_id=earlier.questions[0].id, choice=0, now=MORNING)
    assert await _ignored(sessionmaker) == 0
