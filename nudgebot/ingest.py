"""Store every update before confirming it to Telegram, then process it from the inbox.

PTB's Updater confirms an update (the next getUpdates offset) before the handlers have run, so a
crash in between loses it. Here an update is written to the `inbox` table first; only then does
the poller move its offset on. Handlers run per user in order (so a flow's answers never overtake
each other) and across users concurrently; a row is marked processed after its handlers finish,
and rows left unprocessed by a crash are processed on the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from telegram import Bot, Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from nudgebot.store import inbox as inbox_repo
from nudgebot.store.db import SessionMaker
from nudgebot.store.models import utcnow

log = logging.getLogger(__name__)

KEEP_PROCESSED = timedelta(days=2)


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
    ) -> None:
        self._app = application
        self._sm = sessionmaker
        self._sem = asyncio.Semaphore(max_concurrency)
        self._inflight: set[int] = set()
        self._tails: dict[int | str, asyncio.Task[None]] = {}
        self._idle = asyncio.Event()
        self._idle.set()

    async def submit(self, updates: Sequence[dict[str, Any]]) -> int:
        """Store the updates (duplicates ignored) and start processing the new ones."""
        async with self._sm.begin() as session:
            new_ids = set(await inbox_repo.store_updates(session, updates=updates))
        for raw in updates:
            if raw["update_id"] in new_ids:
                self._dispatch(raw["update_id"], raw)
        return len(new_ids)

    async def recover(self) -> int:
        """Process whatever an earlier run stored but did not finish."""
        async with self._sm() as session:
            rows = await inbox_repo.pending_updates(session, limit=100_000)
        for row in rows:
            self._dispatch(row.update_id, row.payload)
        if rows:
            log.info("resuming %d update(s) stored before the last stop", len(rows))
        return len(rows)

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

    async def prune(self) -> int:
        """Forget processed updates older than KEEP_PROCESSED (kept to drop redeliveries)."""
        async with self._sm.begin() as session:
            return await inbox_repo.prune_processed(session, before=utcnow() - KEEP_PROCESSED)

    def _dispatch(self, update_id: int, payload: dict[str, Any]) -> None:
        if update_id in self._inflight:
            return
        self._inflight.add(update_id)
        self._idle.clear()
        key = _ordering_key(payload)
        previous = self._tails.get(key)
        task = asyncio.create_task(self._run(update_id, payload, previous, key))
        self._tails[key] = task

    async def _run(
        self,
        update_id: int,
        payload: dict[str, Any],
        previous: asyncio.Task[None] | None,
        key: int | str,
    ) -> None:
        try:
            if previous is not None:
                await asyncio.wait([previous])
            async with self._sem:
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
