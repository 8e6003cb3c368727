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
