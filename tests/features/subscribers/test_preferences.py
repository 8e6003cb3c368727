import pytest

from nudgebot.features.subscribers.preferences import (
    FIRST_STEP,
    Flow,
    after,
    asks_life_stage,
    before,
    toggle_topic,
    valid_profile_value,
)


def test_onboarding_asks_five_questions_in_order() -> None:
    flow: Flow | None = FIRST_STEP
    seen = []
    while flow is not None:
        seen.append(flow.step)
        flow = after(flow)
    assert seen == ["tz", "time", "topics", "profile", "evening"]


def test_back_goes_to_the_previous_onboarding_question_only() -> None:
    assert before(Flow("onboarding", "evening")) == Flow("onboarding", "profile")
    assert before(Flow("onboarding", "time")) == Flow("onboarding", "tz")
    assert before(FIRST_STEP) is None
    assert before(Flow("settings", "time")) is None


def test_a_settings_answer_returns_to_the_summary() -> None:
    assert after(Flow("settings", "tz")) is None


def test_flow_round_trips_through_its_stored_form() -> None:
    flow = Flow("settings", "topics")
    assert Flow.decode(flow.encode()) == flow


@pytest.mark.parametrize("stored", [None, "", "onboarding", "onboarding:diet", "wizard:tz"])
def test_unknown_stored_flow_reads_as_none(stored: str | None) -> None:
    assert Flow.decode(stored) is None


def test_toggle_topic_switches_one_topic() -> None:
    assert toggle_topic(frozenset({"food", "stress"}), "stress") == frozenset({"food"})
    assert toggle_topic(frozenset({"food"}), "activity") == frozenset({"food", "activity"})


def test_toggle_topic_keeps_at_least_one_on() -> None:
    assert toggle_topic(frozenset({"food"}), "food") is None


def test_toggle_topic_may_pass_through_none_while_choosing() -> None:
    assert toggle_topic(frozenset({"food"}), "food", keep_one=False) == frozenset()
    assert toggle_topic(frozenset(), "stress", keep_one=False) == frozenset({"stress"})


def test_profile_values_are_checked_including_prefer_not_to_say() -> None:
    assert valid_profile_value("age", "31-50")
    assert valid_profile_value("sex", "unsaid")
    assert not valid_profile_value("age", "99-120")
    assert not valid_profile_value("weight", "70")


def test_pregnancy_is_not_asked_of_someone_who_said_male() -> None:
    assert not asks_life_stage("male")
    assert asks_life_stage("female")
    assert asks_life_stage("unsaid")
    assert asks_life_stage(None)
