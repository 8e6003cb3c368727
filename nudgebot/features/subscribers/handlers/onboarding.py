"""/start, typed answers and the question buttons of onboarding and settings."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from nudgebot.bot.context import (
    Runtime,
    close_keyboard,
    edit_keyboard,
    first_name,
    ids,
    reply,
    runtime,
    stale,
    texts,
)
from nudgebot.features.subscribers import views as render
from nudgebot.features.subscribers.service import Outcome, StartKind, StepResult, Subscriber
from nudgebot.platform.callbacks import OnboardingAnswer, unpack


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet, then ask the open question, or welcome someone back."""
    rt = runtime(context)
    r = await texts(update, context)
    user_id, chat_id = ids(update)
    user = update.effective_user
    sub, kind = await rt.subscribers.start(
        user_id=user_id,
        chat_id=chat_id,
        language=rt.catalog.language_of(user.language_code if user else None),
    )
    name = first_name(update)
    if kind is StartKind.NEW:
        await reply(update, context, r.onboarding.welcome.format(name=name))
        await ask(update, context, sub)
    elif kind is StartKind.CONTINUE_ONBOARDING:
        await reply(update, context, r.onboarding.continue_.format(name=name))
        await ask(update, context, sub)
    elif kind is StartKind.WELCOME_BACK:
        text = r.onboarding.welcome_back.format(name=name, summary=render.summary(r, sub))
        await reply(update, context, text)
    else:
        await reply(
            update, context, r.onboarding.already_active.format(summary=render.summary(r, sub))
        )


async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE, sub: Subscriber) -> None:
    """Send the subscriber's open question with its buttons."""
    r = await texts(update, context)
    text, markup = render.question(r, sub)
    await reply(update, context, text, markup)


async def typed_answer(
    update: Update, context: ContextTypes.DEFAULT_TYPE, sub: Subscriber, text: str
) -> None:
    """A text sent while a question is open: a time zone, a time or the evening reminder's
    answer ("yes", "no", "9pm"), or a nudge to the buttons."""
    rt = runtime(context)
    r = await texts(update, context)
    assert sub.flow is not None
    if sub.flow.step not in ("tz", "time", "evening"):
        await reply(update, context, r.general.buttons_only)
        await ask(update, context, sub)
        return
    result = await rt.subscribers.answer_text(user_id=sub.user_id, text=text)
    shown = text.strip()[:60]
    if result.outcome is Outcome.INVALID and sub.flow.step == "evening":
        await reply(update, context, r.general.buttons_only)
        await ask(update, context, sub)
        return
    if result.outcome is Outcome.INVALID:
        retry = r.onboarding.tz_retry if sub.flow.step == "tz" else r.onboarding.time_retry
        await reply(update, context, retry.format(text=shown))
        return
    if result.outcome is Outcome.CHOICES and result.zone_choices:
        markup = render.tz_choices_keyboard(r, result.zone_choices, sub.flow)
        await reply(update, context, r.onboarding.tz_choose.format(text=shown), markup)
        return
    if result.outcome is Outcome.CHOICES and result.day_part is not None:
        await reply(update, context, *render.day_part_question(r, result.day_part, sub.flow))
        return
    await after_answer(update, context, rt, result)


async def after_answer(
    update: Update, context: ContextTypes.DEFAULT_TYPE, rt: Runtime, result: StepResult
) -> None:
    """Confirm an accepted answer, then ask the next question or show the summary."""
    r = await texts(update, context)
    sub = result.subscriber
    if sub is None or result.answered is None:
        return
    if result.answered.step == "tz":
        await reply(update, context, render.tz_confirmation(r, sub, result.detail))
    if sub.flow is not None:
        await ask(update, context, sub)
    elif result.finished_onboarding:
        await reply(update, context, r.onboarding.done.format(summary=render.summary(r, sub)))
    else:
        await reply(update, context, r.settings.saved.format(summary=render.summary(r, sub)))


async def question_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A press on a question's button (an OnboardingAnswer)."""
    query = update.callback_query
    assert query is not None
    rt = runtime(context)
    r = await texts(update, context)
    answer = unpack(query.data)
    if not isinstance(answer, OnboardingAnswer):
        await stale(query, r)
        return
    result = await rt.subscribers.choose(
        user_id=query.from_user.id, step=answer.step, value=answer.value
    )
    sub = result.subscriber
    if result.outcome in (Outcome.STALE, Outcome.INVALID, Outcome.UNKNOWN_USER) or sub is None:
        await stale(query, r)
        return
    if result.outcome in (Outcome.LAST_TOPIC, Outcome.NO_TOPIC):
        refusal = r.onboarding.last_topic
        if result.outcome is Outcome.NO_TOPIC:
            refusal = r.onboarding.no_topic
        await query.answer(refusal, show_alert=True)
        return
    await query.answer()
    if result.outcome is Outcome.BACK:
        await close_keyboard(query)
        await ask(update, context, sub)
        return
    if result.outcome is Outcome.RETYPE:
        await close_keyboard(query)
        await reply(update, context, r.onboarding.tz_type_again)
        return
    if result.outcome is Outcome.SAME_STEP:
        text, markup = render.question(r, sub)
        await edit_keyboard(query, text if answer.step == "profile" else None, markup)
        return
    await close_keyboard(query)
    await after_answer(update, context, rt, result)
