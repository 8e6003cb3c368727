"""The evening reminder's own button: "Not today" (its quick check-ins are the meals feature's)."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import ContextTypes

from nudgebot.bot.context import (
    add_buttons,
    close_keyboard,
    content_for,
    runtime,
    texts,
)
from nudgebot.platform import callbacks
from nudgebot.platform.callbacks import NotToday, unpack


async def not_today_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Leave today alone: the reminder counts as answered, its buttons go."""
    r = await texts(update, context)
    query = update.callback_query
    assert query is not None
    rt = runtime(context)
    if not isinstance(unpack(query.data), NotToday):
        await query.answer(r.general.stale_button)
        return
    await rt.reminders.not_today(user_id=query.from_user.id)
    await query.answer()
    done = (await content_for(update, context)).reminders.evening.not_today_done
    await close_keyboard(query, done)


def register(application: Any) -> None:
    """ "Not today" under the evening reminder."""
    add_buttons(application, [(not_today_button, (callbacks.NotToday,))])
