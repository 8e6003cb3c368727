"""Unknown commands and messages nothing else takes; stale buttons; and the error handler."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import ContextTypes

from nudgebot.bot.context import DATABASE_ERRORS, ids, reply, texts

log = logging.getLogger(__name__)


async def anything_else(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Unknown commands, polls, dice and the like: a short pointer to /help.

    Media, stickers, locations and contacts get a pointer of their own (messages.media_message).
    """
    r = await texts(update, context)
    await reply(update, context, r.general.unknown)


async def unknown_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A callback no handler claims (an old version's button, or forged data)."""
    r = await texts(update, context)
    query = update.callback_query
    if query is not None:
        await query.answer(r.general.stale_button)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log every handler error (without message text) and apologise to the person."""
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, Forbidden):
        log.info("update %s: user blocked the bot (%s)", update_id, error.message)
        return
    log.error("update %s: handler failed: %s", update_id, type(error).__name__, exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.effective_chat.type != "private":
        return  # in a group the bot stays quiet, apologies included
    r = await texts(update, context)
    db_down = isinstance(error, DATABASE_ERRORS)
    text = r.general.database_unavailable if db_down else r.general.apology
    try:
        if update.callback_query is not None:
            await update.callback_query.answer()
        ids(update)
        await reply(update, context, text)
    except (TelegramError, ValueError) as exc:
        log.warning("update %s: could not send the apology: %s", update_id, exc)
