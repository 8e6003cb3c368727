"""Start and stop the bot: database, content, Application, inbox, and the update source."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

from telegram import Bot
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import ContextTypes
from telegram.request import BaseRequest

from nudgebot.bot.application import AnyApplication, build_application, set_command_menu
from nudgebot.bot.context import RUNTIME_KEY, Runtime
from nudgebot.bot.http import AiohttpRequest
from nudgebot.bot.intake.inbox import FatalPollingError, UpdateInbox, poll_telegram
from nudgebot.bot.sender import OutboxSender, SenderSettings
from nudgebot.config import Settings
from nudgebot.content import Catalog, load_catalog
from nudgebot.features.admin.handlers import report_progress
from nudgebot.features.meals.parser import load_index
from nudgebot.features.reminders.service import ReminderService
from nudgebot.features.tips.service import TipService
from nudgebot.platform import clock
from nudgebot.platform.budget import budget_for
from nudgebot.platform.db import create_engine, create_sessionmaker, ensure_schema
from nudgebot.platform.locks import leadership_for

log = logging.getLogger(__name__)

# SIGTERM to exit in under 10 s: the HTTP server closes (up to 1.5 s), then the sender and the
# handlers get 3 s side by side, then PTB's own stop.
HTTP_SHUTDOWN_SECONDS = 1.5
SHUTDOWN_GRACE_SECONDS = 3.0
TICK_BATCH = 2000
BROADCAST_STATUS_SECONDS = 5.0
RECOVER_INBOX_SECONDS = 30.0


@dataclass(slots=True)
class Running:
    """A started bot: the Application and the inbox that feeds it."""

    application: AnyApplication
    inbox: UpdateInbox
    catalog: Catalog
    sender: OutboxSender


class RedactSecrets(logging.Filter):
    """Replace the bot token (and the webhook secret) wherever it would appear in a log line."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        redacted = message
        for secret in self._secrets:
            redacted = redacted.replace(secret, "[redacted]")
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def configure_logging(level: str, *, secrets: list[str] | None = None) -> None:
    """One log line per event, never the token nor what people write.

    httpx logs each request URL (which carries the token); python-telegram-bot at DEBUG logs
    every request's parameters and every update (people's messages): both stay at INFO or above.
    """
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
    )
    numeric = logging.getLevelName(level)
    for noisy in ("httpx", "httpcore", "apscheduler", "aiosqlite", "aiohttp.access", "sqlalchemy"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, numeric))
    logging.getLogger("telegram").setLevel(max(logging.INFO, numeric))
    redact = RedactSecrets(secrets or [])
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)


@contextlib.asynccontextmanager
async def started_bot(
    settings: Settings,
    *,
    token: str,
    request: BaseRequest | None = None,
    stop: asyncio.Event | None = None,
) -> AsyncIterator[Running]:
    """Everything up and running; stopped in order on exit."""
    catalog = load_catalog()
    engine = create_engine(settings.database_url, busy_timeout_ms=settings.db_busy_timeout_ms)
    try:
        await ensure_schema(engine, auto_migrate=settings.auto_migrate)
        sessionmaker = create_sessionmaker(engine)
        budget = budget_for(engine, settings.bot_rate)
        application = build_application(
            settings, catalog, sessionmaker, token=token, request=request, budget=budget
        )
        # the whole-database food search, built now rather than on someone's first unknown word
        for language in catalog.languages:
            await asyncio.to_thread(load_index(language).warm)
        # Content, lexicons and the food database live as long as the process: moving them out
        # of the collector's generations keeps a full collection (one scheduler pass in five
        # here) at a few milliseconds instead of ~90.
        gc.freeze()
        inbox = UpdateInbox(
            application,
            sessionmaker,
            flood_limit=settings.flood_limit,
            slow_down_text=lambda code: catalog[code].replies.general.slow_down,
        )
        await _initialize(application, stop or asyncio.Event())
        try:
            await application.start()
            await set_command_menu(application, catalog, settings.admin_ids)
            rt: Runtime = application.bot_data[RUNTIME_KEY]
            await rt.tips.sync_library()
            # The sender has its own connections, so a broadcast's window of sends in flight
            # never makes a reply wait for a free connection (the console has no network).
            # The sender has its own client and no rate limiter: it books bulk slots on the
            # budget itself. Its own connections mean a broadcast's window of sends in flight
            # never makes a reply wait for one (the console answers in-process instead).
            owned_request = (
                AiohttpRequest(connections=settings.send_max_in_flight + 2)
                if request is None
                else None
            )
            sender_bot = Bot(
                token,
                base_url=settings.bot_api_url,
                base_file_url=settings.bot_file_api_url,
                request=owned_request or request,
            )
            sender = OutboxSender(
                sender_bot,
                sessionmaker,
                sender_settings(settings),
                leadership=leadership_for(engine),
                budget=budget,
            )
            if settings.is_sqlite:
                await sender.release_stale_claims()  # one process: its old claims are ours
            sender_stop = asyncio.Event()
            sender_task = asyncio.create_task(sender.run(sender_stop), name="outbox-sender")
            _schedule_jobs(application, settings, rt.tips, rt.reminders, sender, inbox)
            application.bot_data["nudgebot.wake_sender"] = sender.wake
            # One process (SQLite): every unfinished update is ours. Several: only unclaimed ones
            # and those whose process's lease ran out; the repeating job takes the rest later.
            await inbox.recover(include_claimed=settings.is_sqlite)
            try:
                yield Running(application, inbox, catalog, sender)
            finally:
                sender_stop.set()
                await asyncio.gather(
                    _finish_sender(sender_task), _finish_updates(inbox), return_exceptions=True
                )
                if owned_request is not None:
                    await owned_request.shutdown()
        finally:
            if application.running:
                await application.stop()
            await application.shutdown()
    finally:
        await engine.dispose()


def _schedule_jobs(
    application: AnyApplication,
    settings: Settings,
    tips: TipService,
    rt_reminders: ReminderService,
    sender: OutboxSender,
    inbox: UpdateInbox,
) -> None:
    """The repeating jobs: daily tips, broadcast status, inbox recovery and pruning."""
    jq = application.job_queue
    if jq is None:
        return
    # APScheduler would skip a run more than 1 s late; a late run is still useful here.
    late_ok = {"misfire_grace_time": None, "coalesce": True, "max_instances": 1}
    jq.run_repeating(
        _daily_tips_tick,
        interval=settings.tick_seconds,
        first=0.5,
        data=(tips, rt_reminders, sender),
        name="daily-tips",
        job_kwargs=late_ok,
    )
    # Broadcast status messages: edited at most every 5 s, also after a restart; only by the
    # process that sends, so two processes never edit the same message.
    jq.run_repeating(
        _broadcast_progress,
        interval=BROADCAST_STATUS_SECONDS,
        first=BROADCAST_STATUS_SECONDS,
        data=sender,
        name="broadcast-progress",
        job_kwargs=late_ok,
    )
    jq.run_repeating(
        _recover_inbox,
        interval=RECOVER_INBOX_SECONDS,
        first=RECOVER_INBOX_SECONDS,
        data=inbox,
        name="recover-inbox",
        job_kwargs=late_ok,
    )
    jq.run_repeating(
        _prune_inbox,
        interval=timedelta(hours=1),
        first=timedelta(minutes=1),
        data=inbox,
        name="prune-inbox",
        job_kwargs=late_ok,
    )


async def _finish_sender(task: asyncio.Task[None]) -> None:
    """Let the sender finish its in-flight send; cancelled (its claim released) if it hangs."""
    with contextlib.suppress(TimeoutError, asyncio.CancelledError):
        await asyncio.wait_for(task, SHUTDOWN_GRACE_SECONDS)


async def _finish_updates(inbox: UpdateInbox) -> None:
    """Let handlers that are running finish; what is left is handed back for the next start."""
    if not await inbox.wait_idle(SHUTDOWN_GRACE_SECONDS):
        log.warning(
            "stopping with %d update(s) unfinished; they resume at the next start",
            inbox.in_flight,
        )
        await inbox.release_unfinished()


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
        max_in_flight=settings.send_max_in_flight,
        paid_rate_per_second=settings.paid_broadcast_rate,
        max_attempts=settings.send_max_attempts,
        lease=timedelta(seconds=settings.send_lease_seconds),
    )


async def _daily_tips_tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The one scheduler pass: every reminder kind that is due (tips, evening, weekly)."""
    assert context.job is not None
    tips: TipService
    reminders: ReminderService
    sender: OutboxSender
    tips, reminders, sender = context.job.data  # type: ignore[misc]
    await _queue_tips(tips, sender)
    while True:
        report = await reminders.queue_due(now=clock.utcnow(), limit=TICK_BATCH)
        if report.evening_sent or report.evening_stopped or report.weekly_sent:
            sender.wake()
        if report.due:
            log.info(
                "reminders: %d due, %d evening, %d evening turned off, %d weekly, %d skipped",
                report.due,
                report.evening_sent,
                report.evening_stopped,
                report.weekly_sent,
                report.skipped,
            )
        if report.due < TICK_BATCH:
            return


async def _queue_tips(tips: TipService, sender: OutboxSender) -> None:
    """Queue every tip that is due (in batches), then wake the sender."""
    while True:
        # The clock module's now, so a test's clock offset moves the schedule with everything else.
        report = await tips.queue_due(now=clock.utcnow(), limit=TICK_BATCH)
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


async def _broadcast_progress(context: ContextTypes.DEFAULT_TYPE) -> None:
    sender = context.job.data if context.job else None
    if isinstance(sender, OutboxSender) and sender.is_leader:
        await report_progress(context)


async def _recover_inbox(context: ContextTypes.DEFAULT_TYPE) -> None:
    inbox = context.job.data if context.job else None
    if isinstance(inbox, UpdateInbox):
        await inbox.recover()


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


async def run_webhook(settings: Settings) -> None:
    """`nudgebot webhook`: serve updates over HTTP until SIGTERM/SIGINT."""
    from aiohttp import web

    from nudgebot.bot.intake.webhook import WebhookServer

    assert settings.token is not None and settings.webhook_url is not None
    stop = asyncio.Event()
    install_stop_signals(stop)
    async with started_bot(settings, token=settings.token.get_secret_value(), stop=stop) as bot:
        rt: Runtime = bot.application.bot_data[RUNTIME_KEY]
        server = WebhookServer(
            bot.inbox,
            rt.sessionmaker,
            secret=settings.secret_token(),
            path=settings.listen_path(),
        )
        runner = web.AppRunner(
            server.application(),
            access_log=None,
            handle_signals=False,
            shutdown_timeout=HTTP_SHUTDOWN_SECONDS,
        )
        await runner.setup()
        site = web.TCPSite(runner, settings.webhook_listen, settings.port)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            raise FatalPollingError(
                f"cannot listen on {settings.webhook_listen}:{settings.port} ({exc}): "
                "set PORT or NUDGEBOT_PORT to a free port"
            ) from exc
        log.info(
            "nudgebot is running as @%s (webhook): listening on %s:%d%s",
            bot.application.bot.username,
            settings.webhook_listen,
            settings.port,
            settings.listen_path(),
        )
        registrar = asyncio.create_task(_register_webhook(bot.application, settings, stop))
        try:
            await stop.wait()
        finally:
            log.info("stopping")
            server.stopping = True
            registrar.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await registrar
            await runner.cleanup()


async def _register_webhook(
    application: AnyApplication, settings: Settings, stop: asyncio.Event
) -> None:
    """setWebhook with the secret token; retried while Telegram cannot be reached."""
    from telegram import Update

    assert settings.webhook_url is not None
    delay = 1.0
    while not stop.is_set():
        try:
            await application.bot.set_webhook(
                settings.webhook_url,
                secret_token=settings.secret_token(),
                allowed_updates=Update.ALL_TYPES,
                max_connections=settings.webhook_max_connections,
                drop_pending_updates=False,
            )
            log.info("webhook registered with Telegram")
            return
        except NetworkError as exc:
            log.warning("setWebhook failed (%s); retrying in %.0f s", exc, delay)
        except TelegramError as exc:
            log.error("Telegram refused the webhook URL (%s); check NUDGEBOT_WEBHOOK_URL", exc)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
        delay = min(delay * 2, 60.0)
