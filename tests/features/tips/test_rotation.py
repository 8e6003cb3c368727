import itertools

from hypothesis import given
from hypothesis import strategies as st

from nudgebot.features.tips.rotation import pick_next, pick_next_many, position


def _walk(user_id: int, candidates: list[int], steps: int) -> list[int]:
    cycle, pos, seen = 0, -1, []
    for _ in range(steps):
        pick = pick_next(user_id=user_id, cycle=cycle, last_position=pos, candidates=candidates)
        assert pick is not None
        seen.append(pick.tip_num)
        cycle, pos = pick.cycle, pick.position
    return seen


def test_every_tip_once_before_any_repeats() -> None:
    tips = list(range(1, 109))
    seen = _walk(42, tips, 108)
    assert sorted(seen) == tips


@given(
    user_id=st.integers(min_value=1, max_value=10**12),
    tips=st.sets(st.integers(min_value=1, max_value=5000), min_size=2, max_size=60),
)
def test_no_repeat_within_a_cycle_and_no_back_to_back(user_id: int, tips: set[int]) -> None:
    candidates = sorted(tips)
    seen = _walk(user_id, candidates, 3 * len(candidates))
    for start in range(0, len(seen), len(candidates)):
        assert sorted(seen[start : start + len(candidates)]) == candidates
    assert all(a != b for a, b in itertools.pairwise(seen))


def test_orders_differ_between_people() -> None:
    tips = list(range(1, 31))
    assert _walk(1, tips, 30) != _walk(2, tips, 30)


def test_a_tip_added_mid_cycle_is_seen_before_any_repeat() -> None:
    tips = list(range(1, 21))
    cycle, pos, seen = 0, -1, []
    for step in range(40):
        if step == 5:
            tips = [*tips, 99]
        pick = pick_next(user_id=7, cycle=cycle, last_position=pos, candidates=tips)
        assert pick is not None
        seen.append(pick.tip_num)
        cycle, pos = pick.cycle, pick.position
    assert 99 in seen
    first_repeat = next(i for i, n in enumerate(seen) if n in seen[:i])
    assert first_repeat >= 20  # nothing repeats before the original 20 were all seen


def test_no_candidates_means_no_tip() -> None:
    assert pick_next(user_id=1, cycle=0, last_position=-1, candidates=[]) is None


def test_positions_never_collide() -> None:
    assert len({position(5, 3, n) for n in range(1, 5001)}) == 5000


@given(
    people=st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=10**12),
            st.integers(min_value=0, max_value=50),
            st.integers(min_value=-1, max_value=2**31 - 2),
        ),
        min_size=1,
        max_size=30,
    ),
    candidates=st.lists(st.integers(min_value=1, max_value=5000), max_size=150, unique=True),
)
def test_picking_for_many_at_once_picks_what_each_would_alone(
    people: list[tuple[int, int, int]], candidates: list[int]
) -> None:
    many = pick_next_many(
        user_ids=[p[0] for p in people],
        cycles=[p[1] for p in people],
        last_positions=[p[2] for p in people],
        candidates=candidates,
    )
    assert many == [
        pick_next(user_id=u, cycle=c, last_position=last, candidates=candidates)
        for u, c, last in people
    ]
