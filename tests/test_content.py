import re
import shutil
from pathlib import Path

import pytest

from nudgebot.content import MESSAGES_DIR, ContentError, load_content


@pytest.fixture
def messages_copy(tmp_path: Path) -> Path:
    target = tmp_path / "messages"
    shutil.copytree(MESSAGES_DIR, target)
    return target


def test_shipped_messages_load() -> None:
    content = load_content()
    assert "{name}" in content.replies.onboarding.welcome
    assert content.replies.labels.topics["food"]


def test_welcome_says_it_is_no_substitute_for_a_professional() -> None:
    welcome = load_content().replies.onboarding.welcome.lower()
    assert "no substitute" in welcome and "professional" in welcome


def test_help_lists_every_command_in_the_menu() -> None:
    replies = load_content().replies
    for command in replies.commands.model_dump():
        assert f"/{command}" in replies.general.help


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_missing_key_stops_the_start_naming_file_and_key(messages_copy: Path) -> None:
    _edit(messages_copy / "replies.toml", 'unknown = "', 'unknown_typo = "')
    with pytest.raises(ContentError) as err:
        load_content(messages_copy)
    assert "replies.toml" in str(err.value)
    assert "general.unknown" in str(err.value)


def test_unknown_placeholder_stops_the_start(messages_copy: Path) -> None:
    _edit(messages_copy / "replies.toml", "Time zone: {zone}.", "Time zone: {zona}.")
    with pytest.raises(ContentError, match=r"onboarding.tz_set.*\{zona\}"):
        load_content(messages_copy)


def test_missing_topic_label_stops_the_start(messages_copy: Path) -> None:
    _edit(messages_copy / "replies.toml", 'stress = "Stress"\n', "")
    with pytest.raises(ContentError, match="missing topics: stress"):
        load_content(messages_copy)


def test_broken_toml_names_the_file(messages_copy: Path) -> None:
    (messages_copy / "replies.toml").write_text("[general\n")
    with pytest.raises(ContentError, match=r"replies.toml: not valid TOML"):
        load_content(messages_copy)


def test_tip_library_has_at_least_30_tips_per_topic_and_90_in_all() -> None:
    tips = load_content().tips
    per_topic = {
        topic: sum(1 for t in tips if t.topic == topic) for topic in ("food", "activity", "stress")
    }
    assert len(tips) >= 90
    assert min(per_topic.values()) >= 30, per_topic


def test_every_tip_is_short_sourced_and_uniquely_identified() -> None:
    tips = load_content().tips
    assert len({t.id for t in tips}) == len(tips)
    for tip in tips:
        assert len(tip.text) <= 500, tip.id
        assert tip.source.strip(), tip.id


def test_about_one_tip_in_seven_reminds_of_a_professional() -> None:
    tips = load_content().tips
    flagged = [t for t in tips if t.see_professional]
    assert 0.10 <= len(flagged) / len(tips) <= 0.20
    words = (
        "doctor",
        "dietitian",
        "professional",
        "pharmacist",
        "midwife",
        "care team",
        "physiotherapist",
    )
    for tip in flagged:
        assert any(w in tip.text.lower() for w in words), tip.id
    assert {t.topic for t in flagged} == {"food", "activity", "stress"}


@pytest.mark.parametrize(
    "pattern",
    [
        r"\btake (a|an|some|your)?\s*(magnesium )?supplement",
        r"\b\d+\s*mg\b[^.]*\b(supplement|pill|tablet|capsule)s?\b(?![^.]*(upper limit|too much))",
        r"\b(try|consider|start) (taking )?(a |an )?(magnesium )?(supplement|pill|tablet)",
        r"\b(pill|capsule|tablet)s? (a|per|each) day",
    ],
)
def test_no_tip_recommends_a_supplement_or_a_dose(pattern: str) -> None:
    import re

    for tip in load_content().tips:
        assert not re.search(pattern, tip.text, re.IGNORECASE), (tip.id, tip.text)


def test_tips_that_mention_supplements_send_people_to_a_professional() -> None:
    for tip in load_content().tips:
        if "supplement" in tip.text.lower():
            text = tip.text.lower()
            assert any(
                w in text
                for w in ("professional", "doctor", "pharmacist", "upper limit", "dietitian")
            ), tip.id


def test_a_bad_tip_stops_the_start_naming_file_and_entry(messages_copy: Path) -> None:
    path = messages_copy / "tips.toml"
    text = path.read_text()
    path.write_text(text.replace('topic = "food"', 'topic = "gossip"', 1))
    with pytest.raises(ContentError) as err:
        load_content(messages_copy)
    assert "tips.toml" in str(err.value) and "food-001" in str(err.value)


def test_a_duplicate_tip_id_stops_the_start(messages_copy: Path) -> None:
    path = messages_copy / "tips.toml"
    path.write_text(path.read_text().replace('id = "food-002"', 'id = "food-001"', 1))
    with pytest.raises(ContentError, match=r"food-001.*used twice"):
        load_content(messages_copy)


def test_an_overlong_tip_stops_the_start(messages_copy: Path) -> None:
    path = messages_copy / "tips.toml"
    text = path.read_text()
    start = text.index('text = "', text.index('id = "stress-003"')) + len('text = "')
    path.write_text(text[:start] + "x" * 600 + text[start:])
    with pytest.raises(ContentError, match="stress-003"):
        load_content(messages_copy)


def test_a_missing_crisis_text_stops_the_start(messages_copy: Path) -> None:
    _edit(messages_copy / "replies.toml", "crisis = ", "crisis_text = ")
    with pytest.raises(ContentError, match=r"safety\.crisis"):
        load_content(messages_copy)


def test_a_referral_topic_without_its_text_stops_the_start(messages_copy: Path) -> None:
    _edit(messages_copy / "replies.toml", "warfarin = ", "warfarin_text = ")
    with pytest.raises(ContentError, match=r"referral"):
        load_content(messages_copy)


def test_a_router_pattern_that_does_not_compile_names_file_and_list(messages_copy: Path) -> None:
    _edit(messages_copy / "en" / "understanding.toml", "'agony',", "'ago(ny',")
    with pytest.raises(ContentError, match=r"understanding\.toml.*emergency\.pain"):
        load_content(messages_copy)


def test_a_knowledge_answer_with_a_placeholder_stops_the_start(messages_copy: Path) -> None:
    path = messages_copy / "en" / "knowledge.toml"
    _edit(path, 'answer = """', 'answer = """{name} ')
    with pytest.raises(ContentError, match=r"knowledge\.toml.*placeholders"):
        load_content(messages_copy)


def test_every_knowledge_answer_names_its_source_and_never_a_supplement_dose() -> None:
    entries = load_content().knowledge
    assert len(entries) >= 40
    for entry in entries:
        assert entry.source.strip(), entry.id
        if entry.topic == "supplements":
            # The only figure a supplement answer may give is the adult upper limit.
            figures = set(re.findall(r"(\d[\d,]*) ?mg", entry.answer))
            assert figures <= {"350"}, (entry.id, figures)
