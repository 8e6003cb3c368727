"""How food names and check-in texts are compared: one normal form for both."""

from __future__ import annotations

import re
import string
import unicodedata

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


def fold(text: str) -> str:
    """Lower case without accents ("Café" -> "cafe"); Cyrillic and other scripts kept."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


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
