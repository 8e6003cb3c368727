"""Admin commands and buttons. Every entry point re-checks the sender against NUDGEBOT_ADMIN_IDS."""

from __future__ import annotations

import logging
import math
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, MessageEntity, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    ApplicationHandlerStop,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from nudgebot.bot.context import (
    NEW_PRIVATE_MESSAGE,
    Runtime,
    add_buttons,
    add_commands,
    close_keyboard,
    ids,
    language,
    reply,
    runtime,
    texts,
)
from nudgebot.bot.sender import markup_of
from nudgebot.content import MAX_TIP_TEXT, Replies
from nudgebot.features.admin.repo import Stats
from nudgebot.features.admin.service import (
    TIPS_PAGE,
    AdminError,
    AudienceInfo,
    Dropped,
    Progress,
    split_source,
)
from nudgebot.features.subscribers.preferences import TOPICS
from nudgebot.features.understanding import views
from nudgebot.platform import callbacks
from nudgebot.platform.callbacks import (
    AdminAudience,
    AdminCancel,
    AdminLanguage,
    AdminLanguagesDone,
    AdminSave,
    AdminSend,
    AdminTipcast,
    AdminTipsPage,
    AdminTopic,
    pack,
    unpack,
)

log = logging.getLogger(__name__)

ADMIN_COMMANDS = (
    "addtip",
    "tips",
    "tip_off",
    "tip_on",
    "broadcast",
    "broadcasts",
    "broadcast_stop",
    "stats",
)


_CANCEL = pack(AdminCancel())


def _audience_label(r: Replies, audience: str) -> str:
    return r.labels.audience_all if audience == "all" else r.labels.topics[audience]


async def _denied(update: Update, context: ContextTypes.DEFAULT_TYPE, what: str) -> None:
    """A non-admin: the same reply as any unknown command; the attempt is logged."""
    r = await texts(update, context)
    rt = runtime(context)
    user = update.effective_user
    log.warning("non-admin %s tried %s", user.id if user else "?", what)
    if user is not None:
        await rt.admin.log_denied(user.id, what)
    if update.callback_query is not None:
        await update.callback_query.answer(r.general.stale_button)
    else:
        await reply(update, context, r.general.unknown)


async def admin_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every admin command goes through here: the id check, then the command."""
    rt = runtime(context)
    message = update.effective_message
    assert message is not None and message.text is not None
    command = message.text.split()[0].lstrip("/").split("@")[0].lower()
    user_id, _ = ids(update)
    if not rt.admin.is_admin(user_id):
        await _denied(update, context, f"/{command}")
        return
    args = context.args or []
    r = await texts(update, context)
    if command == "addtip":
        await rt.admin.start_addtip(user_id)
        await reply(update, context, r.admin.addtip_topic, _topic_keyboard(r))
    elif command == "tips":
        await _send_tips(update, context, rt, " ".join(args).strip(), 0)
    elif command in ("tip_off", "tip_on"):
        if not args:
            await reply(update, context, r.admin.tip_id_needed)
            return
        tip_id = args[0]
        on = command == "tip_on"
        if await rt.admin.set_tip_enabled(user_id, tip_id, on):
            text = (r.admin.tip_toggled_on if on else r.admin.tip_toggled_off).format(id=tip_id)
        else:
            text = r.admin.tip_unknown.format(id=tip_id[:40])
        await reply(update, context, text)
    elif command == "broadcast":
        await rt.admin.start_broadcast(user_id)
        await reply(update, context, r.admin.broadcast_message)
    elif command == "broadcasts":
        await _send_recent(update, context, rt)
    elif command == "broadcast_stop":
        if not args or not args[0].isdigit():
            await reply(update, context, r.admin.broadcast_id_needed)
            return
        stopped = await rt.admin.stop_broadcast(user_id, int(args[0]))
        if stopped is None:
            await reply(update, context, r.admin.broadcast_not_running.format(id=args[0][:12]))
        else:
            await reply(
                update,
                context,
                r.admin.broadcast_stopped.format(
                    stopped.broadcast.cancelled, id=stopped.broadcast.id, sent=stopped.sent
                ),
            )
    elif command == "stats":
        await reply(update, context, stats_text(r, await rt.admin.stats(user_id)))


def stats_text(r: Replies, s: Stats) -> str:
    """/stats: one line per figure."""
    return "\n".join(
        [
            r.admin.stats_subscribers.format(
                s.total,
                active=s.by_status.get("active", 0),
                paused=s.by_status.get("paused", 0),
                stopped=s.by_status.get("stopped", 0),
                blocked=s.by_status.get("blocked", 0),
            ),
            r.admin.stats_new.format(s.new_this_week),
            r.admin.stats_checkins.format(s.checkins_today, week=s.checkins_week),
            r.admin.stats_tips.format(s.tips_today),
            r.admin.stats_failures.format(s.failures_today),
        ]
    )


def cancelled_text(r: Replies, dropped: Dropped) -> str:
    """What /cancel or Cancel ended: a saved tip's broadcast says the tip stays saved."""
    if dropped.saved_tip is not None:
        return r.admin.tip_not_broadcast.format(id=dropped.saved_tip)
    return r.admin.cancelled


async def cancel_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/cancel: an admin's draft, or a settings question; otherwise nothing to cancel."""
    r = await texts(update, context)
    rt = runtime(context)
    user_id, _ = ids(update)
    dropped = await rt.admin.cancel(user_id) if rt.admin.is_admin(user_id) else None
    if dropped is not None:
        await reply(update, context, cancelled_text(r, dropped))
        return
    sub = await rt.subscribers.get(user_id)
    if sub is not None and sub.flow is not None and sub.flow.mode == "settings":
        await rt.subscribers.close_flow(user_id=user_id)
        await reply(update, context, r.admin.cancelled)
        return
    await reply(update, context, r.admin.nothing_to_cancel)


async def admin_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An admin's text or photo while a draft waits for it; otherwise let the others handle it."""
    rt = runtime(context)
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or not rt.admin.is_admin(user.id):
        return
    draft = await rt.admin.draft(user.id)
    if draft is None:
        return
    kind, step, _ = draft
    r = await texts(update, context)
    if (kind, step) in (
        ("addtip", "text"),
        ("addtip", "lang_text"),
        ("broadcast", "message"),
        ("broadcast", "lang_text"),
    ):
        # An emergency or a crisis is answered even in the middle of a draft (which stays open).
        verdict = rt.routers.route(
            message.text or message.caption or "",
            language=await language(update, context),
            awaiting_answer=True,
        )
        if verdict.urgent:
            said = rt.catalog[verdict.language].replies if verdict.language else r
            await reply(update, context, views.urgent_text(said, verdict))
            raise ApplicationHandlerStop
    try:
        if (kind, step) == ("addtip", "text") and message.text:
            preview = await rt.admin.addtip_text(user.id, message.text, r.admin.default_source)
            await reply(update, context, r.admin.addtip_preview)
            await reply(update, context, preview.text, markup_of(preview.payload()))
            await reply(
                update, context, r.admin.addtip_confirm, _tip_languages_keyboard(rt, r, set())
            )
        elif (kind, step) == ("addtip", "lang_text") and message.text:
            _, preview, done = await rt.admin.addtip_translation(
                user.id, message.text, r.admin.default_source
            )
            await reply(update, context, preview.text, markup_of(preview.payload()))
            await reply(
                update, context, r.admin.addtip_confirm, _tip_languages_keyboard(rt, r, done)
            )
        elif kind == "broadcast" and step in ("message", "lang_text"):
            payload = _payload_of(message)
            if payload is None:
                await reply(update, context, r.admin.broadcast_unsupported)
            else:
                done = await rt.admin.broadcast_message(user.id, payload)
                await reply(
                    update,
                    context,
                    r.admin.broadcast_languages,
                    _broadcast_languages_keyboard(rt, r, done),
                )
        else:
            return  # a draft waiting for a button: the text is an ordinary message
    except AdminError as exc:
        await _admin_error(update, context, rt, str(exc), message.text or "")
    raise ApplicationHandlerStop


def _payload_of(message: Message) -> dict[str, Any] | None:
    if message.photo:
        return {
            "photo": message.photo[-1].file_id,
            "text": message.caption or "",
            "entities": [e.to_dict() for e in message.caption_entities],
        }
    if message.text:
        return {"text": message.text, "entities": [e.to_dict() for e in message.entities]}
    return None


async def _admin_error(
    update: Update, context: ContextTypes.DEFAULT_TYPE, rt: Runtime, key: str, text: str
) -> None:
    r = await texts(update, context)
    if key == "tip_too_long":
        length = len(split_source(text, rt.admin.source_labels)[0])
        await reply(update, context, r.admin.tip_too_long.format(length, max=MAX_TIP_TEXT))
    elif key == "tip_empty":
        await reply(update, context, r.admin.tip_empty)
    else:
        await reply(update, context, r.general.stale_button)


def _other_languages(rt: Runtime, done: set[str] | frozenset[str]) -> list[tuple[str, str]]:
    """(code, own name) of every language beyond English without a text yet."""
    return [
        (code, rt.catalog[code].replies.language.name)
        for code in rt.catalog.languages[1:]
        if code not in done
    ]


def _languages_keyboard(
    rt: Runtime, r: Replies, done: set[str] | frozenset[str], next_step: InlineKeyboardButton
) -> InlineKeyboardMarkup:
    """ "+ <language>" for each language without a text yet, then the next step and Cancel."""
    rows = [
        [
            InlineKeyboardButton(
                r.labels.add_language.format(language=name),
                callback_data=pack(AdminLanguage(code)),
            )
        ]
        for code, name in _other_languages(rt, done)
    ]
    rows.append([next_step, InlineKeyboardButton(r.labels.cancel, callback_data=_CANCEL)])
    return InlineKeyboardMarkup(rows)


def _tip_languages_keyboard(
    rt: Runtime, r: Replies, done: set[str] | frozenset[str]
) -> InlineKeyboardMarkup:
    """Save (in the languages given so far), add another language, or cancel."""
    save = InlineKeyboardButton(r.labels.save_tip, callback_data=pack(AdminSave()))
    return _languages_keyboard(rt, r, done, save)


def _broadcast_languages_keyboard(
    rt: Runtime, r: Replies, done: frozenset[str]
) -> InlineKeyboardMarkup:
    """Add the message in another language, or go on to the audience."""
    done_button = InlineKeyboardButton(
        r.labels.languages_done, callback_data=pack(AdminLanguagesDone())
    )
    return _languages_keyboard(rt, r, done, done_button)


def _topic_keyboard(r: Replies) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(r.labels.topics[t], callback_data=pack(AdminTopic(t)))]
            for t in TOPICS
        ]
        + [[InlineKeyboardButton(r.labels.cancel, callback_data=_CANCEL)]]
    )


def _audience_keyboard(r: Replies) -> InlineKeyboardMarkup:
    everyone = pack(AdminAudience("all"))
    rows = [[InlineKeyboardButton(r.labels.audience_all, callback_data=everyone)]]
    rows += [
        [InlineKeyboardButton(r.labels.topics[t], callback_data=pack(AdminAudience(t)))]
        for t in TOPICS
    ]
    rows.append([InlineKeyboardButton(r.labels.cancel, callback_data=_CANCEL)])
    return InlineKeyboardMarkup(rows)


async def _send_preview(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    rt: Runtime,
    info: AudienceInfo,
    payload: dict[str, Any],
) -> None:
    r = await texts(update, context)
    chat = update.effective_chat
    assert chat is not None
    if info.recipients == 0:
        await rt.admin.cancel(update.effective_user.id if update.effective_user else 0)
        await reply(update, context, r.admin.broadcast_nobody)
        return
    await send_payload(context, chat.id, payload)
    text = r.admin.broadcast_preview.format(
        audience=_audience_label(r, info.audience),
        recipients=r.admin.subscribers.format(info.recipients),
        duration=duration_text(r, info.seconds),
        blocked=r.admin.blocked_skipped.format(info.skipped_blocked),
    )
    if len(rt.catalog.languages) > 1:
        counts = " · ".join(
            r.admin.language_count.format(
                language=rt.catalog[code].replies.language.name,
                recipients=r.admin.subscribers.format(info.by_language.get(code, 0)),
            )
            + ("" if code == "en" or code in info.own_text else r.admin.first_text_marker)
            for code in rt.catalog.languages
        )
        text += "\n" + r.admin.broadcast_by_language.format(counts=counts)
    buttons = [
        [
            InlineKeyboardButton(
                r.labels.send_broadcast.format(info.recipients),
                callback_data=pack(AdminSend(paid=False)),
            )
        ]
    ]
    if info.paid_seconds is not None and info.paid_stars is not None:
        text += "\n\n" + r.admin.broadcast_preview_paid.format(
            duration=duration_text(r, info.paid_seconds),
            rate=r.admin.paid_rate.format(rt.settings.paid_broadcast_rate),
            stars=r.admin.stars.format(info.paid_stars),
        )
        buttons.append(
            [
                InlineKeyboardButton(
                    r.labels.send_broadcast_paid.format(stars=f"{info.paid_stars:g}"),
                    callback_data=pack(AdminSend(paid=True)),
                )
            ]
        )
    buttons.append([InlineKeyboardButton(r.labels.cancel, callback_data=_CANCEL)])
    await reply(update, context, text, InlineKeyboardMarkup(buttons))


def duration_text(r: Replies, seconds: int) -> str:
    """'about 40 s', 'about 12 min', 'about 2 h 5 min'."""
    if seconds < 60:
        return r.admin.duration_seconds.format(n=max(1, seconds))
    minutes = math.ceil(seconds / 60)
    if minutes < 60:
        return r.admin.duration_minutes.format(n=minutes)
    return r.admin.duration_hours.format(h=minutes // 60, m=minutes % 60)


async def send_payload(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, payload: dict[str, Any]
) -> Message:
    """Send a broadcast payload exactly as the outbox sender will."""
    markup = markup_of(payload)
    entities = [MessageEntity.de_json(e, context.bot) for e in payload.get("entities") or []]
    if payload.get("photo"):
        return await context.bot.send_photo(
            chat_id,
            payload["photo"],
            caption=payload.get("text") or None,
            caption_entities=entities or None,
            reply_markup=markup,
        )
    return await context.bot.send_message(
        chat_id, payload["text"], entities=entities or None, reply_markup=markup
    )


async def admin_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """'adm:...' buttons; the presser is checked again, so a forged callback does nothing."""
    query = update.callback_query
    assert query is not None and query.data is not None
    rt = runtime(context)
    r = await texts(update, context)
    user_id = query.from_user.id
    if not rt.admin.is_admin(user_id):
        await _denied(update, context, query.data)
        return
    chat = update.effective_chat
    try:
        match unpack(query.data):
            case AdminCancel():
                dropped = await rt.admin.cancel(user_id)
                await query.answer()
                await close_keyboard(
                    query, cancelled_text(r, dropped) if dropped else r.admin.cancelled
                )
            case AdminTopic(topic=topic):
                await rt.admin.addtip_topic(user_id, topic)
                await query.answer()
                await close_keyboard(query)
                await reply(update, context, r.admin.addtip_text.format(MAX_TIP_TEXT))
            case AdminSave():
                tip = await rt.admin.addtip_save(user_id)
                await query.answer()
                await close_keyboard(query)
                tipcast = pack(AdminTipcast(tip.id))
                await reply(
                    update,
                    context,
                    r.admin.addtip_saved.format(id=tip.id, topic=r.labels.topics[tip.topic]),
                    InlineKeyboardMarkup(
                        [[InlineKeyboardButton(r.labels.broadcast_this_tip, callback_data=tipcast)]]
                    ),
                )
            case AdminLanguage(language=code) if code in rt.catalog.languages:
                kind = await rt.admin.add_language(user_id, code)
                await query.answer()
                await close_keyboard(query)
                name = rt.catalog[code].replies.language.name
                prompt = (
                    r.admin.addtip_language_text
                    if kind == "addtip"
                    else r.admin.broadcast_language_text
                )
                await reply(update, context, prompt.format(language=name))
            case AdminLanguagesDone():
                await rt.admin.broadcast_languages_done(user_id)
                await query.answer()
                await close_keyboard(query)
                await reply(update, context, r.admin.broadcast_audience, _audience_keyboard(r))
            case AdminTipcast(tip_id=tip_id):
                info, tip = await rt.admin.broadcast_tip(user_id, tip_id)
                await query.answer()
                await close_keyboard(query)
                await _send_preview(
                    update, context, rt, info, rt.tips.render(tip).payload(tip_num=tip.num)
                )
            case AdminAudience(audience=audience):
                info = await rt.admin.broadcast_audience(user_id, audience)
                draft = await rt.admin.draft(user_id)
                await query.answer()
                await close_keyboard(query)
                if draft is not None:
                    await _send_preview(update, context, rt, info, draft[2]["payload"])
            case AdminSend(paid=paid) if chat is not None:
                broadcast = await rt.admin.broadcast_confirm(user_id, chat.id, paid=paid)
                await query.answer()
                await close_keyboard(query)
                status = await context.bot.send_message(
                    chat.id, status_text(r, rt.admin.starting(broadcast))
                )
                await rt.admin.set_status_message(broadcast.id, status.message_id)
                wake = context.application.bot_data.get("nudgebot.wake_sender")
                if callable(wake):
                    wake()
            case AdminTipsPage(page=page, search=search):
                await query.answer()
                await _send_tips(update, context, rt, search, page, edit=query.message)
            case _:
                await query.answer(r.general.stale_button)
    except AdminError:
        await query.answer(r.general.stale_button)
        await close_keyboard(query)


async def _send_tips(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    rt: Runtime,
    search: str,
    page: int,
    edit: Any = None,
) -> None:
    r = await texts(update, context)
    rows, page, pages, total = await rt.admin.list_tips(search[:30] or None, page)
    if not rows:
        await reply(update, context, r.admin.tips_none)
        return
    first = page * TIPS_PAGE + 1
    lines = [
        r.admin.tips_header.format(
            first=first, last=first + len(rows) - 1, total=total, page=page + 1, pages=pages
        )
    ]
    for row in rows:
        words = " ".join(row.text.split()[:7])
        lines.append(
            r.admin.tips_row.format(
                id=row.id,
                topic=row.topic,
                words=words + "…",
                sent=row.sent,
                helpful=row.helpful,
                off="" if row.enabled else r.admin.tips_off_marker,
            )
        )
    buttons = []
    query_part = search[:30]
    if page > 0:
        previous = pack(AdminTipsPage.fitting(page - 1, query_part))
        buttons.append(InlineKeyboardButton(r.labels.previous_page, callback_data=previous))
    if page + 1 < pages:
        following = pack(AdminTipsPage.fitting(page + 1, query_part))
        buttons.append(InlineKeyboardButton(r.labels.next_page, callback_data=following))
    markup = InlineKeyboardMarkup([buttons]) if buttons else None
    text = "\n".join(lines)
    if edit is not None:
        try:
            await edit.edit_text(text, reply_markup=markup)
            return
        except BadRequest:
            pass
    await reply(update, context, text, markup)


async def _send_recent(update: Update, context: ContextTypes.DEFAULT_TYPE, rt: Runtime) -> None:
    r = await texts(update, context)
    recent = await rt.admin.recent()
    if not recent:
        await reply(update, context, r.admin.broadcasts_none)
        return
    await reply(
        update,
        context,
        "\n".join(
            r.admin.broadcasts_row.format(
                id=p.broadcast.id,
                state=p.broadcast.state,
                audience=_audience_label(r, p.broadcast.audience),
                sent=p.sent,
                total=p.broadcast.total,
                blocked=p.blocked,
                failed=p.failed,
                created=p.broadcast.created_at.strftime("%d %b %H:%M UTC"),
            )
            for p in recent
        ),
    )


def status_text(r: Replies, progress: Progress) -> str:
    """The admin's status message for a broadcast."""
    b = progress.broadcast
    audience = _audience_label(r, b.audience)
    if progress.finished:
        text = r.admin.broadcast_done.format(
            b.total,
            id=b.id,
            audience=audience,
            sent=progress.sent,
            blocked=progress.blocked,
            failed=progress.failed,
            cancelled=progress.cancelled,
            skipped=b.skipped_blocked,
        )
    else:
        text = r.admin.broadcast_status.format(
            b.total,
            id=b.id,
            audience=audience,
            sent=progress.sent,
            blocked=progress.blocked,
            failed=progress.failed,
            remaining=progress.remaining,
            eta=progress.eta_seconds,
        )
    if b.paid_refused_at is not None:
        text += "\n" + r.admin.broadcast_paid_refused.format(id=b.id)
    if b.paid:
        text += "\n" + r.admin.broadcast_stars_spent.format(
            stars=r.admin.stars.format(progress.stars_spent)
        )
    return text


async def report_progress(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Repeating job (every 5 s): edit each running broadcast's status message."""
    rt: Runtime = runtime(context)
    for progress in await rt.admin.progress():
        b = progress.broadcast
        # The admin's own language (an admin who never pressed /start reads English).
        r = rt.catalog[await rt.subscribers.language_of(user_id=b.admin_chat_id)].replies
        if b.paid_refused_at is not None:
            # Told once, as a message of its own: an edited status makes no sound.
            await rt.admin.tell_admin_once(
                key=f"broadcast:{b.id}:paid-refused",
                chat_id=b.admin_chat_id,
                text=r.admin.broadcast_paid_refused.format(id=b.id),
            )
        if b.status_message_id is None:
            continue
        try:
            await context.bot.edit_message_text(
                status_text(r, progress),
                chat_id=b.admin_chat_id,
                message_id=b.status_message_id,
            )
        except BadRequest as exc:
            if "not modified" not in exc.message:
                log.warning("broadcast %s: could not update the status: %s", b.id, exc.message)
        except TelegramError as exc:
            log.warning("broadcast %s: could not update the status: %s", b.id, exc)


def register(application: Any) -> None:
    """Admin commands, drafts and buttons."""
    # Admin commands for everyone: the handler checks the id itself, answers a non-admin exactly
    # like an unknown command and logs the attempt (a filter would leave no trace).
    application.add_handler(
        CommandHandler(list(ADMIN_COMMANDS), admin_command, filters=NEW_PRIVATE_MESSAGE)
    )
    add_commands(application, {"cancel": cancel_command})
    # Group -1 runs first: an admin's text or photo that a draft waits for is taken there
    # (ApplicationHandlerStop); anything else falls through to group 0.
    application.add_handler(
        MessageHandler(
            NEW_PRIVATE_MESSAGE & (filters.TEXT | filters.PHOTO) & ~filters.COMMAND, admin_message
        ),
        group=-1,
    )
    add_buttons(application, [(admin_button, callbacks.ADMIN_BUTTONS)])
