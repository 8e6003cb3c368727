"""The outbox sender against the Bot API emulator, on a real database (both backends)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time

import pytest
from sqlalchemy import select
from telegram import Bot

from nudgebot.delivery import OutboxSender, SenderSettings
from nudgebot.store import outbox
from nudgebot.store.db import SessionMaker
from nudgebot.store.models import Outbox, User
from nudgebot.store.outbox import NewMessage
from tests.botapi_emulator import BotApiEmulator


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emulator:
        yield emulator


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    async with Bot(emu.token, base_url=emu.base_url) as client:
        yield client


async def _queue(sm: SessionMaker, *user_ids: int) -> None:
    async with sm.begin() as session:
        for uid in user_ids:
            if await session.get(User, uid) is None:
                session.add(
                    User(
                        id=uid,
                        chat_id=uid,
                        status="active",
                        timezone="UTC",
                        tip_time=time(8),
                        onboarded_at=datetime.now(UTC),
                        next_due_utc=datetime.now(UTC),
                    )
                )
        await session.flush()
        await outbox.enqueue(
            session,
            messages=[
                NewMessage(
                    key=f"t:{uid}:{n}",
                    kind="tip",
                    user_id=uid,
                    chat_id=uid,
                    payload={"text": f"tip for {uid}", "buttons": [[["👍 Helpful", "tip:up:1"]]]},
                )
                for n, uid in enumerate(user_ids)
            ],
        )


async def _states(sm: SessionMaker) -> dict[str, str]:
    async with sm() as session:
        rows = (await session.execute(select(Outbox))).scalars()
        return {r.key: r.state for r in rows}


@contextlib.asynccontextmanager
async def running(sender: OutboxSender) -> AsyncIterator[None]:
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)


async def _until(predicate: object, timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not await predicate():  # type: ignore[operator]
            await asyncio.sleep(0.05)


FAST = SenderSettings(rate_per_second=200, per_chat_interval=0, idle_poll_seconds=0.05)


async def test_queued_messages_are_sent_once_with_their_buttons(
    sessionmaker: SessionMaker, emu: BotApiEmulator, bot: Bot
) -> None:
    await _queue(sessionmaker, 1, 2, 3)
    sender = OutboxSender(bot, sessionmaker, FAST)
    async with running(sender):
        await _until(lambda: _all(sessionmaker, "sent", 3))
    assert sorted(c.chat_id or 0 for c in emu.sent()) == [1, 2, 3]
    assert emu.buttons(1) == [["👍 Helpful"]]


async def _all(sm: SessionMaker, state: str, n: int) -> bool:
    states = await _states(sm)
    return len(states) == n and set(states.values()) == {state}


async def test_429_waits_retry_after_then_succeeds(
    sessionmaker: SessionMaker, emu: BotApiEmulator, bot: Bot
) -> None:
    emu.inject("sendMessage", error=429, retry_after=2)
    await _queue(sessionmaker, 1)
    async with running(OutboxSender(bot, sessionmaker, FAST)):
        await _until(lambda: _all(sessionmaker, "sent", 1), timeout=10)
    failed, ok = [c for c in emu.calls if c.method == "sendMessage"]
    assert failed.error is not None and failed.error["error_code"] == 429
    assert ok.time - failed.time >= 1.95


async def test_403_marks_the_user_blocked_and_stops_their_messages(
    sessionmaker: SessionMaker, emu: BotApiEmulator, bot: Bot
) -> None:
    emu.inject("sendMessage", error=403, chat_id=2, times=5)
    await _queue(sessionmaker, 1, 2, 2, 3)
    async with running(OutboxSender(bot, sessionmaker, FAST)):
        await _until(lambda: _settled(sessionmaker))
    states = await _states(sessionmaker)
    assert sorted(states.values()) == ["blocked", "blocked", "sent", "sent"]
    assert len([c for c in emu.calls if c.chat_id == 2]) == 1  # no attempt after the 403
    async with sessionmaker() as session:
        user = await session.get(User, 2)
        assert user is not None
        assert (user.status, user.next_due_utc) == ("blocked", None)


async def _settled(sm: SessionMaker) -> bool:
    return not ({"queued", "sending"} & set((await _states(sm)).values()))


async def test_server_errors_are_retried_with_backoff_then_fail(
    sessionmaker: SessionMaker, emu: BotApiEmulator, bot: Bot
) -> None:
    emu.inject("sendMessage", error=500, times=2)
    await _queue(sessionmaker, 1)
    settings = SenderSettings(
        rate_per_second=200, per_chat_interval=0, max_attempts=2, idle_poll_seconds=0.05
    )
    async with running(OutboxSender(bot, sessionmaker, settings)):
        await _until(lambda: _settled(sessionmaker), timeout=15)
    async with sessionmaker() as session:
        (row,) = (await session.execute(select(Outbox))).scalars()
    assert row.state == "failed" and row.attempts == 2
    assert row.last_error is not None and "Internal Server Error" in row.last_error


async def test_a_dropped_connection_is_retried(
    sessionmaker: SessionMaker, emu: BotApiEmulator, bot: Bot
) -> None:
    emu.inject("sendMessage", error="drop")
    await _queue(sessionmaker, 1)
    async with running(OutboxSender(bot, sessionmaker, FAST)):
        await _until(lambda: _all(sessionmaker, "sent", 1), timeout=15)
    assert len(emu.sent(1)) == 1


async def test_sending_stays_under_the_configured_rate(
    sessionmaker: SessionMaker, emu: BotApiEmulator, bot: Bot
) -> None:
    emu.enforce_rate(per_second=30)
    await _queue(sessionmaker, *range(1, 41))
    settings = SenderSettings(rate_per_second=20, per_chat_interval=1, idle_poll_seconds=0.05)
    async with running(OutboxSender(bot, sessionmaker, settings)):
        await _until(lambda: _all(sessionmaker, "sent", 40), timeout=15)
    times = sorted(c.time for c in emu.sent())
    assert emu.rate_violations == 0
    assert times[-1] - times[0] >= 39 / 20 - 0.1  # evenly paced, no burst
