"""The one outbox sender for daily tips and broadcasts.

Rate: an aiolimiter budget below Telegram's 30 messages/s overall (default 25/s) and at most one
message per second to any chat; the bot's AIORateLimiter sits underneath for replies too.
429: the send waits the retry_after Telegram gave and tries again, without counting an attempt.
403: the user blocked the bot; they are marked blocked and nothing more is sent to them.
Network faults and 5xx: retried with exponential backoff up to max_attempts, then failed.
Crash: a message is claimed with a lease before it is sent and marked sent right after, so a
restart resends at most the messages that were in flight (one, at the default concurrency).
Several processes: only the elected leader sends (store/locks.py), so their sum stays under
Telegram's per-bot limit; a dead leader's claims are taken over when their lease runs out.
Stop: the loop stops claiming, a 429 wait is cut short, and unsent claims go back to the queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiolimiter import AsyncLimiter
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, MessageEntity
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from nudgebot.store import outbox as outbox_repo
from nudgebot.store import users as users_repo
from nudgebot.store.db import SessionMaker
from nudgebot.store.locks import Leadership
from nudgebot.store.models import Outbox, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SenderSettings:
    """How fast and how stubbornly the sender works."""

    rate_per_second: float = 25.0
    per_chat_interval: float = 1.0
    concurrency: int = 1
    max_attempts: int = 5
    lease: timedelta = timedelta(seconds=60)
    batch: int = 50
    idle_poll_seconds: float = 1.0
    # A standby process tries to become the sender this often; the leader checks its lock too.
    election_seconds: float = 3.0


class _ChatLimiters:
    """One 1-message-per-interval limiter per recently used chat (bounded LRU)."""

    def __init__(self, interval: float, size: int = 10_000) -> None:
        self._interval = interval
        self._size = size
        self._limiters: OrderedDict[int, AsyncLimiter] = OrderedDict()

    def get(self, chat_id: int) -> contextlib.AbstractAsyncContextManager[Any]:
        if self._interval <= 0:
            return contextlib.nullcontext()
        limiter = self._limiters.pop(chat_id, None) or AsyncLimiter(1, self._interval)
        self._limiters[chat_id] = limiter
        while len(self._limiters) > self._size:
            self._limiters.popitem(last=False)
        return limiter


def markup_of(payload: dict[str, Any]) -> InlineKeyboardMarkup | None:
    """Inline buttons from an outbox payload's [[label, data], ...] rows."""
    rows = payload.get("buttons") or []
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


class OutboxSender:
    """Drains the outbox until asked to stop."""

    def __init__(
        self,
        bot: Bot,
        sessionmaker: SessionMaker,
        settings: SenderSettings,
        leadership: Leadership | None = None,
    ) -> None:
        self._bot = bot
        self._sm = sessionmaker
        self._cfg = settings
        self._leadership = leadership or Leadership()
        self._leading = False
        self._checked_at = 0.0
        self._stop = asyncio.Event()
        # Capacity 1 paces sends evenly: a bucket of N would allow a burst of N on top of the
        # steady rate, and Telegram counts any one-second window.
        self._overall = AsyncLimiter(1, 1 / settings.rate_per_second)
        self._per_chat = _ChatLimiters(settings.per_chat_interval)
        self._wake = asyncio.Event()
        self.sent = 0

    @property
    def is_leader(self) -> bool:
        """True while this process is the one that sends."""
        return self._leading

    def wake(self) -> None:
        """New messages were queued: look now rather than at the next poll."""
        self._wake.set()

    async def release_stale_claims(self) -> int:
        """Single-process start: whatever was claimed before a crash is queued again."""
        async with self._sm.begin() as session:
            released = await outbox_repo.release_claims(session)
        if released:
            log.info(
                "outbox: %d message(s) claimed before the last stop are queued again", released
            )
        return released

    async def run(self, stop: asyncio.Event) -> None:
        """Claim and send batches until `stop` is set; a crash of one send never stops the loop."""
        self._stop = stop
        try:
            await self._run(stop)
        finally:
            self._leading = False
            await self._leadership.release()

    async def _lead(self, stop: asyncio.Event) -> bool:
        """Become or stay the sending process; False (after a pause) while another one is."""
        now = time.monotonic()
        if self._leading and now - self._checked_at < self._cfg.election_seconds:
            return True
        self._checked_at = now
        was_leading = self._leading
        try:
            self._leading = (
                await self._leadership.still_held()
                if was_leading
                else await self._leadership.acquire()
            )
        except Exception as exc:
            log.warning("outbox: could not check who sends (%s); retrying", exc)
            self._leading = False
        if self._leading and not was_leading:
            log.info("outbox: this process sends for the bot now")
        elif was_leading and not self._leading:
            log.warning("outbox: this process no longer sends; another one will")
        if not self._leading:
            await self._idle(stop, self._cfg.election_seconds)
        return self._leading

    async def _run(self, stop: asyncio.Event) -> None:
        semaphore = asyncio.Semaphore(self._cfg.concurrency)
        while not stop.is_set():
            if not await self._lead(stop):
                continue
            try:
                async with self._sm.begin() as session:
                    rows = await outbox_repo.claim(
                        session, now=utcnow(), lease=self._cfg.lease, limit=self._cfg.batch
                    )
            except Exception:
                log.exception("outbox: could not claim messages; retrying")
                await self._idle(stop, 5.0)
                continue
            if not rows:
                await self._idle(stop, self._cfg.idle_poll_seconds)
                continue
            tasks: list[asyncio.Task[None]] = []
            blocked: set[int] = set()
            try:
                for row in rows:
                    await semaphore.acquire()
                    if stop.is_set():
                        semaphore.release()
                        break
                    task = asyncio.create_task(self._send_one(row, blocked))
                    task.add_done_callback(lambda _t: semaphore.release())
                    tasks.append(task)
                if tasks:
                    await asyncio.gather(*tasks, return_exceptions=True)
            except asyncio.CancelledError:
                # Cancelled at shutdown (a send hung past the grace period): every claim not
                # sent goes back to the queue now rather than after its lease, the one in flight
                # too (whether it reached Telegram is unknown: the one message that may repeat).
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                await asyncio.shield(self._release_unsent(rows))
                raise
            if stop.is_set():
                await self._release_unsent(rows)

    async def _stopped_within(self, seconds: float) -> bool:
        """Wait `seconds`, or less if the sender is asked to stop; True if it was."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)
        return self._stop.is_set()

    async def _release_unsent(self, rows: list[Outbox], *, not_before_seconds: float = 0.0) -> None:
        try:
            async with self._sm.begin() as session:
                for row in rows:
                    if row.state == "sending":
                        await outbox_repo.mark_retry(
                            session,
                            outbox_id=row.id,
                            error="stopped",
                            not_before=utcnow() + timedelta(seconds=not_before_seconds),
                            count=False,
                        )
        except Exception as exc:
            log.warning("outbox: could not hand claims back (%s); their lease frees them", exc)

    async def _idle(self, stop: asyncio.Event, seconds: float) -> None:
        self._wake.clear()
        waiters = [asyncio.create_task(stop.wait()), asyncio.create_task(self._wake.wait())]
        _, pending = await asyncio.wait(
            waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED
        )
        for task in waiters:
            task.cancel()
        del pending

    async def _send_one(self, row: Outbox, blocked: set[int]) -> None:
        if row.user_id in blocked:
            return  # blocked earlier in this batch; the row was already settled as blocked
        try:
            await self._deliver(row, blocked)
        except Exception:
            log.exception("outbox %s: unexpected error; will retry", row.id)
            await self._settle_retry(row, "internal error", counted=True)

    async def _deliver(self, row: Outbox, blocked: set[int]) -> None:
        while True:
            try:
                async with self._per_chat.get(row.chat_id), self._overall:
                    message = await self._send(row)
            except RetryAfter as exc:
                wait = exc.retry_after
                seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
                log.warning("outbox %s: Telegram asked to wait %.0f s (429)", row.id, seconds)
                if await self._stopped_within(seconds):
                    await self._release_unsent([row], not_before_seconds=seconds)
                    row.state = "queued"
                    return
                continue
            except Forbidden as exc:
                blocked.add(row.user_id)
                await self._settle_blocked(row, exc.message)
                return
            except BadRequest as exc:
                await self._settle_failed(row, f"400: {exc.message}")
                return
            except (TimedOut, NetworkError) as exc:
                await self._settle_retry(row, f"{type(exc).__name__}: {exc}", counted=True)
                return
            row.state = "sent"
            async with self._sm.begin() as session:
                await outbox_repo.mark_sent(
                    session, outbox_id=row.id, message_id=message.message_id
                )
            self.sent += 1
            return

    async def _send(self, row: Outbox) -> Message:
        payload = row.payload
        markup = markup_of(payload)
        # Broadcasts keep the admin's formatting as entities, so no parse mode can break them.
        entities = [MessageEntity.de_json(e, self._bot) for e in payload.get("entities") or []]
        if payload.get("photo"):
            return await self._bot.send_photo(
                row.chat_id,
                payload["photo"],
                caption=payload.get("text") or None,
                caption_entities=entities or None,
                reply_markup=markup,
            )
        return await self._bot.send_message(
            row.chat_id,
            payload["text"],
            entities=entities or None,
            reply_markup=markup,
        )

    async def _settle_retry(self, row: Outbox, error: str, *, counted: bool) -> None:
        attempts = row.attempts + 1
        row.state = "queued"
        async with self._sm.begin() as session:
            if attempts >= self._cfg.max_attempts:
                log.error("outbox %s: giving up after %d attempts: %s", row.id, attempts, error)
                await outbox_repo.mark_failed(session, outbox_id=row.id, error=error)
                row.state = "failed"
                return
            delay = min(300.0, 2.0 * 2 ** (attempts - 1))  # 2, 4, 8 ... seconds
            log.warning(
                "outbox %s: attempt %d failed (%s); retrying in %.0f s",
                row.id,
                attempts,
                error,
                delay,
            )
            await outbox_repo.mark_retry(
                session,
                outbox_id=row.id,
                error=error,
                not_before=utcnow() + timedelta(seconds=delay),
                count=counted,
            )

    async def _settle_failed(self, row: Outbox, error: str) -> None:
        row.state = "failed"
        log.error("outbox %s: failed: %s", row.id, error)
        async with self._sm.begin() as session:
            await outbox_repo.mark_failed(session, outbox_id=row.id, error=error)

    async def _settle_blocked(self, row: Outbox, error: str) -> None:
        row.state = "blocked"
        log.info("outbox %s: user %s blocked the bot; no more sends to them", row.id, row.user_id)
        async with self._sm.begin() as session:
            await users_repo.mark_blocked(session, user_id=row.user_id)
            await outbox_repo.mark_user_blocked(session, user_id=row.user_id, error=error)
