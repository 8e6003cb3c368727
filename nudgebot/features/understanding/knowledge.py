"""The knowledge base: sourced answers to the questions people ask, matched by meaning.

Each entry (messages/<lang>/knowledge.toml) names the concepts a question must contain (`match`:
every group needs one of its words, at the start of a word, small typos forgiven) and a few
example phrasings. Among the entries whose concepts are all present, the one whose examples are
closest to the message (RapidFuzz) wins; with no complete entry, only a near-copy of an example
that still names what its entry is about does. So "does magnesium help my bp" finds the
blood-pressure answer, "is chicken good for the heart" is not the leafy-greens answer however
close it is to "is kale good for the heart", and "what's the weather" finds nothing rather than
the nearest answer.

Match words are read as written (folded, never typo-corrected: "сердц" stays a stem), and a word
of the message is read as a typo of one only when it is not an ordinary word of the language
("завтра" is tomorrow, not a misspelt "завтрак").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Annotated, Literal, Protocol

from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

Topic = Literal[
    "magnesium",
    "targets",
    "foods",
    "supplements",
    "caffeine",
    "alcohol",
    "salt",
    "activity",
    "stress",
    "sleep",
    "heart",
    "bot",
]
# A question whose concepts are all present needs this much likeness to one of its examples.
MIN_SIMILARITY_COMPLETE = 40.0
# Text that is not shaped like a question ("magnesium and sleep") must be closer.
MIN_SIMILARITY_STATEMENT = 60.0
# With no entry complete, only a near-copy of an example counts.
MIN_SIMILARITY_ALONE = 86.0
MAX_ANSWER_CHARS = 700
# A typo in the start of a longer word is compared with match words of at least this length.
MIN_START = 7


class KnowledgeEntry(BaseModel):
    """One question the bot can answer, with its source."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+$")]
    topic: Topic
    match: list[list[str]]
    examples: list[str]
    answer: str = ""
    source: Annotated[str, StringConstraints(min_length=3)]
    # "target": the answer is the person's own target, written by the code from replies.toml.
    personal: Literal["target"] | None = None

    @model_validator(mode="after")
    def _complete(self) -> KnowledgeEntry:
        if not self.match or any(not group for group in self.match):
            raise ValueError("match needs at least one non-empty group")
        if len(self.examples) < 2:
            raise ValueError("give at least two example phrasings")
        if self.personal is None:
            if not self.answer.strip():
                raise ValueError("empty answer")
            if len(self.answer) > MAX_ANSWER_CHARS:
                raise ValueError(f"answer longer than {MAX_ANSWER_CHARS} characters")
            if "{" in self.answer or "}" in self.answer:
                raise ValueError("answers are sent as they are: no {placeholders}")
        return self


class KnowledgeFile(BaseModel):
    """messages/<lang>/knowledge.toml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    entry: list[KnowledgeEntry]

    @model_validator(mode="after")
    def _unique(self) -> KnowledgeFile:
        ids = [e.id for e in self.entry]
        doubled = sorted({i for i in ids if ids.count(i) > 1})
        if doubled:
            raise ValueError(f"ids used twice: {', '.join(doubled)}")
        return self


def _alternative(phrase: str) -> str:
    """A group word as a pattern: the start of a word ("pressure" finds "pressures")."""
    escaped = re.escape(phrase).replace(r"\ ", " ")
    return rf"\b{escaped}" + (r"\b" if len(phrase) <= 3 else "")


class Normalise(Protocol):
    """The router's normaliser (text.Normaliser): `correct=False` leaves stems as they are."""

    def __call__(self, text: str, *, correct: bool = True) -> str: ...


def _stem(word: str) -> str:
    """The first letters of a word, as the quick pre-check compares them."""
    return word[:STEM]


STEM = 4


def _typos(word: str) -> int:
    """How many edits a word of this length may be from a match word: one, two from 9 letters."""
    return 1 if len(word) < 9 else 2


class KnowledgeBase:
    """Finds the entry a question is about.

    `ordinary_words`: the language's real words (messages/<lang>/ordinary_words.txt, folded):
    a word of the message that is one is never read as a typo of a match word ("завтра" is not
    "завтрак", "город" is not "горох").
    """

    def __init__(
        self,
        entries: Sequence[KnowledgeEntry],
        normalise: Normalise,
        *,
        ordinary_words: Iterable[str] = (),
    ) -> None:
        self.entries = tuple(entries)
        # Per entry, per group: the stems of the group's first words (a cheap pre-check: a group
        # can only match when one of them starts a word of the message) and the full pattern.
        self._groups: list[list[tuple[frozenset[str], re.Pattern[str]]]] = []
        words: set[str] = set()
        for entry in self.entries:
            groups = []
            for group in entry.match:
                # Without typo correction: a stem ("сердц") is not a misspelt word ("сердца").
                phrases = [p for p in (normalise(p, correct=False) for p in group) if p]
                stems = frozenset(_stem(p.split(" ")[0]) for p in phrases)
                groups.append((stems, re.compile("|".join(_alternative(p) for p in phrases))))
                words.update(p for p in phrases if " " not in p and len(p) >= 5)
            self._groups.append(groups)
        # Which entries a word stem can open: every group must match, so the first one decides.
        self._by_stem: dict[str, list[int]] = {}
        for index, groups in enumerate(self._groups):
            for stem in groups[0][0]:
                self._by_stem.setdefault(stem, []).append(index)
        self._examples = [
            (normalise(example), index)
            for index, entry in enumerate(self.entries)
            for example in entry.examples
        ]
        self._example_texts = [text for text, _ in self._examples]
        self._entry_examples: list[list[str]] = [[] for _ in self.entries]
        for text, index in self._examples:
            self._entry_examples[index].append(text)
        self._words_by_letter: dict[str, list[str]] = {}
        # The same words by first letter and length: the start of a longer word with a typo
        # ("гипертанией", whose match word is "гипертон") is compared with each length.
        self._words_by_start: dict[tuple[str, int], list[str]] = {}
        for word in sorted(words):
            self._words_by_letter.setdefault(word[0], []).append(word)
            self._words_by_start.setdefault((word[0], len(word)), []).append(word)
        self._lengths = sorted({len(word) for word in words})
        self._known = frozenset(words)
        self._ordinary = frozenset(ordinary_words)
        self._near_word = lru_cache(maxsize=65536)(self._near_word_uncached)

    def get(self, entry_id: str) -> KnowledgeEntry | None:
        """The entry with this id."""
        return next((e for e in self.entries if e.id == entry_id), None)

    def _near_word_uncached(self, token: str) -> str | None:
        """The match word a misspelt token stands for, or None (real words are never typos)."""
        if len(token) < 5 or token in self._known or token in self._ordinary:
            return None
        if not token.isalpha():
            return None
        candidates = self._words_by_letter.get(token[0])
        if not candidates:
            return None
        best = process.extractOne(
            token, candidates, scorer=OSA.distance, score_cutoff=_typos(token)
        )
        if best is not None:
            return str(best[0])
        # The start of an inflected word: "гипертанией" starts like "гипертон" with one typo.
        # Not for the shortest match words: "витомина" is not "вином", "сердитый" not "сердц".
        for length in self._lengths:
            if length >= len(token):
                break
            if length < MIN_START:
                continue
            start = token[:length]
            same_length = self._words_by_start.get((token[0], length))
            if start in self._known:
                return None  # the word already starts like a match word: nothing to fix
            if not same_length:
                continue
            best = process.extractOne(
                start, same_length, scorer=OSA.distance, score_cutoff=_typos(start)
            )
            if best is not None:
                return str(best[0])
        return None

    def match(self, text: str, *, question: bool) -> KnowledgeEntry | None:
        """The entry a normalised text asks about, or None."""
        if not text:
            return None
        tokens = text.split()
        typo_fixes = [w for w in map(self._near_word, tokens) if w is not None]
        searchable = text + (" | " + " ".join(typo_fixes) if typo_fixes else "")
        stems = {_stem(t) for t in tokens} | {_stem(t) for t in typo_fixes}

        def found(group: tuple[frozenset[str], re.Pattern[str]]) -> bool:
            group_stems, pattern = group
            return not group_stems.isdisjoint(stems) and pattern.search(searchable) is not None

        best: tuple[float, int] | None = None
        candidates = sorted({i for stem in stems for i in self._by_stem.get(stem, ())})
        for index in candidates:
            groups = self._groups[index]
            if not all(found(group) for group in groups):
                continue
            similarity = max(
                fuzz.token_set_ratio(text, example) for example in self._entry_examples[index]
            )
            floor = MIN_SIMILARITY_COMPLETE if question else MIN_SIMILARITY_STATEMENT
            if similarity < floor:
                continue
            score = similarity + 10.0 * len(groups)
            if best is None or score > best[0]:
                best = (score, index)
        if best is not None:
            return self.entries[best[1]]
        if not question:
            return None  # a statement needs its concepts named, not just a look-alike
        # With no entry complete, a near-copy of an example counts if it still names what the
        # entry is about (its first group), or if it names one of its groups and differs from
        # the example only by typos: "is chicken good for the heart" is not "is kale good for
        # the heart", whose greens it does not name.
        near_copies = process.extract(
            text,
            self._example_texts,
            scorer=fuzz.ratio,
            score_cutoff=MIN_SIMILARITY_ALONE,
            limit=None,
        )
        for example, _, position in near_copies:
            index = self._examples[position][1]
            groups = self._groups[index]
            if found(groups[0]) or (
                any(found(group) for group in groups[1:]) and _only_typos(text, example)
            ):
                return self.entries[index]
        return None


def _only_typos(text: str, example: str) -> bool:
    """Whether every word of the text that the example lacks is a typo of one of its words
    (words of one or two letters aside: "a", "de", "в")."""
    example_words = example.split()
    return all(
        len(word) <= 2 or any(OSA.distance(word, e) <= _typos(word) for e in example_words)
        for word in set(text.split()) - set(example_words)
    )
