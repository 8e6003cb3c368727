"""/mydata (a JSON file of everything kept) and /forget (erase it, after a confirmation)."""

from __future__ import annotations

import logging
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import ContextTypes

from nudgebot.bot.context import (
    add_buttons,
    add_commands,
    close_keyboard,
    ids,
    language,
    reply,
    runtime,
    texts,
)
from nudgebot.platform import callbacks
from nudgebot.platform.callbacks import Forget, pack, unpack

log = logging.getLogger(__name__)


async def mydata_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the person a JSON file with everything stored about them."""
    r = await texts(update, context)
    rt = runtime(context)
    user_id, chat_id = ids(update)
    document = await rt.privacy.export_json(user_id, await language(update, context))
    filename = f"nudgebot-my-data-{user_id}.json"
    await context.bot.send_document(
        chat_id,
        InputFile(document, filename=filename),
        caption=r.privacy.mydata_caption,
    )


async def forget_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask before erasing anything."""
    r = (await texts(update, context)).privacy
    markup = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(r.forget_yes, callback_data=pack(Forget(confirm=True)))],
            [InlineKeyboardButton(r.forget_no, callback_data=pack(Forget(confirm=False)))],
        ]
    )
    await reply(update, context, r.forget_confirm, markup)


async def forget_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Forget(confirm=True) erases every row about the presser; anything else keeps it all."""
    r = await texts(update, context)
    query = update.callback_query
    assert query is not None
    rt = runtime(context)
    await query.answer()
    if unpack(query.data) != Forget(confirm=True):
        await close_keyboard(query, r.privacy.forget_kept)
        return
    # The presser's own id, never one carried in the button: nobody can erase someone else.
    counts = await rt.privacy.forget(query.from_user.id)
    log.info("user %s erased their data (%d rows)", query.from_user.id, sum(counts.values()))
    await close_keyboard(query, r.privacy.forget_done)


def register(application: Any) -> None:
    """/mydata and /forget with its confirmation."""
    add_commands(application, {"mydata": mydata_command, "forget": forget_command})
    add_buttons(application, [(forget_button, (callbacks.Forget,))])
