"""Check-in texts and buttons, without Telegram: buttons are rows of (label, callback data).

Every callback data here names a stored row or a food, never a position in a list shown once,
so a button tapped hours later (an evening reminder, yesterday's reply) still does what it says.
"""

from __future__ import annotations

from collections.abc import Sequence

from nudgebot.content import Replies
from nudgebot.features.meals.foods import Food
from nudgebot.features.meals.parser import MAX_GRAMS
from nudgebot.features.meals.quick import Addition, QuickChoices, RecentMeal
from nudgebot.features.meals.service import (
    MIN_GRAMS,
    CheckinKind,
    CheckinResult,
    DaySummary,
    LoggedItem,
    UndoResult,
    WeekSummary,
)
from nudgebot.features.meals.targets import Target
from nudgebot.platform.callbacks import (
    AddFood,
    ChangeAmounts,
    QuickCancel,
    RepeatMeal,
    SetAmount,
    UndoCheckin,
    UndoFromToday,
    pack,
)
from nudgebot.platform.i18n import format_day
from nudgebot.platform.timeofday import format_time

Rows = list[list[tuple[str, str]]]

MAX_INLINE_FOODS = 3  # more foods than this: one "Change amounts" button opens a row per food
MAX_FOOD_ROWS = 12
MAX_LABEL_FOODS = 40  # characters of food names in a button label
MAX_TODAY_BUTTONS = 10


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
    return r.checkin.suggestion.format(name=food.name, portion=food.default_amount, mg=_mg(food.mg))


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
    undo = (r.quick.undo, pack(UndoCheckin(checkin_id)))
    if len(items) > MAX_INLINE_FOODS and not expanded:
        return [[(r.quick.change, pack(ChangeAmounts(checkin_id))), undo]]
    rows: Rows = []
    for index, item in enumerate(items[:MAX_FOOD_ROWS]):
        name = _short(item.name, 24)
        row = []
        if item.grams / 2 >= MIN_GRAMS:
            half = SetAmount(checkin_id, index, item.grams / 2)
            row.append((r.quick.half.format(name=name), pack(half)))
        if item.grams * 2 <= MAX_GRAMS:
            double = SetAmount(checkin_id, index, item.grams * 2)
            row.append((r.quick.double.format(name=name), pack(double)))
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
    return q.same_day.format(day=format_day(meal.local_date, r.locale), **fields)


def addition_label(r: Replies, addition: Addition) -> str:
    """'+ almonds, a handful · 76 mg'."""
    return r.quick.addition.format(
        name=_short(addition.name.split(",")[0], 28),
        unit=addition.unit_name or addition.unit,
        mg=_mg(addition.mg),
    )


def quick_rows(r: Replies, choices: QuickChoices) -> Rows:
    """The one-tap check-in buttons: a row per recent meal, then additions two a row."""
    rows: Rows = [[(meal_label(r, m), pack(RepeatMeal(m.checkin_id)))] for m in choices.meals]
    additions = [(addition_label(r, a), pack(AddFood(a.food_id))) for a in choices.additions]
    rows.extend(additions[n : n + 2] for n in range(0, len(additions), 2))
    return rows


def quick_menu_rows(r: Replies, choices: QuickChoices) -> Rows:
    """What /checkin shows: the quick rows and Cancel."""
    return [*quick_rows(r, choices), [(r.quick.cancel, pack(QuickCancel()))]]


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
        date=format_day(day.local_date, r.locale),
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
                pack(UndoFromToday(entry.checkin_id)),
            )
        ]
        for entry in day.entries[-MAX_TODAY_BUTTONS:]
    ]


def week_target_text(r: Replies, target: Target) -> str:
    """'your target of 360 mg' or 'the adult range (310–420 mg)', as a week's summary says it."""
    c = r.checkin
    if target.is_range:
        return c.target_range.format(low=target.low, high=target.high)
    return c.target_single.format(target=target.low)


def week_caption(r: Replies, week: WeekSummary) -> str:
    """The /week summary: the average over the days with a check-in, days at target, streak."""
    c = r.checkin
    target = week.target
    good = sum(1 for _, mg in week.days if mg >= target.low)
    return c.week_caption.format(
        average=c.week_average.format(week.logged_days, avg=_mg(week.average_mg)),
        reached=c.week_reached.format(good, target_text=week_target_text(r, target)),
        streak=c.week_streak.format(week.streak),
    )
