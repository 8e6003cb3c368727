"""Build the python-telegram-bot Application: handlers in one place, in order; jobs; errors."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Mapping
from datetime import datetime
from typing import Any

from telegram import BotCommand, BotCommandScopeChat
from telegram._utils.types import JSONDict
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    MessageHandler,
)
from telegram.request import BaseRequest, HTTPXRequest

from nudgebot.bot import fallback, groups
from nudgebot.bot.context import NEW_PRIVATE_MESSAGE, RUNTIME_KEY, Runtime
from nudgebot.config import Settings
from nudgebot.content import Catalog
from nudgebot.features.admin import handlers as admin
from nudgebot.features.admin.service import AdminService
from nudgebot.features.meals import handlers as meals
from nudgebot.features.meals.parser import load_index
from nudgebot.features.meals.service import CheckinService
from nudgebot.features.meals.views import quick_rows
from nudgebot.features.privacy import handlers as privacy
from nudgebot.features.privacy.service import PrivacyService
from nudgebot.features.reminders import handlers as reminders
from nudgebot.features.reminders.service import Buttons, QuickButtons, ReminderService
from nudgebot.features.subscribers import handlers as subscribers
from nudgebot.features.subscribers.service import SubscriberService
from nudgebot.features.tips import handlers as tips
from nudgebot.features.tips.service import TipService
from nudgebot.features.understanding import handlers as understanding
from nudgebot.features.understanding.router import build_routers
from nudgebot.platform.budget import SendBudget
from nudgebot.platform.db import SessionMaker

log = logging.getLogger(__name__)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]

# Reply retries: AIORateLimiter defaults to max_retries=0, which would raise a 429 to the handler.
REPLY_MAX_RETRIES = 3


class BudgetRateLimiter(AIORateLimiter):
    """Replies book their slot on the bot's send budget, shared with the outbox sender.

    AIORateLimiter keeps what it does well (20 messages a minute per group, retrying a 429 with
    the wait Telegram asked for); its own overall limit is off, the budget is the one pace.
    """

    def __init__(self, budget: SendBudget) -> None:
        super().__init__(overall_max_rate=0, max_retries=REPLY_MAX_RETRIES)
        self._budget = budget

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        """Wait for a slot when the request goes to a chat, then let AIORateLimiter send it."""
        if data.get("chat_id") is not None:
            await self._budget.reply_slot()
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )


def build_application(
    settings: Settings,
    catalog: Catalog,
    sessionmaker: SessionMaker,
    *,
    token: str,
    request: BaseRequest | None = None,
    budget: SendBudget | None = None,
) -> AnyApplication:
    """The Application with every handler registered; updates come from ingest.UpdateInbox."""
    builder: Any = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.bot_api_url)
        .base_file_url(settings.bot_file_api_url)
        .updater(None)  # our inbox stores updates before confirming them; see ingest.py
    )
    if settings.reply_rate_limit:
        builder = builder.rate_limiter(BudgetRateLimiter(budget or SendBudget(settings.bot_rate)))
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    else:
        builder = builder.request(
            HTTPXRequest(connection_pool_size=32, read_timeout=15, connect_timeout=10)
        ).get_updates_request(HTTPXRequest(read_timeout=15, connect_timeout=10))
    application: AnyApplication = builder.build()
    tips_service = TipService(sessionmaker, catalog)
    foods = {language: load_index(language) for language in catalog.languages}
    checkin_service = CheckinService(sessionmaker, foods)
    application.bot_data[RUNTIME_KEY] = Runtime(
        settings=settings,
        catalog=catalog,
        sessionmaker=sessionmaker,
        subscribers=SubscriberService(sessionmaker),
        tips=tips_service,
        checkins=checkin_service,
        admin=AdminService(
            sessionmaker,
            tips_service,
            settings.admin_ids,
            settings.send_rate,
            paid_rate=settings.paid_broadcast_rate,
            source_labels=[catalog[lang].replies.admin.source_label for lang in catalog.languages],
        ),
        privacy=PrivacyService(
            sessionmaker,
            {lang: catalog[lang].replies.privacy.retention for lang in catalog.languages},
        ),
        routers=build_routers(catalog.by_language, foods),
        reminders=ReminderService(
            sessionmaker, catalog, quick_buttons=_quick_buttons(checkin_service, catalog)
        ),
    )
    register_handlers(application)
    return application


def _quick_buttons(checkins: CheckinService, catalog: Catalog) -> QuickButtons:
    """The evening reminder's buttons: the same one-tap check-ins /checkin shows."""

    async def rows(people: Mapping[int, str], now: datetime) -> dict[int, Buttons]:
        choices = await checkins.quick_choices_of(user_ids=list(people), now=now)
        return {uid: quick_rows(catalog[people[uid]].replies, c) for uid, c in choices.items()}

    return rows


# Each feature registers its own commands and buttons; the order matters only for what a
# feature registers last: understanding takes every text and media message, then the fallbacks.
FEATURES: tuple[Callable[[AnyApplication], None], ...] = (
    admin.register,
    subscribers.register,
    meals.register,
    tips.register,
    privacy.register,
    reminders.register,
    understanding.register,
)


def register_handlers(application: AnyApplication) -> None:
    """Every feature's handlers, then the bot-wide fallbacks (first match in group 0 wins)."""
    for register in FEATURES:
        register(application)
    application.add_handler(CallbackQueryHandler(fallback.unknown_button))
    # Last: unknown commands, polls, dice, anything else in a private chat.
    application.add_handler(MessageHandler(NEW_PRIVATE_MESSAGE, fallback.anything_else))
    # Groups and channels: one line when the bot is added, and silence otherwise (every
    # handler above takes private chats only).
    application.add_handler(
        ChatMemberHandler(groups.added_to_chat, ChatMemberHandler.MY_CHAT_MEMBER)
    )
    application.add_error_handler(fallback.on_error)


async def set_command_menu(
    application: AnyApplication, catalog: Catalog, admin_ids: frozenset[int] = frozenset()
) -> None:
    """Publish the command menu in every language (Telegram shows each person the one of their
    app's language, English otherwise); admins see theirs too. A failure is logged, the bot
    runs on."""
    for lang in catalog.languages:
        replies = catalog[lang].replies
        commands = [BotCommand(name, text) for name, text in replies.commands.model_dump().items()]
        # English is the default menu (no language_code): every other app language falls to it.
        code = None if lang == catalog.reference.language else lang
        try:
            await application.bot.set_my_commands(commands, language_code=code)
        except TelegramError as exc:
            log.warning("could not set the command menu (%s, set_my_commands): %s", lang, exc)
    replies = catalog.reference.replies
    admin_commands = [
        BotCommand(name, text)
        for name, text in {
            **replies.commands.model_dump(),
            **replies.admin_commands.model_dump(),
        }.items()
    ]
    for admin_id in sorted(admin_ids):
        try:
            await application.bot.set_my_commands(
                admin_commands, scope=BotCommandScopeChat(admin_id)
            )
        except TelegramError as exc:
            log.warning("could not set the admin command menu for %s: %s", admin_id, exc)
