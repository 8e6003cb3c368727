"""Message-router benchmark (not a test): how fast one decision per message is, in-process.

    .venv/bin/python -m bench.router              # every corpus message, 20 rounds

Routes every message of the labelled corpus (tests/features/understanding/corpus_*.tsv: emergencies,
crisis, questions, meals, small talk...) in a shuffled order, and reports messages per second
and the p50 / p99 / max time of a single decision. The first round warms the caches (typo
corrections, compiled patterns) the way a running bot's would be warm; it is not counted.
Goal (message-router issue): at least 5,000 messages/s and p99 under 2 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

from nudgebot.content import load_content
from nudgebot.features.meals.parser import load_index
from nudgebot.features.understanding.router import build_router

CORPUS_DIR = Path(__file__).resolve().parents[1] / "tests" / "features" / "understanding"


def messages() -> list[str]:
    """Every corpus message."""
    texts = []
    for path in sorted(CORPUS_DIR.glob("corpus_*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                texts.append(line.split("\t")[1])
    return texts


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    started = time.perf_counter()
    content = load_content()
    router = build_router(content, load_index())
    load_ms = (time.perf_counter() - started) * 1000
    texts = messages()
    rng = random.Random(7)
    for text in texts:  # warm-up round
        router.route(text)
    timings: list[float] = []
    wall = 0.0
    for _ in range(args.rounds):
        rng.shuffle(texts)
        round_start = time.perf_counter()
        for text in texts:
            t0 = time.perf_counter()
            router.route(text)
            timings.append(time.perf_counter() - t0)
        wall += time.perf_counter() - round_start
    timings.sort()
    p99 = timings[int(len(timings) * 0.99)]
    print(f"content + router load: {load_ms:.0f} ms")
    print(f"{len(timings)} decisions ({len(texts)} distinct messages x {args.rounds} rounds)")
    print(f"throughput: {len(timings) / wall:,.0f} messages/s")
    print(
        f"latency: p50 {statistics.median(timings) * 1000:.3f} ms, "
        f"p99 {p99 * 1000:.3f} ms, max {timings[-1] * 1000:.3f} ms"
    )


if __name__ == "__main__":
    main()
