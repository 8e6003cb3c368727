"""Which tip a subscriber gets next: every tip of their topics once, in a per-person order.

Each person walks through the tips in an order of their own: tip number n sits at position
(a·n + b) mod P, with P prime and a, b drawn from the person's id and cycle, so positions never
collide. The person keeps only (cycle, last position): the next tip is the one with the smallest
position above it. A tip added later simply has a position too (it is seen this cycle if its
position is still ahead, else early in the next); when no position is ahead, a new cycle with a
fresh order begins. The state is two integers, and choosing costs a pass over the tip numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

P = 2_147_483_647  # 2**31 - 1, prime; tip numbers stay far below it


def _coefficients(user_id: int, cycle: int) -> tuple[int, int]:
    mix = (user_id * 0x9E3779B1 + cycle * 0x85EBCA77 + 0x165667B1) % P
    a = mix % (P - 1) + 1  # never 0, so n -> a·n + b mod P is a bijection
    b = (mix * 0xC2B2AE3D + cycle) % P
    return a, b


def position(user_id: int, cycle: int, tip_num: int) -> int:
    """Where a tip sits in this person's order for a cycle."""
    a, b = _coefficients(user_id, cycle)
    return (a * tip_num + b) % P


@dataclass(frozen=True, slots=True)
class Pick:
    """The chosen tip and the person's new rotation state."""

    tip_num: int
    cycle: int
    position: int


def pick_next(
    *, user_id: int, cycle: int, last_position: int, candidates: Sequence[int]
) -> Pick | None:
    """The next tip number among `candidates` (enabled tips of the person's topics), or None."""
    if not candidates:
        return None
    a, b = _coefficients(user_id, cycle)
    best_num, best_pos = -1, P
    for num in candidates:
        pos = (a * num + b) % P
        if last_position < pos < best_pos:
            best_num, best_pos = num, pos
    if best_num >= 0:
        return Pick(best_num, cycle, best_pos)
    # Every candidate was seen this cycle: a new order begins. If it would open with the tip
    # just shown, take the following cycle's order instead (no back-to-back repeat).
    last_num = next((n for n in candidates if (a * n + b) % P == last_position), None)
    new_cycle = cycle + 1
    while True:
        a, b = _coefficients(user_id, new_cycle)
        first = min(candidates, key=lambda n: (a * n + b) % P)
        if first != last_num or len(candidates) == 1 or new_cycle > cycle + 16:
            return Pick(first, new_cycle, (a * first + b) % P)
        new_cycle += 1


def pick_next_many(
    *,
    user_ids: Sequence[int],
    cycles: Sequence[int],
    last_positions: Sequence[int],
    candidates: Sequence[int],
) -> list[Pick | None]:
    """pick_next for many people who share one candidate list, in one array computation.

    A scheduler pass picks for thousands of people over the same few lists; the positions of
    every candidate for every person are one (people x candidates) integer matrix (a·n + b stays
    below 2**62). Whoever has no candidate ahead starts a new cycle through pick_next itself.
    """
    if not candidates:
        return [None] * len(user_ids)
    coefficients = [_coefficients(u, c) for u, c in zip(user_ids, cycles, strict=True)]
    a = np.array([ab[0] for ab in coefficients], dtype=np.int64)[:, None]
    b = np.array([ab[1] for ab in coefficients], dtype=np.int64)[:, None]
    nums = np.array(candidates, dtype=np.int64)[None, :]
    positions = (a * nums + b) % P
    ahead = np.where(positions > np.array(last_positions, dtype=np.int64)[:, None], positions, P)
    best = ahead.argmin(axis=1)
    best_pos = ahead[np.arange(len(user_ids)), best]
    picks: list[Pick | None] = []
    for row, (user_id, cycle, last) in enumerate(
        zip(user_ids, cycles, last_positions, strict=True)
    ):
        if best_pos[row] < P:
            picks.append(Pick(candidates[int(best[row])], cycle, int(best_pos[row])))
        else:
            picks.append(
                pick_next(user_id=user_id, cycle=cycle, last_position=last, candidates=candidates)
            )
    return picks
