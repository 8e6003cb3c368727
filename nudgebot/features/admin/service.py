"""Admin use cases: add tips, switch them off and on, broadcast, stop, statistics, audit."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from nudgebot.content import MAX_TIP_TEXT
from nudgebot.features.admin import repo as admin_repo
from nudgebot.features.admin.repo import Stats, TipRow
from nudgebot.features.subscribers.preferences import TOPICS
from nudgebot.features.tips import repo as tips_repo
from nudgebot.features.tips.service import OutgoingMessage, TipService
from nudgebot.platform import outbox as outbox_repo
from nudgebot.platform.clock import utcnow
from nudgebot.platform.db import SessionMaker
from nudgebot.platform.models import Broadcast, Tip
from nudgebot.platform.outbox import NewMessage

AUDIENCES = ("all", *TOPICS)
# Telegram's fee for a message sent with allow_paid_broadcast.
PAID_MESSAGE_STARS = 0.1
BROADCAST_PRIORITY = 1  # daily tips (0) go first; replies never wait for the outbox at all
TIPS_PAGE = 10


@dataclass(frozen=True, slots=True)
class AudienceInfo:
    """What a broadcast preview shows."""

    audience: str
    recipients: int
    skipped_blocked: int
    seconds: int  # at the free rate
    # Paid broadcasts (None when the host has not switched them on): time and Telegram Stars.
    paid_seconds: int | None = None
    paid_stars: float | None = None
    by_language: Mapping[str, int] = field(default_factory=dict)  # recipients per language
    own_text: frozenset[str] = frozenset()  # languages with a text of their own


@dataclass(frozen=True, slots=True)
class Progress:
    """One broadcast's delivery so far."""

    broadcast: Broadcast
    sent: int
    blocked: int
    failed: int
    cancelled: int
    remaining: int
    eta_seconds: int
    # Paid broadcasts: Stars spent so far (0.1 per message sent paid).
    stars_spent: float = 0.0

    @property
    def finished(self) -> bool:
        """Nothing left to send."""
        return self.remaining == 0


@dataclass(frozen=True, slots=True)
class Dropped:
    """An admin flow that /cancel (or Cancel) ended."""

    kind: str  # "addtip" or "broadcast"
    # A tip saved already whose "Broadcast this tip now" was cancelled: it stays in rotation.
    saved_tip: str | None = None


class AdminError(Exception):
    """A wrong step or value in an admin flow; the text is the key of the reply."""


class AdminService:
    """Admin actions; every change is written to the audit log in the same transaction."""

    def __init__(
        self,
        sessionmaker: SessionMaker,
        tips: TipService,
        admin_ids: frozenset[int],
        send_rate: float,
        paid_rate: float = 0.0,
        source_labels: Iterable[str] = (),
    ) -> None:
        # every language's word for "Source" on a tip's last line
        self.source_labels = tuple(source_labels)
        self._sm = sessionmaker
        self._tips = tips
        self.admin_ids = admin_ids
        self._rate = send_rate
        self._paid_rate = paid_rate

    def is_admin(self, user_id: int | None) -> bool:
        """Only ids in NUDGEBOT_ADMIN_IDS."""
        return user_id is not None and user_id in self.admin_ids

    async def draft(self, admin_id: int) -> tuple[str, str, dict[str, Any]] | None:
        """(kind, step, data) of the admin's flow in progress."""
        async with self._sm() as session:
            draft = await admin_repo.get_draft(session, admin_id=admin_id)
            return (draft.kind, draft.step, dict(draft.data)) if draft else None

    async def cancel(self, admin_id: int) -> Dropped | None:
        """/cancel: drop the flow in progress (None if there was none); nothing is sent."""
        async with self._sm.begin() as session:
            draft = await admin_repo.get_draft(session, admin_id=admin_id)
            if draft is None:
                return None
            dropped = Dropped(draft.kind, draft.data.get("tip_id"))
            await admin_repo.clear_draft(session, admin_id=admin_id)
            return dropped

    # ------------------------------------------------------------------ tips
    async def start_addtip(self, admin_id: int) -> None:
        """/addtip: first the topic."""
        async with self._sm.begin() as session:
            await admin_repo.set_draft(
                session, admin_id=admin_id, kind="addtip", step="topic", data={}
            )

    async def addtip_topic(self, admin_id: int, topic: str) -> None:
        """Topic chosen: now the text."""
        if topic not in TOPICS:
            raise AdminError("stale")
        async with self._sm.begin() as session:
            draft = await admin_repo.get_draft(session, admin_id=admin_id)
            if draft is None or (draft.kind, draft.step) != ("addtip", "topic"):
                raise AdminError("stale")
            await admin_repo.set_draft(
                session, admin_id=admin_id, kind="addtip", step="text", data={"topic": topic}
            )

    async def addtip_text(self, admin_id: int, text: str, default_source: str) -> OutgoingMessage:
        """The tip's text (a last line 'Source: ...' is its credit); returns the preview."""
        body, given = split_source(text, self.source_labels)
        source = given or default_source
        if not body:
            raise AdminError("tip_empty")
        if len(body) > MAX_TIP_TEXT:
            raise AdminError("tip_too_long")
        async with self._sm.begin() as session:
            draft = await admin_repo.get_draft(session, admin_id=admin_id)
            if draft is None or (draft.kind, draft.step) != ("addtip", "text"):
                raise AdminError("stale")
            data = {**draft.data, "text": body, "source": source}
            await admin_repo.set_draft(
                session, admin_id=admin_id, kind="addtip", step="confirm", data=data
            )
        return self._tips.render(
            Tip(num=0, id="preview", topic=data["topic"], text=body, source=source)
        )

    async def add_language(self, admin_id: int, language: str) -> str:
        """ "+ <language>" on /addtip's or /broadcast's question: that language's text comes
        next. Returns the draft's kind."""
        async with self._sm.begin() as session:
            draft = await admin_repo.get_draft(session, admin_id=admin_id)
            expected = {"addtip": "confirm", "broadcast": "languages"}
            if draft is None or expected.get(draft.kind) != draft.step or language == "en":
                raise AdminError("stale")
            await admin_repo.set_draft(
                session,
                admin_id=admin_id,
                kind=draft.kind,
                step="lang_text",
                data={**draft.data, "pending": language},
            )
            return draft.kind

    async def addtip_translation(
        self, admin_id: int, text: str, default_source: str
    ) -> tuple[str, OutgoingMessage, frozenset[str]]:
        """The tip in the pending language: (language, its preview, languages done)."""
        body, given = split_source(text, self.source_labels)
        if not body:
            raise AdminError("tip_empty")
        if len(body) > MAX_TIP_TEXT:
            raise AdminError("tip_too_long")
        async with self._sm.begin() as session:
            draft = await admin_repo.get_draft(session, admin_id=admin_id)
            if draft is None or (draft.kind, draft.step) != ("addtip", "lang_text"):
                raise AdminError("stale")
            language = str(draft.data["pending"])
            translations = dict(draft.data.get("translations") or {})
            translations[language] = [body, given or draft.data.get("source") or default_source]
            data = {k: v for k, v in draft.data.items() if k != "pending"}
            data["translations"] = translations
            await admin_repo.set_draft(
                session, admin_id=admin_id, kind="addtip", step="confirm", data=data
            )
        text_, source = translations[language]
        preview = self._tips.render(
            tips_repo.TipText(0, data["topic"], text_, source, {language: (text_, source)}),
            language,
        )
        return language, preview, frozenset(translations)

    async def addtip_save(self, admin_id: int) -> Tip:
        """Store the tip (it joins the rotation at once) and end the flow."""
        async with self._sm.begin() as session:
            draft = await admin_repo.get_draft(session, admin_id=admin_id)
            if draft is None or (draft.kind, draft.step) != ("addtip", "confirm"):
                raise AdminError("stale")
            tip = Tip(
                id=await admin_repo.next_admin_tip_id(session),
                topic=draft.data["topic"],
                text=draft.data["text"],
                source=draft.data["source"],
                origin="admin",
                enabled=True,
                author_id=admin_id,
                see_professional=False,
            )
            session.add(tip)
            await session.flush()
            translations = draft.data.get("translations") or {}
            await tips_repo.set_translations(
                session,
                tip_num=tip.num,
                translations={lang: (str(t), str(s)) for lang, (t, s) in translations.items()},
            )
            await admin_repo.clear_draft(session, admin_id=admin_id)
            await admin_repo.audit(
                session,
                admin_id=admin_id,
                action="add_tip",
                detail={"tip": tip.id, "topic": tip.topic, "languages": ["en", *translations]},
            )
            return tip

    async def list_tips(self, search: str | None, page: int) -> tuple[list[TipRow], int, int, int]:
        """A page of tips: (rows, page, pages, matching tips)."""
        async with self._sm() as session:
            rows, total = await admin_repo.list_tips(
                session, search=search or None, offset=page * TIPS_PAGE, limit=TIPS_PAGE
            )
        return rows, page, max(1, math.ceil(total / TIPS_PAGE)), total

    async def set_tip_enabled(self, admin_id: int, tip_id: str, enabled: bool) -> bool:
        """/tip_off and /tip_on; False for an unknown id."""
        async with self._sm.begin() as session:
            found = await tips_repo.set_enabled(session, tip_id=tip_id, enabled=enabled)
            if found:
                await admin_repo.audit(
                    session,
                    admin_id=admin_id,
                    action="tip_on" if enabled else "tip_off",
                    detail={"tip": tip_id},
                )
            return found

    # ------------------------------------------------------------------ broadcasts
    async def start_broadcast(self, admin_id: int) -> None:
        """/broadcast: first the message."""
        async with self._sm.begin() as session:
            await admin_repo.set_draft(
                session, admin_id=admin_id, kind="broadcast", step="message", data={}
            )

    async def broadcast_message(self, admin_id: int, payload: dict[str, Any]) -> frozenset[str]:
        """The message to send (text with entities, or photo and caption), first the one for
        everyone, then one per added language; returns the languages with a text of their own.
        Next: more languages, or the audience."""
        async with self._sm.begin() as session:
            draft = await admin_repo.get_draft(session, admin_id=admin_id)
            if draft is None or draft.kind != "broadcast":
                raise AdminError("stale")
            if draft.step == "message":
                data: dict[str, Any] = {"payload": payload, "payloads": {}}
            elif draft.step == "lang_text":
                payloads = {**(draft.data.get("payloads") or {}), draft.data["pending"]: payload}
                data = {k: v for k, v in draft.data.items() if k != "pending"}
                data["payloads"] = payloads
            else:
                raise AdminError("stale")
            await admin_repo.set_draft(
                session, admin_id=admin_id, kind="broadcast", step="languages", data=data
            )
            return frozenset(data["payloads"])

    async def broadcast_languages_done(self, admin_id: int) -> None:
        """No more languages: now the audience."""
        async with self._sm.begin() as session:
            draft = await admin_repo.get_draft(session, admin_id=admin_id)
            if draft is None or (draft.kind, draft.step) != ("broadcast", "languages"):
                raise AdminError("stale")
            await admin_repo.set_draft(
                session, admin_id=admin_id, kind="broadcast", step="audience", data=draft.data
            )

    async def broadcast_audience(self, admin_id: int, audience: str) -> AudienceInfo:
        """Audience chosen: the preview numbers; the next step is the confirmation."""
        if audience not in AUDIENCES:
            raise AdminError("stale")
        async with self._sm.begin() as session:
            draft = await admin_repo.get_draft(session, admin_id=admin_id)
            if draft is None or (draft.kind, draft.step) != ("broadcast", "audience"):
                raise AdminError("stale")
            await admin_repo.set_draft(
                session,
                admin_id=admin_id,
                kind="broadcast",
                step="confirm",
                data={**draft.data, "audience": audience},
            )
            return await self._audience_info(
                session, audience, frozenset(draft.data.get("payloads") or {})
            )

    async def broadcast_tip(self, admin_id: int, tip_id: str) -> tuple[AudienceInfo, Tip]:
        """'Broadcast this tip now' after /addtip: straight to the confirmation."""
        async with self._sm.begin() as session:
            tip = await tips_repo.get_tip_by_id(session, tip_id=tip_id)
            if tip is None:
                raise AdminError("stale")
            payload = self._tips.render(tip).payload(tip_num=tip.num)
            # Each language gets the tip in its own words; a language the tip is not written
            # in gets nobody's copy (the tip stays with the people who can read it).
            texts = {
                t.num: t for t in await tips_repo.enabled_tip_texts(session) if t.num == tip.num
            }
            translated = texts[tip.num].translations if tip.num in texts else {}
            payloads = {
                lang: self._tips.render(texts[tip.num], lang).payload(tip_num=tip.num)
                for lang in translated
            }
            await admin_repo.set_draft(
                session,
                admin_id=admin_id,
                kind="broadcast",
                step="confirm",
                data={
                    "payload": payload,
                    "payloads": payloads,
                    "only_languages": ["en", *payloads],
                    "audience": tip.topic,
                    "tip_id": tip.id,
                },
            )
            info = await self._audience_info(
                session, tip.topic, frozenset(payloads), only=frozenset(["en", *payloads])
            )
            return info, tip

    async def _audience_info(
        self,
        session: Any,
        audience: str,
        own_text: frozenset[str] = frozenset(),
        *,
        only: frozenset[str] | None = None,
    ) -> AudienceInfo:
        _, blocked = await admin_repo.count_audience(session, audience=audience)
        by_language = await admin_repo.audience_languages(session, audience=audience)
        if only is not None:
            by_language = {lang: n for lang, n in by_language.items() if lang in only}
        recipients = sum(by_language.values())
        paid = self._paid_rate > 0
        return AudienceInfo(
            audience,
            recipients,
            blocked,
            math.ceil(recipients / self._rate),
            math.ceil(recipients / self._paid_rate) if paid else None,
            round(recipients * PAID_MESSAGE_STARS, 1) if paid else None,
            by_language,
            own_text,
        )

    async def broadcast_confirm(
        self, admin_id: int, admin_chat_id: int, *, paid: bool = False
    ) -> Broadcast:
        """Queue the broadcast for every recipient (one outbox row each) and end the flow.

        `paid`: sent with allow_paid_broadcast at the paid rate (only when the host allows it).
        """
        if paid and self._paid_rate <= 0:
            raise AdminError("stale")
        async with self._sm.begin() as session:
            draft = await admin_repo.get_draft(session, admin_id=admin_id)
            if draft is None or (draft.kind, draft.step) != ("broadcast", "confirm"):
                raise AdminError("stale")
            audience = draft.data["audience"]
            payload = draft.data["payload"]
            payloads: dict[str, Any] = draft.data.get("payloads") or {}
            only = draft.data.get("only_languages")
            chats = [
                chat
                for chat in await admin_repo.audience_chats(session, audience=audience)
                if only is None or chat[2] in only
            ]
            _, blocked = await admin_repo.count_audience(session, audience=audience)
            broadcast = await admin_repo.add_broadcast(
                session,
                admin_id=admin_id,
                admin_chat_id=admin_chat_id,
                audience=audience,
                payload=payload,
                state="sending",
                total=len(chats),
                skipped_blocked=blocked,
                paid=paid,
            )
            await outbox_repo.enqueue(
                session,
                messages=[
                    NewMessage(
                        key=f"broadcast:{broadcast.id}:{user_id}",
                        kind="broadcast",
                        user_id=user_id,
                        chat_id=chat_id,
                        payload=payloads.get(language, payload),
                        priority=BROADCAST_PRIORITY,
                        broadcast_id=broadcast.id,
                    )
                    for user_id, chat_id, language in chats
                ],
            )
            if paid:
                await outbox_repo.mark_paid(session, broadcast_id=broadcast.id)
            await admin_repo.clear_draft(session, admin_id=admin_id)
            await admin_repo.audit(
                session,
                admin_id=admin_id,
                action="broadcast",
                detail={
                    "broadcast": broadcast.id,
                    "audience": audience,
                    "recipients": len(chats),
                    "paid": paid,
                },
            )
            return broadcast

    async def set_status_message(self, broadcast_id: int, message_id: int) -> None:
        """Remember the admin's status message, edited as the broadcast goes."""
        async with self._sm.begin() as session:
            broadcast = await admin_repo.get_broadcast(session, broadcast_id=broadcast_id)
            if broadcast is not None:
                broadcast.status_message_id = message_id

    async def progress(self) -> list[Progress]:
        """Every broadcast still sending, with its counts; finished ones are marked done."""
        reports = []
        async with self._sm.begin() as session:
            for broadcast in await admin_repo.sending_broadcasts(session):
                report = await self._progress_of(session, broadcast)
                if report.finished:
                    await admin_repo.finish_broadcast(
                        session, broadcast_id=broadcast.id, state="done"
                    )
                reports.append(report)
        return reports

    def starting(self, broadcast: Broadcast) -> Progress:
        """A broadcast just queued: nothing sent yet."""
        return self._progress(broadcast, {"queued": broadcast.total}, paid_sent=0)

    async def _progress_of(self, session: Any, broadcast: Broadcast) -> Progress:
        counts = await admin_repo.broadcast_counts(session, broadcast_id=broadcast.id)
        paid_sent = (
            await admin_repo.paid_sent(session, broadcast_id=broadcast.id) if broadcast.paid else 0
        )
        return self._progress(broadcast, counts, paid_sent=paid_sent)

    def _progress(
        self, broadcast: Broadcast, counts: dict[str, int], *, paid_sent: int
    ) -> Progress:
        remaining = counts.get("queued", 0) + counts.get("sending", 0)
        paid_on = broadcast.paid and broadcast.paid_refused_at is None and self._paid_rate > 0
        return Progress(
            broadcast,
            counts.get("sent", 0),
            counts.get("blocked", 0),
            counts.get("failed", 0),
            counts.get("cancelled", 0),
            remaining,
            math.ceil(remaining / (self._paid_rate if paid_on else self._rate)),
            round(paid_sent * PAID_MESSAGE_STARS, 1),
        )

    async def tell_admin_once(self, *, key: str, chat_id: int, text: str) -> bool:
        """Queue a notice to an admin at most once per key (several processes, restarts)."""
        async with self._sm.begin() as session:
            queued = await outbox_repo.enqueue(
                session,
                messages=[
                    NewMessage(
                        key=key,
                        kind="notice",
                        user_id=chat_id,
                        chat_id=chat_id,
                        payload={"text": text},
                    )
                ],
            )
        return queued == 1

    async def stop_broadcast(self, admin_id: int, broadcast_id: int) -> Progress | None:
        """/broadcast_stop: queued rows are cancelled; None for an unknown or finished one."""
        async with self._sm.begin() as session:
            broadcast = await admin_repo.get_broadcast(session, broadcast_id=broadcast_id)
            if broadcast is None or broadcast.state != "sending":
                return None
            broadcast.cancelled = await admin_repo.cancel_broadcast_rows(
                session, broadcast_id=broadcast_id
            )
            await admin_repo.finish_broadcast(session, broadcast_id=broadcast_id, state="stopped")
            await admin_repo.audit(
                session,
                admin_id=admin_id,
                action="broadcast_stop",
                detail={"broadcast": broadcast_id, "cancelled": broadcast.cancelled},
            )
            return await self._progress_of(session, broadcast)

    async def recent(self) -> list[Progress]:
        """The last ten broadcasts with their counts."""
        async with self._sm() as session:
            return [
                await self._progress_of(session, b)
                for b in await admin_repo.recent_broadcasts(session)
            ]

    async def stats(self, admin_id: int, now: datetime | None = None) -> Stats:
        """/stats (days in UTC)."""
        now = now or utcnow()
        day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
        async with self._sm.begin() as session:
            await admin_repo.audit(session, admin_id=admin_id, action="stats", detail={})
            return await admin_repo.stats(
                session, day_start=day_start, week_start_at=now - timedelta(days=7)
            )

    async def log_denied(self, user_id: int, what: str) -> None:
        """A non-admin tried an admin action: kept in the audit log too."""
        async with self._sm.begin() as session:
            await admin_repo.audit(
                session,
                admin_id=user_id,
                action=admin_repo.DENIED_ACTION,
                detail={"attempt": what[:64]},
            )


# "Source: AHA", "SOURCE : AHA", "sources: AHA; NIH" on a line of its own.
def _source_line(line: str, labels: Iterable[str]) -> re.Match[str] | None:
    words = "|".join(re.escape(label) for label in sorted({*labels, "source"}, key=len))
    return re.match(rf"^\s*(?:{words})s?\s*:\s*(?P<source>.*?)\s*$", line, re.IGNORECASE)


MAX_SOURCE = 200


def split_source(text: str, labels: Iterable[str] = ()) -> tuple[str, str | None]:
    """'Tip text\\nSource: AHA' -> ('Tip text', 'AHA'); without a source line the source is None.

    Only the last line counts, and it is taken out of the text whatever it says, so the credit
    never shows twice. `labels`: every language's word for "Source" ("Fuente", "Источник").
    """
    lines = text.strip().splitlines()
    match = _source_line(lines[-1], labels) if lines else None
    if match is None:
        return text.strip(), None
    return "\n".join(lines[:-1]).strip(), match["source"][:MAX_SOURCE] or None
