import pytest
from hypothesis import given
from hypothesis import strategies as st

from nudgebot.domain.safety import Safety, classify, mentions_supplements


@pytest.mark.parametrize(
    "text",
    [
        "I have chest pain",
        "chest pain after lunch, oatmeal with almonds",
        "there's pressure in my chest",
        "my chest feels tight... chest tightness since this morning",
        "crushing feeling in my chest",
        "I fainted this morning",
        "I passed out after breakfast",
        "I can't breathe properly",
        "severe shortness of breath",
        "sudden shortness of breath while sitting",
        "my heart is racing and I feel dizzy",
        "irregular heartbeat and lightheaded",
        "palpitations and dizziness",
        "my face is drooping",
        "slurred speech and my arm feels weak",
        "I think I'm having a stroke",
        "sudden numbness on one side",
        "worst headache of my life",
        "Chest pain!!",
        "CHEST PRESSURE",
        "I think it's a heart attack",
    ],
)
def test_red_flags_get_the_emergency_reply(text: str) -> None:
    assert classify(text) is Safety.EMERGENCY


@pytest.mark.parametrize(
    "text",
    [
        "chest day at the gym, then a protein shake and a banana",
        "grilled chicken breast with brown rice",
        "salad with hearts of palm and artichoke hearts",
        "a heart-healthy breakfast: oatmeal",
        "oatmeal with almonds and a banana",
        "did my breathing exercises and had some yogurt",
        "chest press at the gym, then salmon",
        "out of breath after the stairs, had an apple",
        "a stroke of luck: found dark chocolate",
        "2 slices whole wheat toast, peanut butter",
    ],
)
def test_near_misses_are_not_red_flags(text: str) -> None:
    assert classify(text) is not Safety.EMERGENCY


@pytest.mark.parametrize(
    "text",
    [
        "should I take a magnesium supplement?",
        "I take magnesium citrate every night",
        "is 500 mg magnesium too much",
        "magnesium glycinate 400mg",
        "I had spinach and my magnesium pills",
        "how much magnesium should I take",
        "I have kidney disease, can I eat nuts?",
        "I'm on beta blockers, is spinach ok",
        "I'm pregnant, what should I eat",
        "I'm breastfeeding",
        "does my heart medication interact with magnesium",
        "my heart races sometimes after coffee",
        "epsom salt bath",
    ],
)
def test_supplements_conditions_and_medication_go_to_a_professional(text: str) -> None:
    assert classify(text) is Safety.PROFESSIONAL


def test_ordinary_meals_are_not_flagged() -> None:
    assert classify("½ cup spinach, 100 g salmon") is None
    assert classify("a handful of cashews") is None
    assert classify("") is None


def test_supplement_mentions_are_recognised() -> None:
    assert mentions_supplements("two magnesium tablets")
    assert not mentions_supplements("two bananas")


@given(st.text(max_size=2000))
def test_classify_never_raises(text: str) -> None:
    classify(text)
