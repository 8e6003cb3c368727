"""The emulator itself, checked with the real python-telegram-bot client (no mocks)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from tests.botapi_emulator import BotApiEmulator


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emulator:
        yield emulator


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    async with Bot(emu.token, base_url=emu.base_url) as client:
        yield client


async def test_get_me_returns_the_bot_user(bot: Bot) -> None:
    me = await bot.get_me()
    assert me.is_bot and me.username == "nudge_test_bot"


async def test_keyboard_round_trips_and_a_press_is_a_callback_query(
    emu: BotApiEmulator, bot: Bot
) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="y")]])
    sent = await bot.send_message(7, "Sure?", reply_markup=markup)
    assert emu.buttons(7) == [["Yes"]]
    emu.press(7, "Yes")
    (update,) = await bot.get_updates()
    assert update.callback_query is not None
    assert update.callback_query.data == "y"
    assert update.callback_query.message is not None
    assert update.callback_query.message.message_id == sent.message_id


async def test_press_fails_loudly_when_no_button_matches(emu: BotApiEmulator, bot: Bot) -> None:
    await bot.send_message(
        7,
        "Q",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("One", callback_data="1")]]),
    )
    with pytest.raises(AssertionError, match="have \\['One'\\]"):
        emu.press(7, "Two")


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    emu: BotApiEmulator, bot: Bot
) -> None:
    async def later() -> None:
        await asyncio.sleep(0.3)
        emu.send_text(5, "hello")

    task = asyncio.create_task(later())
    started = time.monotonic()
    updates = await bot.get_updates(timeout=10)
    await task
    assert time.monotonic() - started < 3
    assert updates[0].message is not None and updates[0].message.text == "hello"


async def test_offset_confirms_updates(emu: BotApiEmulator, bot: Bot) -> None:
    emu.send_text(5, "a")
    emu.send_text(5, "b")
    first = await bot.get_updates()
    assert len(first) == 2 and emu.pending_updates() == 2
    await bot.get_updates(offset=first[-1].update_id + 1)
    assert emu.pending_updates() == 0


async def test_commands_carry_a_bot_command_entity(emu: BotApiEmulator, bot: Bot) -> None:
    emu.send_text(5, "/start now")
    (update,) = await bot.get_updates()
    assert update.message is not None
    assert update.message.entities[0].type == "bot_command"
    assert update.message.entities[0].length == len("/start")


async def test_edit_changes_the_text_and_an_identical_edit_is_refused(
    emu: BotApiEmulator, bot: Bot
) -> None:
    sent = await bot.send_message(7, "one")
    await bot.edit_message_text("two", chat_id=7, message_id=sent.message_id)
    assert emu.last_text(7) == "two"
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text("two", chat_id=7, message_id=sent.message_id)


async def test_injected_429_is_retry_after(emu: BotApiEmulator, bot: Bot) -> None:
    emu.inject("sendMessage", error=429, retry_after=3)
    with pytest.raises(RetryAfter) as err:
        await bot.send_message(7, "x")
    assert err.value.retry_after == timedelta(seconds=3)
    await bot.send_message(7, "x")  # consumed


async def test_injected_403_is_forbidden_for_that_chat_only(emu: BotApiEmulator, bot: Bot) -> None:
    emu.inject("sendMessage", error=403, chat_id=8)
    await bot.send_message(7, "fine")
    with pytest.raises(Forbidden, match="blocked"):
        await bot.send_message(8, "x")


async def test_dropped_connection_is_a_network_error(emu: BotApiEmulator, bot: Bot) -> None:
    emu.inject("sendMessage", error="drop")
    with pytest.raises(NetworkError):
        await bot.send_message(7, "x")


async def test_photo_upload_is_recorded(emu: BotApiEmulator, bot: Bot) -> None:
    await bot.send_photo(7, b"\x89PNG fake bytes", caption="chart")
    (call,) = emu.sent(7)
    assert call.method == "sendPhoto" and call.text == "chart"
    assert b"PNG" in next(iter(call.files.values()))[1]


async def test_commands_are_stored_per_scope(emu: BotApiEmulator, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand("help", "Help")])
    await bot.set_my_commands([BotCommand("stats", "Stats")], scope=BotCommandScopeChat(42))
    assert [c["command"] for c in emu.commands["default"]] == ["help"]
    assert [c["command"] for c in emu.commands["chat:42"]] == ["stats"]


async def test_enforced_rate_answers_429_beyond_it(emu: BotApiEmulator, bot: Bot) -> None:
    emu.enforce_rate(per_second=3)
    results = await asyncio.gather(
        *(bot.send_message(i, "x") for i in range(1, 6)), return_exceptions=True
    )
    assert sum(isinstance(r, RetryAfter) for r in results) == 2
    assert emu.rate_violations == 2


async def test_wrong_token_is_unauthorized(emu: BotApiEmulator) -> None:
    from telegram.error import InvalidToken

    other = Bot("999:WRONG", base_url=emu.base_url)
    with pytest.raises(InvalidToken):
        await other.initialize()
    await other.shutdown()
