"""Turn service results into reply texts and inline keyboards (all wording from messages/)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from nudgebot.content import Replies
from nudgebot.features.reminders.rules import EVENING_DEFAULT, EVENING_TIMES
from nudgebot.features.subscribers import preferences as prefs
from nudgebot.features.subscribers.preferences import Flow
from nudgebot.features.subscribers.service import (
    PauseResult,
    Subscriber,
    effective_status,
    next_tip_after_pause,
)
from nudgebot.features.subscribers.timezones import ZoneChoice, local_now, zone_for
from nudgebot.platform.callbacks import (
    LanguageChoice,
    LanguageMenu,
    OnboardingAnswer,
    Pause,
    SettingsClose,
    SettingsOpen,
    WeeklySummarySwitch,
    pack,
)
from nudgebot.platform.clock import utcnow
from nudgebot.platform.i18n import format_day
from nudgebot.platform.timeofday import DAY_PARTS, format_time

CHECK = "✓ "


def day_and_time(sub: Subscriber, instant: datetime) -> tuple[str, str]:
    """('Mon 7 Dec', '08:00'): an instant's local date and time in the subscriber's zone."""
    zone = zone_for(sub.timezone) if sub.timezone else zone_for("UTC")
    local = instant.astimezone(zone)
    return format_day(local.date(), sub.language), format_time(local.time())


def profile_text(r: Replies, sub: Subscriber) -> str:
    """'31–50 · Female · Pregnant', or 'not shared'."""
    lab = r.labels
    parts = []
    if sub.age_band and sub.age_band != prefs.UNSAID:
        parts.append(lab.age_bands.get(sub.age_band, sub.age_band))
    if sub.sex and sub.sex != prefs.UNSAID:
        parts.append(lab.sexes.get(sub.sex, sub.sex))
    if sub.life_stage and sub.life_stage not in (prefs.UNSAID, "neither"):
        parts.append(lab.life_stages.get(sub.life_stage, sub.life_stage))
    return " · ".join(parts) if parts else r.summary.profile_none


def status_text(r: Replies, sub: Subscriber, now: datetime | None = None) -> str:
    """The subscription state in words."""
    status = effective_status(sub, now or utcnow())
    if status == "paused":
        if sub.paused_until is not None:
            day, at = day_and_time(sub, next_tip_after_pause(sub) or sub.paused_until)
            return r.summary.status_paused_until.format(day=day, time=at)
        return r.summary.status_paused
    return {
        "active": r.summary.status_active,
        "stopped": r.summary.status_stopped,
        "blocked": r.summary.status_blocked,
    }.get(status, status)


def summary(r: Replies, sub: Subscriber) -> str:
    """The five-line overview shown at the end of onboarding and in /settings."""
    topics = ", ".join(r.labels.topics[t] for t in prefs.TOPICS if t in sub.topics)
    s = r.summary
    return s.layout.format(
        zone=sub.timezone or s.not_set,
        time=format_time(sub.tip_time) if sub.tip_time else s.not_set,
        topics=topics or s.not_set,
        profile=profile_text(r, sub),
        evening=(
            s.evening_at.format(time=format_time(sub.evening_time))
            if sub.evening_time
            else s.evening_off
        ),
        weekly=s.weekly_on if sub.weekly_summary else s.weekly_off,
        language=r.language.name,
        status=status_text(r, sub),
    )


def _rows(buttons: list[InlineKeyboardButton], per_row: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]


def _nav_row(r: Replies, flow: Flow, *, cancel: bool = True) -> list[list[InlineKeyboardButton]]:
    """◀ Back to the previous onboarding question, or Cancel on a settings question."""
    if flow.mode == "settings":
        if not cancel:
            return []
        return [[InlineKeyboardButton(r.labels.cancel, callback_data=pack(SettingsClose()))]]
    if prefs.before(flow) is None:
        return []
    data = pack(OnboardingAnswer(flow.step, prefs.BACK))
    return [[InlineKeyboardButton(r.labels.back, callback_data=data)]]


def tz_keyboard(r: Replies, flow: Flow) -> InlineKeyboardMarkup:
    """Common zones, three a row."""
    buttons = [
        InlineKeyboardButton(
            zone.replace("_", " "), callback_data=pack(OnboardingAnswer("tz", zone))
        )
        for zone in prefs.COMMON_ZONES
    ]
    return InlineKeyboardMarkup(_rows(buttons, 3) + _nav_row(r, flow))


def tz_choices_keyboard(
    r: Replies, choices: tuple[ZoneChoice, ...], flow: Flow
) -> InlineKeyboardMarkup:
    """The places a typed answer may mean, one a row (the biggest first), and "Neither"."""
    rows = [
        [InlineKeyboardButton(c.label, callback_data=pack(OnboardingAnswer("tz", c.key)))]
        for c in choices
    ]
    retype = pack(OnboardingAnswer("tz", prefs.RETYPE))
    rows.append([InlineKeyboardButton(r.labels.tz_neither, callback_data=retype)])
    return InlineKeyboardMarkup(rows + _nav_row(r, flow))


def time_keyboard(r: Replies, flow: Flow) -> InlineKeyboardMarkup:
    """The suggested tip times, three a row."""
    buttons = [
        InlineKeyboardButton(
            format_time(t), callback_data=pack(OnboardingAnswer("time", format_time(t)))
        )
        for t in prefs.TIP_TIMES
    ]
    return InlineKeyboardMarkup(_rows(buttons, 3) + _nav_row(r, flow))


def day_part_keyboard(r: Replies, part: str, flow: Flow) -> InlineKeyboardMarkup:
    """The times of one part of the day ("morning": 06:00 to 09:00), in one row."""
    buttons = [
        InlineKeyboardButton(
            format_time(t), callback_data=pack(OnboardingAnswer("time", format_time(t)))
        )
        for t in DAY_PARTS[part]
    ]
    return InlineKeyboardMarkup([buttons, *_nav_row(r, flow)])


def day_part_question(r: Replies, part: str, flow: Flow) -> tuple[str, InlineKeyboardMarkup]:
    """The line and buttons for a part of the day typed as a tip time."""
    return r.onboarding.time_parts[part], day_part_keyboard(r, part, flow)


def topics_keyboard(r: Replies, sub: Subscriber, flow: Flow) -> InlineKeyboardMarkup:
    """One toggle per topic (✅ chosen, ⬜ not), Done, and Back during onboarding."""
    lab = r.labels
    rows = [
        [
            InlineKeyboardButton(
                (lab.topic_on if topic in sub.topics else lab.topic_off).format(
                    topic=lab.topics[topic]
                ),
                callback_data=pack(OnboardingAnswer("topics", topic)),
            )
        ]
        for topic in prefs.TOPICS
    ]
    rows.append(
        [InlineKeyboardButton(lab.done, callback_data=pack(OnboardingAnswer("topics", "done")))]
    )
    return InlineKeyboardMarkup(rows + _nav_row(r, flow, cancel=False))


def evening_keyboard(r: Replies, sub: Subscriber, flow: Flow) -> InlineKeyboardMarkup:
    """The evening reminder times (the default marked), and No thanks or Turn it off."""
    lab = r.labels

    def label(at: time) -> str:
        text = format_time(at)
        if at == EVENING_DEFAULT:
            text = lab.evening_default.format(time=text)
        return (CHECK if flow.mode == "settings" and sub.evening_time == at else "") + text

    buttons = [
        InlineKeyboardButton(
            label(at), callback_data=pack(OnboardingAnswer("evening", format_time(at)))
        )
        for at in EVENING_TIMES
    ]
    off = lab.evening_off if flow.mode == "settings" and sub.evening_time else lab.evening_no
    off_data = pack(OnboardingAnswer("evening", prefs.EVENING_OFF))
    rows = [*_rows(buttons, 3), [InlineKeyboardButton(off, callback_data=off_data)]]
    return InlineKeyboardMarkup(rows + _nav_row(r, flow))


def profile_keyboard(r: Replies, sub: Subscriber, flow: Flow) -> InlineKeyboardMarkup:
    """Age band, sex and (unless male) pregnancy rows; skip and Done."""
    lab = r.labels

    def row(field: str, chosen: str | None, labels: dict[str, str]) -> list[InlineKeyboardButton]:
        return [
            InlineKeyboardButton(
                (CHECK if chosen == value else "") + label,
                callback_data=pack(OnboardingAnswer("profile", f"{field}={value}")),
            )
            for value, label in labels.items()
        ]

    rows = [
        row("age", sub.age_band, lab.age_bands),
        row("sex", sub.sex, lab.sexes),
    ]
    if prefs.asks_life_stage(sub.sex):
        rows.append(row("life", sub.life_stage, lab.life_stages))
    skip, done = (
        pack(OnboardingAnswer("profile", "skip")),
        pack(OnboardingAnswer("profile", "done")),
    )
    rows.append([InlineKeyboardButton(lab.skip_profile, callback_data=skip)])
    rows.append([InlineKeyboardButton(lab.done, callback_data=done)])
    return InlineKeyboardMarkup(rows + _nav_row(r, flow, cancel=False))


def profile_question(r: Replies, sub: Subscriber) -> str:
    """The profile question with what is chosen so far."""
    lab = r.labels
    unset = "–"
    lines = [
        r.onboarding.ask_profile,
        "",
        f"{lab.profile_age_header}: {lab.age_bands.get(sub.age_band or '', unset)}",
        f"{lab.profile_sex_header}: {lab.sexes.get(sub.sex or '', unset)}",
    ]
    if prefs.asks_life_stage(sub.sex):
        lines.append(
            f"{lab.profile_life_header}: {lab.life_stages.get(sub.life_stage or '', unset)}"
        )
    return "\n".join(lines)


def question(r: Replies, sub: Subscriber) -> tuple[str, InlineKeyboardMarkup]:
    """The open question for sub.flow, with its keyboard."""
    flow = sub.flow
    if flow is None:
        raise ValueError("no open question")
    if flow.step == "tz":
        text, markup = r.onboarding.ask_tz, tz_keyboard(r, flow)
    elif flow.step == "time":
        text, markup = r.onboarding.ask_time, time_keyboard(r, flow)
    elif flow.step == "topics":
        text, markup = r.onboarding.ask_topics, topics_keyboard(r, sub, flow)
    elif flow.step == "evening":
        text, markup = r.onboarding.ask_evening, evening_keyboard(r, sub, flow)
    else:
        text, markup = profile_question(r, sub), profile_keyboard(r, sub, flow)
    if flow.mode == "onboarding":
        header = r.onboarding.step.format(n=prefs.step_index(flow.step), total=len(prefs.STEPS))
        text = f"{header}\n{text}"
    return text, markup


def tz_confirmation(r: Replies, sub: Subscriber, city: str | None) -> str:
    """'Time zone: Europe/Berlin (from Munich). It's 14:05 there now.'"""
    zone = sub.timezone or "UTC"
    now = format_time(local_now(zone).time())
    if city:
        text = r.onboarding.tz_set_city.format(zone=zone, city=city, local_time=now)
    else:
        text = r.onboarding.tz_set.format(zone=zone, local_time=now)
    if zone.startswith("UTC") and len(zone) == 9:
        text = f"{text}\n{r.onboarding.fixed_offset_note}"
    return text


def settings_keyboard(r: Replies, sub: Subscriber) -> InlineKeyboardMarkup:
    """Which preference to change, and the weekly summary switch (showing its state)."""
    lab = r.labels
    weekly = (
        InlineKeyboardButton(lab.weekly_on, callback_data=pack(WeeklySummarySwitch(on=False)))
        if sub.weekly_summary
        else InlineKeyboardButton(lab.weekly_off, callback_data=pack(WeeklySummarySwitch(on=True)))
    )
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(lab.change_tz, callback_data=pack(SettingsOpen("tz"))),
                InlineKeyboardButton(lab.change_time, callback_data=pack(SettingsOpen("time"))),
            ],
            [
                InlineKeyboardButton(lab.change_topics, callback_data=pack(SettingsOpen("topics"))),
                InlineKeyboardButton(
                    lab.change_profile, callback_data=pack(SettingsOpen("profile"))
                ),
            ],
            [
                InlineKeyboardButton(
                    lab.change_evening, callback_data=pack(SettingsOpen("evening"))
                ),
                weekly,
            ],
            [InlineKeyboardButton(lab.change_language, callback_data=pack(LanguageMenu()))],
        ]
    )


def language_keyboard(names: Mapping[str, str], current: str) -> InlineKeyboardMarkup:
    """One button per language, in its own name; the current one ticked."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    (CHECK if code == current else "") + name,
                    callback_data=pack(LanguageChoice(code)),
                )
            ]
            for code, name in names.items()
        ]
    )


def pause_keyboard(r: Replies) -> InlineKeyboardMarkup:
    """How long to pause."""
    lab = r.labels
    buttons = [
        InlineKeyboardButton(lab.pause_days.format(days), callback_data=pack(Pause(days)))
        for days in prefs.PAUSE_CHOICES
        if days
    ]
    return InlineKeyboardMarkup(
        [buttons, [InlineKeyboardButton(lab.pause_until_resume, callback_data=pack(Pause(0)))]]
    )


def pause_text(r: Replies, result: PauseResult, days: int, *, snooze: bool = False) -> str:
    """What a pause did: how long, and when the next tip comes (a longer pause stays)."""
    sub = result.subscriber
    if result.kept:
        if result.next_tip is None:
            return r.account.pause_kept_open
        day, at = day_and_time(sub, result.next_tip)
        return r.account.pause_kept.format(day=day, time=at)
    if result.ends is None:
        return r.account.paused
    until, _ = day_and_time(sub, result.ends)
    if result.next_tip is None:
        return r.account.paused_until_no_tip.format(days, until=until)
    day, at = day_and_time(sub, result.next_tip)
    if snooze:
        return r.tips.snoozed.format(until=until, day=day, time=at)
    return r.account.paused_until.format(days, until=until, day=day, time=at)
