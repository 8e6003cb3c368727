from hypothesis import given
from hypothesis import strategies as st

from nudgebot.platform.limits import MAX_MESSAGE_CHARS, split_message


def test_short_text_is_one_message() -> None:
    assert split_message("hello\nworld") == ["hello\nworld"]


def test_long_text_splits_at_line_breaks() -> None:
    lines = [f"line {n:04d} " + "x" * 90 for n in range(100)]  # 100 lines of 100 characters
    parts = split_message("\n".join(lines))
    assert len(parts) == 3
    assert all(len(p) <= MAX_MESSAGE_CHARS for p in parts)
    assert "\n".join(parts).split("\n") == lines  # every line whole, in order


def test_a_single_huge_line_splits_at_spaces_then_hard() -> None:
    words = " ".join(["word"] * 2000)  # 9999 characters, no line break
    parts = split_message(words)
    assert all(len(p) <= MAX_MESSAGE_CHARS for p in parts)
    assert " ".join(parts).split() == words.split()
    blob = "y" * 9000
    assert split_message(blob) == ["y" * 4096, "y" * 4096, "y" * 808]


@given(st.text(min_size=0, max_size=12_000), st.integers(min_value=1, max_value=5000))
def test_split_never_exceeds_the_limit_and_keeps_every_visible_character(
    text: str, limit: int
) -> None:
    parts = split_message(text, limit)
    assert parts and all(len(p) <= limit for p in parts)
    if text.strip():
        squash = "".join(text.split())
        assert "".join("".join(parts).split()) == squash
