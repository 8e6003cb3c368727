"""A real Telegram Bot API emulator over HTTP on 127.0.0.1, for end-to-end tests.

The bot under test runs as its own process with NUDGEBOT_BOT_API_URL pointed here; tests act as
users (send text, press buttons), read every call the bot made, and inject faults (429 with
retry_after, 403, 400, 500, slow or dropped responses) or enforce Telegram's flood limits.
`latency` delays every call by a network round trip (half before Telegram sees it, half after), so
a sender's speed over a real network can be measured on loopback. Paid broadcasts
(`allow_paid_broadcast`) have their own 1,000/s limit and cost 0.1 Star each from `star_balance`.
It speaks the wire protocol as python-telegram-bot sends it: form-encoded parameters with
non-string values JSON-encoded, multipart when files are attached, or a JSON body.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from aiohttp import web

STRING_FIELDS = {
    "text",
    "caption",
    "parse_mode",
    "callback_query_id",
    "url",
    "secret_token",
    "language_code",
    "inline_message_id",
    "photo",
    "document",
    "description",
    "short_description",
}
SEND_METHODS = {"sendMessage", "sendPhoto", "sendDocument"}
# Telegram's paid broadcasts: up to 1,000 messages/s at 0.1 Star each (Bot API 7.11).
PAID_PER_SECOND = 1000
PAID_MESSAGE_STARS = 0.1
KNOWN = [
    "getMe",
    "getUpdates",
    "deleteWebhook",
    "setWebhook",
    "getWebhookInfo",
    "sendMessage",
    "editMessageText",
    "editMessageReplyMarkup",
    "editMessageCaption",
    "answerCallbackQuery",
    "setMyCommands",
    "getMyCommands",
    "deleteMyCommands",
    "sendPhoto",
    "sendDocument",
    "sendChatAction",
    "getChat",
    "leaveChat",
    "deleteMessage",
    "close",
    "logOut",
]
CANONICAL = {m.lower(): m for m in KNOWN}

FaultKind = Literal[429, 403, 400, 500, "slow", "drop"]


@dataclass
class ApiCall:
    """One request the bot made, decoded, with what it got back."""

    method: str
    params: dict[str, Any]
    time: float
    result: Any = None
    error: dict[str, Any] | None = None
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    wall: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def chat_id(self) -> int | None:
        """The chat_id parameter as an int, if any."""
        raw = self.params.get("chat_id")
        try:
            return int(raw) if raw is not None else None
        except (TypeError, ValueError):
            return None

    @property
    def paid(self) -> bool:
        """Sent as a paid broadcast (allow_paid_broadcast)."""
        return self.params.get("allow_paid_broadcast") is True

    @property
    def text(self) -> str:
        """Text or caption sent."""
        return str(self.params.get("text") or self.params.get("caption") or "")

    def __repr__(self) -> str:
        shown = {k: v for k, v in self.params.items() if k != "reply_markup"}
        err = f" -> ERROR {self.error['error_code']}" if self.error else ""
        return f"<{self.method} {json.dumps(shown, ensure_ascii=False)[:160]}{err}>"


@dataclass
class _Fault:
    method: str
    error: FaultKind
    times: int
    chat_id: int | None
    retry_after: int
    delay: float
    description: str | None


class BotApiEmulator:
    """The Bot API as one bot sees it, plus hooks for tests."""

    def __init__(
        self, *, token: str = "123456:TEST-TOKEN", bot_username: str = "nudge_test_bot"
    ) -> None:
        self.token = token
        self.bot_user = {
            "id": int(token.split(":")[0]),
            "is_bot": True,
            "first_name": "Nudge",
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.calls: list[ApiCall] = []
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.rate_violations = 0
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._language_codes: dict[int, str] = {}
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._faults: list[_Fault] = []
        self._new_update = asyncio.Event()
        self._new_call = asyncio.Event()
        self._last_user_action = 0
        self._rate: tuple[float | None, float | None] = (None, None)
        self._sends: deque[tuple[float, int | None]] = deque()
        self._paid_sends: deque[float] = deque()
        # Seconds of network round trip added to every call but getUpdates (0: loopback).
        self.latency = 0.0
        # Stars the bot holds for paid broadcasts; None: as many as needed.
        self.star_balance: float | None = None
        self.stars_spent = 0.0
        # Sends being answered right now, and the most there ever were at once.
        self.sends_in_flight = 0
        self.max_sends_in_flight = 0
        self._runner: web.AppRunner | None = None
        self._port = 0
        self.webhook_url = ""
        self.webhook_secret = ""

    # ---------------------------------------------------------------- lifecycle
    async def start(self) -> None:
        """Listen on a free port of 127.0.0.1."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self._port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        """Close the server."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotApiEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """What the bot's Bot API base URL is set to; the token is appended by the client."""
        return f"http://127.0.0.1:{self._port}/bot"

    # ---------------------------------------------------------------- acting as users
    def _next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def set_language_code(self, user_id: int, language_code: str) -> None:
        """The language of this user's Telegram app (every update from them carries it)."""
        self._language_codes[user_id] = language_code

    def _user(self, user_id: int, first_name: str) -> dict[str, Any]:
        code = self._language_codes.get(user_id, "en")
        return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": code}

    @staticmethod
    def _chat(chat_id: int, chat_type: str, first_name: str) -> dict[str, Any]:
        if chat_type == "private":
            return {"id": chat_id, "type": "private", "first_name": first_name}
        return {"id": chat_id, "type": chat_type, "title": "Test group"}

    def enqueue_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue any update; assigns update_id when missing."""
        update.setdefault("update_id", next(self._update_ids))
        self._updates.append(update)
        self._last_user_action = len(self.calls)
        self._new_update.set()
        return update

    def _user_message(
        self, user_id: int, first_name: str, chat_id: int | None, chat_type: str, **content: Any
    ) -> dict[str, Any]:
        chat = chat_id if chat_id is not None else user_id
        message = {
            "message_id": self._next_message_id(chat),
            "date": int(time.time()),
            "chat": self._chat(chat, chat_type, first_name),
            "from": self._user(user_id, first_name),
            **content,
        }
        return self.enqueue_update({"message": message})

    def send_text(
        self,
        user_id: int,
        text: str,
        *,
        first_name: str = "Ada",
        chat_id: int | None = None,
        chat_type: str = "private",
    ) -> dict[str, Any]:
        """The user sends a text; a leading /command gets its bot_command entity."""
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [
                {
                    "type": "bot_command",
                    "offset": 0,
                    "length": len(command.encode("utf-16-le")) // 2,
                }
            ]
        return self._user_message(user_id, first_name, chat_id, chat_type, **content)

    def send_sticker(self, user_id: int, *, first_name: str = "Ada") -> dict[str, Any]:
        """The user sends a sticker."""
        sticker = {
            "file_id": "CAACsticker",
            "file_unique_id": "stk1",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
        }
        return self._user_message(user_id, first_name, None, "private", sticker=sticker)

    def send_photo(
        self, user_id: int, caption: str | None = None, *, first_name: str = "Ada"
    ) -> dict[str, Any]:
        """The user sends a photo, optionally captioned."""
        content: dict[str, Any] = {
            "photo": [
                {
                    "file_id": "AgADphoto",
                    "file_unique_id": "ph1",
                    "width": 90,
                    "height": 90,
                    "file_size": 1000,
                }
            ]
        }
        if caption:
            content["caption"] = caption
        return self._user_message(user_id, first_name, None, "private", **content)

    def send_voice(
        self, user_id: int, caption: str | None = None, *, first_name: str = "Ada"
    ) -> dict[str, Any]:
        """The user sends a voice message, optionally captioned."""
        content: dict[str, Any] = {
            "voice": {
                "file_id": "AwADvoice",
                "file_unique_id": "vc1",
                "duration": 3,
                "mime_type": "audio/ogg",
            }
        }
        if caption:
            content["caption"] = caption
        return self._user_message(user_id, first_name, None, "private", **content)

    def edit_text(
        self, user_id: int, message_id: int, new_text: str, *, first_name: str = "Ada"
    ) -> dict[str, Any]:
        """The user edits one of their messages."""
        message = {
            "message_id": message_id,
            "date": int(time.time()) - 5,
            "edit_date": int(time.time()),
            "chat": self._chat(user_id, "private", first_name),
            "from": self._user(user_id, first_name),
            "text": new_text,
        }
        return self.enqueue_update({"edited_message": message})

    def add_to_group(self, chat_id: int, by_user_id: int) -> dict[str, Any]:
        """The bot is added to a group by a user."""
        return self.enqueue_update(
            {
                "my_chat_member": {
                    "chat": self._chat(chat_id, "group", "Group"),
                    "from": self._user(by_user_id, "Ada"),
                    "date": int(time.time()),
                    "old_chat_member": {"user": self.bot_user, "status": "left"},
                    "new_chat_member": {"user": self.bot_user, "status": "member"},
                }
            }
        )

    def _latest_keyboard_message(self, chat_id: int) -> dict[str, Any]:
        for (chat, _mid), message in sorted(self._messages.items(), key=lambda kv: -kv[0][1]):
            if chat == chat_id and (message.get("reply_markup") or {}).get("inline_keyboard"):
                return message
        raise AssertionError(f"no bot message with buttons in chat {chat_id}")

    def press(
        self, user_id: int, label_or_data: str, *, message_id: int | None = None
    ) -> dict[str, Any]:
        """Press an inline button (by exact label, exact data, or unique label substring)."""
        message = (
            self._messages.get((user_id, message_id))
            if message_id is not None
            else self._latest_keyboard_message(user_id)
        )
        if message is None:
            raise AssertionError(f"no message {message_id} in chat {user_id}")
        buttons = [
            b for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row
        ]
        chosen = (
            [b for b in buttons if b["text"] == label_or_data]
            or [b for b in buttons if b.get("callback_data") == label_or_data]
            or [b for b in buttons if label_or_data.casefold() in b["text"].casefold()]
        )
        if len(chosen) != 1:
            labels = [b["text"] for b in buttons]
            raise AssertionError(f"{len(chosen)} buttons match {label_or_data!r}; have {labels}")
        return self.press_data(
            user_id, chosen[0]["callback_data"], message_id=message["message_id"]
        )

    def press_data(
        self, user_id: int, data: str, message_id: int, *, first_name: str = "Ada"
    ) -> dict[str, Any]:
        """A callback_query with arbitrary data (forged ones included)."""
        message = self._messages.get((user_id, message_id)) or {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self._chat(user_id, "private", first_name),
            "from": self.bot_user,
            "text": "(unknown)",
        }
        return self.enqueue_update(
            {
                "callback_query": {
                    "id": str(next(self._callback_ids)),
                    "from": self._user(user_id, first_name),
                    "chat_instance": f"ci{user_id}",
                    "data": data,
                    "message": json.loads(json.dumps(message)),
                }
            }
        )

    # ---------------------------------------------------------------- observing
    def mark(self) -> int:
        """The number of calls so far, for since=."""
        return len(self.calls)

    def pending_updates(self) -> int:
        """Updates queued and not yet confirmed by an offset."""
        return len(self._updates)

    def sent(self, chat_id: int | None = None) -> list[ApiCall]:
        """Successful sendMessage/sendPhoto/sendDocument calls, in order."""
        return [
            c
            for c in self.calls
            if c.method in SEND_METHODS
            and c.error is None
            and (chat_id is None or c.chat_id == chat_id)
        ]

    def message(self, chat_id: int, message_id: int) -> dict[str, Any]:
        """A bot message as it is now, after edits."""
        return self._messages[(chat_id, message_id)]

    def last_text(self, chat_id: int) -> str:
        """The text of the newest bot message in a chat, with edits applied."""
        mine = [
            m
            for (c, _), m in self._messages.items()
            if c == chat_id and m.get("from", {}).get("id") == self.bot_user["id"]
        ]
        if not mine:
            raise AssertionError(f"the bot sent nothing to {chat_id}")
        newest = max(mine, key=lambda m: m["message_id"])
        return str(newest.get("text") or newest.get("caption") or "")

    def buttons(self, chat_id: int, message_id: int | None = None) -> list[list[str]]:
        """Button labels of the newest (or a given) keyboard message."""
        message = (
            self._messages[(chat_id, message_id)]
            if message_id is not None
            else self._latest_keyboard_message(chat_id)
        )
        rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
        return [[b["text"] for b in row] for row in rows]

    async def wait_for(
        self, predicate: Callable[[ApiCall], bool], *, timeout: float = 10.0, since: int = 0
    ) -> ApiCall:
        """The first call at index >= since matching predicate, waiting for new ones."""
        deadline = time.monotonic() + timeout
        index = since
        while True:
            while index < len(self.calls):
                call = self.calls[index]
                index += 1
                if predicate(call):
                    return call
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                recent = "\n  ".join(repr(c) for c in self.calls[-10:])
                raise AssertionError(
                    f"no matching Bot API call within {timeout}s; last calls:\n  {recent}"
                )
            self._new_call.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_call.wait(), remaining)

    async def wait_for_text(
        self, chat_id: int, contains: str, *, timeout: float = 10.0, since: int | None = None
    ) -> ApiCall:
        """A successful sendMessage/editMessageText to chat_id whose text contains `contains`.

        By default only calls after the latest user action (send_text, press...) count.
        """
        needle = contains.casefold()
        start = self._last_user_action if since is None else since

        def matches(call: ApiCall) -> bool:
            return (
                call.method in ("sendMessage", "editMessageText", "sendPhoto", "editMessageCaption")
                and call.error is None
                and call.chat_id == chat_id
                and needle in call.text.casefold()
            )

        return await self.wait_for(matches, timeout=timeout, since=start)

    async def deliver(
        self,
        update: dict[str, Any],
        *,
        url: str | None = None,
        secret: str | None = None,
        body: bytes | None = None,
    ) -> int:
        """POST an update to the registered webhook, as Telegram does; returns the HTTP status.

        `secret` overrides the registered secret token ("" sends none); `body` sends raw bytes.
        """
        import aiohttp

        target = url or self.webhook_url
        assert target, "no webhook registered"
        update.setdefault("update_id", next(self._update_ids))
        token = self.webhook_secret if secret is None else secret
        headers = {"Content-Type": "application/json"}
        if token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = token
        data = body if body is not None else json.dumps(update).encode()
        self._last_user_action = len(self.calls)
        async with (
            aiohttp.ClientSession() as session,
            session.post(target, data=data, headers=headers) as response,
        ):
            await response.read()
            return response.status

    def private_text_update(
        self, user_id: int, text: str, *, first_name: str = "Ada"
    ) -> dict[str, Any]:
        """A private-chat text message as an update, not queued (for webhook delivery)."""
        update = self.send_text(user_id, text, first_name=first_name)
        self._updates.remove(update)
        return update

    # ---------------------------------------------------------------- faults
    def inject(
        self,
        method: str,
        *,
        error: FaultKind,
        times: int = 1,
        chat_id: int | None = None,
        retry_after: int = 1,
        delay: float = 0.0,
        description: str | None = None,
    ) -> None:
        """Make the next `times` calls of `method` (to `chat_id`, if given) fail this way."""
        canonical = CANONICAL.get(method.lower(), method)
        self._faults.append(
            _Fault(canonical, error, times, chat_id, retry_after, delay, description)
        )

    def enforce_rate(
        self, *, per_second: float | None, per_chat_per_second: float | None = None
    ) -> None:
        """Answer sends beyond these rates with 429 retry_after=1, like Telegram's flood control."""
        self._rate = (per_second, per_chat_per_second)
        self._sends.clear()

    def _take_fault(self, method: str, chat_id: int | None) -> _Fault | None:
        for fault in self._faults:
            if fault.method == method and (fault.chat_id is None or fault.chat_id == chat_id):
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _rate_exceeded(self, chat_id: int | None, *, paid: bool = False) -> bool:
        overall, per_chat = self._rate
        if overall is None and per_chat is None:
            return False
        now = time.monotonic()
        while self._sends and now - self._sends[0][0] >= 1.0:
            self._sends.popleft()
        while self._paid_sends and now - self._paid_sends[0] >= 1.0:
            self._paid_sends.popleft()
        if paid:
            if overall is not None and len(self._paid_sends) >= PAID_PER_SECOND:
                return True
        elif overall is not None and len(self._sends) >= overall:
            return True
        if (
            per_chat is not None
            and chat_id is not None
            and sum(1 for _, c in self._sends if c == chat_id) >= per_chat
        ):
            return True
        if paid:
            self._paid_sends.append(now)
        else:
            self._sends.append((now, chat_id))
        return False

    # ---------------------------------------------------------------- HTTP
    async def _decode(
        self, request: web.Request
    ) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
        files: dict[str, tuple[str, bytes]] = {}
        raw: dict[str, Any] = {}
        ctype = request.content_type
        if ctype == "application/json":
            body = await request.read()
            return (json.loads(body) if body else {}), files
        if ctype.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                if part is None or not hasattr(part, "name"):
                    continue
                name = part.name or ""
                if part.filename:  # type: ignore[union-attr]
                    files[name] = (part.filename, await part.read())  # type: ignore[union-attr]
                else:
                    raw[name] = await part.text()  # type: ignore[union-attr]
        else:
            form = await request.post()
            raw = {k: v for k, v in form.items() if isinstance(v, str)}
            query = dict(request.query)
            raw = {**query, **raw}
        params: dict[str, Any] = {}
        for key, value in raw.items():
            if key in STRING_FIELDS:
                params[key] = value
                continue
            try:
                params[key] = json.loads(value)
            except (TypeError, ValueError):
                params[key] = value
        return params, files

    def _error(
        self, code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
        if parameters:
            body["parameters"] = parameters
        return web.json_response(body, status=code)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized")
        method = CANONICAL.get(request.match_info["method"].lower())
        params, files = await self._decode(request)
        if method is None:
            return self._error(404, "Not Found: method not found")
        counted = method in SEND_METHODS
        if counted:
            self.sends_in_flight += 1
            self.max_sends_in_flight = max(self.max_sends_in_flight, self.sends_in_flight)
        try:
            if self.latency and method != "getUpdates":
                await asyncio.sleep(self.latency / 2)
            try:
                return await self._handle_arrived(request, method, params, files)
            finally:
                if self.latency and method != "getUpdates":
                    await asyncio.sleep(self.latency / 2)
        finally:
            if counted:
                self.sends_in_flight -= 1

    async def _handle_arrived(
        self,
        request: web.Request,
        method: str,
        params: dict[str, Any],
        files: dict[str, tuple[str, bytes]],
    ) -> web.StreamResponse:
        call = ApiCall(method=method, params=params, time=time.monotonic(), files=files)
        fault = self._take_fault(method, call.chat_id)
        if fault is not None and fault.error == "slow":
            await asyncio.sleep(fault.delay)
            fault = None
        if fault is not None and fault.error == "drop":
            self._record(call, error={"error_code": 0, "description": "connection dropped"})
            transport = request.transport
            if transport is not None:
                transport.abort()
            raise ConnectionResetError("dropped by the emulator")
        if fault is not None:
            code = int(fault.error)
            descriptions = {
                429: f"Too Many Requests: retry after {fault.retry_after}",
                403: "Forbidden: bot was blocked by the user",
                400: "Bad Request: chat not found",
                500: "Internal Server Error",
            }
            desc = fault.description or descriptions[code]
            extra = {"retry_after": fault.retry_after} if code == 429 else None
            self._record(call, error={"error_code": code, "description": desc})
            return self._error(code, desc, extra)
        paid = method in SEND_METHODS and params.get("allow_paid_broadcast") is True
        if paid and (self.star_balance is not None and self.star_balance < PAID_MESSAGE_STARS):
            desc = "Bad Request: not enough Telegram Stars for paid messages"
            self._record(call, error={"error_code": 400, "description": desc})
            return self._error(400, desc)
        if method in SEND_METHODS and self._rate_exceeded(call.chat_id, paid=paid):
            self.rate_violations += 1
            self._record(call, error={"error_code": 429, "description": "flood"})
            return self._error(429, "Too Many Requests: retry after 1", {"retry_after": 1})
        if method == "getUpdates" and self.webhook_url:
            self._record(call, error={"error_code": 409, "description": "webhook is active"})
            return self._error(409, "Conflict: can't use getUpdates method while webhook is active")
        if method == "getUpdates":
            result = await self._get_updates(params, call)
            call.result = result
            return web.json_response({"ok": True, "result": result})
        try:
            result = self._answer(method, params, files)
        except _ApiError as exc:
            self._record(call, error={"error_code": exc.code, "description": exc.description})
            return self._error(exc.code, exc.description)
        call.result = result
        if paid:
            self.stars_spent = round(self.stars_spent + PAID_MESSAGE_STARS, 1)
            if self.star_balance is not None:
                self.star_balance = round(self.star_balance - PAID_MESSAGE_STARS, 1)
        self._record(call)
        return web.json_response({"ok": True, "result": result})

    def _record(self, call: ApiCall, error: dict[str, Any] | None = None) -> None:
        call.error = error
        self.calls.append(call)
        self._new_call.set()

    async def _get_updates(self, params: dict[str, Any], call: ApiCall) -> list[dict[str, Any]]:
        offset = params.get("offset")
        if isinstance(offset, int) and offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        # Recorded as it arrives, its offset applied: a long poll lasts up to its timeout, and
        # whoever waits for the bot to poll (or to confirm updates) need not wait that out.
        self._record(call)
        timeout = float(params.get("timeout") or 0)
        limit = int(params.get("limit") or 100)
        if not self._updates and timeout > 0:
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), timeout)
        return [json.loads(json.dumps(u)) for u in self._updates[:limit]]

    def _bot_message(self, chat_id: int, **content: Any) -> dict[str, Any]:
        message = {
            "message_id": self._next_message_id(chat_id),
            "date": int(time.time()),
            "chat": self._chat(chat_id, "private" if chat_id > 0 else "group", "Ada"),
            "from": {k: self.bot_user[k] for k in ("id", "is_bot", "first_name", "username")},
            **{k: v for k, v in content.items() if v is not None},
        }
        self._messages[(chat_id, message["message_id"])] = message
        return message

    def _find(self, params: dict[str, Any]) -> dict[str, Any]:
        key = (int(params.get("chat_id", 0)), int(params.get("message_id", 0)))
        if key not in self._messages:
            raise _ApiError(400, "Bad Request: message to edit not found")
        return self._messages[key]

    def _answer(
        self, method: str, params: dict[str, Any], files: dict[str, tuple[str, bytes]]
    ) -> Any:
        chat_id = params.get("chat_id")
        if method == "getMe":
            return self.bot_user
        if method in ("deleteWebhook", "close", "logOut"):
            self.webhook_url = ""
            return True
        if method == "setWebhook":
            self.webhook_url = str(params.get("url", ""))
            self.webhook_secret = str(params.get("secret_token", ""))
            return True
        if method == "getWebhookInfo":
            return {
                "url": self.webhook_url,
                "has_custom_certificate": False,
                "pending_update_count": len(self._updates),
            }
        if method == "sendMessage":
            if not str(params.get("text", "")).strip():
                raise _ApiError(400, "Bad Request: message text is empty")
            if len(str(params["text"])) > 4096:
                raise _ApiError(400, "Bad Request: message is too long")
            return self._bot_message(
                int(chat_id),
                text=params["text"],
                entities=params.get("entities"),
                reply_markup=params.get("reply_markup"),
            )
        if method in ("sendPhoto", "sendDocument"):
            field_name = "photo" if method == "sendPhoto" else "document"
            upload = files.get(field_name) or next(iter(files.values()), None)
            size = len(upload[1]) if upload else 0
            media: Any
            if method == "sendPhoto":
                media = {
                    "photo": [
                        {
                            "file_id": f"photo{self.mark()}",
                            "file_unique_id": "p",
                            "width": 800,
                            "height": 600,
                            "file_size": size,
                        }
                    ]
                }
            else:
                media = {
                    "document": {
                        "file_id": f"doc{self.mark()}",
                        "file_unique_id": "d",
                        "file_name": upload[0] if upload else "file",
                        "file_size": size,
                    }
                }
            return self._bot_message(
                int(chat_id),
                caption=params.get("caption"),
                reply_markup=params.get("reply_markup"),
                **media,
            )
        if method == "editMessageText":
            message = self._find(params)
            markup = params.get("reply_markup")
            if message.get("text") == params.get("text") and message.get("reply_markup") == markup:
                raise _ApiError(
                    400,
                    "Bad Request: message is not modified: specified new "
                    "message content and reply markup are exactly the same "
                    "as a current content and reply markup of the message",
                )
            message["text"] = params.get("text")
            message["edit_date"] = int(time.time())
            if markup:
                message["reply_markup"] = markup
            else:
                message.pop("reply_markup", None)
            return message
        if method in ("editMessageReplyMarkup", "editMessageCaption"):
            message = self._find(params)
            markup = params.get("reply_markup")
            if method == "editMessageCaption":
                message["caption"] = params.get("caption")
            elif message.get("reply_markup") == markup or (
                not markup and not message.get("reply_markup")
            ):
                raise _ApiError(
                    400,
                    "Bad Request: message is not modified: specified new "
                    "message content and reply markup are exactly the same "
                    "as a current content and reply markup of the message",
                )
            if markup:
                message["reply_markup"] = markup
            else:
                message.pop("reply_markup", None)
            return message
        if method == "answerCallbackQuery":
            return True
        if method == "setMyCommands":
            self.commands[_scope_key(params.get("scope"))] = list(params.get("commands") or [])
            return True
        if method == "getMyCommands":
            return self.commands.get(_scope_key(params.get("scope")), [])
        if method == "deleteMyCommands":
            self.commands.pop(_scope_key(params.get("scope")), None)
            return True
        if method in ("sendChatAction", "leaveChat", "deleteMessage"):
            return True
        if method == "getChat":
            return self._chat(int(chat_id), "private" if int(chat_id) > 0 else "group", "Ada")
        raise _ApiError(404, "Not Found: method not found")


class _ApiError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


def _scope_key(scope: Any) -> str:
    if not scope:
        return "default"
    if isinstance(scope, str):
        scope = json.loads(scope)
    if scope.get("type") == "chat":
        return f"chat:{scope.get('chat_id')}"
    return str(scope.get("type", "default"))
