from datetime import UTC, datetime, time, timedelta

import pytest

from nudgebot.domain.preferences import Flow
from nudgebot.services.subscribers import (
    Outcome,
    StartKind,
    SubscriberService,
    effective_status,
)
from nudgebot.store.db import SessionMaker

USER = 1001


@pytest.fixture
def service(sessionmaker: SessionMaker) -> SubscriberService:
    return SubscriberService(sessionmaker)


async def _onboard(service: SubscriberService) -> None:
    await service.start(user_id=USER, chat_id=USER)
    await service.answer_text(user_id=USER, text="Berlin")
    await service.choose(user_id=USER, step="time", value="08:00")
    await service.choose(user_id=USER, step="topics", value="done")
    await service.choose(user_id=USER, step="profile", value="skip")


async def test_start_creates_a_subscriber_at_the_time_zone_question(
    service: SubscriberService,
) -> None:
    sub, kind = await service.start(user_id=USER, chat_id=USER)
    assert kind is StartKind.NEW
    assert sub.flow == Flow("onboarding", "tz")
    assert sub.topics == {"food", "activity", "stress"}
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
    result = await service.choose(user_id=USER, step="topics", value="stress")
    assert result.outcome is Outcome.SAME_STEP
    await service.choose(user_id=USER, step="topics", value="done")
    await service.choose(user_id=USER, step="profile", value="age=31-50")
    await service.choose(user_id=USER, step="profile", value="sex=female")
    await service.choose(user_id=USER, step="profile", value="life=pregnant")
    result = await service.choose(user_id=USER, step="profile", value="done")
    assert result.finished_onboarding
    sub = await service.get(USER)
    assert sub is not None
    assert sub.onboarded and sub.flow is None
    assert sub.timezone == "America/New_York"
    assert sub.tip_time == time(20, 30)
    assert sub.topics == {"food", "activity"}
    assert (sub.age_band, sub.sex, sub.life_stage) == ("31-50", "female", "pregnant")


async def test_done_on_the_profile_records_unanswered_fields_as_unsaid(
    service: SubscriberService,
) -> None:
    await service.start(user_id=USER, chat_id=USER)
    await service.answer_text(user_id=USER, text="UTC")
    await service.choose(user_id=USER, step="time", value="07:00")
    await service.choose(user_id=USER, step="topics", value="done")
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


async def test_last_topic_cannot_be_switched_off(service: SubscriberService) -> None:
    await service.start(user_id=USER, chat_id=USER)
    await service.answer_text(user_id=USER, text="UTC")
    await service.choose(user_id=USER, step="time", value="07:00")
    await service.choose(user_id=USER, step="topics", value="food")
    await service.choose(user_id=USER, step="topics", value="activity")
    result = await service.choose(user_id=USER, step="topics", value="stress")
    assert result.outcome is Outcome.LAST_TOPIC
    assert result.subscriber is not None and result.subscriber.topics == {"stress"}


@pytest.mark.parametrize(
    ("step", "value"),
    [
        ("tz", "Mars/Base"),
        ("time", "99:99"),
        ("topics", "gossip"),
        ("profile", "age=200"),
        ("profile", "sex=robot"),
        ("profile", "nonsense"),
    ],
)
async def test_forged_button_values_are_rejected(
    service: SubscriberService, step: str, value: str
) -> None:
    await service.start(user_id=USER, chat_id=USER)
    # move the flow to the step under test
    if step != "tz":
        await service.answer_text(user_id=USER, text="UTC")
    if step in ("topics", "profile"):
        await service.choose(user_id=USER, step="time", value="07:00")
    if step == "profile":
        await service.choose(user_id=USER, step="topics", value="done")
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


async def test_pause_resume_stop_and_start_again(service: SubscriberService) -> None:
    await _onboard(service)
    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    sub = await service.pause(user_id=USER, days=3, now=now)
    assert sub is not None and sub.status == "paused"
    assert sub.paused_until == now + timedelta(days=3)
    assert effective_status(sub, now) == "paused"
    assert effective_status(sub, now + timedelta(days=3)) == "active"
    sub = await service.resume(user_id=USER)
    assert sub is not None and (sub.status, sub.paused_until) == ("active", None)
    sub = await service.stop(user_id=USER)
    assert sub is not None and sub.status == "stopped"
    sub, kind = await service.start(user_id=USER, chat_id=USER)
    assert kind is StartKind.WELCOME_BACK
    assert sub.status == "active" and sub.timezone == "Europe/Berlin"


async def test_pause_until_resume_has_no_end(service: SubscriberService) -> None:
    await _onboard(service)
    sub = await service.pause(user_id=USER, days=0)
    assert sub is not None and sub.status == "paused" and sub.paused_until is None


async def test_pause_rejects_lengths_not_offered(service: SubscriberService) -> None:
    await _onboard(service)
    with pytest.raises(ValueError, match="pause length"):
        await service.pause(user_id=USER, days=5)


async def test_unknown_users_get_no_changes(service: SubscriberService) -> None:
    assert await service.get(USER) is None
    assert await service.stop(user_id=USER) is None
    result = await service.answer_text(user_id=USER, text="Berlin")
    assert result.outcome is Outcome.UNKNOWN_USER
