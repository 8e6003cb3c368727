"""/tip and the buttons under every tip: 👍 Helpful, Another tip, Snooze 1 day."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import ContextTypes

from nudgebot.bot.context import (
    Runtime,
    add_buttons,
    add_commands,
    ids,
    reply,
    runtime,
    stale,
    texts,
)
from nudgebot.bot.sender import markup_of
from nudgebot.features.subscribers.views import pause_text
from nudgebot.platform import callbacks
from nudgebot.platform.callbacks import TipHelpful, TipMore, TipSnooze, unpack


async def _send_extra_tip(
    update: Update, context: ContextTypes.DEFAULT_TYPE, rt: Runtime, user_id: int
) -> None:
    r = await texts(update, context)
    sub = await rt.subscribers.get(user_id)
    if sub is None:
        await reply(update, context, r.general.not_started)
        return
    if not sub.onboarded:
        await reply(update, context, r.tips.not_onboarded)
        return
    tip = await rt.tips.extra_tip(user_id=user_id)
    if tip is None:
        await reply(update, context, r.tips.none_available)
        return
    await reply(update, context, tip.text, markup_of(tip.payload()))


async def tip_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/tip: one extra tip now; it does not replace the daily one."""
    rt = runtime(context)
    user_id, _ = ids(update)
    await _send_extra_tip(update, context, rt, user_id)


async def tip_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """TipHelpful (👍), TipMore or TipSnooze under a tip."""
    query = update.callback_query
    assert query is not None
    rt = runtime(context)
    r = await texts(update, context)
    user_id = query.from_user.id
    match unpack(query.data):
        case TipHelpful(num=num):
            result = await rt.tips.mark_helpful(user_id=user_id, tip_num=num)
            if result is None:
                await stale(query, r)
                return
            await query.answer(r.tips.thanks if result else r.tips.already_thanked)
        case TipMore():
            await query.answer()
            await _send_extra_tip(update, context, rt, user_id)
        case TipSnooze():
            # Snoozing never shortens or ends a longer pause (or one until /resume).
            paused = await rt.subscribers.pause(user_id=user_id, days=1)
            if paused is None:
                await stale(query, r)
                return
            await query.answer()
            await reply(update, context, pause_text(r, paused, 1, snooze=True))
        case _:
            await stale(query, r)


def register(application: Any) -> None:
    """/tip and the buttons under a tip."""
    add_commands(application, {"tip": tip_command})
    add_buttons(application, [(tip_button, callbacks.TIP_BUTTONS)])
