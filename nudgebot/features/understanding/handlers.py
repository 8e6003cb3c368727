"""Every text a person sends outside a command: routed once, then dispatched on the verdict.

Captions of photos and videos go the same way. The router (features/understanding) decides what
the message is; these handlers only send the matching reply.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram import Message, Update
from telegram.ext import ContextTypes, MessageHandler, filters

from nudgebot.bot.context import (
    DATABASE_ERRORS,
    NEW_PRIVATE_MESSAGE,
    Runtime,
    add_commands,
    ids,
    language,
    reply,
    runtime,
    texts,
)
from nudgebot.content import MediaReplies, Replies
from nudgebot.features.meals.handlers import record_meal, send_quick_menu
from nudgebot.features.privacy import handlers as privacy
from nudgebot.features.subscribers.handlers import account, settings
from nudgebot.features.subscribers.handlers.onboarding import start, typed_answer
from nudgebot.features.subscribers.service import Subscriber
from nudgebot.features.understanding import views
from nudgebot.features.understanding.router import Command, Intent, Verdict

log = logging.getLogger(__name__)

Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]
COMMANDS: dict[Command, Handler] = {
    Command.STOP: account.stop_command,
    Command.PAUSE: account.pause_command,
    Command.RESUME: account.resume_command,
    Command.HELP: account.help_command,
    Command.SETTINGS: settings.show_settings,
    Command.FORGET: privacy.forget_command,
    Command.START: start,
}


async def text_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A plain text."""
    message = update.effective_message
    assert message is not None and message.text is not None
    await handle_text(update, context, message.text)


async def checkin_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/checkin [what you ate]: the words go through the router like any text; without words,
    the one-tap menu of recent meals and additions."""
    r = await texts(update, context)
    rt = runtime(context)
    text = " ".join(context.args or [])
    if not text.strip():
        user_id, _ = ids(update)
        if await rt.subscribers.get(user_id) is None:
            await reply(update, context, r.general.not_started)
            return
        await send_quick_menu(update, context)  # recent meals and additions, one tap each
        return
    await handle_text(update, context, text)


# Which pointer a message without words gets, by the first of its parts found (an animation
# also carries a document, a venue a location, so they come before those).
MEDIA_POINTERS: tuple[tuple[str, Callable[[MediaReplies], str]], ...] = (
    ("animation", lambda m: m.animation),
    ("sticker", lambda m: m.sticker),
    ("photo", lambda m: m.photo),
    ("video_note", lambda m: m.video_note),
    ("video", lambda m: m.video),
    ("voice", lambda m: m.voice),
    ("audio", lambda m: m.voice),
    ("venue", lambda m: m.location),
    ("location", lambda m: m.location),
    ("contact", lambda m: m.contact),
    ("document", lambda m: m.document),
)


def media_pointer(replies: MediaReplies, message: Message) -> str:
    """What to do instead of sending this kind of media (a photo: type what you ate)."""
    for part, text_of in MEDIA_POINTERS:
        if getattr(message, part, None):
            return text_of(replies)
    return replies.other


async def media_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Media, a sticker, a location or a contact: a caption is read; without one, a pointer."""
    r = await texts(update, context)
    message = update.effective_message
    assert message is not None
    if message.caption and message.caption.strip():
        await handle_text(update, context, message.caption)
        return
    rt = runtime(context)
    text = media_pointer(r.media, message)
    user_id, _ = ids(update)
    if await rt.subscribers.get(user_id) is None:
        text = f"{text}\n\n{r.chat.set_up_hint}"
    await reply(update, context, text)


async def handle_text(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """Route the text once and send the reply that fits it."""
    rt = runtime(context)
    user_id, _ = ids(update)
    lang = await language(update, context)  # never raises: the app's language when the db is down
    try:
        sub = await rt.subscribers.get(user_id)
    except DATABASE_ERRORS:
        # An emergency or a crisis is answered even when the database is down.
        verdict = rt.routers.route(text, language=lang)
        if verdict.urgent:
            await send_urgent(update, context, rt, verdict)
            return
        raise
    awaiting = sub is not None and sub.flow is not None
    # what this person told us their own words mean ("grandmas soup" -> lentil soup)
    remembered = (
        await rt.checkins.remembered(user_id=user_id, language=lang)
        if sub is not None and not awaiting
        else None
    )
    verdict = rt.routers.route(text, language=lang, awaiting_answer=awaiting, remembered=remembered)
    r = await texts(update, context)
    await DISPATCH[verdict.intent](Turn(update, context, rt, sub, verdict, text, r))


async def send_urgent(
    update: Update, context: ContextTypes.DEFAULT_TYPE, rt: Runtime, verdict: Verdict
) -> None:
    """The emergency or crisis reply and nothing else (nothing stored), in the language whose
    words raised it ("me duele el pecho" from someone set to English is answered in Spanish)."""
    r = (
        rt.catalog[verdict.language].replies
        if verdict.language is not None
        else await texts(update, context)
    )
    # No reason and no words in the log: what someone wrote about their health stays private.
    log.info("update %s: %s reply sent", update.update_id, verdict.intent.value)
    await reply(update, context, views.urgent_text(r, verdict))


@dataclass(frozen=True, slots=True)
class Turn:
    """One routed message: what the reply needs."""

    update: Update
    context: ContextTypes.DEFAULT_TYPE
    rt: Runtime
    sub: Subscriber | None
    verdict: Verdict
    text: str
    r: Replies  # the reply texts in the person's language

    @property
    def set_up(self) -> bool:
        """The person finished onboarding."""
        return self.sub is not None and self.sub.onboarded

    async def reply(self, text: str) -> None:
        """Answer in the chat the message came from."""
        await reply(self.update, self.context, text)


async def _urgent(turn: Turn) -> None:
    await send_urgent(turn.update, turn.context, turn.rt, turn.verdict)


async def _answer(turn: Turn) -> None:
    assert turn.sub is not None
    await typed_answer(turn.update, turn.context, turn.sub, turn.text)


async def _command(turn: Turn) -> None:
    assert turn.verdict.command is not None
    await COMMANDS[turn.verdict.command](turn.update, turn.context)


async def _question(turn: Turn) -> None:
    sub = turn.sub
    if sub is not None and turn.verdict.mentions_warfarin:
        await turn.rt.checkins.note_warfarin(user_id=sub.user_id)
    answer = views.answer_text(
        turn.r,
        turn.verdict,
        age_band=sub.age_band if sub else None,
        sex=sub.sex if sub else None,
        life_stage=sub.life_stage if sub else None,
        set_up=turn.set_up,
    )
    await turn.reply(answer)


async def _chat(turn: Turn) -> None:
    assert turn.verdict.chat is not None
    await turn.reply(views.chat_text(turn.r, turn.verdict.chat, set_up=turn.set_up))


async def _meal(turn: Turn) -> None:
    if turn.sub is None:
        referral = views.referral_text(turn.r, turn.verdict.referrals)
        not_started = turn.r.general.not_started
        await turn.reply(f"{referral}\n\n{not_started}" if referral else not_started)
        return
    await record_meal(turn.update, turn.context, turn.verdict)


async def _other(turn: Turn) -> None:
    pointer = turn.r.answers.pointer
    if turn.sub is None:
        pointer = f"{pointer}\n\n{turn.r.chat.set_up_hint}"
    await turn.reply(pointer)


DISPATCH: dict[Intent, Callable[[Turn], Awaitable[None]]] = {
    Intent.EMERGENCY: _urgent,
    Intent.CRISIS: _urgent,
    Intent.ANSWER: _answer,
    Intent.COMMAND: _command,
    Intent.QUESTION: _question,
    Intent.CHAT: _chat,
    Intent.MEAL: _meal,
    Intent.OTHER: _other,
}


# Media, stickers, locations and contacts: a caption goes through the router like any text;
# without one, a pointer that says what to do instead.
MEDIA = (
    filters.PHOTO
    | filters.VIDEO
    | filters.VOICE
    | filters.AUDIO
    | filters.VIDEO_NOTE
    | filters.ANIMATION
    | filters.Document.ALL
    | filters.Sticker.ALL
    | filters.LOCATION
    | filters.CONTACT
)


def register(application: Any) -> None:
    """/checkin, and every text and media message: after every feature's commands, so
    "/settings" is never read as a typed answer."""
    add_commands(application, {"checkin": checkin_command})
    application.add_handler(
        MessageHandler(NEW_PRIVATE_MESSAGE & filters.TEXT & ~filters.COMMAND, text_message)
    )
    application.add_handler(MessageHandler(NEW_PRIVATE_MESSAGE & MEDIA, media_message))
