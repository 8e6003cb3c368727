"""`nudgebot webhook`: Telegram posts each update over HTTPS; it is stored before the 200.

aiohttp serves inside the bot's own event loop (no signal handling of its own, a body-size cap
built in). A request without the right X-Telegram-Bot-Api-Secret-Token gets 403; the comparison
takes the same time whatever the guess. The update goes into the inbox (keyed by update_id, so a
redelivery is dropped) before the answer, so a process killed right after answering still
processes it at the next start, or another process does once its claim has run out. A database
that cannot store it gets 503, and Telegram delivers the update again later.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from nudgebot.bot.intake.inbox import UpdateInbox
from nudgebot.platform.db import SessionMaker, ping

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's updates are a few kilobytes; anything near this is not from Telegram.
MAX_BODY_BYTES = 1024 * 1024
HEALTH_TIMEOUT_SECONDS = 3.0


class WebhookServer:
    """The HTTP side of webhook mode: /<path> for updates, /healthz for the platform."""

    def __init__(
        self, inbox: UpdateInbox, sessionmaker: SessionMaker, *, secret: str, path: str
    ) -> None:
        self._inbox = inbox
        self._sm = sessionmaker
        self._secret = secret.encode()
        self._path = path
        self.stopping = False

    def application(self) -> web.Application:
        """The aiohttp application to serve."""
        app = web.Application(client_max_size=MAX_BODY_BYTES)
        app.router.add_get("/healthz", self.healthz)
        app.router.add_post(self._path, self.receive_update)
        return app

    async def receive_update(self, request: web.Request) -> web.Response:
        """Check the secret, store the update, then say 200."""
        if self.stopping:
            # Telegram retries; another process (or this one after its restart) takes it.
            return web.Response(status=503, text="shutting down")
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(given, self._secret):
            log.warning("webhook: request without the right secret token from %s", request.remote)
            return web.Response(status=403, text="forbidden")
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            log.warning("webhook: body over %d bytes refused", MAX_BODY_BYTES)
            return web.Response(status=413, text="too large")
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return web.Response(status=400, text="not JSON")
        update_id = payload.get("update_id") if isinstance(payload, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool) or update_id < 0:
            return web.Response(status=400, text="not a Telegram update")
        try:
            await self._inbox.submit([payload])
        except (SQLAlchemyError, OSError) as exc:
            log.error(
                "webhook: could not store update %s (%s); Telegram will resend it",
                update_id,
                type(exc).__name__,
            )
            return web.Response(status=503, text="cannot store the update now")
        return web.Response(text="ok")

    async def healthz(self, _request: web.Request) -> web.Response:
        """200 while the process runs and its database answers; 503 otherwise."""
        if self.stopping:
            return web.json_response({"status": "stopping"}, status=503)
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT_SECONDS):
                await ping(self._sm)
        except (SQLAlchemyError, OSError, TimeoutError) as exc:
            return web.json_response(
                {"status": "database unavailable", "error": type(exc).__name__}, status=503
            )
        return web.json_response({"status": "ok"})
