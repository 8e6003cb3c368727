"""/settings: show the preferences and open one of them for change."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from nudgebot.bot.context import close_keyboard, edit_keyboard, ids, reply, runtime, stale, texts
from nudgebot.features.subscribers import views as render
from nudgebot.features.subscribers.handlers.onboarding import ask
from nudgebot.platform.callbacks import SettingsClose, SettingsOpen, WeeklySummarySwitch, unpack


async def show_settings(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The summary with a button per preference."""
    rt = runtime(context)
    r = await texts(update, context)
    user_id, _ = ids(update)
    sub = await rt.subscribers.get(user_id)
    if sub is None:
        await reply(update, context, r.general.not_started)
        return
    if not sub.onboarded:
        await reply(update, context, r.settings.finish_onboarding_first)
        if sub.flow is not None:
            await ask(update, context, sub)
        return
    if sub.flow is not None:
        sub = await rt.subscribers.close_flow(user_id=user_id) or sub
    text = r.settings.intro.format(summary=render.summary(r, sub))
    await reply(update, context, text, render.settings_keyboard(r, sub))


async def settings_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """SettingsOpen opens one question; SettingsClose leaves it unchanged; WeeklySummarySwitch."""
    query = update.callback_query
    assert query is not None
    rt = runtime(context)
    r = await texts(update, context)
    button = unpack(query.data)
    user_id = query.from_user.id
    if isinstance(button, SettingsClose):
        sub = await rt.subscribers.close_flow(user_id=user_id)
        await query.answer()
        if sub is not None:
            await close_keyboard(query, r.settings.kept.format(summary=render.summary(r, sub)))
        return
    if isinstance(button, WeeklySummarySwitch):
        switched = await rt.subscribers.set_weekly_summary(user_id=user_id, on=button.on)
        if switched is None:
            await stale(query, r)
            return
        s = r.settings
        await query.answer(
            s.weekly_switched_on if switched.weekly_summary else s.weekly_switched_off
        )
        text = s.intro.format(summary=render.summary(r, switched))
        await edit_keyboard(query, text, render.settings_keyboard(r, switched))
        return
    if not isinstance(button, SettingsOpen):
        await stale(query, r)
        return
    sub = await rt.subscribers.open_setting(user_id=user_id, step=button.step)
    if sub is None or not sub.onboarded:
        await stale(query, r)
        return
    await query.answer()
    await close_keyboard(query)
    await ask(update, context, sub)
