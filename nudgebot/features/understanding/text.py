"""Text as the router reads it: normalised once, with typos of the words that matter corrected.

"Can't breath,   CHETS hurts!!" becomes "cant breath chest hurts" and "¿Me duele el PECHO?"
becomes "me duele el pecho". Each list of the lexicon becomes one compiled `Concept`, matched as
whole words (Python's word boundaries and word characters are Unicode: Cyrillic works the same).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

MAX_CHARS = 4000  # a check-in is short; a pasted essay is read as far as this
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})
_CONTRACTION = re.compile(r"(?<=\w)'(?=\w)")
_NOT_WORD = re.compile(r"[^\w/]+")  # punctuation and runs of spaces alike become one space
_REPEATS = re.compile(r"([^\W\d_])\1{2,}")
_SPACES = re.compile(r"\s+")
_DIAERESIS = "\u0308"
_LATIN_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def fold(text: str) -> str:
    """The text without the accents people often leave out, so patterns are written without them.

    Latin letters lose every accent ("corazón" -> "corazon", "ñ" -> "n": no lexicon needs
    "año" apart from "ano", and people without a Spanish keyboard type "manana"); Cyrillic "ё"
    becomes "е", as most Russian text is written. "й" stays "й" (it is a letter of its own, not
    an accented "и"), and every other script is left as it is.
    """
    if text.isascii():
        return text
    kept: list[str] = []
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char) and kept:
            base = kept[-1]
            if base in _LATIN_LETTERS or (base in "еЕ" and char == _DIAERESIS):
                continue
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))


_LEADING_LITERAL = re.compile(r"^[^\W_]+")
_DIGIT_CLASS = re.compile(r"^\[[0-9-]+\]")
_QUANTIFIERS = ("?", "*", "{")
DIGIT = "#"  # the stem that stands for any number
STEM = 3


def _leading_group(alternative: str) -> tuple[list[str], int] | None:
    """The top-level alternatives of a leading "(?:...)" group, and where the group ends."""
    if not alternative.startswith("(?:"):
        return None
    depth, parts, start, index = 0, [], 3, 0
    while index < len(alternative):
        char = alternative[index]
        if char == "\\":
            index += 2
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                parts.append(alternative[start:index])
                return parts, index + 1
        elif char == "|" and depth == 1:
            parts.append(alternative[start:index])
            start = index + 1
        index += 1
    return None


def _anchors(pattern: str) -> set[str] | None:
    """The stems one of which must start a word for the pattern to match; None: unknown.

    Top-level alternatives ("mum|mom|mother") each count.
    """
    return _anchors_of(f"(?:{pattern})")


def _anchors_of(alternative: str) -> set[str] | None:
    """The stems one of which must start a word for this alternative to match; None: unknown.

    'chest (?:pain|hurts)' needs a word starting "che"; '(?:heart|pulse) racing' one starting
    "hea" or "pul"; '\\d+ ?mg' a number. An alternative that starts any other way is always
    searched.
    """
    alternative = alternative.removeprefix(r"\b")
    if alternative.startswith(r"\d") or _DIGIT_CLASS.match(alternative):
        return {DIGIT}
    group = _leading_group(alternative)
    if group is not None:
        parts, end = group
        if alternative[end : end + 1] in _QUANTIFIERS:
            return None  # the whole group is optional
        found: set[str] = set()
        for part in parts:
            part_anchors = _anchors_of(part)
            if part_anchors is None:
                return None
            found |= part_anchors
        return found
    literal = _LEADING_LITERAL.match(alternative)
    if literal is None:
        return None
    word = literal.group(0)
    if alternative[literal.end() : literal.end() + 1] in _QUANTIFIERS:
        word = word[:-1]  # "thanks?": the s is optional
    return {word[:STEM]} if word else None


@lru_cache(maxsize=256)
def stems(text: str) -> frozenset[str]:
    """The 1-3 letter starts of every word of a normalised text (numbers as one mark)."""
    found: set[str] = set()
    for token in re.split(r"[ /]", text):
        if token:
            found.update((token[:1], token[:2], token[:3]))
            if token[0].isdigit():
                found.add(DIGIT)
    return frozenset(found)


class Concept:
    """One lexicon list, compiled as a single whole-word pattern.

    A cheap pre-check skips the pattern when no word of the text starts like any alternative:
    most messages name none of a list's words, and a long alternation is slow to search.
    """

    __slots__ = ("anchors", "name", "pattern")

    def __init__(self, name: str, alternatives: Iterable[str]) -> None:
        alternatives = list(alternatives)
        self.name = name
        self.pattern = re.compile(r"\b(?:" + "|".join(f"(?:{a})" for a in alternatives) + r")\b")
        anchors: set[str] | None = set()
        for alternative in alternatives:
            found = _anchors(alternative)
            if found is None or anchors is None:
                anchors = None
                continue
            anchors |= found
        self.anchors = frozenset(anchors) if anchors is not None else None

    def _possible(self, text: str) -> bool:
        return self.anchors is None or not self.anchors.isdisjoint(stems(text))

    def __call__(self, text: str) -> bool:
        return self._possible(text) and self.pattern.search(text) is not None

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where the concept occurs, as character spans."""
        if not self._possible(text):
            return []
        return [m.span() for m in self.pattern.finditer(text)]

    def remove(self, text: str) -> str:
        """The text with every occurrence blanked out (so it cannot match anything else)."""
        if not self._possible(text):
            return text
        return _SPACES.sub(" ", self.pattern.sub(" ", text)).strip()

    def fullmatch(self, text: str) -> bool:
        """True when the whole text is one occurrence."""
        return self._possible(text) and re.fullmatch(self.pattern, text) is not None


def near(text: str, first: Concept, second: Concept, *, words: int) -> bool:
    """True when the two concepts occur within `words` words of each other, in either order."""
    a_spans = first.spans(text)
    if not a_spans:
        return False
    b_spans = second.spans(text)
    for a_start, a_end in a_spans:
        for b_start, b_end in b_spans:
            if a_start < b_end and b_start < a_end:
                return True  # overlapping: "heart hurts" is both a place and a pain
            left, right = (a_end, b_start) if a_end <= b_start else (b_end, a_start)
            if text.count(" ", left, right) <= words:
                return True
    return False


class Normaliser:
    """Lower case, accents folded, plain apostrophes, no punctuation ("¿", "¡" included),
    rewrites, typos of key words corrected."""

    def __init__(
        self,
        *,
        rewrites: Sequence[tuple[str, str]],
        vocabulary: Iterable[str],
        emoji_words: dict[str, str] | None = None,
        real_words: Iterable[str],
    ) -> None:
        self._emoji = str.maketrans({e: f" {w} " for e, w in (emoji_words or {}).items()})
        # Each rewrite runs only when a word of the text starts the way its pattern does.
        self._rewrites = [
            (_anchors(pattern), re.compile(pattern), replacement)
            for pattern, replacement in rewrites
        ]
        self._vocabulary = frozenset(w.lower() for w in vocabulary)
        self._real = frozenset(w.lower() for w in real_words) | self._vocabulary
        by_letter: dict[str, list[str]] = {}
        for word in sorted(self._vocabulary):
            by_letter.setdefault(word[0], []).append(word)
        self._by_letter = by_letter
        self._correct = lru_cache(maxsize=65536)(self._correct_uncached)

    def __call__(self, text: str, *, correct: bool = True) -> str:
        """The text as the lists read it; `correct=False` leaves typos (and stems) as they are.

        A knowledge entry's match words are stems ("сердц", "magnesi"): they are normalised
        without correction, or the corrector would turn a stem into the nearest whole word.
        """
        text = unicodedata.normalize("NFKC", text[:MAX_CHARS]).casefold().translate(self._emoji)
        text = fold(text)
        text = _CONTRACTION.sub("", text.translate(_APOSTROPHES)).replace("'", " ")
        text = _NOT_WORD.sub(" ", text.replace("_", " ")).strip()
        text = _REPEATS.sub(r"\1\1", text)
        if self._rewrites:
            words = stems(text)
            for anchors, pattern, replacement in self._rewrites:
                if anchors is None or not anchors.isdisjoint(words):
                    text = pattern.sub(replacement, text)
        if not correct:
            return " ".join(text.split())
        return " ".join(self._correct(word) for word in text.split())

    def _correct_uncached(self, word: str) -> str:
        """A misspelt key word ("chets", "brething") as the word; anything else unchanged."""
        if len(word) < 5 or word in self._real or not word.isalpha():
            return word
        candidates = self._by_letter.get(word[0])
        if not candidates:
            return word
        allowed = 1 if len(word) < 9 else 2
        best = process.extractOne(word, candidates, scorer=OSA.distance, score_cutoff=allowed)
        return str(best[0]) if best is not None else word
