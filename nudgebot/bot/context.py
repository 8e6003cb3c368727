"""What every handler needs: the runtime services, and small reply helpers."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes, filters

from nudgebot.config import Settings
from nudgebot.content import Catalog, Content, Replies
from nudgebot.features.admin.service import AdminService
from nudgebot.features.meals.service import CheckinService
from nudgebot.features.privacy.service import PrivacyService
from nudgebot.features.reminders.service import ReminderService
from nudgebot.features.subscribers.service import SubscriberService
from nudgebot.features.tips.service import TipService
from nudgebot.features.understanding.router import Routers
from nudgebot.platform import callbacks
from nudgebot.platform.db import SessionMaker
from nudgebot.platform.limits import MAX_MESSAGE_CHARS, split_message

log = logging.getLogger(__name__)

RUNTIME_KEY = "nudgebot.runtime"
# What a locked, unreachable or exhausted database raises inside a handler.
DATABASE_ERRORS = (DBAPIError, PoolTimeout, ConnectionError)


@dataclass(frozen=True, slots=True)
class Runtime:
    """The services and content the handlers use, built once in app.py."""

    settings: Settings
    catalog: Catalog
    sessionmaker: SessionMaker
    subscribers: SubscriberService
    tips: TipService
    checkins: CheckinService
    admin: AdminService
    privacy: PrivacyService
    routers: Routers  # one per language, with the safety net across them
    reminders: ReminderService
    # update_id -> the language its sender is spoken to in, for the few updates in flight (one
    # read of users.language per update, not one per reply).
    update_languages: dict[int, str] = field(default_factory=dict)

    def content(self, language: str | None) -> Content:
        """One language's messages (an unknown language gets English)."""
        return self.catalog[language]


MEMO_SIZE = 4096


async def language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """The language to answer this update's sender in: theirs once they pressed /start, else
    their Telegram app's language when the bot speaks it, else English."""
    rt = runtime(context)
    memo = rt.update_languages
    found = memo.get(update.update_id)
    if found is not None:
        return found
    user = update.effective_user
    stored: str | None = None
    if user is not None:
        try:
            stored = await rt.subscribers.language_of(user_id=user.id)
        except DATABASE_ERRORS:
            stored = None  # the reply is an apology: the app's language is good enough for it
    if stored is None or stored not in rt.catalog.by_language:
        stored = rt.catalog.language_of(user.language_code if user is not None else None)
    if len(memo) >= MEMO_SIZE:
        memo.clear()
    memo[update.update_id] = stored
    return stored


def remember_language(update: Update, context: ContextTypes.DEFAULT_TYPE, lang: str) -> None:
    """The sender's language changed while this update was handled (/language)."""
    runtime(context).update_languages[update.update_id] = lang


async def content_for(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Content:
    """All messages in the sender's language."""
    return runtime(context).catalog[await language(update, context)]


async def texts(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Replies:
    """The reply texts in the sender's language."""
    return (await content_for(update, context)).replies


def runtime(context: ContextTypes.DEFAULT_TYPE) -> Runtime:
    """The Runtime stored in bot_data by app.build_application."""
    rt = context.application.bot_data[RUNTIME_KEY]
    assert isinstance(rt, Runtime)
    return rt


def ids(update: Update) -> tuple[int, int]:
    """(user id, chat id) of a private-chat update."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        raise ValueError("update without a user or chat")
    return user.id, chat.id


def first_name(update: Update) -> str:
    """The sender's first name, for a greeting (never stored)."""
    user = update.effective_user
    return (user.first_name if user and user.first_name else "there")[:64]


async def reply(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Send a message to the chat the update came from; over 4096 characters, in parts."""
    chat = update.effective_chat
    if chat is None:
        return
    parts = split_message(text)
    for n, part in enumerate(parts, start=1):
        await context.bot.send_message(
            chat.id, part, reply_markup=markup if n == len(parts) else None
        )


async def close_keyboard(query: CallbackQuery, text: str | None = None) -> None:
    """Replace a pressed message's text (optional) and drop its buttons."""
    await edit_keyboard(query, text, None)


async def edit_keyboard(
    query: CallbackQuery, text: str | None, markup: InlineKeyboardMarkup | None
) -> None:
    """Update a message's buttons (and text) in place; tolerate no-ops and old messages."""
    try:
        if text is not None:
            if len(text) > MAX_MESSAGE_CHARS:
                text = text[: MAX_MESSAGE_CHARS - 1] + "…"
            await query.edit_message_text(text, reply_markup=markup)
        else:
            await query.edit_message_reply_markup(reply_markup=markup)
    except BadRequest as exc:
        # "message is not modified" or a message too old to edit: nothing to fix for the user.
        log.debug("could not edit message: %s", exc.message)


# A new message in a private chat (edits of old messages are not answered again).
NEW_PRIVATE_MESSAGE = filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE

Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


def add_commands(application: Any, commands: Mapping[str, Callback]) -> None:
    """A private-chat command handler per name."""
    for name, callback in commands.items():
        application.add_handler(CommandHandler(name, callback, filters=NEW_PRIVATE_MESSAGE))


def add_buttons(
    application: Any, buttons: Sequence[tuple[Callback, tuple[type[callbacks.Callback], ...]]]
) -> None:
    """A callback-query handler per group of button kinds (callbacks.pattern of their prefixes):
    each reads its data with callbacks.unpack and answers an old or forged one as stale."""
    for on_button, kinds in buttons:
        application.add_handler(CallbackQueryHandler(on_button, pattern=callbacks.pattern(*kinds)))


async def stale(query: CallbackQuery, r: Replies) -> None:
    """An old or forged button: say so briefly and remove the buttons."""
    await query.answer(r.general.stale_button, show_alert=False)
    await close_keyboard(query)
