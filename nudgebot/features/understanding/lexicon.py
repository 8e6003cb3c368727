"""The router's word lists for one language (messages/<lang>/understanding.toml), validated.

The lists are data; the rules that combine them live in triage.py and router.py and are the same
for every language. A pattern that does not compile, or a list that is missing, stops the start
with the file and the key named, and so does a pattern with an accent the normaliser takes off the
text ("corazón": the text says "corazon" by the time it is matched, so the pattern could never
match; write it without the accent).
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, field_validator, model_validator

from nudgebot.features.understanding.text import fold


def _unfolded(text: str) -> str:
    """The text, if the normaliser's fold leaves it as it is (else a ValueError naming letters)."""
    folded = fold(text)
    if folded != text:
        letters = "".join(sorted({c for c in text if fold(c) != c}))
        raise ValueError(
            f"{text!r}: the normaliser folds {letters!r} before matching (accents off, "
            f"ё to е), so this can never match; write it as {folded!r}"
        )
    return text


def _compiles(patterns: list[str]) -> list[str]:
    if not patterns:
        raise ValueError("an empty list matches nothing")
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"pattern {pattern!r} does not compile: {exc}") from None
        if pattern != pattern.lower():
            raise ValueError(f"pattern {pattern!r} must be lower case (texts are lower-cased)")
        _unfolded(pattern)
    return patterns


Patterns = Annotated[list[str], AfterValidator(_compiles)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Typos(_Section):
    vocabulary: list[str]
    real_words: list[str]

    @field_validator("vocabulary", "real_words")
    @classmethod
    def _folded(cls, words: list[str]) -> list[str]:
        for word in words:
            _unfolded(word.lower())
        return words


class Normalise(_Section):
    emoji_words: dict[str, str]
    rewrites: list[tuple[str, str]]

    @field_validator("emoji_words")
    @classmethod
    def _words_folded(cls, words: dict[str, str]) -> dict[str, str]:
        for word in words.values():
            _unfolded(word)
        return words

    @field_validator("rewrites")
    @classmethod
    def _rewrites_compile(cls, rewrites: list[tuple[str, str]]) -> list[tuple[str, str]]:
        if rewrites:
            _compiles([pattern for pattern, _ in rewrites])
        for _, replacement in rewrites:
            _unfolded(replacement)
        return rewrites


class Emergency(_Section):
    harmless: Patterns
    negators: Patterns
    negatable: Patterns
    # "no chest pain or shortness of breath": words that carry a negation on to the next
    # symptom, and the little words that may stand before a negated one ("no real pain").
    negation_joiners: Patterns
    negation_articles: Patterns
    pain: Patterns
    chest: Patterns
    chest_feeling: Patterns
    sites: Patterns
    # The sites (written exactly as in `sites`) that, with pain in another site, are a warning
    # sign on their own: the jaw and the arm.
    primary_sites: Patterns
    belly: Patterns
    radiating: Patterns
    sweat: Patterns
    nausea: Patterns
    lightheaded: Patterns
    tired: Patterns
    doom: Patterns
    breathless: Patterns
    breath_severe: Patterns
    at_rest: Patterns
    exertion: Patterns
    collapse: Patterns
    heart_attack: Patterns
    stroke_word: Patterns
    history: Patterns
    face: Patterns
    droop: Patterns
    limb: Patterns
    weak: Patterns
    speech: Patterns
    vision: Patterns
    blurry: Patterns
    balance: Patterns
    balance_severe: Patterns
    confusion: Patterns
    sudden: Patterns
    headache_severe: Patterns
    rhythm: Patterns
    bp_symptom: Patterns
    # Words a lone top number follows ("bp 190", "давление 200"): a systolic reading.
    bp_words: Patterns

    @model_validator(mode="after")
    def _primary_sites_are_sites(self) -> Emergency:
        unknown = [site for site in self.primary_sites if site not in self.sites]
        if unknown:
            raise ValueError(
                f"primary_sites {unknown!r} are not written exactly as in emergency.sites"
            )
        return self


class Crisis(_Section):
    farewell: Patterns
    goodbye: Patterns
    plan: Patterns
    wish: Patterns
    worthless: Patterns
    method: Patterns
    harmless: Patterns
    patterns: Patterns


class Professional(_Section):
    supplement: Patterns
    ppi: Patterns
    diuretic: Patterns
    bisphosphonate: Patterns
    antibiotic: Patterns
    digoxin: Patterns
    warfarin: Patterns
    heart_medicine: Patterns
    kidney: Patterns
    pregnancy: Patterns
    heart_condition: Patterns


class Commands(_Section):
    polite: Patterns
    # Words between two repeated commands: "stop, please stop", "stop and i said stop".
    joiners: Patterns
    stop: Patterns
    pause: Patterns
    resume: Patterns
    help: Patterns
    settings: Patterns
    forget: Patterns
    start: Patterns


class Chat(_Section):
    greeting: Patterns
    thanks: Patterns
    ok: Patterns
    bye: Patterns
    compliment: Patterns


class Questions(_Section):
    # Words that may come before an opener ("hi, quick question: how much..."), dropped first.
    fillers: Patterns
    openers: Patterns
    markers: Patterns
    meal_cues: Patterns
    food_words: Patterns
    food_emoji: str


class Lexicon(_Section):
    """messages/<lang>/understanding.toml."""

    typos: Typos
    normalise: Normalise
    emergency: Emergency
    crisis: Crisis
    professional: Professional
    commands: Commands
    chat: Chat
    questions: Questions
