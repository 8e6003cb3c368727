"""What to suggest after a check-in, and when to remind people about professional advice."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from nudgebot.domain.meals import Food

# Categories whose foods are the richest everyday sources, in the seed text's order.
SUGGESTION_CATEGORIES = ("leafy_greens", "nuts", "seeds", "legumes", "grains", "soy")
REMINDER_EVERY = timedelta(days=7)
MIN_SUGGESTION_MG = 40.0


def default_serving_mg(food: Food) -> float:
    """Magnesium in what the person would eat by default (one piece, a handful, the portion)."""
    grams = food.units.get(food.default_unit, food.grams)
    return grams * food.mg_per_gram


def suggest_additions(
    foods: Sequence[Food],
    eaten: Iterable[str],
    *,
    seed: int,
    count: int = 2,
    avoid_vitamin_k: bool = False,
) -> list[Food]:
    """One or two magnesium-rich foods from different groups, not eaten today, varied by seed.

    With `avoid_vitamin_k` (the person takes warfarin) vitamin-K-rich greens are never offered.
    """
    eaten_ids = set(eaten)
    picks: list[Food] = []
    categories = list(SUGGESTION_CATEGORIES)
    start = seed % len(categories)
    for category in categories[start:] + categories[:start]:
        candidates = sorted(
            (
                f
                for f in foods
                if f.category == category
                and f.id not in eaten_ids
                and not (avoid_vitamin_k and f.vitamin_k_rich)
                and default_serving_mg(f) >= MIN_SUGGESTION_MG
            ),
            key=lambda f: (-default_serving_mg(f), f.id),
        )[:4]
        if candidates:
            picks.append(candidates[seed % len(candidates)])
        if len(picks) == count:
            break
    return picks


def reminder_due(last_reminded: datetime | None, now: datetime) -> bool:
    """At least once a week, guidance says a doctor or dietitian gives personal advice."""
    return last_reminded is None or now - last_reminded >= REMINDER_EVERY
