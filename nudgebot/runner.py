"""Start and stop the bot: database, content, Application, inbox, and the update source."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

from telegram.error import InvalidToken, NetworkError
from telegram.ext import ContextTypes
from telegram.request import BaseRequest

from nudgebot.app import AnyApplication, build_application, set_command_menu
from nudgebot.config import Settings
from nudgebot.content import Content, load_content
from nudgebot.delivery import OutboxSender, SenderSettings
from nudgebot.handlers.admin import report_progress
from nudgebot.handlers.common import RUNTIME_KEY, Runtime
from nudgebot.ingest import FatalPollingError, UpdateInbox, poll_telegram
from nudgebot.services.tips import TipService
from nudgebot.store.db import create_engine, create_sessionmaker, ensure_schema

log = logging.getLogger(__name__)

SHUTDOWN_GRACE_SECONDS = 4.0
TICK_BATCH = 2000
BROADCAST_STATUS_SECONDS = 5.0


@dataclass(slots=True)
class Running:
    """A started bot: the Application and the inbox that feeds it."""

    application: AnyApplication
    inbox: UpdateInbox
    content: Content
    sender: OutboxSender


def configure_logging(level: str) -> None:
    """One log line per event; httpx's per-request lines (which carry the token in the URL) off."""
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
    )
    for noisy in ("httpx", "httpcore", "apscheduler", "aiosqlite"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))


@contextlib.asynccontextmanager
async def started_bot(
    settings: Settings,
    *,
    token: str,
    request: BaseRequest | None = None,
    stop: asyncio.Event | None = None,
) -> AsyncIterator[Running]:
    """Everything up and running; stopped in order on exit."""
    content = load_content()
    engine = create_engine(settings.database_url, busy_timeout_ms=settings.db_busy_timeout_ms)
    try:
        await ensure_schema(engine, auto_migrate=settings.auto_migrate)
        sessionmaker = create_sessionmaker(engine)
        application = build_application(
            settings, content, sessionmaker, token=token, request=request
        )
        inbox = UpdateInbox(application, sessionmaker)
        await _initialize(application, stop or asyncio.Event())
        try:
            await application.start()
            await set_command_menu(application, content, settings.admin_ids)
            if application.job_queue is not None:
                application.job_queue.run_repeating(
                    _prune_inbox,
                    interval=timedelta(hours=1),
                    first=timedelta(minutes=1),
                    data=inbox,
                    name="prune-inbox",
                )
            rt: Runtime = application.bot_data[RUNTIME_KEY]
            await rt.tips.sync_library()
            sender = OutboxSender(application.bot, sessionmaker, sender_settings(settings))
            if settings.is_sqlite:
                await sender.release_stale_claims()  # one process: its old claims are ours
            sender_stop = asyncio.Event()
            sender_task = asyncio.create_task(sender.run(sender_stop), name="outbox-sender")
            if application.job_queue is not None:
                application.job_queue.run_repeating(
                    _daily_tips_tick,
                    interval=settings.tick_seconds,
                    first=0.5,
                    data=(rt.tips, sender),
                    name="daily-tips",
                    # APScheduler would skip a run more than 1 s late; a late tick is still useful.
                    job_kwargs={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
                )
                # Broadcast status messages: edited at most every 5 s, also after a restart.
                application.job_queue.run_repeating(
                    report_progress,
                    interval=BROADCAST_STATUS_SECONDS,
                    first=BROADCAST_STATUS_SECONDS,
                    name="broadcast-progress",
                    job_kwargs={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
                )
            application.bot_data["nudgebot.wake_sender"] = sender.wake
            await inbox.recover()
            try:
                yield Running(application, inbox, content, sender)
            finally:
                sender_stop.set()
                with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                    await asyncio.wait_for(sender_task, SHUTDOWN_GRACE_SECONDS)
            if not await inbox.wait_idle(SHUTDOWN_GRACE_SECONDS):
                log.warning(
                    "stopping with %d update(s) unfinished; they resume at the next start",
                    inbox.in_flight,
                )
        finally:
            if application.running:
                await application.stop()
            await application.shutdown()
    finally:
        await engine.dispose()


async def _initialize(application: AnyApplication, stop: asyncio.Event) -> None:
    """Application.initialize (getMe), retried while the network is down."""
    delay = 1.0
    while True:
        try:
            await application.initialize()
            return
        except InvalidToken as exc:
            raise FatalPollingError(
                "Telegram rejected the token: check NUDGEBOT_TOKEN (from @BotFather)"
            ) from exc
        except NetworkError as exc:
            if stop.is_set():
                raise
            log.warning("cannot reach the Bot API (%s); retrying in %.0f s", exc, delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
            delay = min(delay * 2, 30.0)


def sender_settings(settings: Settings) -> SenderSettings:
    """The outbox sender's knobs from the settings."""
    return SenderSettings(
        rate_per_second=settings.send_rate,
        per_chat_interval=settings.send_per_chat_interval,
        concurrency=settings.send_concurrency,
        max_attempts=settings.send_max_attempts,
    )


async def _daily_tips_tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Queue every tip that is due (in batches), then wake the sender."""
    assert context.job is not None
    tips: TipService
    sender: OutboxSender
    tips, sender = context.job.data  # type: ignore[misc]
    while True:
        report = await tips.queue_due(limit=TICK_BATCH)
        if report.queued:
            sender.wake()
        if report.due:
            log.info(
                "daily tips: %d due, %d queued, %d too late, %d paused or stopped",
                report.due,
                report.queued,
                report.skipped_late,
                report.skipped_inactive,
            )
        if report.due < TICK_BATCH:
            return


async def _prune_inbox(context: ContextTypes.DEFAULT_TYPE) -> None:
    inbox = context.job.data if context.job else None
    if isinstance(inbox, UpdateInbox):
        removed = await inbox.prune()
        if removed:
            log.info("pruned %d processed update(s) from the inbox", removed)


def install_stop_signals(stop: asyncio.Event) -> None:
    """SIGTERM and SIGINT ask the bot to stop taking work and exit cleanly."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)


async def run_polling(settings: Settings) -> None:
    """`nudgebot run`: long polling until SIGTERM/SIGINT."""
    assert settings.token is not None
    stop = asyncio.Event()
    install_stop_signals(stop)
    async with started_bot(settings, token=settings.token.get_secret_value(), stop=stop) as bot:
        me = bot.application.bot
        log.info("nudgebot is running as @%s (polling); press Ctrl+C to stop", me.username)
        poller = asyncio.create_task(
            poll_telegram(me, bot.inbox, stop, poll_seconds=settings.poll_timeout)
        )
        stopper = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait({poller, stopper}, return_when=asyncio.FIRST_COMPLETED)
        for task in (poller, stopper):
            if task not in done:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if poller in done:
            poller.result()  # re-raise a fatal polling error
        log.info("stopping")
