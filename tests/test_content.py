import re
import shutil
import string
from pathlib import Path

import pytest
from pydantic import BaseModel

import nudgebot
from nudgebot.content import MESSAGES_DIR, ContentError, Replies, load_content
from nudgebot.platform.i18n import Plural


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
    _edit(messages_copy / "en" / "replies.toml", 'unknown = "', 'unknown_typo = "')
    with pytest.raises(ContentError) as err:
        load_content(messages_copy)
    assert "replies.toml" in str(err.value)
    assert "general.unknown" in str(err.value)


def test_unknown_placeholder_stops_the_start(messages_copy: Path) -> None:
    _edit(messages_copy / "en" / "replies.toml", "Time zone: {zone}.", "Time zone: {zona}.")
    with pytest.raises(ContentError, match=r"onboarding.tz_set.*\{zona\}"):
        load_content(messages_copy)


def test_missing_topic_label_stops_the_start(messages_copy: Path) -> None:
    _edit(messages_copy / "en" / "replies.toml", 'stress = "Stress"\n', "")
    with pytest.raises(ContentError, match="missing topics: stress"):
        load_content(messages_copy)


def test_broken_toml_names_the_file(messages_copy: Path) -> None:
    (messages_copy / "en" / "replies.toml").write_text("[general\n")
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
    path = messages_copy / "en" / "tips.toml"
    text = path.read_text()
    path.write_text(text.replace('topic = "food"', 'topic = "gossip"', 1))
    with pytest.raises(ContentError) as err:
        load_content(messages_copy)
    assert "tips.toml" in str(err.value) and "food-001" in str(err.value)


def test_a_duplicate_tip_id_stops_the_start(messages_copy: Path) -> None:
    path = messages_copy / "en" / "tips.toml"
    path.write_text(path.read_text().replace('id = "food-002"', 'id = "food-001"', 1))
    with pytest.raises(ContentError, match=r"food-001.*used twice"):
        load_content(messages_copy)


def test_an_overlong_tip_stops_the_start(messages_copy: Path) -> None:
    path = messages_copy / "en" / "tips.toml"
    text = path.read_text()
    start = text.index('text = "', text.index('id = "stress-003"')) + len('text = "')
    path.write_text(text[:start] + "x" * 600 + text[start:])
    with pytest.raises(ContentError, match="stress-003"):
        load_content(messages_copy)


def test_a_missing_crisis_text_stops_the_start(messages_copy: Path) -> None:
    _edit(messages_copy / "en" / "replies.toml", "crisis = ", "crisis_text = ")
    with pytest.raises(ContentError, match=r"safety\.crisis"):
        load_content(messages_copy)


def test_a_referral_topic_without_its_text_stops_the_start(messages_copy: Path) -> None:
    _edit(messages_copy / "en" / "replies.toml", "warfarin = ", "warfarin_text = ")
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


# The sections whose number-dependent texts are Plurals (one form per plural category).
PLURAL_SECTIONS = ("general", "account", "tips", "admin", "labels", "summary", "media")


def _plural_fields() -> list[tuple[str, Plural]]:
    replies = load_content().replies
    found = []
    for section in PLURAL_SECTIONS:
        model = getattr(replies, section)
        for name in type(model).model_fields:
            value = getattr(model, name)
            if isinstance(value, Plural):
                found.append((f"{section}.{name}", value))
    return found


def _filled(plural: Plural, n: int) -> str:
    names = {
        field.split(".")[0]
        for form in plural.forms().values()
        for _, field, _, _ in string.Formatter().parse(form)
        if field and field != "n"
    }
    return plural.format(n, **dict.fromkeys(names, "x"))


def test_number_texts_in_these_sections_are_plurals() -> None:
    names = {name for name, _ in _plural_fields()}
    assert {
        "account.paused_until",
        "labels.pause_days",
        "labels.send_broadcast",
        "admin.subscribers",
        "admin.broadcast_status",
        "admin.broadcast_done",
        "admin.broadcast_stopped",
        "admin.stats_subscribers",
    } <= names


@pytest.mark.parametrize(("name", "plural"), _plural_fields(), ids=lambda v: str(v)[:40])
def test_no_text_says_1_days_or_1_subscribers(name: str, plural: Plural) -> None:
    one, two = _filled(plural, 1), _filled(plural, 2)
    assert one != two.replace("2", "1"), f"{name}: the n=1 form is the plural one: {one!r}"
    plural_nouns = r"\b1 (days|subscribers|recipients|messages|tips|check-ins|failures|characters"
    assert not re.search(plural_nouns + r"|Telegram Stars)\b", one), (name, one)


def test_help_for_admins_lists_every_admin_command() -> None:
    replies = load_content().replies
    for command in replies.admin_commands.model_dump():
        assert f"/{command}" in replies.admin.help, command
    assert "/broadcast" not in replies.general.help


def test_every_kind_of_media_gets_its_own_pointer_to_type_what_was_eaten() -> None:
    from nudgebot.features.understanding.handlers import MEDIA_POINTERS

    media = load_content().replies.media
    texts = {part: text_of(media) for part, text_of in MEDIA_POINTERS}
    for part, text in texts.items():
        assert "what you ate" in text, part
    assert len(set(texts.values())) >= 8  # varied by kind, not one line for all
    assert "photos" in texts["photo"] and "sticker" in texts["sticker"]


def test_stats_read_right_for_one_of_everything() -> None:
    from nudgebot.features.admin.handlers import stats_text
    from nudgebot.features.admin.repo import Stats

    text = stats_text(
        load_content().replies,
        Stats(
            by_status={"active": 1},
            new_this_week=1,
            checkins_today=1,
            checkins_week=1,
            tips_today=1,
            failures_today=1,
        ),
    )
    assert text.splitlines() == [
        "1 subscriber: 1 active · 0 paused · 0 stopped · 0 blocked",
        "1 new subscriber this week",
        "1 check-in today, 1 this week",
        "1 daily tip sent today",
        "1 delivery failure today",
    ]


def test_a_plural_text_with_an_unknown_placeholder_stops_the_start(messages_copy: Path) -> None:
    path = messages_copy / "en" / "replies.toml"
    _edit(path, '"{n} new subscriber this week"', '"{n} new subscriber this {span}"')
    _edit(path, '"{n} new subscribers this week"', '"{n} new subscribers this {span}"')
    with pytest.raises(ContentError, match=r"admin\.stats_new.*\{span\}"):
        load_content(messages_copy)


# Sections read by name at run time rather than as attributes: the command menus are sent whole
# (model_dump), a referral text is looked up by its triage.Referral value, a meal's name by the
# meal of the day a check-in was logged at.
READ_BY_NAME = {"commands", "admin_commands", "referral", "quick.meals"}


def _reply_keys(model: type[BaseModel], prefix: str = "") -> list[tuple[str, str]]:
    """(section, key) for every text of replies.toml, nested sections included."""
    keys = []
    for name, field in model.model_fields.items():
        kind = field.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel) and kind is not Plural:
            keys += _reply_keys(kind, f"{prefix}{name}.")
        else:
            keys.append((prefix.rstrip("."), name))
    return keys


def test_every_reply_key_is_read_somewhere_in_the_code() -> None:
    package = Path(nudgebot.__file__).parent
    code = "\n".join(
        path.read_text() for path in package.rglob("*.py") if path.name != "content.py"
    )
    unread = [
        f"{section}.{key}"
        for section, key in _reply_keys(Replies)
        if section not in READ_BY_NAME and not re.search(rf"\.{key}\b", code)
    ]
    assert unread == [], "replies.toml keys no code reads (remove them, or list the section)"
