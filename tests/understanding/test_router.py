"""The message router: the labelled corpus, the order of decisions, and its guarantees."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nudgebot.content import load_content
from nudgebot.features.meals.parser import load_index
from nudgebot.features.understanding.router import (
    AnswerKind,
    ChatKind,
    Command,
    Intent,
    Router,
    Safety,
    Verdict,
    build_router,
)
from nudgebot.features.understanding.triage import Referral, blood_pressure

HERE = Path(__file__).parent
CONTENT = load_content()
ROUTER: Router = build_router(CONTENT, load_index())
# The floor for each part of the corpus.
MINIMUMS = {
    "emergency": 120,
    "crisis": 30,
    "professional": 60,
    "question": 60,
    "chat": 30,
    "meal+harmless": 100,
}


def corpus() -> list[tuple[str, str]]:
    """(label, text) from every corpus file: one message a line, `label<TAB>text`."""
    rows = []
    for path in sorted(HERE.glob("corpus_*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                label, text = line.split("\t")
                rows.append((label, text))
    return rows


CORPUS = corpus()


def by_label(prefix: str) -> list[tuple[str, str]]:
    return [(label, text) for label, text in CORPUS if label.split(":")[0] == prefix]


def fits(label: str, verdict: Verdict) -> bool:
    """Whether a verdict is the right one for a corpus label."""
    kind, _, detail = label.partition(":")
    intent = verdict.intent
    if kind == "emergency":
        return intent is Intent.EMERGENCY
    if kind == "crisis":
        return intent is Intent.CRISIS or verdict.also_crisis
    if kind == "harmless":
        return not verdict.urgent
    if kind == "professional":
        wanted = {Referral(detail)}
        if detail == "pregnancy":
            wanted.add(Referral.PREGNANCY_PALPITATIONS)
        return not verdict.urgent and bool(wanted & set(verdict.referrals))
    if kind == "question":
        return intent is Intent.QUESTION and verdict.answer is not AnswerKind.UNANSWERED
    if kind == "command":
        return intent is Intent.COMMAND and verdict.command is Command(detail)
    if kind == "chat":
        return intent is Intent.CHAT
    if kind == "meal":
        return intent is Intent.MEAL
    if kind == "other":
        return intent in (Intent.OTHER, Intent.QUESTION, Intent.CHAT) and not verdict.referrals
    raise ValueError(f"unknown label {label!r}")


def misses(rows: list[tuple[str, str]]) -> list[str]:
    wrong = []
    for label, text in rows:
        verdict = ROUTER.route(text)
        if not fits(label, verdict):
            wrong.append(f"{label}: {text!r} -> {verdict.intent.value} {verdict.reason or ''}")
    return wrong


def test_the_corpus_is_large_and_varied_enough() -> None:
    counts = Counter(label.split(":")[0] for label, _ in CORPUS)
    counts["meal+harmless"] = counts["meal"] + counts["harmless"]
    assert len(CORPUS) >= 400
    for part, floor in MINIMUMS.items():
        assert counts[part] >= floor, part
    assert len({text.casefold() for _, text in CORPUS}) == len(CORPUS), "duplicate messages"


def test_every_emergency_in_the_corpus_gets_the_emergency_reply() -> None:
    assert misses(by_label("emergency")) == []


def test_every_crisis_in_the_corpus_gets_the_crisis_reply() -> None:
    assert misses(by_label("crisis")) == []


def test_at_most_three_percent_of_harmless_messages_are_flagged() -> None:
    rows = by_label("harmless") + by_label("meal")
    flagged = [m for m in misses(rows) if not m.startswith("meal")] + [
        text for label, text in by_label("meal") if ROUTER.route(text).urgent
    ]
    assert len(flagged) <= 0.03 * len(rows), flagged


def test_every_professional_topic_gets_its_referral() -> None:
    assert misses(by_label("professional")) == []


@pytest.mark.parametrize(
    ("prefix", "accuracy"),
    [("question", 0.97), ("command", 0.97), ("chat", 0.97), ("meal", 0.95), ("other", 0.95)],
)
def test_each_kind_of_message_is_recognised(prefix: str, accuracy: float) -> None:
    rows = by_label(prefix)
    wrong = misses(rows)
    assert len(wrong) <= (1 - accuracy) * len(rows), wrong


@pytest.mark.parametrize(
    "text",
    [
        "i take warfarin, is spinach ok",
        "on coumadin. had a big spinach salad",
        "I'm on blood thinners, can I eat kale?",
    ],
)
def test_warfarin_with_a_food_gets_the_warfarin_referral_and_the_meal(text: str) -> None:
    verdict = ROUTER.route(text)
    assert verdict.intent is Intent.MEAL and verdict.mentions_warfarin
    assert verdict.meal is not None and verdict.meal.items
    assert verdict.meal.unknown == ()


def test_a_very_high_reading_without_symptoms_is_urgent_advice_not_an_emergency() -> None:
    calm = ROUTER.route("bp 182/100 this morning, feel totally fine, no headache")
    assert calm.intent is Intent.QUESTION and Referral.HIGH_READING in calm.referrals
    with_symptom = ROUTER.route("bp 182/100 this morning and a bad headache")
    assert with_symptom.intent is Intent.EMERGENCY
    assert ROUTER.route("180/110 with a headache").intent is Intent.EMERGENCY
    assert Referral.HIGH_READING not in ROUTER.route("my bp was 130/85 today").referrals


def test_blood_pressure_readings_are_read_and_dates_are_not() -> None:
    reading = blood_pressure("bp 185 over 110")
    assert reading is not None and (reading.systolic, reading.diastolic) == (185, 110)
    assert blood_pressure("on 12/10 i had oatmeal") is None
    assert blood_pressure("2/3 cup of oats") is None
    high = blood_pressure("systolic 192 this morning")
    assert high is not None and high.crisis_level


def test_palpitations_alone_are_referred_and_with_dizziness_are_an_emergency() -> None:
    alone = ROUTER.route("my heart skips a beat sometimes after coffee")
    assert not alone.urgent and alone.referrals == (Referral.PALPITATIONS,)
    pregnant = ROUTER.route("im 30 weeks pregnant and get palpitations")
    assert Referral.PREGNANCY_PALPITATIONS in pregnant.referrals
    assert ROUTER.route("heart racing and i feel dizzy").intent is Intent.EMERGENCY


def test_an_emergency_wins_even_while_a_question_is_open() -> None:
    assert ROUTER.route("Berlin", awaiting_answer=True).intent is Intent.ANSWER
    verdict = ROUTER.route("my face is drooping on one side", awaiting_answer=True)
    assert verdict.intent is Intent.EMERGENCY and verdict.safety is Safety.EMERGENCY
    crisis = ROUTER.route("i want to end my life", awaiting_answer=True)
    assert crisis.intent is Intent.CRISIS


def test_an_emergency_that_also_speaks_of_suicide_carries_both() -> None:
    verdict = ROUTER.route("took a whole bottle of pills to end it and now my chest hurts")
    assert verdict.intent is Intent.EMERGENCY and verdict.also_crisis


@pytest.mark.parametrize(
    "text",
    [
        "this deadline is killing me",
        "i'm dying to try that new ramen place",
        "that cheesecake was to die for",
        "my feet are killing me after the hike",
        "killed it at the gym today",
        "did suicides at basketball practice",
        "cut myself chopping onions lol",
    ],
)
def test_figures_of_speech_are_not_a_crisis(text: str) -> None:
    assert not ROUTER.route(text).urgent


@pytest.mark.parametrize(
    ("text", "corrected"),
    [
        ("chets pain", "chest pain"),
        ("cant brethe", "cant breathe"),
        ("im taking a walk", "im taking a walk"),
        ("sweet potato", "sweet potato"),
    ],
)
def test_typos_of_key_words_are_corrected_and_real_words_left_alone(
    text: str, corrected: str
) -> None:
    assert ROUTER.normalise(text) == corrected


def test_questions_get_answers_and_small_talk_a_warm_line() -> None:
    target = ROUTER.route("what is my target?")
    assert target.intent is Intent.QUESTION and target.answer is AnswerKind.TARGET
    bp = ROUTER.route("is magnesium good for blood pressure?")
    assert bp.answer is AnswerKind.KNOWLEDGE and bp.entry is not None
    assert bp.entry.id == "mg_blood_pressure"
    food = ROUTER.route("how much magnesium is in a banana?")
    assert food.answer is AnswerKind.FOOD_INFO and food.meal is not None
    unknown = ROUTER.route("who won the football last night?")
    assert unknown.answer is AnswerKind.UNANSWERED
    assert ROUTER.route("thank you!").chat is ChatKind.THANKS
    assert ROUTER.route("hola").chat is ChatKind.GREETING
    assert ROUTER.route("👍").intent is Intent.CHAT


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("stop", Command.STOP),
        ("please stop sending me tips", Command.STOP),
        ("pause the tips for a week", Command.PAUSE),
        ("start again", Command.RESUME),
        ("help", Command.HELP),
        ("settings", Command.SETTINGS),
        ("delete my data", Command.FORGET),
    ],
)
def test_commands_in_words(text: str, command: Command) -> None:
    verdict = ROUTER.route(text)
    assert verdict.intent is Intent.COMMAND and verdict.command is command


def test_a_sentence_that_merely_contains_a_command_word_is_not_a_command() -> None:
    assert ROUTER.route("i want to stop eating so much sugar").intent is not Intent.COMMAND
    assert ROUTER.route("help me eat more greens").intent is not Intent.COMMAND


def test_nothing_known_and_no_sign_of_eating_is_not_a_meal() -> None:
    assert ROUTER.route("asdfgh").intent is Intent.OTHER
    assert ROUTER.route("what a day").intent is not Intent.MEAL


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=600), st.booleans())
def test_the_router_never_raises_and_always_returns_one_verdict(text: str, awaiting: bool) -> None:
    verdict = ROUTER.route(text, awaiting_answer=awaiting)
    assert isinstance(verdict, Verdict) and verdict.intent in set(Intent)
    if verdict.urgent:
        assert verdict.meal is None


LEXICON_WORDS = [
    *("i my chest pain had oatmeal with almonds stop is magnesium good for bp ?", "180/120"),
    *("warfarin kill myself lol thanks arm numb dad collapsed 2 cups no not",),
]
LEXICON_WORDS = [word for chunk in LEXICON_WORDS for word in chunk.split(" ")]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(LEXICON_WORDS),
        max_size=14,
    )
)
def test_word_salads_from_the_lexicon_never_raise(words: list[str]) -> None:
    ROUTER.route(" ".join(words))


@pytest.mark.parametrize(
    ("text", "urgent"),
    [
        ("no chest pain, just a bit tired after work", False),
        ("bp 185/100 but no headache and no chest pain", False),
        ("not sure if this is chest pain or heartburn", True),
        ("never had chest pain like this before", True),
        ("no chest pain but my face is drooping", True),
        ("I don't have chest pain but i cant breathe", True),
    ],
)
def test_only_a_symptom_negated_right_before_it_is_taken_out(text: str, urgent: bool) -> None:
    assert ROUTER.route(text).urgent is urgent
