"""The router's word lists for one language (messages/<lang>/understanding.toml), validated.

The lists are data; the rules that combine them live in triage.py and router.py and are the same
for every language. A pattern that does not compile, or a list that is missing, stops the start
with the file and the key named.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict


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
    return patterns


Patterns = Annotated[list[str], AfterValidator(_compiles)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Typos(_Section):
    vocabulary: list[str]
    real_words: list[str]


class Normalise(_Section):
    emoji_words: dict[str, str]
    rewrites: list[tuple[str, str]]


class Emergency(_Section):
    harmless: Patterns
    negators: Patterns
    negatable: Patterns
    pain: Patterns
    chest: Patterns
    chest_feeling: Patterns
    sites: Patterns
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
