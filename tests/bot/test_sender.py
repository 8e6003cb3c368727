"""The outbox sender against the Bot API emulator, on a real database (both backends)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import event, select
from telegram import Bot

from nudgebot.bot.sender import OutboxSender, SenderSettings
from nudgebot.platform import outbox
from nudgebot.platform.db import SessionMaker
from nudgebot.platform.models import Broadcast, Outbox, User
from nudgebot.platform.outbox import NewMessage
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


# ---------------------------------------------------------------- over a real network's round trip


async def test_several_sends_are_in_flight_so_a_slow_network_keeps_the_rate(
    sessionmaker: SessionMaker, emu: BotApiEmulator, bot: Bot
) -> None:
    emu.latency = 0.15  # a server far from Telegram's
    emu.enforce_rate(per_second=30, per_chat_per_second=1)
    await _queue(sessionmaker, *range(1, 51))
    settings = SenderSettings(rate_per_second=25, idle_poll_seconds=0.05)
    sender = OutboxSender(bot, sessionmaker, settings)
    started = asyncio.get_running_loop().time()
    async with running(sender):
        await _until(lambda: _all(sessionmaker, "sent", 50), timeout=20)
    elapsed = asyncio.get_running_loop().time() - started
    assert emu.max_sends_in_flight >= 3
    assert emu.rate_violations == 0
    # one at a time this would take 50 x 0.15 s = 7.5 s; paced at 25/s it takes about 2 s
    assert elapsed < 5.0
    assert 0.1 < sender.round_trip < 0.3


async def test_the_window_never_grows_past_its_bound(
    sessionmaker: SessionMaker, emu: BotApiEmulator, bot: Bot
) -> None:
    emu.latency = 0.2
    await _queue(sessionmaker, *range(1, 31))
    settings = SenderSettings(rate_per_second=29, max_in_flight=2, idle_poll_seconds=0.05)
    async with running(OutboxSender(bot, sessionmaker, settings)):
        await _until(lambda: _all(sessionmaker, "sent", 30), timeout=20)
    assert emu.max_sends_in_flight == 2


async def test_sent_marks_are_written_in_batches_not_one_transaction_each(
    sessionmaker: SessionMaker, emu: BotApiEmulator, bot: Bot
) -> None:
    emu.latency = 0.05
    await _queue(sessionmaker, *range(1, 41))
    engine = sessionmaker.kw["bind"]
    statements: list[int] = []

    def count(conn: object, cursor: object, statement: str, params: object, *_: object) -> None:
        if statement.startswith("UPDATE outbox SET state") and "sent_at" in statement:
            statements.append(len(params) if isinstance(params, list) else 1)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        settings = SenderSettings(rate_per_second=29, per_chat_interval=0, mark_seconds=0.2)
        async with running(OutboxSender(bot, sessionmaker, settings)):
            await _until(lambda: _all(sessionmaker, "sent", 40), timeout=20)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert sum(statements) == 40
    assert len(statements) <= 20  # about one write per 0.2 s of sending, not 40
    async with sessionmaker() as session:
        rows = list((await session.execute(select(Outbox))).scalars())
    assert all(r.attempts == 1 and r.message_id and r.sent_at for r in rows)


async def test_a_429_pauses_every_send_for_exactly_retry_after(
    sessionmaker: SessionMaker, emu: BotApiEmulator, bot: Bot
) -> None:
    emu.latency = 0.08
    await _queue(sessionmaker, *range(1, 41))
    settings = SenderSettings(rate_per_second=25, per_chat_interval=0, idle_poll_seconds=0.05)
    async with running(OutboxSender(bot, sessionmaker, settings)):
        await _until(lambda: _count_sent(emu, 5))
        emu.inject("sendMessage", error=429, retry_after=2)
        await _until(lambda: _all(sessionmaker, "sent", 40), timeout=20)
    sends = [c for c in emu.calls if c.method == "sendMessage"]
    (flood,) = [c for c in sends if c.error]
    after = [c.time - flood.time for c in sends if c.time > flood.time]
    # Sends already on the wire when the 429 was given still arrive (within one round trip);
    # none starts until retry_after has passed, and then sending goes on.
    assert not [d for d in after if emu.latency + 0.05 < d < 2.0]
    assert min(d for d in after if d >= emu.latency + 0.05) < 2.0 + emu.latency + 0.3
    assert len(emu.sent()) == 40


async def _count_sent(emu: BotApiEmulator, n: int) -> bool:
    return len(emu.sent()) >= n


# ---------------------------------------------------------------- paid broadcasts


async def _paid_broadcast(sm: SessionMaker, *user_ids: int) -> int:
    await _queue(sm, *user_ids)
    async with sm.begin() as session:
        broadcast = Broadcast(
            admin_id=9000, admin_chat_id=9000, audience="all", payload={}, paid=True
        )
        session.add(broadcast)
        await session.flush()
        for row in (await session.execute(select(Outbox))).scalars():
            row.broadcast_id = broadcast.id
        await session.flush()
        await outbox.mark_paid(session, broadcast_id=broadcast.id)
        return broadcast.id


PAID = SenderSettings(
    rate_per_second=5, per_chat_interval=0, idle_poll_seconds=0.05, paid_rate_per_second=500
)


async def test_a_paid_broadcast_is_sent_with_allow_paid_broadcast_past_the_free_rate(
    sessionmaker: SessionMaker, emu: BotApiEmulator, bot: Bot
) -> None:
    emu.enforce_rate(per_second=30)
    await _paid_broadcast(sessionmaker, *range(1, 61))
    started = asyncio.get_running_loop().time()
    async with running(OutboxSender(bot, sessionmaker, PAID)):
        await _until(lambda: _all(sessionmaker, "sent", 60), timeout=20)
    elapsed = asyncio.get_running_loop().time() - started
    assert all(c.paid for c in emu.sent())
    assert emu.rate_violations == 0
    assert elapsed < 60 / PAID.rate_per_second / 2  # well past the free rate of 5/s
    assert emu.stars_spent == pytest.approx(6.0)
    async with sessionmaker() as session:
        rows = list((await session.execute(select(Outbox))).scalars())
    assert all(r.paid for r in rows)


async def test_a_refused_paid_broadcast_carries_on_at_the_free_rate(
    sessionmaker: SessionMaker, emu: BotApiEmulator, bot: Bot
) -> None:
    emu.star_balance = 0.5  # five paid messages, then Telegram refuses
    broadcast_id = await _paid_broadcast(sessionmaker, *range(1, 13))
    async with running(OutboxSender(bot, sessionmaker, PAID)):
        await _until(lambda: _all(sessionmaker, "sent", 12), timeout=20)
    sent = emu.sent()
    assert len(sent) == 12 and len({c.chat_id for c in sent}) == 12
    assert sum(c.paid for c in sent) == 5
    async with sessionmaker() as session:
        rows = list((await session.execute(select(Outbox))).scalars())
        broadcast = await session.get(Broadcast, broadcast_id)
    assert sum(r.paid for r in rows) == 5  # what was paid for, 0.5 Star
    assert broadcast is not None and broadcast.paid_refused_at is not None


async def test_a_paid_send_refused_for_its_text_fails_alone(
    sessionmaker: SessionMaker, emu: BotApiEmulator, bot: Bot
) -> None:
    broadcast_id = await _paid_broadcast(sessionmaker, 1, 2, 3)
    emu.inject("sendMessage", error=400, chat_id=2, times=2)  # chat not found, paid or not
    async with running(OutboxSender(bot, sessionmaker, PAID)):
        await _until(lambda: _settled(sessionmaker), timeout=20)
    assert sorted((await _states(sessionmaker)).values()) == ["failed", "sent", "sent"]
    async with sessionmaker() as session:
        broadcast = await session.get(Broadcast, broadcast_id)
    assert broadcast is not None and broadcast.paid_refused_at is None
    assert all(c.paid for c in emu.sent())


async def test_claims_whose_lease_ran_out_while_they_waited_are_sent_once(
    sessionmaker: SessionMaker, emu: BotApiEmulator, bot: Bot
) -> None:
    await _queue(sessionmaker, *range(1, 9))
    # A 1 s lease and 2 msg/s: the last claims of the batch expire before their turn.
    settings = SenderSettings(
        rate_per_second=2, per_chat_interval=0, lease=timedelta(seconds=1), idle_poll_seconds=0.05
    )
    async with running(OutboxSender(bot, sessionmaker, settings)):
        await _until(lambda: _all(sessionmaker, "sent", 8), timeout=20)
    assert len(emu.sent()) == 8 and len({c.chat_id for c in emu.sent()}) == 8


async def test_a_429_pause_longer_than_the_lease_sends_nothing_twice(
    sessionmaker: SessionMaker, emu: BotApiEmulator, bot: Bot
) -> None:
    await _queue(sessionmaker, *range(1, 7))
    emu.inject("sendMessage", error=429, retry_after=3)
    settings = SenderSettings(
        rate_per_second=20, per_chat_interval=0, lease=timedelta(seconds=1), idle_poll_seconds=0.05
    )
    async with running(OutboxSender(bot, sessionmaker, settings)):
        await _until(lambda: _all(sessionmaker, "sent", 6), timeout=20)
        await asyncio.sleep(1.5)  # a second copy would show up now
    assert sorted(c.chat_id or 0 for c in emu.sent()) == [1, 2, 3, 4, 5, 6]
