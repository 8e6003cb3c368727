"""The one outbox sender for daily tips and broadcasts.

Rate: Telegram's limit holds whatever the network's round trip. Several sends are in flight at
once (a window sized from the rate and the measured round trip, bounded by `max_in_flight`),
each one paced: at most `rate_per_second` bulk sends, booked on the bot's one send budget
(budget.py) that replies book on too, so replies and bulk together stay under Telegram's limit
and a reply never waits behind bulk; at most one message per second to any chat.
Paid broadcasts (allow_paid_broadcast, 0.1 Star each) go at `paid_rate_per_second` outside the
free budget; if Telegram refuses one (no Stars left), that broadcast carries on at the free rate.
429: the whole sender pauses for exactly retry_after (the flood wait is per bot), then the send
is tried again without counting an attempt.
403: the user blocked the bot; they are marked blocked and nothing more is sent to them.
Network faults and 5xx: retried with exponential backoff up to max_attempts, then failed.
Crash: a message is claimed with a lease before it is sent and marked sent as soon as Telegram
answers (the marks are written in small batches, every few tens of milliseconds), so a restart
resends at most the messages in flight at that instant plus the marks not yet written.
Several processes: only the elected leader sends bulk (store/locks.py); a dead leader's claims
are taken over when their lease runs out.
Stop: the loop stops claiming, a 429 wait is cut short, and unsent claims go back to the queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aiolimiter import AsyncLimiter
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, MessageEntity
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from nudgebot.features.meals.charts import chart_png
from nudgebot.features.subscribers import repo as users_repo
from nudgebot.platform import outbox as outbox_repo
from nudgebot.platform.budget import SendBudget
from nudgebot.platform.clock import utcnow
from nudgebot.platform.db import SessionMaker
from nudgebot.platform.locks import Leadership
from nudgebot.platform.models import Outbox

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SenderSettings:
    """How fast and how stubbornly the sender works."""

    rate_per_second: float = 25.0
    per_chat_interval: float = 1.0
    # The window of sends in flight never grows past this, whatever the round trip.
    max_in_flight: int = 64
    max_attempts: int = 5
    lease: timedelta = timedelta(seconds=60)
    batch: int = 50
    idle_poll_seconds: float = 1.0
    # A standby process tries to become the sender this often; the leader checks its lock too.
    election_seconds: float = 3.0
    # Paid broadcasts (allow_paid_broadcast): 0 switches them off.
    paid_rate_per_second: float = 0.0
    # Sent marks are written together at most this long after Telegram's answer.
    mark_seconds: float = 0.05


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


class _SentMarks:
    """Rows Telegram accepted, written to the database together (one statement per flush)."""

    def __init__(self, sessionmaker: SessionMaker, every: float) -> None:
        self._sm = sessionmaker
        self._every = every
        self._pending: list[outbox_repo.SentMark] = []
        # Sent, not yet recorded: a claim that finds one of these (its lease ran out) skips it.
        self.unwritten: set[int] = set()
        self._flushed = asyncio.Event()
        self._lock = asyncio.Lock()

    @property
    def pending(self) -> int:
        """Marks not yet written (they would repeat after a kill -9)."""
        return len(self._pending)

    def add(self, mark: outbox_repo.SentMark) -> None:
        self._pending.append(mark)
        self.unwritten.add(mark.outbox_id)

    async def run(self, stop: asyncio.Event) -> None:
        """Flush every `every` seconds until stopped, then once more."""
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._every)
            await self.flush()
        await self.flush()

    async def flush(self) -> None:
        """Write what is pending; kept for the next flush if the database refuses."""
        async with self._lock:
            if not self._pending:
                return
            batch, self._pending = self._pending, []
            try:
                async with self._sm.begin() as session:
                    await outbox_repo.mark_sent_many(session, marks=batch)
                self.unwritten.difference_update(m.outbox_id for m in batch)
            except Exception as exc:
                log.warning(
                    "outbox: could not record %d sent message(s) (%s); retrying", len(batch), exc
                )
                self._pending[:0] = batch


def markup_of(payload: dict[str, Any]) -> InlineKeyboardMarkup | None:
    """Inline buttons from an outbox payload's [[label, data], ...] rows."""
    rows = payload.get("buttons") or []
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


class _PaidRefused(Exception):
    """Telegram would not take a paid broadcast message (not enough Stars)."""


class OutboxSender:
    """Drains the outbox until asked to stop."""

    # The round trip assumed before the first answer: a server far from Telegram's.
    INITIAL_RTT = 0.2

    def __init__(
        self,
        bot: Bot,
        sessionmaker: SessionMaker,
        settings: SenderSettings,
        leadership: Leadership | None = None,
        budget: SendBudget | None = None,
    ) -> None:
        self._bot = bot
        self._sm = sessionmaker
        self._cfg = settings
        self._leadership = leadership or Leadership()
        self._budget = budget or SendBudget()
        self._leading = False
        self._checked_at = 0.0
        self._stop = asyncio.Event()
        # Capacity 1 paces sends evenly: a bucket of N would allow a burst of N on top of the
        # steady rate, and Telegram counts any one-second window.
        self._free = AsyncLimiter(1, 1 / settings.rate_per_second)
        # Paid: a twentieth of a second's worth at once, and the steady rate 10 % lower, so that
        # the burst and a network's jitter (arrivals bunch by tens of milliseconds) still keep
        # any one-second window at Telegram within the configured rate.
        paid_rate = settings.paid_rate_per_second * 0.9
        paid_burst = max(1.0, paid_rate / 20)
        self._paid = AsyncLimiter(paid_burst, paid_burst / paid_rate) if paid_rate > 0 else None
        self._per_chat = _ChatLimiters(settings.per_chat_interval)
        self._marks = _SentMarks(sessionmaker, settings.mark_seconds)
        self._wake = asyncio.Event()
        self._resume_at = 0.0  # monotonic: no send starts before (a 429's retry_after)
        self._rtt = self.INITIAL_RTT
        # user id -> when they blocked the bot; their rows queued before that are not sent.
        self._blocked: dict[int, datetime] = {}
        # chat id -> [lock, users]: one send at a time per chat, so nothing follows a 403.
        self._chat_turns: dict[int, list[Any]] = {}
        self._refused_broadcasts: set[int] = set()
        self._in_flight: set[asyncio.Task[None]] = set()
        self._held: dict[int, Outbox] = {}  # rows of the sends in flight, by id
        self.sent = 0

    @property
    def is_leader(self) -> bool:
        """True while this process is the one that sends."""
        return self._leading

    @property
    def round_trip(self) -> float:
        """The measured round trip of a send, in seconds (moving average)."""
        return self._rtt

    def window(self, *, paid: bool = False) -> int:
        """How many sends may be in flight: enough to keep the rate over the round trip."""
        rate = self._cfg.paid_rate_per_second if paid and self._paid else self._cfg.rate_per_second
        wanted = math.ceil(rate * self._rtt * 1.5) + 2
        return max(1, min(self._cfg.max_in_flight, wanted))

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
        """Claim and send until `stop` is set; a crash of one send never stops the loop."""
        self._stop = stop
        marker = asyncio.create_task(self._marks.run(stop), name="outbox-marks")
        try:
            await self._run(stop)
        finally:
            self._leading = False
            with contextlib.suppress(Exception):
                await asyncio.shield(asyncio.wait_for(marker, 5.0))
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

    def _claim_size(self) -> int:
        # About two seconds of sending at the fastest rate in use, so the queue never runs dry
        # between claims, and small enough that a lease never runs out before its send.
        fastest = max(self._cfg.rate_per_second, self._cfg.paid_rate_per_second)
        return max(self._cfg.batch, int(fastest * 2))

    async def _run(self, stop: asyncio.Event) -> None:
        claimed: deque[Outbox] = deque()
        try:
            while not stop.is_set():
                if not claimed:
                    if not await self._lead(stop):
                        continue
                    try:
                        async with self._sm.begin() as session:
                            rows = await outbox_repo.claim(
                                session,
                                now=utcnow(),
                                lease=self._cfg.lease,
                                limit=self._claim_size(),
                            )
                    except Exception:
                        log.exception("outbox: could not claim messages; retrying")
                        await self._idle(stop, 5.0)
                        continue
                    if not rows:
                        await self._idle(stop, self._cfg.idle_poll_seconds)
                        continue
                    for row in rows:
                        held = self._held.get(row.id)
                        if row.id in self._marks.unwritten:
                            continue  # sent; its mark is on its way
                        if held is None:
                            claimed.append(row)
                        else:
                            # Its lease ran out while it waited in this process (a long 429
                            # pause): the claim renews it rather than sending it twice.
                            held.claimed_until = row.claimed_until
                    if not claimed:
                        await self._idle(stop, self._cfg.idle_poll_seconds)
                        continue
                    if len(self._blocked) > 10_000:
                        self._blocked.clear()
                row = claimed[0]
                paid = self._is_paid(row)
                while len(self._in_flight) >= self.window(paid=paid) and not stop.is_set():
                    await asyncio.wait(self._in_flight, return_when=asyncio.FIRST_COMPLETED)
                if stop.is_set():
                    break
                claimed.popleft()
                if row.claimed_until is not None and row.claimed_until <= utcnow():
                    # Its lease ran out while it waited here (a long claim at a slowed rate):
                    # another process may own it now; if none does, it is claimed again later.
                    continue
                task = asyncio.create_task(self._send_one(row))
                self._in_flight.add(task)
                task.add_done_callback(self._in_flight.discard)
            # Stopping: what is in flight finishes (or is cancelled by the caller's grace).
            if self._in_flight:
                await asyncio.gather(*self._in_flight, return_exceptions=True)
            await self._release_unsent(list(claimed))
        except asyncio.CancelledError:
            # Cancelled at shutdown (a send hung past the grace period): every claim not sent
            # goes back to the queue now rather than after its lease, those in flight too
            # (whether they reached Telegram is unknown: the messages that may repeat).
            tasks = list(self._in_flight)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await asyncio.shield(self._release_unsent(list(claimed)))
            raise

    def _is_paid(self, row: Outbox) -> bool:
        return (
            row.paid
            and self._paid is not None
            and (row.broadcast_id is None or row.broadcast_id not in self._refused_broadcasts)
        )

    async def _stopped_within(self, seconds: float) -> bool:
        """Wait `seconds`, or less if the sender is asked to stop; True if it was."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)
        return self._stop.is_set()

    async def _release_unsent(self, rows: list[Outbox], *, not_before_seconds: float = 0.0) -> None:
        ids = [row.id for row in rows if row.state == "sending"]
        if not ids:
            return
        try:
            async with self._sm.begin() as session:
                await outbox_repo.release(
                    session,
                    outbox_ids=ids,
                    not_before=utcnow() + timedelta(seconds=not_before_seconds),
                )
            for row in rows:
                row.state = "queued"
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

    async def _send_one(self, row: Outbox) -> None:
        self._held[row.id] = row
        try:
            async with self._chat_turn(row.chat_id):
                blocked_at = self._blocked.get(row.user_id)
                if blocked_at is not None and row.created_at <= blocked_at:
                    row.state = "blocked"  # settled with the user's other messages
                    return
                await self._deliver(row)
        except Exception:
            log.exception("outbox %s: unexpected error; will retry", row.id)
            await self._settle_retry(row, "internal error")
        finally:
            if self._held.get(row.id) is row:
                del self._held[row.id]

    @contextlib.asynccontextmanager
    async def _chat_turn(self, chat_id: int) -> AsyncIterator[None]:
        turn = self._chat_turns.setdefault(chat_id, [asyncio.Lock(), 0])
        turn[1] += 1
        try:
            async with turn[0]:
                yield
        finally:
            turn[1] -= 1
            if turn[1] == 0:
                del self._chat_turns[chat_id]

    async def _paused(self) -> bool:
        """Wait out a 429 pause; True if the sender was stopped meanwhile."""
        while (wait := self._resume_at - time.monotonic()) > 0:
            if await self._stopped_within(wait):
                return True
        return False

    async def _deliver(self, row: Outbox) -> None:
        refused: str | None = None  # the paid send's 400, while it is tried at the free rate
        while True:
            if await self._paused():
                await self._release_unsent([row], not_before_seconds=0)
                return
            paid = self._is_paid(row) and refused is None
            try:
                async with self._per_chat.get(row.chat_id):
                    if paid:
                        assert self._paid is not None
                        await self._paid.acquire()
                    else:
                        await self._free.acquire()
                        await self._budget.bulk_slot()
                    if self._resume_at > time.monotonic():
                        continue  # a 429 arrived while this send waited for its slot
                    if row.claimed_until is not None and row.claimed_until <= utcnow():
                        # The lease ran out while it waited (a long 429 pause, a slowed rate):
                        # whoever claimed it since sends it; unclaimed, it is claimed again.
                        return
                    started = time.monotonic()
                    message = await self._send(row, paid=paid)
                    self._rtt = 0.8 * self._rtt + 0.2 * (time.monotonic() - started)
            except RetryAfter as exc:
                wait = exc.retry_after
                seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
                # Telegram's flood wait is per bot: every send waits, exactly this long.
                self._resume_at = max(self._resume_at, time.monotonic() + seconds)
                log.warning("outbox %s: Telegram asked to wait %.0f s (429)", row.id, seconds)
                continue
            except _PaidRefused as exc:
                refused = str(exc)
                continue
            except Forbidden as exc:
                self._blocked[row.user_id] = utcnow()
                await self._settle_blocked(row, exc.message)
                return
            except BadRequest as exc:
                await self._settle_failed(row, f"400: {exc.message}")
                return
            except (TimedOut, NetworkError) as exc:
                await self._settle_retry(row, f"{type(exc).__name__}: {exc}")
                return
            if refused is not None:
                # Free went through where paid did not: the paid mode was refused, not the text.
                await self._paid_refused(row, refused)
            row.state = "sent"
            self._marks.add(
                outbox_repo.SentMark(
                    outbox_id=row.id, message_id=message.message_id, sent_at=utcnow(), paid=paid
                )
            )
            self.sent += 1
            return

    async def _send(self, row: Outbox, *, paid: bool) -> Message:
        try:
            return await self._send_request(row, paid=paid)
        except BadRequest as exc:
            if paid:
                # Telegram's wording for an empty Stars balance is not documented: a paid send
                # refused with 400 is tried once more at the free rate before it counts as bad.
                raise _PaidRefused(exc.message) from exc
            raise

    async def _send_request(self, row: Outbox, *, paid: bool) -> Message:
        payload = row.payload
        markup = markup_of(payload)
        # Broadcasts keep the admin's formatting as entities, so no parse mode can break them.
        entities = [MessageEntity.de_json(e, self._bot) for e in payload.get("entities") or []]
        extra: dict[str, Any] = {"allow_paid_broadcast": True} if paid else {}
        photo = payload.get("photo")
        if payload.get("chart"):
            # Drawn at send time (the weekly summary): the outbox keeps the numbers, not a PNG.
            photo = await asyncio.to_thread(chart_png, payload["chart"])
        if photo:
            return await self._bot.send_photo(
                row.chat_id,
                photo,
                caption=payload.get("text") or None,
                caption_entities=entities or None,
                reply_markup=markup,
                **extra,
            )
        return await self._bot.send_message(
            row.chat_id,
            payload["text"],
            entities=entities or None,
            reply_markup=markup,
            **extra,
        )

    async def _paid_refused(self, row: Outbox, error: str) -> None:
        """The broadcast goes on at the free rate, and its admin is told (once)."""
        if row.broadcast_id is None or row.broadcast_id in self._refused_broadcasts:
            return
        self._refused_broadcasts.add(row.broadcast_id)
        log.warning(
            "outbox: Telegram refused paid broadcast %s (%s); it carries on at the free rate",
            row.broadcast_id,
            error,
        )
        try:
            async with self._sm.begin() as session:
                await outbox_repo.paid_refused(session, broadcast_id=row.broadcast_id)
        except Exception as exc:
            log.warning("outbox: could not record the refused paid broadcast (%s)", exc)

    async def _settle_retry(self, row: Outbox, error: str) -> None:
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
