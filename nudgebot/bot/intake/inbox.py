"""Store every update before confirming it to Telegram, then process it from the inbox.

PTB's Updater confirms an update (the next getUpdates offset) before the handlers have run, so a
crash in between loses it. Here an update is written to the `inbox` table first; only then does
the poller move its offset on. Handlers run per user in order (so a flow's answers never overtake
each other) and across users concurrently; a row is marked processed after its handlers finish,
and rows left unprocessed by a crash are processed on the next start.

Several processes (webhook mode on PostgreSQL) share the table: the process that stores an update
holds it for a lease; an update whose holder died is taken over by another process once the
lease has run out (`recover`, run at start and then periodically).

Flood control lives here too, because the inbox knows when each update arrived from whom in every
process: more than `flood_limit` updates from one user within a minute get one slow-down reply,
and the rest are dropped until the minute has passed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, Update
from telegram.error import (
    Conflict,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import Application
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from nudgebot.bot.intake import inbox_repo
from nudgebot.platform.clock import utcnow
from nudgebot.platform.db import SessionMaker

log = logging.getLogger(__name__)

KEEP_PROCESSED = timedelta(days=2)
CLAIM_LEASE = timedelta(minutes=2)
FLOOD_WINDOW = timedelta(minutes=1)


class FatalPollingError(Exception):
    """Polling cannot go on (a revoked token): the process should exit with this message."""


class UpdateInbox:
    """The one way updates reach the handlers, whatever their source (polling, console)."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        sessionmaker: SessionMaker,
        *,
        max_concurrency: int = 64,
        lease: timedelta = CLAIM_LEASE,
        flood_limit: int = 0,
        slow_down_text: Callable[[str | None], str] | None = None,
    ) -> None:
        self._app = application
        self._sm = sessionmaker
        self._lease = lease
        self._flood_limit = flood_limit
        # Telegram language_code -> the slow-down reply (a flood is not worth a database read)
        self._slow_down_text = slow_down_text
        self._sem = asyncio.Semaphore(max_concurrency)
        self._inflight: set[int] = set()
        self._tails: dict[int | str, asyncio.Task[None]] = {}
        self._idle = asyncio.Event()
        self._idle.set()

    async def submit(self, updates: Sequence[dict[str, Any]]) -> int:
        """Store the updates (duplicates ignored) and start processing the new ones."""
        now = utcnow()
        async with self._sm.begin() as session:
            new_ids = set(
                await inbox_repo.store_updates(
                    session, updates=updates, received_at=now, claim_for=self._lease
                )
            )
            fresh = [
                (raw["update_id"], raw, inbox_repo.arrival_time(raw, now))
                for raw in updates
                if raw["update_id"] in new_ids
            ]
            counts = await self._flood_counts(session, fresh)
        for update_id, raw, _ in fresh:
            self._dispatch(update_id, raw, counts.get(update_id, 0))
        return len(new_ids)

    async def _flood_counts(
        self, session: AsyncSession, items: Sequence[tuple[int, dict[str, Any], datetime]]
    ) -> dict[int, int]:
        """For each update: how many updates its sender sent in the minute up to it.

        One query per batch, in the transaction that stored or claimed the batch.
        """
        senders = {uid: inbox_repo.sender_id(raw) for uid, raw, _ in items}
        users = [u for u in senders.values() if u is not None]
        if self._flood_limit <= 0 or not users:
            return {}
        since = min(at for _, _, at in items) - FLOOD_WINDOW
        arrivals = await inbox_repo.recent_arrivals(session, user_ids=users, since=since)
        return flood_counts(
            [(uid, senders[uid], at) for uid, _, at in items], arrivals, FLOOD_WINDOW
        )

    async def recover(self, *, include_claimed: bool = False) -> int:
        """Process what was stored but not finished: by an earlier run, or by a dead process.

        `include_claimed` (one process, at start-up): every unfinished update is ours, whoever
        held it before the restart.
        """
        total = 0
        while True:
            async with self._sm.begin() as session:
                rows = await inbox_repo.claim_pending(
                    session,
                    now=utcnow(),
                    lease=self._lease,
                    limit=1000,
                    include_claimed=include_claimed,
                )
                taken = [(r.update_id, r.payload, r.received_at) for r in rows]
                fresh = [t for t in taken if t[0] not in self._inflight]
                counts = await self._flood_counts(session, fresh)
            for update_id, payload, _ in fresh:
                self._dispatch(update_id, payload, counts.get(update_id, 0))
            total += len(fresh)
            if len(taken) < 1000 or not fresh:
                break
        if total:
            log.info("resuming %d stored update(s) that were not processed", total)
        return total

    async def wait_idle(self, timeout: float | None = None) -> bool:  # noqa: ASYNC109
        """Wait until nothing is being processed; False on timeout."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True

    @property
    def in_flight(self) -> int:
        """How many stored updates are queued or being handled."""
        return len(self._inflight)

    async def release_unfinished(self) -> None:
        """At shutdown: updates still being handled go back for any process to take at once."""
        update_ids = sorted(self._inflight)
        if not update_ids:
            return
        with contextlib.suppress(SQLAlchemyError, OSError):
            async with self._sm.begin() as session:
                await inbox_repo.release_claims(session, update_ids=update_ids)

    async def prune(self) -> int:
        """Forget processed updates older than KEEP_PROCESSED (kept to drop redeliveries)."""
        async with self._sm.begin() as session:
            return await inbox_repo.prune_processed(session, before=utcnow() - KEEP_PROCESSED)

    def _dispatch(self, update_id: int, payload: dict[str, Any], flood_count: int) -> None:
        if update_id in self._inflight:
            return
        self._inflight.add(update_id)
        self._idle.clear()
        key = _ordering_key(payload)
        previous = self._tails.get(key)
        task = asyncio.create_task(self._run(update_id, payload, flood_count, previous, key))
        self._tails[key] = task

    async def _run(
        self,
        update_id: int,
        payload: dict[str, Any],
        flood_count: int,
        previous: asyncio.Task[None] | None,
        key: int | str,
    ) -> None:
        try:
            if previous is not None:
                await asyncio.wait([previous])
            async with self._sem:
                if not await self._flooding(update_id, payload, flood_count):
                    await self._handle(update_id, payload)
            await self._mark_processed(update_id)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("update %s: left unprocessed, will retry at the next start", update_id)
        finally:
            self._inflight.discard(update_id)
            if self._tails.get(key) is asyncio.current_task():
                del self._tails[key]
            if not self._inflight:
                self._idle.set()

    async def _flooding(self, update_id: int, payload: dict[str, Any], count: int) -> bool:
        """True when this update is over the user's per-minute limit (and so is dropped)."""
        user_id = inbox_repo.sender_id(payload)
        if self._flood_limit <= 0 or count <= self._flood_limit:
            return False
        log.info(
            "update %s: user %s sent more than %d a minute; dropped",
            update_id,
            user_id,
            self._flood_limit,
        )
        chat_id = private_chat_id(payload)
        if count == self._flood_limit + 1 and chat_id is not None and self._slow_down_text:
            sender = next(
                (v.get("from") for v in payload.values() if isinstance(v, dict) and "from" in v),
                None,
            )
            code = sender.get("language_code") if isinstance(sender, dict) else None
            try:
                await self._app.bot.send_message(chat_id, self._slow_down_text(code))
            except TelegramError as exc:
                log.warning("update %s: could not send the slow-down reply: %s", update_id, exc)
        return True

    async def _handle(self, update_id: int, payload: dict[str, Any]) -> None:
        try:
            update = Update.de_json(payload, self._app.bot)
        except Exception:
            log.exception("update %s: malformed, skipped", update_id)
            return
        # process_update catches handler errors and passes them to the error handler.
        await self._app.process_update(update)

    async def _mark_processed(self, update_id: int) -> None:
        async for attempt in AsyncRetrying(
            retry=retry_if_exception_type(SQLAlchemyError),
            wait=wait_exponential(multiplier=0.2, max=5),
            stop=stop_after_attempt(8),
            reraise=True,
        ):
            with attempt:
                async with self._sm.begin() as session:
                    await inbox_repo.mark_processed(session, update_id=update_id)


def flood_counts(
    items: Sequence[tuple[int, int | None, datetime]],
    arrivals: Sequence[tuple[int, int, datetime]],
    window: timedelta,
) -> dict[int, int]:
    """update id -> updates from the same sender within `window` up to and including it.

    `items`: (update id, sender, arrival) to count for; `arrivals`: (sender, update id, arrival)
    of every stored update that may count.
    """
    by_user: dict[int, list[tuple[int, datetime]]] = {}
    for user_id, update_id, at in arrivals:
        by_user.setdefault(user_id, []).append((update_id, at))
    counts: dict[int, int] = {}
    for update_id, sender, at in items:
        if sender is None:
            continue
        since = at - window
        counts[update_id] = sum(
            1 for uid, when in by_user.get(sender, ()) if uid <= update_id and when >= since
        )
    return counts


def private_chat_id(payload: dict[str, Any]) -> int | None:
    """The private chat an update was sent in, if it was sent in one."""
    for key in ("message", "edited_message"):
        part = payload.get(key)
        if isinstance(part, dict):
            chat = part.get("chat")
            if isinstance(chat, dict) and chat.get("type") == "private":
                chat_id = chat.get("id")
                return chat_id if isinstance(chat_id, int) else None
    query = payload.get("callback_query")
    if isinstance(query, dict):
        message = query.get("message")
        if isinstance(message, dict):
            chat = message.get("chat")
            if isinstance(chat, dict) and chat.get("type") == "private":
                chat_id = chat.get("id")
                return chat_id if isinstance(chat_id, int) else None
    return None


def _ordering_key(payload: dict[str, Any]) -> int | str:
    user_id = inbox_repo.sender_id(payload)
    return user_id if user_id is not None else f"update:{payload.get('update_id')}"


async def poll_telegram(
    bot: Bot, inbox: UpdateInbox, stop: asyncio.Event, *, poll_seconds: int
) -> None:
    """Long-poll getUpdates, storing each batch before the next call confirms it."""
    offset: int | None = None  # None first: Telegram resends whatever was never confirmed
    failures = 0
    deleted_webhook = False
    while not stop.is_set():
        try:
            if not deleted_webhook:
                await bot.delete_webhook(drop_pending_updates=False)
                deleted_webhook = True
            updates = await bot.get_updates(
                offset=offset, timeout=poll_seconds, allowed_updates=Update.ALL_TYPES
            )
            failures = 0
        except InvalidToken as exc:
            raise FatalPollingError(
                "Telegram rejected the token: check NUDGEBOT_TOKEN (from @BotFather)"
            ) from exc
        except RetryAfter as exc:
            await _sleep_or_stop(stop, _seconds(exc.retry_after))
            continue
        except Conflict as exc:
            failures += 1
            log.error("another process is polling with this token (%s); retrying", exc.message)
            await _sleep_or_stop(stop, min(30.0, 2.0 * failures))
            continue
        except (NetworkError, TimedOut) as exc:
            failures += 1
            delay = min(30.0, 0.5 * 2 ** min(failures, 6))
            log.warning("getUpdates failed (%s); retrying in %.1f s", exc, delay)
            await _sleep_or_stop(stop, delay)
            continue
        if not updates:
            continue
        try:
            await inbox.submit([u.to_dict() for u in updates])
        except SQLAlchemyError as exc:
            # Not stored, so not confirmed: the same updates come again on the next call.
            failures += 1
            delay = min(30.0, 0.5 * 2 ** min(failures, 6))
            log.error(
                "could not store %d update(s) (%s); retrying in %.1f s",
                len(updates),
                type(exc).__name__,
                delay,
            )
            await _sleep_or_stop(stop, delay)
            continue
        offset = updates[-1].update_id + 1


def _seconds(value: int | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
