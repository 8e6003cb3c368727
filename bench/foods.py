"""Food database and check-in parser benchmark (not a test): load time, memory, throughput.

    .venv/bin/python -m bench.foods               # 20 rounds over the phrasing table

Each part is measured in a fresh interpreter so that nothing is cached from another part:
- loading usda.tsv, the curated names and the parser's words (time, and the Python memory it
  adds: tracemalloc's peak, and the process's RSS growth);
- building the whole-database search (done at start-up in a thread, see runner.py);
- parsing every check-in of tests/features/meals/phrasings.tsv in a shuffled order, after one
  warm-up
  round: check-ins per second and the p50 / p99 / max time of one.
Goals (food-database issue): load under 300 ms adding under 50 MB; at least 2,000 check-ins/s.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

TABLE = Path(__file__).resolve().parents[1] / "tests" / "features" / "meals" / "phrasings.tsv"

LOAD = """
import json, sys, time, tracemalloc
def rss_mb():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
import nudgebot.features.meals.parser as parser, nudgebot.features.meals.foods as foods
trace = sys.argv[1] == "memory"
before = rss_mb()
if trace:
    tracemalloc.start()
t0 = time.perf_counter()
records = foods.load_database()
t1 = time.perf_counter()
ordinary = parser.load_ordinary()
catalog = foods.load_catalog(records=records, common_words=frozenset(ordinary[:parser.COMMON_RANK]))
index = parser.FoodIndex(catalog, parser.MealWords.load(), ordinary_words=ordinary)
t2 = time.perf_counter()
loaded = tracemalloc.get_traced_memory()[1] if trace else 0
loaded_rss = rss_mb()
index.warm()
t3 = time.perf_counter()
print(json.dumps({
    "records": len(records), "foods": len(catalog.foods),
    "names": sum(len(f.synonyms) for f in catalog.foods),
    "database_ms": (t1 - t0) * 1000, "names_ms": (t2 - t1) * 1000,
    "search_ms": (t3 - t2) * 1000,
    "loaded_peak_mb": loaded / 2**20,
    "all_peak_mb": (tracemalloc.get_traced_memory()[1] if trace else 0) / 2**20,
    "loaded_rss_mb": loaded_rss - before, "all_rss_mb": rss_mb() - before,
}))
"""


def _load(mode: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", LOAD, mode], capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(done.stderr)
    result: dict[str, float] = json.loads(done.stdout)
    return result


def texts() -> list[str]:
    """The phrasing table's check-ins."""
    lines = TABLE.read_text("utf-8").splitlines()[1:]
    return [line.split("\t", 1)[0] for line in lines if line.strip()]


def main() -> None:
    """Run the parts and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    load = min((_load("time") for _ in range(3)), key=lambda r: r["database_ms"] + r["names_ms"])
    memory = _load("memory")
    print(
        f"load: {load['records']:,.0f} USDA records in {load['database_ms']:.0f} ms; "
        f"{load['foods']:.0f} curated foods, {load['names']:,.0f} names in "
        f"{load['names_ms']:.0f} ms (together {load['database_ms'] + load['names_ms']:.0f} ms, "
        f"best of 3); whole-database search built in {load['search_ms']:.0f} ms (at start-up, "
        "in a thread)"
    )
    print(
        f"memory: the load adds {load['loaded_rss_mb']:.1f} MB RSS "
        f"({memory['loaded_peak_mb']:.1f} MB allocated), with the search "
        f"{load['all_rss_mb']:.1f} MB RSS ({memory['all_peak_mb']:.1f} MB allocated)"
    )

    from nudgebot.features.meals.parser import estimate_meal, load_index

    index = load_index()
    index.warm()
    sample = texts()
    for text in sample:
        estimate_meal(text, index)
    rng = random.Random(7)
    timings: list[float] = []
    wall = 0.0
    for _ in range(args.rounds):
        rng.shuffle(sample)
        started = time.perf_counter()
        for text in sample:
            t0 = time.perf_counter()
            estimate_meal(text, index)
            timings.append(time.perf_counter() - t0)
        wall += time.perf_counter() - started
    timings.sort()
    p99 = timings[int(len(timings) * 0.99)]
    print(f"{len(timings):,} check-ins ({len(sample)} distinct x {args.rounds} rounds)")
    print(f"throughput: {len(timings) / wall:,.0f} check-ins/s")
    print(
        f"latency: p50 {statistics.median(timings) * 1000:.3f} ms, "
        f"p99 {p99 * 1000:.3f} ms, max {timings[-1] * 1000:.3f} ms"
    )


if __name__ == "__main__":
    main()
