import pytest

from nudgebot.features.meals.targets import Target, daily_target


@pytest.mark.parametrize(
    ("age", "sex", "life", "mg"),
    [
        ("14-18", "male", None, 410),
        ("14-18", "female", "neither", 360),
        ("14-18", "female", "pregnant", 400),
        ("14-18", "female", "breastfeeding", 360),
        ("19-30", "male", None, 400),
        ("19-30", "female", "neither", 310),
        ("19-30", "female", "pregnant", 350),
        ("19-30", "female", "breastfeeding", 310),
        ("31-50", "male", None, 420),
        ("31-50", "female", "neither", 320),
        ("31-50", "female", "pregnant", 360),
        ("31-50", "female", "breastfeeding", 320),
        ("51+", "male", None, 420),
        ("51+", "female", "neither", 320),
    ],
)
def test_nih_rda_for_every_complete_profile(age: str, sex: str, life: str | None, mg: int) -> None:
    assert daily_target(age, sex, life) == Target(mg, mg)


def test_no_profile_gives_the_adult_range_for_both_sexes() -> None:
    target = daily_target(None, None, None)
    assert (target.low, target.high) == (310, 420) and target.is_range


def test_unsaid_values_widen_to_what_they_could_mean() -> None:
    assert daily_target("unsaid", "unsaid", "unsaid") == Target(310, 420)
    assert daily_target("31-50", "unsaid", "unsaid") == Target(320, 420)
    assert daily_target(None, "female", "neither") == Target(310, 320)
    assert daily_target(None, "male", None) == Target(400, 420)
    assert daily_target("unsaid", "unsaid", "pregnant") == Target(320, 360)


def test_percent_is_given_against_both_ends_of_a_range() -> None:
    assert Target(310, 420).percent(210) == (50, 68)
    assert Target(400, 400).percent(100) == (25, 25)
