"""Free text, unknown commands, stickers and photos; and the error handler."""

from __future__ import annotations

import logging

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from telegram import Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import ContextTypes

from nudgebot.domain.safety import Safety, classify
from nudgebot.handlers.checkins import record_text
from nudgebot.handlers.common import ids, reply, runtime
from nudgebot.handlers.onboarding import typed_answer

log = logging.getLogger(__name__)


async def text_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Plain text: red flags first, then an answer to the open question, or a meal check-in."""
    message = update.effective_message
    assert message is not None and message.text is not None
    rt = runtime(context)
    if classify(message.text) is Safety.EMERGENCY:
        # Whatever else is going on (even mid-onboarding): the emergency reply and nothing else.
        await reply(update, context, rt.replies.checkin.emergency)
        return
    user_id, _ = ids(update)
    sub = await rt.subscribers.get(user_id)
    if sub is None:
        await reply(update, context, rt.replies.general.not_started)
        return
    if sub.flow is not None:
        await typed_answer(update, context, sub, message.text)
        return
    await record_text(update, context, message.text)


async def anything_else(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice, unknown commands: a short pointer to /help."""
    await reply(update, context, runtime(context).replies.general.unknown)


async def unknown_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A callback no handler claims (an old version's button, or forged data)."""
    query = update.callback_query
    if query is not None:
        await query.answer(runtime(context).replies.general.stale_button)


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
    r = runtime(context).replies
    db_down = isinstance(error, OperationalError | DBAPIError | PoolTimeout | ConnectionError)
    text = r.general.database_unavailable if db_down else r.general.apology
    try:
        if update.callback_query is not None:
            await update.callback_query.answer()
        ids(update)
        await reply(update, context, text)
    except (TelegramError, ValueError) as exc:
        log.warning("update %s: could not send the apology: %s", update_id, exc)
