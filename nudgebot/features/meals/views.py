"""Check-in texts and buttons, without Telegram: buttons are rows of (label, callback data).

Every callback data here names a stored row or a food, never a position in a list shown once,
so a button tapped hours later (an evening reminder, yesterday's reply) still does what it says.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from nudgebot.content import Replies
from nudgebot.domain.clock import format_time
from nudgebot.domain.targets import Target
from nudgebot.features.meals.foods import Food
from nudgebot.features.meals.parser import MAX_GRAMS
from nudgebot.features.meals.quick import Addition, QuickChoices, RecentMeal
from nudgebot.platform.i18n import format_day
from nudgebot.services.checkins import (
    MIN_GRAMS,
    CheckinKind,
    CheckinResult,
    DaySummary,
    LoggedItem,
    UndoResult,
    WeekSummary,
)

Rows = list[list[tuple[str, str]]]

MAX_CALLBACK_BYTES = 64  # Telegram's limit on callback_data
MAX_INLINE_FOODS = 3  # more foods than this: one "Change amounts" button opens a row per food
MAX_FOOD_ROWS = 12
MAX_LABEL_FOODS = 40  # characters of food names in a button label
MAX_TODAY_BUTTONS = 10

# Callback data of the check-in buttons: a prefix, then what it names.
REPEAT = "qm"  # qm:<check-in id>: log that meal again
ADD = "qa"  # qa:<food id>: log an everyday addition
CANCEL = "qx"  # close the quick menu
AMOUNT = "cp"  # cp:<check-in id>:<item index>:<grams>: set that food's amount (absolute)
AMOUNTS = "cm"  # cm:<check-in id>: open a row per food
UNDO = "cu"  # cu:<check-in id>: undo from the check-in's reply
UNDO_TODAY = "tu"  # tu:<check-in id>: undo from /today (the list is shown again)

_ID = r"(?P<checkin>\d{1,18})"
_PATTERNS = {
    REPEAT: re.compile(rf"^{REPEAT}:{_ID}$"),
    ADD: re.compile(rf"^{ADD}:(?P<food>[a-z0-9_]{{1,50}})$"),
    CANCEL: re.compile(rf"^{CANCEL}$"),
    AMOUNT: re.compile(rf"^{AMOUNT}:{_ID}:(?P<index>\d{{1,2}}):(?P<grams>\d{{1,4}}(?:\.\d)?)$"),
    AMOUNTS: re.compile(rf"^{AMOUNTS}:{_ID}$"),
    UNDO: re.compile(rf"^{UNDO}:{_ID}$"),
    UNDO_TODAY: re.compile(rf"^{UNDO_TODAY}:{_ID}$"),
}
TAP_PATTERN = re.compile(rf"^(?:{'|'.join(_PATTERNS)})(?::|$)")  # for the handler registration


@dataclass(frozen=True, slots=True)
class Tap:
    """A check-in button's callback data, read back."""

    kind: str  # one of the prefixes above
    checkin_id: int | None = None
    food_id: str | None = None
    index: int | None = None
    grams: float | None = None


def parse_tap(data: str) -> Tap | None:
    """The button a callback data stands for; None for anything else (old or forged)."""
    prefix = data.split(":", 1)[0]
    pattern = _PATTERNS.get(prefix)
    match = pattern.match(data) if pattern is not None else None
    if match is None:
        return None
    found = match.groupdict()
    return Tap(
        prefix,
        checkin_id=int(found["checkin"]) if found.get("checkin") else None,
        food_id=found.get("food"),
        index=int(found["index"]) if found.get("index") else None,
        grams=float(found["grams"]) if found.get("grams") else None,
    )


def _grams(value: float) -> str:
    return f"{round(value, 1):g}"


def repeat_data(checkin_id: int) -> str:
    """Log a past meal again."""
    return f"{REPEAT}:{checkin_id}"


def addition_data(food_id: str) -> str:
    """Log an everyday addition."""
    return f"{ADD}:{food_id}"


def amount_data(checkin_id: int, index: int, grams: float) -> str:
    """Set one food of a check-in to this many grams."""
    return f"{AMOUNT}:{checkin_id}:{index}:{_grams(grams)}"


def _mg(value: float) -> str:
    return f"{value:.0f}"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip(" ,") + "…"


# ------------------------------------------------------------------ the check-in reply


def total_line(r: Replies, total: float, target: Target) -> str:
    """'Today so far: 210 mg of your 320 mg (66%).' or the range form."""
    c = r.checkin
    high_pct, low_pct = target.percent(total)
    if not target.is_range:
        return c.day_single.format(total=_mg(total), target=target.low, percent=low_pct)
    return c.day_range.format(
        total=_mg(total),
        low=target.low,
        high=target.high,
        low_percent=high_pct,
        high_percent=low_pct,
    )


def _suggestion(r: Replies, food: Food) -> str:
    return r.checkin.suggestion.format(
        name=food.name, portion=f"1 {food.default_unit}", mg=_mg(food.mg)
    )


def render_checkin(r: Replies, result: CheckinResult) -> str:
    """One short message: items, meal total, day against target, additions, reminder."""
    c = r.checkin
    lines: list[str] = []
    estimate = result.estimate
    if result.kind is CheckinKind.NOTHING_RECOGNISED or not result.logged:
        if not result.questions:  # with questions, they say it all
            lines.append(c.nothing)
    else:
        lines.extend(
            c.item.format(name=i.name, portion=i.portion, mg=_mg(i.mg)) for i in result.logged
        )
        if estimate is not None and any(i.capped for i in estimate.items):
            lines.append(c.capped)
        lines.append(c.meal_total.format(mg=_mg(result.meal_mg)))
        if result.target is not None:
            lines.append("")
            lines.append(total_line(r, result.day_total_mg, result.target))
            if result.day_total_mg >= result.target.high:
                lines.append(c.well_done)
            elif result.suggestions:
                picks = [_suggestion(r, f) for f in result.suggestions]
                lines.append(
                    c.suggest_two.format(first=picks[0], second=picks[1])
                    if len(picks) > 1
                    else c.suggest_one.format(first=picks[0])
                )
        if estimate is not None:
            asked = {q.phrase for q in result.questions}
            unasked = [u for u in estimate.unknown if u not in asked]
            if unasked:
                lines.append("")
                lines.append(c.unknown.format(items=", ".join(unasked)[:200]))
    if result.remind:
        lines.append("")
        lines.append(c.reminder)
    return "\n".join(lines)


def fix_rows(
    r: Replies, checkin_id: int, items: Sequence[LoggedItem], *, expanded: bool = False
) -> Rows:
    """The buttons under a check-in: ×½ and ×2 per food (behind "Change amounts" when there
    are many), then Undo."""
    undo = (r.quick.undo, f"{UNDO}:{checkin_id}")
    if len(items) > MAX_INLINE_FOODS and not expanded:
        return [[(r.quick.change, f"{AMOUNTS}:{checkin_id}"), undo]]
    rows: Rows = []
    for index, item in enumerate(items[:MAX_FOOD_ROWS]):
        name = _short(item.name, 24)
        row = []
        if item.grams / 2 >= MIN_GRAMS:
            row.append(
                (r.quick.half.format(name=name), amount_data(checkin_id, index, item.grams / 2))
            )
        if item.grams * 2 <= MAX_GRAMS:
            row.append(
                (r.quick.double.format(name=name), amount_data(checkin_id, index, item.grams * 2))
            )
        if row:
            rows.append(row)
    rows.append([undo])
    return rows


def undo_text(r: Replies, removed: UndoResult, *, last: bool) -> str:
    """What an undo removed, and today's total now."""
    c = r.checkin
    text = c.undo_done if last else c.undo_entry_done
    said = text.format(foods=", ".join(removed.foods), mg=_mg(removed.mg))
    return f"{said}\n\n{total_line(r, removed.day_total_mg, removed.target)}"


# ------------------------------------------------------------------ one-tap check-ins


def _foods(names: Sequence[str]) -> str:
    """'oatmeal, almonds, banana': each name before its comma ("oatmeal, cooked"), kept short."""
    heads = dict.fromkeys(name.split(",")[0].strip() for name in names)
    return _short(", ".join(heads), MAX_LABEL_FOODS)


def meal_label(r: Replies, meal: RecentMeal) -> str:
    """'Same as yesterday's breakfast: oatmeal, almonds, banana · 175 mg'."""
    q = r.quick
    fields = {
        "meal": getattr(q.meals, meal.meal),
        "foods": _foods(meal.foods),
        "mg": _mg(meal.total_mg),
    }
    if meal.days_ago == 0:
        return q.same_today.format(**fields)
    if meal.days_ago == 1:
        return q.same_yesterday.format(**fields)
    if meal.times > 1:
        return q.usual.format(**fields)
    return q.same_day.format(day=format_day(meal.local_date), **fields)


def addition_label(r: Replies, addition: Addition) -> str:
    """'+ almonds, a handful · 76 mg'."""
    return r.quick.addition.format(
        name=_short(addition.name.split(",")[0], 28), unit=addition.unit, mg=_mg(addition.mg)
    )


def quick_rows(r: Replies, choices: QuickChoices) -> Rows:
    """The one-tap check-in buttons: a row per recent meal, then additions two a row."""
    rows: Rows = [[(meal_label(r, m), repeat_data(m.checkin_id))] for m in choices.meals]
    additions = [(addition_label(r, a), addition_data(a.food_id)) for a in choices.additions]
    rows.extend(additions[n : n + 2] for n in range(0, len(additions), 2))
    return rows


def quick_menu_rows(r: Replies, choices: QuickChoices) -> Rows:
    """What /checkin shows: the quick rows and Cancel."""
    return [*quick_rows(r, choices), [(r.quick.cancel, CANCEL)]]


# ------------------------------------------------------------------ /today and /week


def today_text(r: Replies, day: DaySummary) -> str:
    """Each check-in of the day (local time, foods with portions, mg) and the total."""
    c = r.checkin
    if not day.entries:
        return c.today_none + "\n\n" + total_line(r, 0, day.target)
    blocks = []
    for entry in day.entries:
        lines = [c.today_entry.format(time=format_time(entry.local_time), mg=_mg(entry.total_mg))]
        lines.extend(
            c.today_item.format(name=i.name, portion=i.portion, mg=_mg(i.mg)) for i in entry.items
        )
        blocks.append("\n".join(lines))
    text = c.today_layout.format(
        date=format_day(day.local_date),
        count=c.today_count.format(len(day.entries)),
        entries="\n".join(blocks),
        total_line=total_line(r, day.total_mg, day.target),
    )
    return f"{text}\n\n{c.credit}"


def today_rows(r: Replies, day: DaySummary) -> Rows:
    """An undo button per check-in of the day (the newest ones when there are many)."""
    return [
        [
            (
                r.checkin.today_undo.format(
                    time=format_time(entry.local_time),
                    foods=_short(_foods([i.name for i in entry.items]), 30),
                ),
                f"{UNDO_TODAY}:{entry.checkin_id}",
            )
        ]
        for entry in day.entries[-MAX_TODAY_BUTTONS:]
    ]


def week_caption(r: Replies, week: WeekSummary) -> str:
    """The /week summary: the average over the days with a check-in, days at target, streak."""
    c = r.checkin
    target = week.target
    target_text = (
        c.target_range.format(low=target.low, high=target.high)
        if target.is_range
        else c.target_single.format(target=target.low)
    )
    good = sum(1 for _, mg in week.days if mg >= target.low)
    return c.week_caption.format(
        average=c.week_average.format(week.logged_days, avg=_mg(week.average_mg)),
        reached=c.week_reached.format(good, target_text=target_text),
        streak=c.week_streak.format(week.streak),
    )
