"""Meal check-ins: recording what the router recognised, /today, /undo, /week."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from nudgebot.bot.context import (
    add_buttons,
    add_commands,
    close_keyboard,
    edit_keyboard,
    ids,
    reply,
    runtime,
    texts,
)
from nudgebot.content import Replies
from nudgebot.features.meals import views
from nudgebot.features.meals.charts import week_chart
from nudgebot.features.meals.parser import grams_for
from nudgebot.features.meals.quick import tap_key
from nudgebot.features.meals.service import (
    AnswerKind,
    AnswerResult,
    CheckinKind,
    CheckinResult,
    FoodQuestionView,
)
from nudgebot.features.meals.views import render_checkin, total_line
from nudgebot.features.understanding import views as understanding_views
from nudgebot.features.understanding.router import Verdict
from nudgebot.platform import callbacks
from nudgebot.platform.callbacks import (
    AddFood,
    ChangeAmounts,
    CheckinMenu,
    FoodQuestionAnswer,
    QuickCancel,
    RepeatMeal,
    SetAmount,
    UndoCheckin,
    UndoFromToday,
    pack,
    unpack,
)

__all__ = ["markup", "record_meal", "render_checkin", "send_quick_menu", "total_line"]


def _mg(value: float) -> str:
    return f"{value:.0f}"


def markup(rows: views.Rows) -> InlineKeyboardMarkup | None:
    """Rows of (label, callback data) as an inline keyboard (None without buttons)."""
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


def _fix_markup(
    r: Replies, result: CheckinResult, *, expanded: bool = False
) -> InlineKeyboardMarkup | None:
    if result.checkin_id is None or not result.logged:
        return None
    return markup(views.fix_rows(r, result.checkin_id, result.logged, expanded=expanded))


async def record_meal(update: Update, context: ContextTypes.DEFAULT_TYPE, verdict: Verdict) -> None:
    """Store a meal the router recognised; any referral it carries goes first, on its own."""
    r = await texts(update, context)
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
    referral = understanding_views.referral_text(r, verdict.referrals) if verdict.referrals else ""
    # The referral is a message of its own: fixing the check-in later (×½, ×2) edits only the
    # check-in's message, and must never take the referral away with it.
    if referral:
        await reply(update, context, referral)
    text = render_checkin(r, result)
    if text:
        await reply(update, context, text, _fix_markup(r, result))
    for question in result.questions:
        await reply(
            update,
            context,
            r.checkin.question.format(phrase=question.phrase[:80]),
            question_keyboard(r, question, result),
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
        data = pack(FoodQuestionAnswer(question.id, n))
        rows.append([InlineKeyboardButton(label, callback_data=data)])
    none = InlineKeyboardButton(
        r.checkin.none_of_these, callback_data=pack(FoodQuestionAnswer(question.id, None))
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
    r = await texts(update, context)
    query = update.callback_query
    assert query is not None
    rt = runtime(context)
    user_id, _ = ids(update)
    button = unpack(query.data)
    if not isinstance(button, FoodQuestionAnswer):
        await query.answer(r.general.stale_button)
        return
    result = await rt.checkins.answer(
        user_id=user_id, question_id=button.question_id, choice=button.choice
    )
    text = render_answer(r, result)
    if result.kind is AnswerKind.ALREADY:
        await query.answer(text)  # a second tap: a short notice, the message stays as answered
        await close_keyboard(query)
        return
    await query.answer()
    await close_keyboard(query, text)


async def send_quick_menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """What did you eat: the person's recent meals and everyday additions as one-tap buttons."""
    r = await texts(update, context)
    rt = runtime(context)
    user_id, _ = ids(update)
    choices = await rt.checkins.quick_choices(user_id=user_id)
    rows = views.quick_menu_rows(r, choices)
    await reply(update, context, r.quick.menu, markup(rows))


async def checkin_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The check-in button under a daily tip: the one-tap menu (or type what was eaten)."""
    r = await texts(update, context)
    query = update.callback_query
    assert query is not None
    rt = runtime(context)
    if not isinstance(unpack(query.data), CheckinMenu):
        await query.answer(r.general.stale_button)
        return
    await query.answer()
    user_id, _ = ids(update)
    if await rt.subscribers.get(user_id) is None:
        await reply(update, context, r.general.not_started)
        return
    await send_quick_menu(update, context)


def _tap_key(update: Update, data: str) -> int:
    """The same button on the same message logs once, whatever the number of taps."""
    query = update.callback_query
    assert query is not None
    message = query.message
    if message is None:
        return update.update_id
    return tap_key(message.chat.id, message.message_id, data)


async def _answer_checkin(
    update: Update, context: ContextTypes.DEFAULT_TYPE, result: CheckinResult, *, expanded: bool
) -> None:
    """Show a (re)logged or changed check-in in the tapped message, with its buttons."""
    query = update.callback_query
    assert query is not None
    r = await texts(update, context)
    if result.kind is CheckinKind.GONE:
        await query.answer(r.quick.gone)
        await close_keyboard(query)
        return
    await query.answer()
    await edit_keyboard(query, render_checkin(r, result), _fix_markup(r, result, expanded=expanded))


async def _repeat(update: Update, context: ContextTypes.DEFAULT_TYPE, tap: RepeatMeal) -> None:
    rt = runtime(context)
    user_id, _ = ids(update)
    result = await rt.checkins.log_again(
        user_id=user_id, checkin_id=tap.checkin_id, key=_tap_key(update, tap_data(update))
    )
    await _answer_checkin(update, context, result, expanded=False)


async def _add(update: Update, context: ContextTypes.DEFAULT_TYPE, tap: AddFood) -> None:
    rt = runtime(context)
    user_id, _ = ids(update)
    result = await rt.checkins.log_addition(
        user_id=user_id, food_id=tap.food_id, key=_tap_key(update, tap_data(update))
    )
    await _answer_checkin(update, context, result, expanded=False)


async def _cancel(update: Update, context: ContextTypes.DEFAULT_TYPE, tap: QuickCancel) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await close_keyboard(query)


async def _amount(update: Update, context: ContextTypes.DEFAULT_TYPE, tap: SetAmount) -> None:
    rt = runtime(context)
    user_id, _ = ids(update)
    result = await rt.checkins.change_amount(
        user_id=user_id, checkin_id=tap.checkin_id, index=tap.index, grams=tap.grams
    )
    await _answer_checkin(update, context, result, expanded=True)


async def _amounts(update: Update, context: ContextTypes.DEFAULT_TYPE, tap: ChangeAmounts) -> None:
    """ "Change amounts": the same message, with a row per food."""
    r = await texts(update, context)
    query = update.callback_query
    assert query is not None
    rt = runtime(context)
    user_id, _ = ids(update)
    result = await rt.checkins.checkin(user_id=user_id, checkin_id=tap.checkin_id)
    if result.kind is CheckinKind.GONE:
        await query.answer(r.quick.gone)
        await close_keyboard(query)
        return
    await query.answer()
    await edit_keyboard(query, None, _fix_markup(r, result, expanded=True))


async def _undo(update: Update, context: ContextTypes.DEFAULT_TYPE, tap: UndoCheckin) -> None:
    """Undo under a check-in's reply: the message says what was removed and the day total."""
    r = await texts(update, context)
    query = update.callback_query
    assert query is not None
    rt = runtime(context)
    user_id, _ = ids(update)
    removed = await rt.checkins.undo(user_id=user_id, checkin_id=tap.checkin_id)
    if removed is None:  # a second tap, or removed elsewhere
        await query.answer(r.checkin.undo_gone)
        await close_keyboard(query)
        return
    await query.answer()
    await close_keyboard(query, views.undo_text(r, removed, last=False))


async def _undo_today(
    update: Update, context: ContextTypes.DEFAULT_TYPE, tap: UndoFromToday
) -> None:
    """Undo from /today: the list is shown again without it."""
    r = await texts(update, context)
    query = update.callback_query
    assert query is not None
    rt = runtime(context)
    user_id, _ = ids(update)
    removed = await rt.checkins.undo(user_id=user_id, checkin_id=tap.checkin_id)
    await query.answer(
        r.checkin.undo_gone if removed is None else views.undo_text(r, removed, last=False)[:200]
    )
    day = await rt.checkins.today(user_id=user_id)
    if day is not None:
        await edit_keyboard(query, views.today_text(r, day), markup(views.today_rows(r, day)))


def tap_data(update: Update) -> str:
    """The callback data of a button press."""
    query = update.callback_query
    assert query is not None and query.data is not None
    return query.data


async def meal_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A one-tap check-in, a ×½/×2, "Change amounts" or Undo button (callbacks.MEAL_TAPS)."""
    r = await texts(update, context)
    query = update.callback_query
    assert query is not None
    match unpack(tap_data(update)):
        case RepeatMeal() as tap:
            await _repeat(update, context, tap)
        case AddFood() as tap:
            await _add(update, context, tap)
        case QuickCancel() as tap:
            await _cancel(update, context, tap)
        case SetAmount() as tap:
            await _amount(update, context, tap)
        case ChangeAmounts() as tap:
            await _amounts(update, context, tap)
        case UndoCheckin() as tap:
            await _undo(update, context, tap)
        case UndoFromToday() as tap:
            await _undo_today(update, context, tap)
        case _:  # an old or forged button under a meal prefix
            await query.answer(r.general.stale_button)


async def today_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/today: each check-in of the day with an undo button, and the total against the target."""
    rt = runtime(context)
    r = await texts(update, context)
    user_id, _ = ids(update)
    day = await rt.checkins.today(user_id=user_id)
    if day is None:
        await reply(update, context, r.general.not_started)
        return
    await reply(update, context, views.today_text(r, day), markup(views.today_rows(r, day)))


async def undo_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/undo: remove the last check-in and show the day total left."""
    r = await texts(update, context)
    rt = runtime(context)
    user_id, _ = ids(update)
    removed = await rt.checkins.undo(user_id=user_id)
    if removed is None:
        await reply(update, context, r.checkin.undo_none)
        return
    await reply(update, context, views.undo_text(r, removed, last=True))


async def week_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/week: a chart of the last 7 days with a one-line summary."""
    r = await texts(update, context)
    rt = runtime(context)
    c = r.checkin
    user_id, chat_id = ids(update)
    week = await rt.checkins.week(user_id=user_id)
    if week is None:
        await reply(update, context, r.general.not_started)
        return
    if not week.logged_days:
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
        language=r.locale,
    )
    await context.bot.send_photo(chat_id, png, caption=views.week_caption(r, week))


def register(application: Any) -> None:
    """/today, /week, /undo; the check-in menu, one-tap check-ins, ×½/×2, Undo, "did you mean"."""
    add_commands(application, {"today": today_command, "week": week_command, "undo": undo_command})
    add_buttons(
        application,
        [
            (checkin_button, (callbacks.CheckinMenu,)),
            (meal_button, callbacks.MEAL_TAPS),
            (food_question_button, (callbacks.FoodQuestionAnswer,)),
        ],
    )
