"""The evening reminder's own button: "Not today" (its quick check-ins are the meals feature's)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from nudgebot.handlers.common import close_keyboard, runtime
from nudgebot.platform.callbacks import NotToday, unpack


async def not_today_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Leave today alone: the reminder counts as answered, its buttons go."""
    query = update.callback_query
    assert query is not None
    rt = runtime(context)
    if not isinstance(unpack(query.data), NotToday):
        await query.answer(rt.replies.general.stale_button)
        return
    await rt.reminders.not_today(user_id=query.from_user.id)
    await query.answer()
    await close_keyboard(query, rt.content.reminders.evening.not_today_done)
