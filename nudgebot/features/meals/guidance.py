"""What to suggest after a check-in, and when to remind people about professional advice."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from nudgebot.features.meals.foods import Food

REMINDER_EVERY = timedelta(days=7)
WHOLE_MEALS = frozenset({"dishes", "soups"})  # suggested only from the person's own cuisines
MIN_SUGGESTION_MG = 40.0
# Groups whose everyday foods are the richest sources, in the seed text's order; one pick per
# group, so two suggestions are never two kinds of nut.
SUGGESTION_GROUPS = (
    "leafy_greens", "nuts", "seeds", "legumes", "grains", "bread", "soy", "dishes", "fruit",
    "vegetables", "dairy", "breakfast", "sweets",
)  # fmt: skip


def suggest_additions(
    foods: Sequence[Food],
    eaten: Iterable[str],
    *,
    seed: int,
    cuisines: Counter[str] | None = None,
    count: int = 2,
    avoid_vitamin_k: bool = False,
) -> list[Food]:
    """One or two everyday magnesium-rich foods from different groups, not eaten today.

    `cuisines`: how often each cuisine appears in what the person logged lately; foods of those
    cuisines come first (chana or rajma for someone eating dal and roti), then foods eaten
    everywhere. With `avoid_vitamin_k` (the person takes warfarin) vitamin-K-rich foods are never
    offered. Varied by `seed` among the best few of each group.
    """
    eaten_ids = set(eaten)
    liked = [c for c, _ in (cuisines or Counter()).most_common(3)]
    candidates = [
        f
        for f in foods
        if f.everyday
        and f.id not in eaten_ids
        and not (avoid_vitamin_k and f.vitamin_k_rich)
        and f.mg >= MIN_SUGGESTION_MG
        and f.category in SUGGESTION_GROUPS
    ]

    def fit(food: Food) -> int:
        """0: of a cuisine the person eats; 1: eaten everywhere; 2: someone else's cuisine."""
        if any(c in liked for c in food.cuisines):
            return 0
        return 1 if not food.cuisines else 2

    picks: list[Food] = []
    used_groups: set[str] = set()
    # one from the person's own cuisines (a dish of theirs is fine: chana masala), the rest
    # everyday staples eaten everywhere (beans, nuts, seeds, whole grains), never a whole dish
    for level, wanted in ((0, 1), (1, count)):
        by_group: dict[str, list[Food]] = {}
        for food in candidates:
            if fit(food) != level or food.category in used_groups:
                continue
            if level == 1 and food.category in WHOLE_MEALS:
                continue
            by_group.setdefault(food.category, []).append(food)
        groups = [g for g in SUGGESTION_GROUPS if g in by_group]
        if not groups:
            continue
        start = seed % len(groups)
        for group in groups[start:] + groups[:start]:
            best = sorted(by_group[group], key=lambda f: (-f.mg, f.id))[:4]
            picks.append(best[seed % len(best)])
            used_groups.add(group)
            if len(picks) >= wanted or len(picks) == count:
                break
        if len(picks) == count:
            break
    return picks


def reminder_due(last_reminded: datetime | None, now: datetime) -> bool:
    """At least once a week, guidance says a doctor or dietitian gives personal advice."""
    return last_reminded is None or now - last_reminded >= REMINDER_EVERY
