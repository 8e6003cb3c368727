"""`nudgebot console`: the real Application and handlers, talking to this terminal.

A python-telegram-bot BaseRequest stands in for the Bot API: what the bot sends is printed, with
inline buttons numbered; what you type becomes an update from one local user and goes through the
same inbox as polled updates. No token, no network.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from telegram.request import BaseRequest, RequestData

from nudgebot.bot.intake.inbox import UpdateInbox
from nudgebot.bot.lifecycle import started_bot
from nudgebot.config import Settings

CONSOLE_TOKEN = "1:console"  # never sent anywhere: the console request answers locally
BOT_USER = {"id": 1, "is_bot": True, "first_name": "nudgebot", "username": "nudgebot_console"}
FILES_DIR = Path("console-files")


class ConsoleRequest(BaseRequest):
    """Answers Bot API calls locally and prints what the bot says."""

    def __init__(
        self,
        *,
        user_id: int,
        first_name: str,
        language_code: str = "en",
        out: Callable[[str], None] = print,
    ) -> None:
        self.user = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": language_code,
        }
        self.chat = {"id": user_id, "type": "private", "first_name": first_name}
        self._out = out
        self._message_ids = itertools.count(1)
        self.messages: dict[int, dict[str, Any]] = {}
        self.buttons: list[tuple[str, str, int]] = []  # (label, callback_data, message_id)

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    def next_message_id(self) -> int:
        """Message ids are shared by both sides of a chat, as in Telegram."""
        return next(self._message_ids)

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        params = request_data.parameters if request_data else {}
        result = self._answer(api_method, params, request_data)
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def _answer(self, method: str, params: dict[str, Any], data: RequestData | None) -> Any:
        if method == "getMe":
            return BOT_USER | {
                "can_join_groups": False,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            }
        if method == "sendMessage":
            return self._new_message(
                text=str(params.get("text", "")), markup=params.get("reply_markup")
            )
        if method in ("sendPhoto", "sendDocument"):
            saved = self._save_files(data)
            caption = str(params.get("caption", ""))
            return self._new_message(
                text=f"{caption}\n[file saved: {saved}]".strip(), markup=params.get("reply_markup")
            )
        if method in ("editMessageText", "editMessageReplyMarkup"):
            return self._edit(params, method)
        if method == "answerCallbackQuery":
            if params.get("text"):
                self._out(f"bot (notice)> {params['text']}")
            return True
        if method == "getUpdates":
            return []
        return True  # setMyCommands, deleteWebhook, sendChatAction...

    def _new_message(self, *, text: str, markup: Any) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": self.next_message_id(),
            "date": int(time.time()),
            "chat": self.chat,
            "from": BOT_USER,
            "text": text,
        }
        if markup:
            message["reply_markup"] = markup
        self.messages[message["message_id"]] = message
        self._print(message, "bot")
        return message

    def _edit(self, params: dict[str, Any], method: str) -> dict[str, Any] | bool:
        message = self.messages.get(int(str(params.get("message_id", 0))))
        if message is None:
            return True  # what the Bot API answers for a message it does not return
        if method == "editMessageText":
            message["text"] = str(params.get("text", ""))
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        else:
            message.pop("reply_markup", None)
        self._print(message, "bot (edited)")
        return message

    def _print(self, message: dict[str, Any], who: str) -> None:
        lines = message["text"].splitlines() or [""]
        self._out(f"{who}> {lines[0]}")
        for line in lines[1:]:
            self._out(f"     {line}")
        keyboard = (message.get("reply_markup") or {}).get("inline_keyboard") or []
        # Pressing refers to the newest keyboard only; older ones are gone from view.
        self.buttons = [
            (b["text"], b.get("callback_data", ""), message["message_id"])
            for row in keyboard
            for b in row
        ]
        number = 1
        for row in keyboard:
            cells = []
            for b in row:
                cells.append(f"[{number}] {b['text']}")
                number += 1
            self._out("     " + "   ".join(cells))

    def _save_files(self, data: RequestData | None) -> str:
        if data is None or not data.contains_files:
            return "-"
        FILES_DIR.mkdir(exist_ok=True)
        names = []
        for part, field in data.multipart_data.items():
            filename, content = field[0], field[1]
            path = FILES_DIR / f"{int(time.time())}-{filename or part}"
            path.write_bytes(content if isinstance(content, bytes) else content.read())
            names.append(str(path))
        return ", ".join(names)


class ConsoleUser:
    """Turns typed lines into Telegram updates from one local user."""

    def __init__(self, request: ConsoleRequest) -> None:
        self._request = request
        self._update_ids = itertools.count(int(time.time() * 1000))  # clear of earlier sessions
        self._pending: list[str] = []  # lines ended with "\", sent with the next one

    @property
    def continuing(self) -> bool:
        """The last line ended with a backslash: the message goes on on the next line."""
        return bool(self._pending)

    def to_update(self, line: str) -> dict[str, Any] | None:
        """A message update, or a button press when the line is a shown button's number.

        A line ending with a backslash goes on on the next line, so one message can have several
        lines, as in Telegram (an /addtip text with its "Source:" line, for instance).
        """
        stripped = line.rstrip()
        if stripped.endswith("\\"):
            self._pending.append(stripped[:-1])
            return None
        if self._pending:
            text = "\n".join([*self._pending, stripped]).strip()
            self._pending = []
            return self._message(text)
        text = line.strip()
        if text.isdigit() and 1 <= int(text) <= len(self._request.buttons):
            _label, data, message_id = self._request.buttons[int(text) - 1]
            self._request.buttons = []
            message = self._request.messages[message_id]
            return {
                "update_id": next(self._update_ids),
                "callback_query": {
                    "id": str(next(self._update_ids)),
                    "from": self._request.user,
                    "chat_instance": "console",
                    "data": data,
                    "message": message,
                },
            }
        if text.startswith("'"):  # '7 sends the text "7" even when a button 7 is shown
            text = text[1:]
        return self._message(text)

    def _message(self, text: str) -> dict[str, Any] | None:
        if not text:
            return None
        sent: dict[str, Any] = {
            "message_id": self._request.next_message_id(),
            "date": int(time.time()),
            "chat": self._request.chat,
            "from": self._request.user,
            "text": text,
        }
        if text.startswith("/"):
            command = text.split()[0]
            sent["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return {"update_id": next(self._update_ids), "message": sent}


BANNER = """nudgebot console: you are chatting with the real bot, locally (no token, no network).
Type a message and press Enter. Start with /start. A number presses the button shown with it
('7 sends the text "7"). End a line with \\ to go on on the next line of the same message
(an /addtip text, then "Source: ..." on its last line). /quit or Ctrl+D leaves.
"""


async def run_console(
    settings: Settings, *, user_id: int, first_name: str, language_code: str = "en"
) -> None:
    """Read lines from the terminal until /quit or end of input."""
    request = ConsoleRequest(user_id=user_id, first_name=first_name, language_code=language_code)
    user = ConsoleUser(request)
    async with started_bot(settings, token=CONSOLE_TOKEN, request=request) as bot:
        print(BANNER)
        await _repl(user, bot.inbox)


async def _repl(user: ConsoleUser, inbox: UpdateInbox) -> None:
    loop = asyncio.get_running_loop()
    while True:
        try:
            prompt = "...> " if user.continuing else "you> "
            line = await loop.run_in_executor(None, input, prompt)
        except EOFError:
            print()
            return
        if line.strip() in ("/quit", "/exit"):
            return
        update = user.to_update(line)
        if update is None:
            continue
        await inbox.submit([update])
        await inbox.wait_idle(timeout=30)
