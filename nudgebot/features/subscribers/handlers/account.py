"""/pause, /resume, /stop and /help."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from nudgebot.bot.context import close_keyboard, ids, reply, runtime, stale, texts
from nudgebot.features.subscribers import preferences as prefs
from nudgebot.features.subscribers import views as render
from nudgebot.features.subscribers.handlers.onboarding import ask
from nudgebot.platform.callbacks import Pause, unpack
from nudgebot.platform.timeofday import format_time


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every command, one line each; an admin also gets the admin commands."""
    r = await texts(update, context)
    rt = runtime(context)
    user_id, _ = ids(update)
    text = r.general.help
    if rt.admin.is_admin(user_id):
        text = f"{text}\n\n{r.admin.help}"
    await reply(update, context, text)


async def pause_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask how long to pause."""
    r = await texts(update, context)
    rt = runtime(context)
    user_id, _ = ids(update)
    if await rt.subscribers.get(user_id) is None:
        await reply(update, context, r.general.not_started)
        return
    await reply(update, context, r.account.pause_ask, render.pause_keyboard(r))


async def pause_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A Pause button: so many days (0: until /resume)."""
    query = update.callback_query
    assert query is not None
    rt = runtime(context)
    r = await texts(update, context)
    button = unpack(query.data)
    if not isinstance(button, Pause) or button.days not in prefs.PAUSE_CHOICES:
        await stale(query, r)
        return
    days = button.days
    result = await rt.subscribers.pause(user_id=query.from_user.id, days=days)
    if result is None:
        await stale(query, r)
        return
    await query.answer()
    await close_keyboard(query, render.pause_text(r, result, days))


async def resume_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Switch tips back on after a pause (or a /stop)."""
    rt = runtime(context)
    r = await texts(update, context)
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
    r = await texts(update, context)
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
