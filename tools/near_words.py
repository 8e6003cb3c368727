"""List the real English words that the router's typo correction must leave alone.

The router reads "chets" as "chest" and "brething" as "breathing": a word of five letters or
more, one edit from a key word (two from nine letters on) and with the same first letter, is
corrected. Ordinary words that happen to be that close ("taking" / "talking", "sweet" / "sweat")
must not be. This prints them for `[typos].real_words` in messages/<lang>/understanding.toml,
from wordfreq's list of the most frequent words of the language.

Dev-time only, not a dependency of the bot:
    python -m venv /tmp/wf && /tmp/wf/bin/pip install wordfreq rapidfuzz
    /tmp/wf/bin/python tools/near_words.py en > /tmp/real_words.txt
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

from rapidfuzz.distance import OSA
from wordfreq import top_n_list  # type: ignore[import-not-found]

ROOT = Path(__file__).resolve().parents[1]
TOP_WORDS = 60_000


def main(language: str) -> None:
    """Print the real words near the vocabulary, as a TOML list body."""
    lexicon = tomllib.loads((ROOT / "messages" / language / "understanding.toml").read_text())
    vocabulary = {w.lower() for w in lexicon["typos"]["vocabulary"]}
    near: set[str] = set()
    for word in top_n_list(language, TOP_WORDS):
        if len(word) < 5 or not word.isalpha() or word in vocabulary:
            continue
        allowed = 1 if len(word) < 9 else 2
        if any(
            v[0] == word[0] and OSA.distance(word, v, score_cutoff=allowed) <= allowed
            for v in vocabulary
        ):
            near.add(word)
    words = sorted(near)
    for start in range(0, len(words), 10):
        print("  " + ", ".join(f'"{w}"' for w in words[start : start + 10]) + ",")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "en")
