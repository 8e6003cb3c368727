"""10,000 random updates through the real Application: nothing unhandled, every text answered.

A seeded generator (so a failure replays) makes private texts up to 10,000 characters with
emoji and control characters, commands known and unknown, edits, stickers, photos, callback data
from nowhere, group messages and membership changes, from 300 people (one of them an admin). A
stand-in for the Bot API answers like Telegram, including its 400s for a message over 4096
characters, a caption over 1024 and callback data over 64 bytes, so those limits are checked too.
"""

from __future__ import annotations

import itertools
import json
import random
import time
from collections import Counter
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import CallbackContext, ContextTypes
from telegram.request import BaseRequest, RequestData

from nudgebot.bot.context import reply
from nudgebot.bot.lifecycle import started_bot
from nudgebot.config import Settings

SEED = 20261125
UPDATES = 10_000
PEOPLE = list(range(50_001, 50_301))
ADMIN = PEOPLE[0]
BOT = {"id": 999, "is_bot": True, "first_name": "Nudge", "username": "nudge_fuzz_bot"}

_VOCABULARY = (
    "oatmeal almonds banana spinach salmon cashews tofu black beans quinoa dark chocolate "
    "coffee tea yogurt avocado rice bread toast peanut butter pumpkin seeds edamame lentils "
    "cup cups g gram oz tbsp slice slices handful piece ½ ¼ 2 3 100 one two a an with and , "
    "chest pain pressure dizzy fainting stroke heart racing irregular magnesium pill pills "
    "supplement 400mg dose kidney pregnant pregnancy medication warfarin "
    "Europe/Berlin Berlin New York UTC+2 UTC-5:30 8:30 08:30 8:30pm 7am noon 25:99 "
    "/start /help /settings /pause /resume /stop /checkin /today /week /undo /tip /mydata "
    "/forget /cancel /broadcast /addtip /tips /tip_off /tip_on /stats /broadcasts "
    "/broadcast_stop /nonsense yes no done skip"
)
WORDS = _VOCABULARY.split()
ODD = [
    "\x00",
    "\x07",
    "\x1b[31m",
    "\u200b",
    "\u202e",
    "\ufeff",
    "\r\n",
    "\t",
    "\\",
    '"',
    "'",
    "<b>",
    "</i>",
    "&amp;",
    "*",
    "_",
    "`",
    "[x](http://a)",
    "%s",
    "{name}",
    "{}",
    "🫀",
    "❤️",
    "🥑",
    "👍🏽",
    "🇩🇪",
    "👨‍👩‍👧",
    "ß",
    "İ",
    "Ω",
    "汉字",
    "ملعقة",
    "e\u0301",
    "\U0010ffff",
]
CALLBACKS = [
    "ob:tz:Europe/Berlin",
    "ob:tz:Mars/Olympus",
    "ob:time:08:00",
    "ob:time:99:99",
    "ob:topics:food",
    "ob:topics:done",
    "ob:profile:sex=female",
    "ob:profile:age=999",
    "ob:profile:skip",
    "ob:profile:done",
    "set:tz",
    "set:time",
    "set:topics",
    "set:profile",
    "set:close",
    "pause:1",
    "pause:0",
    "pause:-5",
    "pause:abc",
    "tip:help:1",
    "tip:more",
    "tip:snooze",
    "tip:help:999999",
    "checkin",
    "forget:yes",
    "forget:no",
    "forget:maybe",
    "adm:save",
    "adm:cancel",
    "adm:send",
    "adm:topic:food",
    "adm:aud:all",
    "adm:tips:3:x",
    "adm:tipcast:nope",
    "adm:stop:1",
    "",
    "x" * 64,
    "🫀" * 16,
]


def _text(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.01:
        length = rng.randint(4097, 10_000)
    elif roll < 0.05:
        length = rng.randint(300, 4096)
    else:
        length = rng.randint(1, 80)
    parts: list[str] = []
    size = 0
    while size < length:
        pick = rng.random()
        if pick < 0.7:
            token = rng.choice(WORDS)
        elif pick < 0.85:
            token = rng.choice(ODD)
        else:
            token = "".join(chr(rng.randint(0x20, 0x2FFF)) for _ in range(rng.randint(1, 8)))
        parts.append(token)
        size += len(token) + 1
    text = " ".join(parts)[:length]
    return text if text.strip() else "hi"


class FakeTelegram(BaseRequest):
    """Answers Bot API calls as Telegram would, and remembers which chat got what."""

    def __init__(self) -> None:
        self.calls: Counter[int] = Counter()
        self.texts: list[tuple[int, str]] = []
        self.violations: list[str] = []
        self._ids = itertools.count(1)

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

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
        api = url.rsplit("/", 1)[-1]
        params = request_data.parameters if request_data else {}
        error = self._check(api, params)
        if error:
            self.violations.append(f"{api}: {error}")
            body = {"ok": False, "error_code": 400, "description": f"Bad Request: {error}"}
            return 400, json.dumps(body).encode()
        return 200, json.dumps({"ok": True, "result": self._result(api, params)}).encode()

    def _check(self, api: str, params: dict[str, Any]) -> str | None:
        text = params.get("text")
        if isinstance(text, str) and len(text) > 4096:
            return "message is too long"
        caption = params.get("caption")
        if isinstance(caption, str) and len(caption) > 1024:
            return "message caption is too long"
        markup = params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        for row in (markup or {}).get("inline_keyboard", []):
            for button in row:
                if len(button.get("callback_data", "").encode()) > 64:
                    return "BUTTON_DATA_INVALID"
        return None

    def _result(self, api: str, params: dict[str, Any]) -> Any:
        if api == "getMe":
            return BOT | {
                "can_join_groups": True,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            }
        chat_id = params.get("chat_id")
        if api in (
            "sendMessage",
            "sendPhoto",
            "sendDocument",
            "editMessageText",
            "editMessageReplyMarkup",
            "editMessageCaption",
        ):
            chat = int(chat_id) if chat_id is not None else 0
            self.calls[chat] += 1
            if api == "sendMessage":
                self.texts.append((chat, str(params.get("text"))))
            return {
                "message_id": int(params.get("message_id") or next(self._ids)),
                "date": int(time.time()),
                "chat": {"id": chat, "type": "private" if chat > 0 else "group"},
                "from": {k: BOT[k] for k in ("id", "is_bot", "first_name")},
                "text": str(params.get("text") or params.get("caption") or "x"),
            }
        if api == "getUpdates":
            return []
        return True


class Generator:
    """Random but well-formed updates, as Telegram would deliver them."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.ids = itertools.count(1)

    def _user(self, uid: int) -> dict[str, Any]:
        return {"id": uid, "is_bot": False, "first_name": self.rng.choice(["Ada", "Zoë", "李"])}

    def _message(self, uid: int, chat: dict[str, Any], **content: Any) -> dict[str, Any]:
        return {
            "message_id": self.rng.randint(1, 10**6),
            "date": int(time.time()),
            "chat": chat,
            "from": self._user(uid),
            **content,
        }

    def next(self) -> tuple[dict[str, Any], bool]:
        """An update, and whether it is a private text that must be answered."""
        rng = self.rng
        uid = rng.choice(PEOPLE)
        private = {"id": uid, "type": "private", "first_name": "Ada"}
        group = {"id": -rng.randint(10**5, 10**6), "type": "group", "title": "G"}
        update: dict[str, Any] = {"update_id": next(self.ids)}
        roll = rng.random()
        if roll < 0.55:
            text = _text(rng)
            content: dict[str, Any] = {"text": text}
            if text.startswith("/"):
                length = len(text.split()[0].encode("utf-16-le")) // 2 if text.split() else 1
                content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
            update["message"] = self._message(uid, private, **content)
            return update, True
        if roll < 0.62:
            update["edited_message"] = self._message(
                uid, private, text=_text(rng), edit_date=int(time.time())
            )
        elif roll < 0.67:
            update["message"] = self._message(
                uid,
                private,
                sticker={
                    "file_id": "s",
                    "file_unique_id": "s",
                    "type": "regular",
                    "width": 512,
                    "height": 512,
                    "is_animated": False,
                    "is_video": False,
                },
            )
        elif roll < 0.70:
            update["message"] = self._message(
                uid,
                private,
                caption=_text(rng)[:1024],
                photo=[{"file_id": "p", "file_unique_id": "p", "width": 90, "height": 90}],
            )
        elif roll < 0.85:
            data = rng.choice(CALLBACKS) if rng.random() < 0.8 else _text(rng)[:64]
            update["callback_query"] = {
                "id": str(next(self.ids)),
                "from": self._user(uid),
                "chat_instance": "ci",
                "data": data,
                "message": self._message(BOT["id"], private, text="old message"),
            }
        elif roll < 0.93:
            update["message"] = self._message(uid, group, text=_text(rng))
        elif roll < 0.97:
            old, new = rng.sample(["member", "left"], 2)
            update["my_chat_member"] = {
                "chat": rng.choice([group, private]),
                "from": self._user(uid),
                "date": int(time.time()),
                "old_chat_member": {"user": BOT, "status": old},
                "new_chat_member": {"user": BOT, "status": new},
            }
        else:
            update["channel_post"] = {
                "message_id": 1,
                "date": int(time.time()),
                "chat": {"id": -1001, "type": "channel", "title": "C"},
                "text": _text(rng),
            }
        return update, False


async def test_ten_thousand_random_updates_leave_nothing_unhandled_and_every_text_answered(
    tmp_path: Path,
) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'fuzz.db'}",
        admin_ids=frozenset({ADMIN}),
        reply_rate_limit=False,
        tick_seconds=60,
        _env_file=None,  # type: ignore[call-arg]
    )
    fake = FakeTelegram()
    errors: list[str] = []

    async def record_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        errors.append(f"{type(context.error).__name__}: {context.error}")

    unanswered: list[str] = []
    generator = Generator(SEED)
    async with started_bot(settings, token="999:fuzz", request=fake) as bot:
        app = bot.application
        app.add_error_handler(record_error)
        for _ in range(UPDATES):
            raw, must_answer = generator.next()
            update = Update.de_json(json.loads(json.dumps(raw)), app.bot)
            chat = raw["message"]["chat"]["id"] if must_answer else 0
            before = fake.calls[chat]
            await app.process_update(update)
            if must_answer and fake.calls[chat] == before:
                unanswered.append(repr(raw["message"]["text"][:80]))
    assert errors == [], f"{len(errors)} handler errors, first: {errors[:5]}"
    assert fake.violations == [], f"Telegram would refuse: {fake.violations[:5]}"
    assert unanswered == [], f"{len(unanswered)} texts got no reply, e.g. {unanswered[:5]}"


async def test_a_reply_over_4096_characters_goes_out_in_parts_split_at_line_breaks(
    tmp_path: Path,
) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'split.db'}",
        reply_rate_limit=False,
        _env_file=None,  # type: ignore[call-arg]
    )
    fake = FakeTelegram()
    lines = [f"{n:03d} almonds, 30 g: 80 mg " + "·" * 40 for n in range(150)]
    async with started_bot(settings, token="999:fuzz", request=fake) as bot:
        app = bot.application
        raw, _ = Generator(1).next()
        while "message" not in raw or raw["message"]["chat"]["type"] != "private":
            raw, _ = Generator(raw["update_id"] + 1).next()
        update = Update.de_json(raw, app.bot)
        context = CallbackContext.from_update(update, app)
        await reply(update, context, "\n".join(lines))
    sent = [text for _, text in fake.texts]
    assert len(sent) == 3
    assert fake.violations == []
    assert "\n".join(sent).split("\n") == lines
