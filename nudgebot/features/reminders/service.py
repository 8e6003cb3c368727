"""Reminder kinds beside the daily tip: the evening check-in nudge and the Sunday summary.

One pass, run by the same repeating job as the daily tips: find the reminder rows whose UTC
instant has come (indexed, `FOR UPDATE SKIP LOCKED` on PostgreSQL), decide each one, write keyed
outbox rows (`evening:<user>:<local date>`, `weekly:<user>:<local date>`) and move every row on
to its next instant by the person's own clock. Restarts and several processes therefore never
send one twice: the row is locked while decided and the outbox key is unique.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from nudgebot.content import Catalog
from nudgebot.features.meals.targets import Target, daily_target
from nudgebot.features.meals.views import week_target_text
from nudgebot.features.reminders import repo as reminders_repo
from nudgebot.features.reminders import rules as kinds
from nudgebot.features.reminders.repo import DueReminder, WeekCheckin
from nudgebot.features.tips.schedule import local_date_of
from nudgebot.platform import outbox as outbox_repo
from nudgebot.platform.callbacks import NotToday, pack
from nudgebot.platform.clock import utcnow
from nudgebot.platform.db import SessionMaker
from nudgebot.platform.i18n import format_day
from nudgebot.platform.outbox import NewMessage

log = logging.getLogger(__name__)

Buttons = list[list[tuple[str, str]]]  # rows of (label, callback data)
# The buttons under each evening reminder of a pass (the people's quick check-ins, by user id),
# from the meals feature: one call for the whole pass.
# (person -> their language, now) -> each person's quick check-in buttons
QuickButtons = Callable[[Mapping[int, str], datetime], Awaitable[dict[int, Buttons]]]

# Reminders queue behind replies and ahead of broadcasts (tips are 0 too).
PRIORITY = 0


@dataclass(frozen=True, slots=True)
class ReminderReport:
    """What one pass did, per outcome."""

    due: int = 0
    evening_sent: int = 0
    evening_stopped: int = 0
    weekly_sent: int = 0
    skipped: int = 0  # paused, stopped, blocked, late, already done, or nothing to say


@dataclass(frozen=True, slots=True)
class WeeklySummary:
    """The numbers behind a Sunday summary (data; the caption is made by `weekly_caption`)."""

    days: tuple[tuple[date, float], ...]  # the seven local dates ending on the Sunday
    target: Target
    days_with_checkins: int
    days_reached: int
    average_on_checkin_days: float
    top_food: str | None


def summarise_week(
    checkins: list[WeekCheckin], *, last: date, target: Target
) -> WeeklySummary | None:
    """The week ending on `last` (inclusive); None for a week without a single check-in."""
    first = last - timedelta(days=6)
    totals: dict[date, float] = defaultdict(float)
    by_food: dict[str, float] = defaultdict(float)
    for c in checkins:
        if first <= c.local_date <= last:
            totals[c.local_date] += c.total_mg
            for item in c.items:
                by_food[str(item.get("name") or item.get("food") or "")] += float(
                    item.get("mg") or 0.0
                )
    if not totals:
        return None
    days = tuple(
        (first + timedelta(days=n), totals.get(first + timedelta(days=n), 0.0)) for n in range(7)
    )
    with_checkins = len(totals)
    top = max((f for f in by_food if f), key=lambda f: by_food[f], default=None)
    return WeeklySummary(
        days=days,
        target=target,
        days_with_checkins=with_checkins,
        days_reached=sum(1 for _, mg in days if mg >= target.low),
        average_on_checkin_days=sum(totals.values()) / with_checkins,
        top_food=top if top is not None and by_food[top] > 0 else None,
    )


class ReminderService:
    """Queue due reminders; answer the evening reminder's "Not today"."""

    def __init__(
        self,
        sessionmaker: SessionMaker,
        catalog: Catalog,
        *,
        quick_buttons: QuickButtons | None = None,
    ) -> None:
        self._sm = sessionmaker
        self._catalog = catalog
        self._quick_buttons = quick_buttons

    # -- views (text and buttons as data, for the outbox) --------------------------------

    def evening_text(self, *, user_id: int, local_date: date, language: str = "en") -> str:
        """A variant that changes every evening (and differs between people on one evening)."""
        variants = self._catalog[language].reminders.evening.variants
        return variants[(local_date.toordinal() + user_id) % len(variants)]

    def weekly_caption(self, summary: WeeklySummary, *, user_id: int, language: str = "en") -> str:
        """Days that reached the target, the top food, one encouraging line, the reminder."""
        content = self._catalog[language]
        w = content.reminders.weekly
        target_text = week_target_text(content.replies, summary.target)
        lines = [
            w.title.format(
                first=format_day(summary.days[0][0], content.language),
                last=format_day(summary.days[-1][0], content.language),
            )
        ]
        lines.append(
            w.checked_in.format(
                summary.days_with_checkins, avg=f"{summary.average_on_checkin_days:.0f}"
            )
        )
        if summary.days_reached:
            lines.append(w.days_reached.format(summary.days_reached, target_text=target_text))
        else:
            lines.append(w.none_reached.format(target_text=target_text))
        if summary.top_food:
            lines.append(w.top_food.format(food=summary.top_food))
        week_number = summary.days[-1][0].toordinal() // 7
        lines.append(w.encouragements[(week_number + user_id) % len(w.encouragements)])
        lines.append("")
        lines.append(w.professional)
        lines.append(w.off_hint)
        return "\n".join(lines)

    def weekly_chart(self, summary: WeeklySummary, language: str = "en") -> dict[str, Any]:
        """What the sender needs to draw the chart when it sends (no PNG kept in the outbox)."""
        content = self._catalog[language]
        c = content.replies.checkin
        target = summary.target
        return {
            "days": [[d.isoformat(), round(mg, 1)] for d, mg in summary.days],
            "target_low": target.low,
            "target_high": target.high,
            "title": content.reminders.weekly.chart_title,
            "target_label": c.chart_range if target.is_range else c.chart_target,
            "unit": c.chart_unit,
            "language": content.language,
        }

    # -- the scheduler pass ---------------------------------------------------------------

    async def queue_due(self, *, now: datetime | None = None, limit: int = 2000) -> ReminderReport:
        """Queue every reminder that is due and move each row on to its next instant."""
        now = now or utcnow()
        buttons = await self._evening_buttons(now=now, limit=limit)
        async with self._sm.begin() as session:
            due = await reminders_repo.due_reminders(session, now=now, limit=limit)
            if not due:
                return ReminderReport()
            decided: list[tuple[DueReminder, date | None, bool]] = []  # row, local date, send?
            for row in due:
                decided.append((row, *self._decide(row, now)))
            evening_pairs = [
                (r.user_id, d) for r, d, ok in decided if ok and d and r.kind == kinds.EVENING
            ]
            checked = await reminders_repo.checked_in_on(session, pairs=evening_pairs)
            weekly_rows = [(r, d) for r, d, ok in decided if ok and d and r.kind == kinds.WEEKLY]
            weeks: dict[int, list[WeekCheckin]] = defaultdict(list)
            targets: dict[int, Target] = {}
            if weekly_rows:
                first = min(d for _, d in weekly_rows) - timedelta(days=6)
                last = max(d for _, d in weekly_rows)
                ids = [r.user_id for r, _ in weekly_rows]
                for c in await reminders_repo.week_checkins(
                    session, user_ids=ids, first=first, last=last
                ):
                    weeks[c.user_id].append(c)
                for uid, (age, sex, life) in (
                    await reminders_repo.profiles(session, user_ids=ids)
                ).items():
                    targets[uid] = daily_target(age, sex, life)
            messages: list[NewMessage] = []
            updates: list[dict[str, Any]] = []
            evening_sent = stopped = weekly_sent = skipped = 0
            for row, local_date, ok in decided:
                enabled, ignored, last_date = True, row.ignored, row.last_local_date
                stopped_at: datetime | None = None
                sent = False
                if ok and local_date is not None and row.kind == kinds.EVENING:
                    if (row.user_id, local_date) in checked:
                        pass  # they checked in today: nothing to remind
                    elif row.ignored >= kinds.MAX_IGNORED:
                        messages.append(self._stopped_message(row, local_date))
                        enabled, stopped_at, sent = False, now, True
                        stopped += 1
                    else:
                        messages.append(
                            self._evening_message(row, local_date, buttons.get(row.user_id, []))
                        )
                        ignored, sent = row.ignored + 1, True
                        evening_sent += 1
                elif ok and local_date is not None and row.kind == kinds.WEEKLY:
                    target = targets.get(row.user_id) or daily_target(None, None, None)
                    summary = summarise_week(weeks[row.user_id], last=local_date, target=target)
                    if summary is not None:  # a week with no check-in gets no summary
                        messages.append(self._weekly_message(row, local_date, summary))
                        sent = True
                        weekly_sent += 1
                if sent:
                    last_date = local_date
                else:
                    skipped += 1
                updates.append(
                    {
                        "user_id": row.user_id,
                        "kind": row.kind,
                        "enabled": enabled,
                        "ignored": ignored,
                        "last_local_date": last_date,
                        "stopped_at": stopped_at,
                        "next_due_utc": self._next(row, now) if enabled else None,
                    }
                )
            await outbox_repo.enqueue(session, messages=messages)
            await reminders_repo.save_reminders(session, rows=updates)
        return ReminderReport(len(due), evening_sent, stopped, weekly_sent, skipped)

    @staticmethod
    def _decide(row: DueReminder, now: datetime) -> tuple[date | None, bool]:
        """(the local date it is for, whether it may be sent at all)."""
        if row.timezone is None:
            return None, False
        local_date = local_date_of(row.next_due_utc, row.timezone)
        status = row.status
        if status == "paused" and row.paused_until is not None and row.paused_until <= now:
            status = "active"  # a timed pause has ended (the tip pass records it)
        if status != "active":
            return local_date, False  # never while paused or stopped, never to a blocked person
        if row.last_local_date is not None and row.last_local_date >= local_date:
            return local_date, False  # once a local date
        if now - row.next_due_utc > kinds.MAX_LATENESS:
            return local_date, False  # the bot was down: too late to be useful
        return local_date, True

    @staticmethod
    def _next(row: DueReminder, now: datetime) -> datetime | None:
        at = row.at_time if row.kind == kinds.EVENING else row.tip_time
        if row.timezone is None or at is None:
            return None
        return kinds.next_instant(row.kind, zone_key=row.timezone, at=at, after=now)

    async def _evening_buttons(self, *, now: datetime, limit: int) -> dict[int, Buttons]:
        """Each due evening reminder's quick check-ins, read before the pass's transaction.

        They come from the meals feature's own reads; inside the pass's write transaction they
        would wait for its lock on SQLite. Someone who became due in between gets "Not today"
        alone.
        """
        if self._quick_buttons is None:
            return {}
        async with self._sm() as session:
            due = await reminders_repo.due_reminders(session, now=now, limit=limit, lock=False)
        people = {
            row.user_id: row.language
            for row in due
            if row.kind == kinds.EVENING and row.status in ("active", "paused")
        }
        if not people:
            return {}
        try:
            return await self._quick_buttons(people, now)
        except Exception:  # the reminders still go, with "Not today" only
            log.exception("evening reminders: quick check-ins for %d people failed", len(people))
            return {}

    def _evening_message(self, row: DueReminder, local_date: date, quick: Buttons) -> NewMessage:
        evening = self._catalog[row.language].reminders.evening
        buttons = [*quick, [(evening.not_today, pack(NotToday()))]]
        return NewMessage(
            key=f"evening:{row.user_id}:{local_date.isoformat()}",
            kind="evening",
            user_id=row.user_id,
            chat_id=row.chat_id,
            payload={
                "text": self.evening_text(
                    user_id=row.user_id, local_date=local_date, language=row.language
                ),
                "buttons": [[list(b) for b in r] for r in buttons],
            },
            priority=PRIORITY,
        )

    def _stopped_message(self, row: DueReminder, local_date: date) -> NewMessage:
        return NewMessage(
            key=f"evening-off:{row.user_id}:{local_date.isoformat()}",
            kind="evening",
            user_id=row.user_id,
            chat_id=row.chat_id,
            payload={
                "text": self._catalog[row.language].reminders.evening.stopped,
                "buttons": [],
            },
            priority=PRIORITY,
        )

    def _weekly_message(
        self, row: DueReminder, local_date: date, summary: WeeklySummary
    ) -> NewMessage:
        return NewMessage(
            key=f"weekly:{row.user_id}:{local_date.isoformat()}",
            kind="weekly",
            user_id=row.user_id,
            chat_id=row.chat_id,
            payload={
                "text": self.weekly_caption(summary, user_id=row.user_id, language=row.language),
                "chart": self.weekly_chart(summary, row.language),
                "buttons": [],
            },
            priority=PRIORITY,
        )

    # -- the person's answers -------------------------------------------------------------

    async def not_today(self, *, user_id: int) -> None:
        """ "Not today" under an evening reminder: an answer, so it does not count as ignored."""
        async with self._sm.begin() as session:
            await reminders_repo.acted(session, user_id=user_id)
