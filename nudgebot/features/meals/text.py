"""How food names and check-in texts are compared: one normal form for both, and per language
the forms a word takes ("almendras" / "almendra", "гречку" / "гречка")."""

from __future__ import annotations

import functools
import re
import string
import threading
import unicodedata
from dataclasses import dataclass

import snowballstemmer  # type: ignore[import-untyped]

# Apostrophes vanish ("shepherd's" -> "shepherds"); other punctuation separates words.
_TABLE = str.maketrans(
    {c: " " for c in string.punctuation}
    | {
        "'": "",
        "’": "",
        "‘": "",
        "`": "",
        "´": "",
        "_": " ",
        "«": " ",
        "»": " ",
        "“": " ",
        "”": " ",
    }
)
_DOTTED = re.compile(r"(?<=\b\w)\.(?=\w\b)")  # b.l.t -> blt
_NOT_WORD = re.compile(r"[^\w\s]")
# Letters whose mark makes another letter, not an accent: Russian "й" is not "и" ("чай" is
# tea, "чаи" teas), so folding keeps it. ("ё" folds to "е", as most people type it.)
_KEPT = {"й": "\x00", "Й": "\x01"}
_KEPT_BACK = {v: k for k, v in _KEPT.items()}


def fold(text: str) -> str:
    """Lower case without accents ("Café" -> "cafe", "ñ" -> "n", "ё" -> "е"); Cyrillic and other
    scripts kept, and so is "й"."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFC", text)
    if "й" in text or "Й" in text:
        text = "".join(_KEPT.get(c, c) for c in text)
    decomposed = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    if "\x00" in folded or "\x01" in folded:
        folded = "".join(_KEPT_BACK.get(c, c) for c in folded)
    return folded.casefold()


def normalise_name(text: str) -> str:
    """A food name as it is looked up: "Shepherd's pie" -> "shepherds pie", "B.L.T." -> "blt"."""
    text = fold(text)
    if "&" in text:
        text = text.replace("&", " and ")
    if "." in text:
        text = _DOTTED.sub("", text).replace(".", "")
    text = text.translate(_TABLE)
    if not text.isascii():
        text = _NOT_WORD.sub(" ", text)
    return " ".join(text.split())


@dataclass(frozen=True, slots=True)
class Ending:
    """A word ending in `ending` may stand for the word with `to` instead ("nueces" -> "nuez"),
    unless it ends in one of `unless` ("glass" is not a plural)."""

    ending: str
    to: str = ""
    unless: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Inflection:
    """How one language's word forms find each other (messages/<lang>/meals.toml [inflection]).

    A word's forms are the word itself, what its endings rules make of it, and (with a Snowball
    stemmer: Russian cases) the stems of those. Two words meet when their forms share one.
    `every_word`: each word of a name inflects (Spanish "tortillas de patatas", Russian "овсяную
    кашу"), and names are indexed by their forms too; otherwise only the last word written is
    reduced, against the names as written (English "cherry tomatoes" -> "cherry tomato").
    """

    endings: tuple[Ending, ...] = ()
    stemmer: str = ""  # a Snowball algorithm name ("russian"), or none
    every_word: bool = False
    keep: frozenset[str] = frozenset()  # words never reduced (a stem that would meet a food)
    plural_endings: tuple[str, ...] = ()  # "eggs", "huevos": a plural, for a count of two
    not_plural_endings: tuple[str, ...] = ()  # "glass", not a plural
    min_stem: int = 2  # letters a reduced form keeps at least
    head_first: bool = False  # the word that makes a name plural: "tacos de pollo" (Spanish)

    def __post_init__(self) -> None:
        known = snowballstemmer.algorithms()
        if self.stemmer and self.stemmer not in known:
            raise ValueError(f"unknown stemmer {self.stemmer!r} (one of {', '.join(known)})")

    def forms(self, word: str) -> tuple[str, ...]:
        """The word, then the forms it may stand for; the word alone for a kept word."""
        return _forms(self, word)

    def is_plural(self, word: str) -> bool:
        """The word looks plural ("eggs", "huevos"), by its ending."""
        return (
            (
                len(word) > 3
                and word.endswith(self.plural_endings)
                and not word.endswith(self.not_plural_endings)
            )
            if self.plural_endings
            else False
        )


_STEMMERS: dict[str, object] = {}
_STEM_LOCK = threading.Lock()  # a Snowball stemmer keeps state while it works


def _stem(algorithm: str, word: str) -> str:
    with _STEM_LOCK:
        stemmer = _STEMMERS.get(algorithm)
        if stemmer is None:
            stemmer = _STEMMERS[algorithm] = snowballstemmer.stemmer(algorithm)
        return str(stemmer.stemWord(word))  # type: ignore[attr-defined]


@functools.lru_cache(maxsize=200_000)
def _forms(inflection: Inflection, word: str) -> tuple[str, ...]:
    if word in inflection.keep or not word.isalpha():
        return (word,)
    out = [word]
    for rule in inflection.endings:
        if (
            word.endswith(rule.ending)
            and len(word) - len(rule.ending) >= inflection.min_stem
            and not (rule.unless and word.endswith(rule.unless))
        ):
            out.append(word[: len(word) - len(rule.ending)] + rule.to)
    if inflection.stemmer:
        for form in list(out):
            stem = _stem(inflection.stemmer, form)
            if len(stem) >= inflection.min_stem:
                out.append(stem)
    return tuple(dict.fromkeys(out))
