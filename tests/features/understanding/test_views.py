"""The router's replies in words: fast unit tests, no Telegram."""

from __future__ import annotations

import re

from nudgebot.content import load_content
from nudgebot.features.understanding import views
from nudgebot.features.understanding.router import ChatKind, Intent, Safety, Verdict
from nudgebot.features.understanding.triage import Referral
from tests.features.understanding.test_router import ROUTER

R = load_content().replies
FOOD_WORDS = re.compile(r"\b(?:magnesium|spinach|almonds?|food|meal|eat|ate|tip)\b", re.IGNORECASE)


def test_the_emergency_reply_names_emergency_numbers_and_no_food() -> None:
    text = views.urgent_text(R, ROUTER.route("crushing chest pain and my arm is numb"))
    assert "112" in text and "911" in text and "999" in text
    assert not FOOD_WORDS.search(text)


def test_the_crisis_reply_names_crisis_lines_and_no_food() -> None:
    text = views.urgent_text(R, ROUTER.route("i want to end it all"))
    assert "988" in text and "116 123" in text and "findahelpline.com" in text
    assert not FOOD_WORDS.search(text)


def test_an_emergency_with_suicidal_words_gets_both_replies() -> None:
    verdict = Verdict(Intent.EMERGENCY, Safety.EMERGENCY, "collapse", also_crisis=True)
    text = views.urgent_text(R, verdict)
    assert R.safety.emergency in text and R.safety.crisis in text


def test_every_referral_names_its_source() -> None:
    assert set(type(R.referral).model_fields) == {referral.value for referral in Referral}
    for referral in Referral:
        assert "Source:" in R.referral.text(referral.value), referral


def test_referrals_come_most_specific_first_and_at_most_three() -> None:
    text = views.referral_text(
        R,
        (Referral.SUPPLEMENT, Referral.PPI, Referral.DIURETIC, Referral.KIDNEY),
    )
    assert text.index("upper limit") < text.index("Proton-pump")
    assert "kidney team" not in text


def test_the_target_answer_gives_the_persons_own_figure_and_how_it_was_set() -> None:
    own = views.target_text(R, age_band="31-50", sex="female", life_stage=None, set_up=True)
    assert "320 mg" in own and "31–50" in own and "Female" in own
    pregnant = views.target_text(
        R, age_band="19-30", sex="female", life_stage="pregnant", set_up=True
    )
    assert "350 mg" in pregnant and "Pregnant" in pregnant
    unknown = views.target_text(R, age_band=None, sex=None, life_stage=None, set_up=True)
    assert "310–420 mg" in unknown and "/settings" in unknown
    newcomer = views.target_text(R, age_band=None, sex=None, life_stage=None, set_up=False)
    assert "/start" in newcomer


def test_a_supplement_question_is_answered_once_by_the_referral() -> None:
    verdict = ROUTER.route("should i take a magnesium supplement?")
    text = views.answer_text(R, verdict)
    assert text.count("350 mg") == 1 and "Source:" in text


def test_a_knowledge_answer_ends_with_its_source() -> None:
    verdict = ROUTER.route("how much sleep do i need?")
    text = views.answer_text(R, verdict)
    assert verdict.entry is not None and text.endswith(f"Source: {verdict.entry.source}")


def test_food_info_is_an_estimate_and_says_it_was_not_logged() -> None:
    text = views.answer_text(R, ROUTER.route("how much magnesium is in a banana?"))
    assert "banana" in text and "32 mg" in text and "haven't logged" in text


def test_an_unanswerable_question_is_honest_and_never_about_food_not_found() -> None:
    text = views.answer_text(R, ROUTER.route("what's the capital of peru?"))
    assert "can't answer that one" in text and "couldn't find a food" not in text
    assert "doctor" in text


def test_small_talk_tells_a_newcomer_how_to_start() -> None:
    assert "/start" in views.chat_text(R, ChatKind.GREETING, set_up=False)
    assert "/start" not in views.chat_text(R, ChatKind.THANKS, set_up=True)
