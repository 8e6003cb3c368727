"""Daily tips: the library, picking the next tip, queueing what is due, feedback."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from typing import Any

from nudgebot.content import Catalog
from nudgebot.features.subscribers import repo as users_repo
from nudgebot.features.subscribers import topics as topics_repo
from nudgebot.features.subscribers.timezones import zone_for
from nudgebot.features.tips import repo as tips_repo
from nudgebot.features.tips import schedule_repo
from nudgebot.features.tips.rotation import Pick, pick_next, pick_next_many
from nudgebot.features.tips.schedule import DueCheck, DueDecision, decide_due, next_due_utc
from nudgebot.platform import outbox as outbox_repo
from nudgebot.platform.callbacks import CheckinMenu, TipHelpful, TipMore, TipSnooze, pack
from nudgebot.platform.clock import utcnow
from nudgebot.platform.db import SessionMaker
from nudgebot.platform.models import Tip
from nudgebot.platform.outbox import NewMessage

log = logging.getLogger(__name__)

Buttons = list[list[tuple[str, str]]]  # rows of (label, callback data)


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """A message as data: text and inline buttons, ready for the outbox or a reply."""

    text: str
    buttons: Buttons

    def payload(self, **extra: Any) -> dict[str, Any]:
        """The outbox payload form."""
        rows = [[list(b) for b in row] for row in self.buttons]
        return {"text": self.text, "buttons": rows, **extra}


@dataclass(frozen=True, slots=True)
class TickReport:
    """What one scheduler pass did."""

    due: int
    queued: int
    skipped_late: int
    skipped_inactive: int


class TipService:
    """Everything about tips except sending them (that is delivery.OutboxSender's job)."""

    def __init__(self, sessionmaker: SessionMaker, catalog: Catalog) -> None:
        self._sm = sessionmaker
        self._catalog = catalog
        self._zones: dict[str, tzinfo] = {}  # see _hold_zones

    def render(self, tip: Tip | tips_repo.TipText, language: str = "en") -> OutgoingMessage:
        """A tip with its source credit and its three buttons, in the language."""
        r = self._catalog[language].replies
        body, source = (
            tip.in_language(language)
            if isinstance(tip, tips_repo.TipText)
            else (tip.text, tip.source)
        )
        text = r.tips.layout.format(text=body, source=source)
        return OutgoingMessage(
            text=text,
            buttons=[
                [
                    (r.labels.tip_helpful, pack(TipHelpful(tip.num))),
                    (r.labels.tip_another, pack(TipMore())),
                    (r.labels.tip_snooze, pack(TipSnooze())),
                ],
                [(r.labels.tip_checkin, pack(CheckinMenu()))],
            ],
        )

    async def sync_library(self) -> tuple[int, int]:
        """Bring the tips table in line with messages/<lang>/tips.toml (at every start)."""
        translated: dict[str, dict[str, tuple[str, str]]] = {}
        for language in self._catalog.languages[1:]:
            for t in self._catalog[language].tips:
                translated.setdefault(t.id, {})[language] = (t.text, t.source)
        library = [
            tips_repo.LibraryTip(
                t.id, t.topic, t.text, t.source, t.see_professional, translated.get(t.id, {})
            )
            for t in self._catalog.reference.tips
        ]
        async with self._sm.begin() as session:
            added, disabled = await tips_repo.sync_library(session, tips=library)
        if added or disabled:
            log.info("tip library: %d added, %d retired", added, disabled)
        return added, disabled

    async def queue_due(self, *, now: datetime | None = None, limit: int = 2000) -> TickReport:
        """One scheduler pass: queue the tips that are due and move everyone on to their next."""
        now = now or utcnow()
        async with self._sm.begin() as session:
            due = await schedule_repo.due_subscribers(session, now=now, limit=limit)
            if not due:
                return TickReport(0, 0, 0, 0)
            tips = await tips_repo.enabled_tip_texts(session)
            # language -> topic -> the tips that exist in that language
            by_topic: dict[str, dict[str, list[int]]] = {}
            for language in self._catalog.languages:
                for tip in tips:
                    if tip.speaks(language):
                        by_topic.setdefault(language, {}).setdefault(tip.topic, []).append(tip.num)
            tips_by_num = {t.num: t for t in tips}
            rendered: dict[tuple[int, str], dict[str, Any]] = {}
            self._hold_zones(sub.timezone for sub in due)
            # Every due row has next_due_utc <= now, so each person's next instant is the first
            # one strictly after `now` (not after their own, older, due instant): a function of
            # (zone, time) alone in this pass, computed once per pair with the zone's DST rules.
            next_due: dict[tuple[str, time], datetime] = {}
            # People due at one instant in one zone mostly share a decision too.
            checks: dict[tuple[datetime, str, bool, date | None], DueCheck] = {}
            messages: list[NewMessage] = []
            updates: list[dict[str, Any]] = []
            logged: list[tuple[int, int, str, date | None]] = []
            late = inactive = 0
            decided: list[tuple[str, datetime | None, DueCheck]] = []
            # (topics, language) -> rows of `due` to pick for
            sending: dict[tuple[frozenset[str], str], list[int]] = {}
            for row, sub in enumerate(due):
                status, paused_until = sub.status, sub.paused_until
                if status == "paused" and paused_until is not None and paused_until <= now:
                    status, paused_until = "active", None  # a timed pause has ended
                situation = (sub.next_due_utc, sub.timezone, status == "active", sub.last_tip_date)
                check = checks.get(situation)
                if check is None:
                    check = checks[situation] = decide_due(
                        due_at=sub.next_due_utc,
                        now=now,
                        zone_key=sub.timezone,
                        active=status == "active",
                        last_tip_date=sub.last_tip_date,
                    )
                decided.append((status, paused_until, check))
                if check.decision is DueDecision.SEND:
                    sending.setdefault((sub.topics, sub.language), []).append(row)
                elif check.decision is DueDecision.TOO_LATE:
                    late += 1
                elif check.decision is DueDecision.NOT_ACTIVE:
                    inactive += 1
            # Everyone with the same topics picks from the same list: one array computation each.
            picks: dict[int, Pick | None] = {}
            for (topics, language), rows in sending.items():
                spoken = by_topic.get(language, {})
                listed = [n for topic in sorted(topics) for n in spoken.get(topic, [])]
                chosen = pick_next_many(
                    user_ids=[due[r].id for r in rows],
                    cycles=[due[r].tip_cycle for r in rows],
                    last_positions=[due[r].tip_pos for r in rows],
                    candidates=listed,
                )
                picks.update(zip(rows, chosen, strict=True))
            for row, (sub, (status, paused_until, check)) in enumerate(
                zip(due, decided, strict=True)
            ):
                cycle, pos, last_date = sub.tip_cycle, sub.tip_pos, sub.last_tip_date
                pick = picks.get(row)
                if pick is not None:
                    key = (pick.tip_num, sub.language)
                    if key not in rendered:
                        rendered[key] = self.render(
                            tips_by_num[pick.tip_num], sub.language
                        ).payload(tip_num=pick.tip_num)
                    messages.append(
                        NewMessage(
                            key=f"tip:{sub.id}:{check.local_date.isoformat()}",
                            kind="tip",
                            user_id=sub.id,
                            chat_id=sub.chat_id,
                            payload=rendered[(pick.tip_num, sub.language)],
                        )
                    )
                    logged.append((sub.id, pick.tip_num, "daily", check.local_date))
                    cycle, pos, last_date = pick.cycle, pick.position, check.local_date
                pair = (sub.timezone, sub.tip_time)
                if pair not in next_due:
                    next_due[pair] = next_due_utc(sub.timezone, sub.tip_time, now)
                updates.append(
                    {
                        "id": sub.id,
                        "status": status,
                        "paused_until": paused_until,
                        "next_due_utc": next_due[pair],
                        "last_tip_date": last_date,
                        "tip_cycle": cycle,
                        "tip_pos": pos,
                    }
                )
            queued = await outbox_repo.enqueue(session, messages=messages)
            await tips_repo.log_tips(session, rows=logged)
            await schedule_repo.save_schedule(session, rows=updates)
        return TickReport(len(due), queued, late, inactive)

    def _hold_zones(self, keys: Iterable[str]) -> None:
        """Keep every zone a pass uses loaded.

        zoneinfo caches a zone only while something references it (plus the last eight used):
        with more zones than that among the due, each lookup by key read the zone file again.
        """
        for key in keys:
            if key not in self._zones:
                self._zones[key] = zone_for(key)

    async def extra_tip(self, *, user_id: int) -> OutgoingMessage | None:
        """/tip and "Another tip": the next tip in the person's rotation, not the daily one."""
        async with self._sm.begin() as session:
            user = await users_repo.get_user(session, user_id=user_id, for_update=True)
            if user is None:
                return None
            topics = await topics_repo.topics_of(session, user_id=user.id)
            language = user.language or "en"
            tips = [
                t
                for t in await tips_repo.enabled_tip_texts(session)
                if t.topic in topics and t.speaks(language)
            ]
            pick = pick_next(
                user_id=user.id,
                cycle=user.tip_cycle,
                last_position=user.tip_pos,
                candidates=[t.num for t in tips],
            )
            if pick is None:
                return None
            user.tip_cycle, user.tip_pos = pick.cycle, pick.position
            await tips_repo.log_tips(session, rows=[(user.id, pick.tip_num, "extra", None)])
            tip = next(t for t in tips if t.num == pick.tip_num)
            return self.render(tip, language)

    async def mark_helpful(self, *, user_id: int, tip_num: int) -> bool | None:
        """👍 on a tip: True when new, False when given before, None for an unknown tip."""
        async with self._sm.begin() as session:
            if await tips_repo.get_tip(session, num=tip_num) is None:
                return None
            return await tips_repo.add_feedback(
                session, user_id=user_id, tip_num=tip_num, kind="helpful"
            )
