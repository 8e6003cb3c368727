"""/pause, /resume, /stop and /help."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from nudgebot.domain import preferences as prefs
from nudgebot.domain.clock import format_time
from nudgebot.handlers import render
from nudgebot.handlers.common import close_keyboard, ids, reply, runtime
from nudgebot.handlers.onboarding import ask, stale


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every command, one line each."""
    await reply(update, context, runtime(context).replies.general.help)


async def pause_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask how long to pause."""
    rt = runtime(context)
    user_id, _ = ids(update)
    if await rt.subscribers.get(user_id) is None:
        await reply(update, context, rt.replies.general.not_started)
        return
    await reply(update, context, rt.replies.account.pause_ask, render.pause_keyboard(rt.replies))


async def pause_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """'pause:<days>' (0: until /resume)."""
    query = update.callback_query
    assert query is not None and query.data is not None
    rt = runtime(context)
    r = rt.replies
    raw = query.data.removeprefix("pause:")
    days = int(raw) if raw.isdigit() else -1
    if days not in prefs.PAUSE_CHOICES:
        await stale(query, rt)
        return
    sub = await rt.subscribers.pause(user_id=query.from_user.id, days=days)
    if sub is None:
        await stale(query, rt)
        return
    await query.answer()
    if sub.paused_until is not None:
        text = r.account.paused_until.format(date=render.local_datetime(r, sub, sub.paused_until))
    else:
        text = r.account.paused
    await close_keyboard(query, text)


async def resume_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Switch tips back on after a pause (or a /stop)."""
    rt = runtime(context)
    r = rt.replies
    user_id, _ = ids(update)
    sub = await rt.subscribers.get(user_id)
    if sub is None:
        await reply(update, context, r.general.not_started)
        return
    if sub.status == "active":
        await reply(update, context, r.account.not_paused)
        return
    sub = await rt.subscribers.resume(user_id=user_id) or sub
    if not sub.onboarded:
        await reply(update, context, r.account.resumed_not_onboarded)
        if sub.flow is not None:
            await ask(update, context, sub)
        return
    tip_time = format_time(sub.tip_time) if sub.tip_time else r.summary.not_set
    zone = sub.timezone or r.summary.not_set
    await reply(update, context, r.account.resumed.format(time=tip_time, zone=zone))


async def stop_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Unsubscribe; the data stays until the person asks to erase it."""
    rt = runtime(context)
    r = rt.replies
    user_id, _ = ids(update)
    sub = await rt.subscribers.get(user_id)
    if sub is None:
        await reply(update, context, r.general.not_started)
        return
    if sub.status == "stopped":
        await reply(update, context, r.account.already_stopped)
        return
    await rt.subscribers.stop(user_id=user_id)
    await reply(update, context, r.account.stopped)
