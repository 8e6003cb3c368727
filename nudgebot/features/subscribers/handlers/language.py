"""/language: choose the language the bot writes in (set at the first /start from the app's)."""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from nudgebot.bot.context import (
    close_keyboard,
    edit_keyboard,
    ids,
    language,
    remember_language,
    reply,
    runtime,
    texts,
)
from nudgebot.features.subscribers import views as render
from nudgebot.platform.callbacks import LanguageChoice, LanguageMenu, unpack

log = logging.getLogger(__name__)


def _names(context: ContextTypes.DEFAULT_TYPE) -> dict[str, str]:
    """Each language's own name, for its button."""
    catalog = runtime(context).catalog
    return {code: catalog[code].replies.language.name for code in catalog.languages}


async def language_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The languages as buttons, each in its own name."""
    r = await texts(update, context)
    user_id, _ = ids(update)
    if await runtime(context).subscribers.get(user_id) is None:
        await reply(update, context, r.general.not_started)
        return
    current = await language(update, context)
    await reply(update, context, r.language.ask, render.language_keyboard(_names(context), current))


async def language_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """LanguageMenu shows the languages; LanguageChoice switches to one and says so in it."""
    query = update.callback_query
    assert query is not None
    rt = runtime(context)
    r = await texts(update, context)
    button = unpack(query.data)
    current = await language(update, context)
    if isinstance(button, LanguageMenu):
        await query.answer()
        await edit_keyboard(
            query, r.language.ask, render.language_keyboard(_names(context), current)
        )
        return
    if not isinstance(button, LanguageChoice) or button.language not in rt.catalog.languages:
        await query.answer(r.general.stale_button)
        await close_keyboard(query)
        return
    if button.language == current:
        await query.answer()
        await close_keyboard(query, r.language.same)
        return
    sub = await rt.subscribers.set_language(user_id=query.from_user.id, language=button.language)
    if sub is None:
        await query.answer(r.general.not_started)
        await close_keyboard(query)
        return
    remember_language(update, context, button.language)
    new = rt.catalog[button.language].replies
    await query.answer()
    await close_keyboard(query, new.language.set)
    # The menu follows the app's language; this person's own menu follows their choice.
    menu = dict(new.commands.model_dump())
    if query.from_user.id in rt.settings.admin_ids:
        menu.update(new.admin_commands.model_dump())
    try:
        await context.bot.set_my_commands(
            [BotCommand(name, text) for name, text in menu.items()],
            scope=BotCommandScopeChat(query.from_user.id),
        )
    except TelegramError as exc:
        log.warning("could not set a chat's command menu: %s", exc)
    if sub.onboarded:
        await reply(
            update,
            context,
            new.settings.intro.format(summary=render.summary(new, sub)),
            render.settings_keyboard(new, sub),
        )
