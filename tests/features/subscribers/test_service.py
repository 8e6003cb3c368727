from datetime import UTC, datetime, time, timedelta

import pytest

from nudgebot.content import load_catalog
from nudgebot.features.reminders import repo as reminders_repo
from nudgebot.features.reminders.rules import EVENING, WEEKLY
from nudgebot.features.subscribers import repo as users_repo
from nudgebot.features.subscribers.preferences import TOPICS, Flow
from nudgebot.features.subscribers.service import (
    Outcome,
    StartKind,
    SubscriberService,
    effective_status,
)
from nudgebot.features.tips.service import TipService
from nudgebot.platform.db import SessionMaker
from nudgebot.platform.models import User, UserTopic

USER = 1001


@pytest.fixture
def service(sessionmaker: SessionMaker) -> SubscriberService:
    return SubscriberService(sessionmaker)


async def _onboard(service: SubscriberService) -> None:
    await service.start(user_id=USER, chat_id=USER)
    await service.answer_text(user_id=USER, text="Berlin")
    await service.choose(user_id=USER, step="time", value="08:00")
    await service.choose(user_id=USER, step="topics", value="food")
    await service.choose(user_id=USER, step="topics", value="done")
    await service.choose(user_id=USER, step="profile", value="skip")
    await service.choose(user_id=USER, step="evening", value="off")


async def _to_step(service: SubscriberService, step: str) -> None:
    """A new subscriber answered every onboarding question before `step`."""
    await service.start(user_id=USER, chat_id=USER)
    answers = [
        ("tz", "UTC"),
        ("time", "07:00"),
        ("topics", "food"),
        ("topics", "done"),
        ("profile", "skip"),
    ]
    for answered, value in answers:
        if answered == step:
            return
        await service.choose(user_id=USER, step=answered, value=value)  # type: ignore[arg-type]


async def test_start_creates_a_subscriber_at_the_time_zone_question(
    service: SubscriberService,
) -> None:
    sub, kind = await service.start(user_id=USER, chat_id=USER)
    assert kind is StartKind.NEW
    assert sub.flow == Flow("onboarding", "tz")
    assert sub.topics == frozenset()  # a tap on a topic chooses it
    assert not sub.onboarded


async def test_start_again_mid_onboarding_continues_at_the_same_question(
    service: SubscriberService,
) -> None:
    await service.start(user_id=USER, chat_id=USER)
    await service.answer_text(user_id=USER, text="Europe/London")
    sub, kind = await service.start(user_id=USER, chat_id=USER)
    assert kind is StartKind.CONTINUE_ONBOARDING
    assert sub.flow == Flow("onboarding", "time")
    assert sub.timezone == "Europe/London"


async def test_full_onboarding_stores_every_answer(service: SubscriberService) -> None:
    await service.start(user_id=USER, chat_id=USER)
    result = await service.answer_text(user_id=USER, text="new york")
    assert result.outcome is Outcome.NEXT and result.detail == "New York City"
    result = await service.answer_text(user_id=USER, text="8:30pm")
    assert result.outcome is Outcome.NEXT
    result = await service.choose(user_id=USER, step="topics", value="food")
    assert result.outcome is Outcome.SAME_STEP
    assert result.subscriber is not None and result.subscriber.topics == {"food"}
    await service.choose(user_id=USER, step="topics", value="activity")
    await service.choose(user_id=USER, step="topics", value="done")
    await service.choose(user_id=USER, step="profile", value="age=31-50")
    await service.choose(user_id=USER, step="profile", value="sex=female")
    await service.choose(user_id=USER, step="profile", value="life=pregnant")
    result = await service.choose(user_id=USER, step="profile", value="done")
    assert not result.finished_onboarding
    assert result.subscriber is not None
    assert result.subscriber.flow == Flow("onboarding", "evening")
    result = await service.choose(user_id=USER, step="evening", value="21:00")
    assert result.finished_onboarding
    sub = await service.get(USER)
    assert sub is not None
    assert sub.onboarded and sub.flow is None
    assert sub.timezone == "America/New_York"
    assert sub.tip_time == time(20, 30)
    assert sub.topics == {"food", "activity"}
    assert (sub.age_band, sub.sex, sub.life_stage) == ("31-50", "female", "pregnant")
    assert sub.evening_time == time(21, 0)
    assert sub.weekly_summary  # on by default for a new subscriber


async def test_done_on_the_profile_records_unanswered_fields_as_unsaid(
    service: SubscriberService,
) -> None:
    await service.start(user_id=USER, chat_id=USER)
    await _to_step(service, "profile")
    await service.choose(user_id=USER, step="profile", value="age=19-30")
    await service.choose(user_id=USER, step="profile", value="done")
    sub = await service.get(USER)
    assert sub is not None
    assert (sub.age_band, sub.sex, sub.life_stage) == ("19-30", "unsaid", "unsaid")


async def test_invalid_typed_answers_keep_the_question_open(service: SubscriberService) -> None:
    await service.start(user_id=USER, chat_id=USER)
    result = await service.answer_text(user_id=USER, text="somewhere nice")
    assert result.outcome is Outcome.INVALID
    await service.answer_text(user_id=USER, text="UTC+2")
    result = await service.answer_text(user_id=USER, text="25:00")
    assert result.outcome is Outcome.INVALID
    sub = await service.get(USER)
    assert sub is not None and sub.flow == Flow("onboarding", "time")
    assert sub.timezone == "UTC+02:00"


async def test_onboarding_topics_need_one_chosen_before_done(service: SubscriberService) -> None:
    await _to_step(service, "topics")
    result = await service.choose(user_id=USER, step="topics", value="done")
    assert result.outcome is Outcome.NO_TOPIC
    assert result.subscriber is not None
    assert result.subscriber.flow == Flow("onboarding", "topics")
    await service.choose(user_id=USER, step="topics", value="stress")
    result = await service.choose(user_id=USER, step="topics", value="stress")
    assert result.outcome is Outcome.SAME_STEP  # back to none is fine while choosing
    assert result.subscriber is not None and result.subscriber.topics == frozenset()
    await service.choose(user_id=USER, step="topics", value="stress")
    result = await service.choose(user_id=USER, step="topics", value="done")
    assert result.outcome is Outcome.NEXT
    assert result.subscriber is not None and result.subscriber.topics == {"stress"}


async def test_last_topic_cannot_be_switched_off_in_settings(service: SubscriberService) -> None:
    await _onboard(service)
    await service.open_setting(user_id=USER, step="topics")
    result = await service.choose(user_id=USER, step="topics", value="food")
    assert result.outcome is Outcome.LAST_TOPIC
    assert result.subscriber is not None and result.subscriber.topics == {"food"}


@pytest.mark.parametrize(
    ("step", "value"),
    [
        ("tz", "Mars/Base"),
        ("time", "99:99"),
        ("topics", "gossip"),
        ("profile", "age=200"),
        ("profile", "sex=robot"),
        ("profile", "nonsense"),
        ("evening", "08:00"),  # not one of the evening times offered
        ("evening", "sometimes"),
        ("tz", "back"),  # the first question has nothing before it
    ],
)
async def test_forged_button_values_are_rejected(
    service: SubscriberService, step: str, value: str
) -> None:
    await _to_step(service, step)
    result = await service.choose(user_id=USER, step=step, value=value)  # type: ignore[arg-type]
    assert result.outcome is Outcome.INVALID


async def test_a_button_from_another_question_is_stale(service: SubscriberService) -> None:
    await service.start(user_id=USER, chat_id=USER)
    result = await service.choose(user_id=USER, step="time", value="08:00")
    assert result.outcome is Outcome.STALE
    sub = await service.get(USER)
    assert sub is not None and sub.tip_time is None


async def test_settings_change_one_preference_and_return_to_summary(
    service: SubscriberService,
) -> None:
    await _onboard(service)
    sub = await service.open_setting(user_id=USER, step="time")
    assert sub is not None and sub.flow == Flow("settings", "time")
    result = await service.answer_text(user_id=USER, text="06:45")
    assert result.outcome is Outcome.NEXT and not result.finished_onboarding
    assert result.subscriber is not None and result.subscriber.flow is None
    assert result.subscriber.tip_time == time(6, 45)


async def test_settings_cannot_jump_ahead_of_onboarding(service: SubscriberService) -> None:
    await service.start(user_id=USER, chat_id=USER)
    sub = await service.open_setting(user_id=USER, step="profile")
    assert sub is not None and sub.flow == Flow("onboarding", "tz")


async def test_a_near_spelling_offers_the_bigger_town_first_and_keeps_the_question(
    service: SubscriberService,
) -> None:
    await service.start(user_id=USER, chat_id=USER)
    result = await service.answer_text(user_id=USER, text="sidney")
    assert result.outcome is Outcome.CHOICES
    assert [c.key for c in result.zone_choices][:2] == ["Australia/Sydney", "America/New_York"]
    assert result.subscriber is not None and result.subscriber.timezone is None
    assert result.subscriber.flow == Flow("onboarding", "tz")
    result = await service.choose(user_id=USER, step="tz", value="Australia/Sydney")
    assert result.outcome is Outcome.NEXT
    assert result.subscriber is not None and result.subscriber.timezone == "Australia/Sydney"


async def test_neither_of_the_offered_zones_asks_to_type_again(service: SubscriberService) -> None:
    await service.start(user_id=USER, chat_id=USER)
    result = await service.choose(user_id=USER, step="tz", value="retype")
    assert result.outcome is Outcome.RETYPE
    assert result.subscriber is not None and result.subscriber.flow == Flow("onboarding", "tz")


async def test_a_greeting_is_not_taken_for_a_town(service: SubscriberService) -> None:
    await service.start(user_id=USER, chat_id=USER)
    result = await service.answer_text(user_id=USER, text="hola")
    assert result.outcome is Outcome.INVALID
    assert result.subscriber is not None and result.subscriber.timezone is None


async def test_a_country_with_one_zone_sets_it(service: SubscriberService) -> None:
    await service.start(user_id=USER, chat_id=USER)
    result = await service.answer_text(user_id=USER, text="India")
    assert result.outcome is Outcome.NEXT and result.detail == "India"
    assert result.subscriber is not None and result.subscriber.timezone == "Asia/Kolkata"


async def test_a_part_of_the_day_offers_its_times(service: SubscriberService) -> None:
    await _to_step(service, "time")
    result = await service.answer_text(user_id=USER, text="after breakfast")
    assert result.outcome is Outcome.CHOICES and result.day_part == "morning"
    assert result.subscriber is not None and result.subscriber.tip_time is None
    assert result.subscriber.flow == Flow("onboarding", "time")


async def test_back_returns_to_the_previous_question_and_keeps_answers(
    service: SubscriberService,
) -> None:
    await _to_step(service, "profile")
    result = await service.choose(user_id=USER, step="profile", value="back")
    assert result.outcome is Outcome.BACK
    assert result.subscriber is not None
    assert result.subscriber.flow == Flow("onboarding", "topics")
    assert result.subscriber.topics == {"food"}
    await service.choose(user_id=USER, step="topics", value="back")
    result = await service.choose(user_id=USER, step="time", value="back")
    assert result.subscriber is not None
    assert result.subscriber.flow == Flow("onboarding", "tz")
    assert (result.subscriber.timezone, result.subscriber.tip_time) == ("UTC", time(7))
    assert not result.subscriber.onboarded


async def test_evening_reminder_no_thanks_finishes_onboarding_with_it_off(
    service: SubscriberService,
) -> None:
    await _to_step(service, "evening")
    result = await service.choose(user_id=USER, step="evening", value="off")
    assert result.finished_onboarding
    assert result.subscriber is not None and result.subscriber.evening_time is None
    assert result.subscriber.weekly_summary


async def test_settings_change_and_turn_off_the_evening_reminder(
    service: SubscriberService, sessionmaker: SessionMaker
) -> None:
    await _onboard(service)
    await service.open_setting(user_id=USER, step="evening")
    result = await service.choose(user_id=USER, step="evening", value="19:00")
    assert result.outcome is Outcome.NEXT and result.subscriber is not None
    assert result.subscriber.evening_time == time(19) and result.subscriber.flow is None
    async with sessionmaker() as session:
        rows = await reminders_repo.get_reminders(session, user_id=USER)
    assert rows[EVENING].enabled and rows[EVENING].next_due_utc is not None
    await service.open_setting(user_id=USER, step="evening")
    result = await service.choose(user_id=USER, step="evening", value="off")
    assert result.subscriber is not None and result.subscriber.evening_time is None


async def test_a_new_time_zone_moves_the_evening_reminder(
    service: SubscriberService, sessionmaker: SessionMaker
) -> None:
    await _onboard(service)  # Europe/Berlin
    await service.open_setting(user_id=USER, step="evening")
    await service.choose(user_id=USER, step="evening", value="20:00")
    async with sessionmaker() as session:
        before = (await reminders_repo.get_reminders(session, user_id=USER))[EVENING]
    await service.open_setting(user_id=USER, step="tz")
    await service.answer_text(user_id=USER, text="Asia/Tokyo")
    async with sessionmaker() as session:
        after = (await reminders_repo.get_reminders(session, user_id=USER))[EVENING]
    assert before.next_due_utc is not None and after.next_due_utc is not None
    assert after.next_due_utc.hour == 11  # 20:00 in Tokyo (UTC+9)
    assert before.next_due_utc.hour in (18, 19)  # 20:00 in Berlin


async def test_weekly_summary_switches_on_and_off(service: SubscriberService) -> None:
    await _onboard(service)
    sub = await service.set_weekly_summary(user_id=USER, on=False)
    assert sub is not None and not sub.weekly_summary
    sub = await service.get(USER)
    assert sub is not None and not sub.weekly_summary
    sub = await service.set_weekly_summary(user_id=USER, on=True)
    assert sub is not None and sub.weekly_summary


async def test_a_subscriber_from_before_the_weekly_summary_has_it_off(
    service: SubscriberService, sessionmaker: SessionMaker
) -> None:
    await service.start(user_id=USER, chat_id=USER)
    async with sessionmaker.begin() as session:
        user = await users_repo.get_user(session, user_id=USER)
        assert user is not None
        user.flow, user.onboarded_at = None, datetime(2025, 1, 1, tzinfo=UTC)
    sub = await service.get(USER)
    assert sub is not None and sub.onboarded and not sub.weekly_summary
    async with sessionmaker() as session:
        assert WEEKLY not in await reminders_repo.get_reminders(session, user_id=USER)


async def test_weekly_summary_waits_for_onboarding(service: SubscriberService) -> None:
    await service.start(user_id=USER, chat_id=USER)
    assert await service.set_weekly_summary(user_id=USER, on=True) is None


async def test_pause_resume_stop_and_start_again(
    service: SubscriberService, sessionmaker: SessionMaker
) -> None:
    await _subscribed(sessionmaker)
    now = datetime(2026, 11, 25, 12, tzinfo=UTC)  # Wed 13:00 in Berlin, tips at 08:00
    paused = await service.pause(user_id=USER, days=3, now=now)
    assert paused is not None and not paused.kept
    sub = paused.subscriber
    assert sub.status == "paused" and paused.ends == now + timedelta(days=3)
    # The pause ends Sat 13:00; Saturday's 08:00 tip came before that, so Sunday's is next.
    assert paused.next_tip == sub.paused_until == datetime(2026, 11, 29, 7, tzinfo=UTC)
    assert effective_status(sub, now + timedelta(days=3)) == "paused"
    assert effective_status(sub, datetime(2026, 11, 29, 7, tzinfo=UTC)) == "active"
    sub = await service.resume(user_id=USER)
    assert sub is not None and (sub.status, sub.paused_until) == ("active", None)
    sub = await service.stop(user_id=USER)
    assert sub is not None and sub.status == "stopped"
    sub, kind = await service.start(user_id=USER, chat_id=USER)
    assert kind is StartKind.WELCOME_BACK
    assert sub.status == "active" and sub.timezone == "Europe/Berlin"


async def test_pause_until_resume_has_no_end(
    service: SubscriberService, sessionmaker: SessionMaker
) -> None:
    await _subscribed(sessionmaker)
    paused = await service.pause(user_id=USER, days=0)
    assert paused is not None and not paused.kept and paused.next_tip is None
    sub = paused.subscriber
    assert sub.status == "paused" and sub.paused_until is None


async def _subscribed(sm: SessionMaker, *, zone: str = "Europe/Berlin", at: time = time(8)) -> None:
    """An onboarded, active subscriber (written directly: these tests are about pausing)."""
    async with sm.begin() as session:
        session.add(
            User(
                id=USER,
                chat_id=USER,
                status="active",
                timezone=zone,
                tip_time=at,
                onboarded_at=datetime(2026, 1, 1, tzinfo=UTC),
            )
        )
        session.add_all(UserTopic(user_id=USER, topic=topic) for topic in TOPICS)


# Sat 5 Dec 2026, 08:00:10 in Berlin (UTC+1): just after the Saturday tip.
JUST_AFTER_A_TIP = datetime(2026, 12, 5, 7, 0, 10, tzinfo=UTC)
MONDAY_TIP = datetime(2026, 12, 7, 7, tzinfo=UTC)  # Mon 7 Dec, 08:00 in Berlin


async def test_a_snooze_skips_the_tip_that_falls_inside_it_and_names_the_next(
    service: SubscriberService, sessionmaker: SessionMaker
) -> None:
    await _subscribed(sessionmaker)
    paused = await service.pause(user_id=USER, days=1, now=JUST_AFTER_A_TIP)
    assert paused is not None and not paused.kept
    assert paused.ends == JUST_AFTER_A_TIP + timedelta(days=1)  # Sun 08:00:10
    assert paused.next_tip == paused.subscriber.paused_until == MONDAY_TIP


async def test_the_named_next_tip_is_the_one_the_scheduler_sends(
    service: SubscriberService, sessionmaker: SessionMaker
) -> None:
    await _subscribed(sessionmaker)
    async with sessionmaker.begin() as session:
        user = await session.get(User, USER)
        assert user is not None
        user.next_due_utc = datetime(2026, 12, 6, 7, tzinfo=UTC)  # Sunday's tip
    paused = await service.pause(user_id=USER, days=1, now=JUST_AFTER_A_TIP)
    assert paused is not None and paused.next_tip == MONDAY_TIP
    tips = TipService(sessionmaker, load_catalog())
    await tips.sync_library()
    # Sunday's pass runs a few seconds after the pause's own end: the tip still stays away.
    sunday = await tips.queue_due(now=datetime(2026, 12, 6, 7, 0, 20, tzinfo=UTC))
    assert (sunday.queued, sunday.skipped_inactive) == (0, 1)
    assert (await tips.queue_due(now=MONDAY_TIP)).queued == 1


async def test_a_pause_counts_days_on_the_persons_wall_clock_across_a_dst_change(
    service: SubscriberService, sessionmaker: SessionMaker
) -> None:
    await _subscribed(sessionmaker)
    # Sat 24 Oct 2026, 08:30 in Berlin (summer time); clocks go back that night.
    now = datetime(2026, 10, 24, 6, 30, tzinfo=UTC)
    paused = await service.pause(user_id=USER, days=1, now=now)
    assert paused is not None
    assert paused.ends == datetime(2026, 10, 25, 7, 30, tzinfo=UTC)  # Sun 08:30 winter time
    assert paused.next_tip == datetime(2026, 10, 26, 7, tzinfo=UTC)  # Mon 08:00, not Sun


async def test_a_snooze_during_a_longer_pause_keeps_the_longer_pause(
    service: SubscriberService, sessionmaker: SessionMaker
) -> None:
    await _subscribed(sessionmaker)
    week = await service.pause(user_id=USER, days=7, now=JUST_AFTER_A_TIP)
    assert week is not None
    snooze = await service.pause(user_id=USER, days=1, now=JUST_AFTER_A_TIP + timedelta(hours=2))
    assert snooze is not None and snooze.kept and snooze.ends is None
    assert snooze.subscriber.paused_until == week.subscriber.paused_until
    assert snooze.next_tip == week.next_tip == datetime(2026, 12, 13, 7, tzinfo=UTC)
    longer = await service.pause(user_id=USER, days=3, now=JUST_AFTER_A_TIP)
    assert longer is not None and longer.kept


async def test_a_longer_pause_replaces_a_shorter_one(
    service: SubscriberService, sessionmaker: SessionMaker
) -> None:
    await _subscribed(sessionmaker)
    await service.pause(user_id=USER, days=1, now=JUST_AFTER_A_TIP)
    longer = await service.pause(user_id=USER, days=3, now=JUST_AFTER_A_TIP)
    assert longer is not None and not longer.kept
    assert longer.next_tip == datetime(2026, 12, 9, 7, tzinfo=UTC)  # Wed, after Tue 08:00:10


async def test_a_snooze_or_pause_keeps_a_pause_until_resume(
    service: SubscriberService, sessionmaker: SessionMaker
) -> None:
    await _subscribed(sessionmaker)
    await service.pause(user_id=USER, days=0, now=JUST_AFTER_A_TIP)
    for days in (1, 7):
        kept = await service.pause(user_id=USER, days=days, now=JUST_AFTER_A_TIP)
        assert kept is not None and kept.kept and kept.next_tip is None
        assert (kept.subscriber.status, kept.subscriber.paused_until) == ("paused", None)


async def test_a_pause_that_has_ended_is_not_kept(
    service: SubscriberService, sessionmaker: SessionMaker
) -> None:
    await _subscribed(sessionmaker)
    await service.pause(user_id=USER, days=7, now=JUST_AFTER_A_TIP)
    later = JUST_AFTER_A_TIP + timedelta(days=9)
    again = await service.pause(user_id=USER, days=1, now=later)
    assert again is not None and not again.kept
    assert again.next_tip == datetime(2026, 12, 16, 7, tzinfo=UTC)


async def test_pause_rejects_lengths_not_offered(service: SubscriberService) -> None:
    await _onboard(service)
    with pytest.raises(ValueError, match="pause length"):
        await service.pause(user_id=USER, days=5)


async def test_unknown_users_get_no_changes(service: SubscriberService) -> None:
    assert await service.get(USER) is None
    assert await service.stop(user_id=USER) is None
    result = await service.answer_text(user_id=USER, text="Berlin")
    assert result.outcome is Outcome.UNKNOWN_USER
