"""Group chats: the bot works in private chats only and says so once when it is added."""

from __future__ import annotations

from telegram import ChatMember, Update
from telegram.ext import ContextTypes

from nudgebot.bot.context import texts

PRESENT = {ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER, ChatMember.RESTRICTED}


async def added_to_chat(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The bot joined a group: one message pointing to a private chat, then silence."""
    r = await texts(update, context)
    change = update.my_chat_member
    if change is None or change.chat.type not in ("group", "supergroup"):
        return
    was_in = change.old_chat_member.status in PRESENT
    is_in = change.new_chat_member.status in PRESENT
    if was_in or not is_in:
        return  # a promotion, a restriction, or being removed: nothing to say
    text = r.general.private_only.format(username=context.bot.username)
    await context.bot.send_message(change.chat.id, text)
