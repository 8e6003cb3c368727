"""Write messages/<lang>/ordinary_words.txt: the language's most frequent words.

The check-in parser never corrects one of these into a food name ("each" is not "peach", "hard"
is not "chard"), and never searches the food database for one alone. A food name that is also a
frequent word ("apple", "rice") still matches exactly; only typo correction skips it.

The file keeps the words as wordfreq spells them ("plátano", "гречка"); the parser folds them
as it folds a check-in (no accents, "ё" as "е"). In a language other than English, an English
food name that is one of these words is not kept as a synonym ("pie" is a foot in Spanish).

Dev-time only, not a dependency of the bot; one run per language (en, es, ru…):
    python -m venv /tmp/wf && /tmp/wf/bin/pip install wordfreq
    /tmp/wf/bin/python tools/ordinary_words.py es
"""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

from wordfreq import top_n_list  # type: ignore[import-not-found]

ROOT = Path(__file__).resolve().parents[1]
TOP_WORDS = 25_000


def main(language: str) -> None:
    """Write the list, one word a line, most frequent first."""
    words = [w for w in top_n_list(language, TOP_WORDS) if w.isalpha() and len(w) >= 2]
    path = ROOT / "messages" / language / "ordinary_words.txt"
    version = metadata.version("wordfreq")
    header = (
        f"# wordfreq {version} top_n_list({language!r}, {TOP_WORDS}), letters only;"
        " written by tools/ordinary_words.py\n"
    )
    path.write_text(header + "\n".join(dict.fromkeys(words)) + "\n", "utf-8")
    print(f"wrote {path.relative_to(ROOT)}: {len(words)} words")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "en")
