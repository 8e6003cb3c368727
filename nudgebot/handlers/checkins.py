"""Meal check-ins: recording what the router recognised, /today, /undo, /week."""

from __future__ import annotations

import asyncio
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from nudgebot.charts import week_chart
from nudgebot.content import Replies
from nudgebot.domain.targets import Target
from nudgebot.features.meals.foods import Food
from nudgebot.features.meals.parser import grams_for
from nudgebot.features.understanding import views
from nudgebot.features.understanding.router import Verdict
from nudgebot.handlers.common import close_keyboard, ids, reply, runtime
from nudgebot.services.checkins import (
    AnswerKind,
    AnswerResult,
    CheckinKind,
    CheckinResult,
    FoodQuestionView,
)

QUESTION_PREFIX = "fq"
NONE_OF_THESE = "x"
QUESTION_DATA = re.compile(rf"^{QUESTION_PREFIX}:(\d{{1,18}}):(\d|{NONE_OF_THESE})$")


def question_data(question_id: int, choice: int | None) -> str:
    """Callback data of a "did you mean" button (well under Telegram's 64 bytes)."""
    return f"{QUESTION_PREFIX}:{question_id}:{NONE_OF_THESE if choice is None else choice}"


def _mg(value: float) -> str:
    return f"{value:.0f}"


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
    if result.kind is CheckinKind.NOTHING_RECOGNISED or estimate is None:
        if not result.questions:  # with questions, they say it all
            lines.append(c.nothing)
    else:
        lines.extend(
            c.item.format(name=i.food.name, portion=i.portion_text, mg=_mg(i.mg))
            for i in estimate.items
        )
        if any(i.capped for i in estimate.items):
            lines.append(c.capped)
        lines.append(c.meal_total.format(mg=_mg(estimate.total_mg)))
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
        asked = {q.phrase for q in result.questions}
        unasked = [u for u in estimate.unknown if u not in asked]
        if unasked:
            lines.append("")
            lines.append(c.unknown.format(items=", ".join(unasked)[:200]))
    if result.remind:
        lines.append("")
        lines.append(c.reminder)
    return "\n".join(lines)


async def record_meal(update: Update, context: ContextTypes.DEFAULT_TYPE, verdict: Verdict) -> None:
    """Store a meal the router recognised; the reply starts with any referral it carries."""
    rt = runtime(context)
    user_id, _ = ids(update)
    assert verdict.meal is not None
    result = await rt.checkins.record(
        user_id=user_id,
        estimate=verdict.meal,
        update_id=update.update_id,
        referred=bool(verdict.referrals),
        warfarin=verdict.mentions_warfarin,
    )
    referral = views.referral_text(rt.replies, verdict.referrals) if verdict.referrals else ""
    text = "\n\n".join(t for t in (referral, render_checkin(rt.replies, result)) if t)
    if text:
        await reply(update, context, text)
    for question in result.questions:
        await reply(
            update,
            context,
            rt.replies.checkin.question.format(phrase=question.phrase[:80]),
            question_keyboard(rt.replies, question, result),
        )


def question_keyboard(
    r: Replies, question: FoodQuestionView, result: CheckinResult
) -> InlineKeyboardMarkup:
    """One button per food offered for an unknown part, and "None of these"."""
    parts = result.estimate.unknown_parts if result.estimate is not None else ()
    unknown = next((u for u in parts if u.text == question.phrase), None)
    rows = []
    for n, food in enumerate(question.options):
        item = grams_for(food, unknown.amount) if unknown is not None else None
        mg = item.mg if item is not None else food.mg
        label = r.checkin.option.format(name=food.name[:40], portion=food.portion, mg=_mg(mg))
        rows.append([InlineKeyboardButton(label, callback_data=question_data(question.id, n))])
    none = InlineKeyboardButton(
        r.checkin.none_of_these, callback_data=question_data(question.id, None)
    )
    rows.append([none])
    return InlineKeyboardMarkup(rows)


def render_answer(r: Replies, result: AnswerResult) -> str:
    """The reply to a "did you mean" button."""
    c = r.checkin
    if result.kind is AnswerKind.ALREADY:
        return c.chose_already
    if result.kind is AnswerKind.NONE_OF_THESE or result.item is None:
        return c.chose_none.format(phrase=result.phrase[:80])
    item = result.item
    lines = [
        c.chose.format(
            name=item.food.name,
            portion=item.portion_text,
            mg=_mg(item.mg),
            phrase=result.phrase[:80],
        )
    ]
    if result.target is not None:
        lines.append(total_line(r, result.day_total_mg, result.target))
    return "\n".join(lines)


async def food_question_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A tap on "did you mean": add the chosen food, remember it, drop the buttons."""
    query = update.callback_query
    assert query is not None and query.data is not None
    rt = runtime(context)
    user_id, _ = ids(update)
    match = QUESTION_DATA.match(query.data)
    if match is None:
        await query.answer()
        await close_keyboard(query)
        return
    choice = None if match[2] == NONE_OF_THESE else int(match[2])
    result = await rt.checkins.answer(user_id=user_id, question_id=int(match[1]), choice=choice)
    text = render_answer(rt.replies, result)
    if result.kind is AnswerKind.ALREADY:
        await query.answer(text)  # a second tap: a short notice, the message stays as answered
        await close_keyboard(query)
        return
    await query.answer()
    await close_keyboard(query, text)


async def checkin_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The check-in button under a daily tip: ask what they ate (the next text is recorded)."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await reply(update, context, runtime(context).replies.checkin.prompt)


async def today_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/today: today's check-ins and the total against the target."""
    rt = runtime(context)
    r = rt.replies
    user_id, _ = ids(update)
    day = await rt.checkins.today(user_id=user_id)
    if day is None:
        await reply(update, context, r.general.not_started)
        return
    if not day.entries:
        await reply(update, context, r.checkin.today_none + "\n\n" + total_line(r, 0, day.target))
        return
    entries = "\n".join(r.checkin.today_entry.format(foods=f, mg=_mg(mg)) for f, mg in day.entries)
    text = r.checkin.today_layout.format(
        date=day.local_date.strftime("%a %d %b"),
        entries=entries,
        total_line=total_line(r, day.total_mg, day.target),
    )
    await reply(update, context, f"{text}\n\n{r.checkin.credit}")


async def undo_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/undo: remove the last check-in."""
    rt = runtime(context)
    user_id, _ = ids(update)
    removed = await rt.checkins.undo(user_id=user_id)
    if removed is None:
        await reply(update, context, rt.replies.checkin.undo_none)
        return
    foods, mg = removed
    await reply(update, context, rt.replies.checkin.undo_done.format(foods=foods, mg=_mg(mg)))


async def week_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/week: a chart of the last 7 days with a one-line summary."""
    rt = runtime(context)
    c = rt.replies.checkin
    user_id, chat_id = ids(update)
    week = await rt.checkins.week(user_id=user_id)
    if week is None:
        await reply(update, context, rt.replies.general.not_started)
        return
    values = [mg for _, mg in week.days]
    if not any(values):
        await reply(update, context, c.week_empty)
        return
    target = week.target
    png = await asyncio.to_thread(
        week_chart,
        list(week.days),
        target_low=target.low,
        target_high=target.high,
        title=c.chart_title,
        target_label=c.chart_range if target.is_range else c.chart_target,
        unit=c.chart_unit,
    )
    target_text = (
        c.target_range.format(low=target.low, high=target.high)
        if target.is_range
        else c.target_single.format(target=target.low)
    )
    caption = c.week_caption.format(
        avg=_mg(sum(values) / 7),
        good=sum(1 for v in values if v >= target.low),
        target_text=target_text,
        streak=week.streak,
    )
    await context.bot.send_photo(chat_id, png, caption=caption)
