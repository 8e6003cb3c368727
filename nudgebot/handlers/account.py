"""/pause, /resume, /stop and /help."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from nudgebot.content import Replies
from nudgebot.domain import preferences as prefs
from nudgebot.domain.clock import format_time
from nudgebot.handlers import render
from nudgebot.handlers.common import close_keyboard, ids, reply, runtime, texts
from nudgebot.handlers.onboarding import ask, stale
from nudgebot.platform.callbacks import Pause, unpack
from nudgebot.services.subscribers import PauseResult


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every command, one line each; an admin also gets the admin commands."""
    r = await texts(update, context)
    rt = runtime(context)
    user_id, _ = ids(update)
    text = r.general.help
    if rt.admin.is_admin(user_id):
        text = f"{text}\n\n{r.admin.help}"
    await reply(update, context, text)


def pause_text(r: Replies, result: PauseResult, days: int, *, snooze: bool = False) -> str:
    """What a pause did: how long, and when the next tip comes (a longer pause stays)."""
    sub = result.subscriber
    if result.kept:
        if result.next_tip is None:
            return r.account.pause_kept_open
        day, at = render.day_and_time(sub, result.next_tip)
        return r.account.pause_kept.format(day=day, time=at)
    if result.ends is None:
        return r.account.paused
    until, _ = render.day_and_time(sub, result.ends)
    if result.next_tip is None:
        return r.account.paused_until_no_tip.format(days, until=until)
    day, at = render.day_and_time(sub, result.next_tip)
    if snooze:
        return r.tips.snoozed.format(until=until, day=day, time=at)
    return r.account.paused_until.format(days, until=until, day=day, time=at)


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
    await close_keyboard(query, pause_text(r, result, days))


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
