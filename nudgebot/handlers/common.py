"""What every handler needs: the runtime services, and small reply helpers."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from nudgebot.config import Settings
from nudgebot.content import Content, Replies
from nudgebot.domain.limits import MAX_MESSAGE_CHARS, split_message
from nudgebot.features.understanding.router import Router
from nudgebot.platform.db import SessionMaker
from nudgebot.services.admin import AdminService
from nudgebot.services.checkins import CheckinService
from nudgebot.services.privacy import PrivacyService
from nudgebot.services.reminders import ReminderService
from nudgebot.services.subscribers import SubscriberService
from nudgebot.services.tips import TipService

log = logging.getLogger(__name__)

RUNTIME_KEY = "nudgebot.runtime"
# What a locked, unreachable or exhausted database raises inside a handler.
DATABASE_ERRORS = (DBAPIError, PoolTimeout, ConnectionError)


@dataclass(frozen=True, slots=True)
class Runtime:
    """The services and content the handlers use, built once in app.py."""

    settings: Settings
    content: Content
    sessionmaker: SessionMaker
    subscribers: SubscriberService
    tips: TipService
    checkins: CheckinService
    admin: AdminService
    privacy: PrivacyService
    router: Router
    reminders: ReminderService

    @property
    def replies(self) -> Replies:
        """The validated reply texts."""
        return self.content.replies


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
