"""Webhook mode end to end: the real `nudgebot webhook` process, real HTTP, the emulator."""

from __future__ import annotations

import asyncio
import json
import socket
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio

from tests.botapi_emulator import BotApiEmulator
from tests.e2e.botprocess import BotProcess, run_cli, running, shared_process, sqlite_bot

pytestmark = pytest.mark.e2e


@pytest_asyncio.fixture(loop_scope="module")
async def hook_bot(
    emulator: BotApiEmulator, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[BotProcess]:
    process = sqlite_bot(emulator, tmp_path, command="webhook")
    async with running(process, request):
        yield process


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def module_hook_bot(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[BotProcess]:
    """One emulator and one `nudgebot webhook` process for the tests that only post updates."""
    async with shared_process(tmp_path_factory.mktemp("hook-bot"), command="webhook") as process:
        yield process


@pytest.fixture
def shared_hook_bot(
    module_hook_bot: BotProcess, request: pytest.FixtureRequest
) -> Iterator[BotProcess]:
    with module_hook_bot.log_on_failure(request):
        yield module_hook_bot


def _replies(emulator: BotApiEmulator, chat_id: int) -> list[str]:
    return [c.text for c in emulator.sent(chat_id) if c.method == "sendMessage" and not c.error]


async def test_webhook_registers_its_url_with_a_secret_token(shared_hook_bot: BotProcess) -> None:
    emulator = shared_hook_bot.emulator
    assert emulator.webhook_url == shared_hook_bot.webhook_url
    assert len(emulator.webhook_secret) >= 32
    assert emulator.token not in emulator.webhook_secret


async def test_wrong_or_missing_secret_is_refused_with_403_and_not_processed(
    shared_hook_bot: BotProcess,
) -> None:
    emulator = shared_hook_bot.emulator
    assert await emulator.deliver(emulator.private_text_update(501, "/help"), secret="nope") == 403
    assert await emulator.deliver(emulator.private_text_update(501, "/help"), secret="") == 403
    almost = emulator.webhook_secret[:-1] + ("x" if emulator.webhook_secret[-1] != "x" else "y")
    assert await emulator.deliver(emulator.private_text_update(501, "/help"), secret=almost) == 403
    await asyncio.sleep(1.0)
    assert _replies(emulator, 501) == []


async def test_right_secret_is_stored_processed_and_answered(shared_hook_bot: BotProcess) -> None:
    emulator = shared_hook_bot.emulator
    assert await emulator.deliver(emulator.private_text_update(502, "/start")) == 200
    await emulator.wait_for_text(502, "five quick questions")


async def test_the_same_update_delivered_twice_is_processed_once(
    shared_hook_bot: BotProcess,
) -> None:
    emulator = shared_hook_bot.emulator
    update = emulator.private_text_update(503, "/help")
    # The reply can arrive before the second delivery returns, so count from before the first.
    since = emulator.mark()
    assert await emulator.deliver(update) == 200
    assert await emulator.deliver(json.loads(json.dumps(update))) == 200
    await emulator.wait_for_text(503, "here is what i can do", since=since)
    await asyncio.sleep(1.5)
    assert len(_replies(emulator, 503)) == 1


async def test_bad_bodies_are_refused_and_the_server_keeps_serving(
    shared_hook_bot: BotProcess,
) -> None:
    emulator = shared_hook_bot.emulator
    assert await emulator.deliver({}, body=b"{not json") == 400
    assert await emulator.deliver({}, body=b"[1, 2, 3]") == 400
    assert await emulator.deliver({}, body=b'{"update_id": "seven"}') == 400
    assert await emulator.deliver({}, body=b"\xff\xfe\x00garbage") == 400
    assert await emulator.deliver(
        {}, body=b'{"update_id": 1, "x": "' + b"a" * 2_000_000 + b'"}'
    ) in (
        413,
        400,
    )
    async with aiohttp.ClientSession() as session:
        async with session.get(f"http://127.0.0.1:{shared_hook_bot.port}/healthz") as response:
            assert response.status == 200
            assert (await response.json())["status"] == "ok"
        async with session.get(shared_hook_bot.webhook_url) as response:
            assert response.status == 405
    assert await emulator.deliver(emulator.private_text_update(504, "/help")) == 200
    await emulator.wait_for_text(504, "here is what i can do")


async def test_an_update_acknowledged_before_a_crash_is_processed_after_restart(
    emulator: BotApiEmulator, hook_bot: BotProcess, tmp_path: Path
) -> None:
    # The reply hangs, so the bot is killed after its 200 but before the update is done.
    emulator.inject("sendMessage", error="slow", delay=20.0, chat_id=505)
    assert await emulator.deliver(emulator.private_text_update(505, "/help")) == 200
    with sqlite3.connect(tmp_path / "bot.db") as conn:
        stored = conn.execute(
            "SELECT count(*) FROM inbox WHERE user_id = 505 AND processed_at IS NULL"
        ).fetchone()[0]
    assert stored == 1
    await asyncio.sleep(0.5)
    await hook_bot.kill()
    since = emulator.mark()
    await hook_bot.start()
    await emulator.wait_for_text(505, "here is what i can do", since=since, timeout=15)
    # ...and marked done right after the reply.
    for _ in range(100):
        with sqlite3.connect(tmp_path / "bot.db") as conn:
            pending = conn.execute("SELECT count(*) FROM inbox WHERE processed_at IS NULL")
            if pending.fetchone()[0] == 0:
                break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the recovered update was never marked processed")


def test_webhook_without_a_public_url_exits_with_one_line_naming_the_variable(
    tmp_path: Path,
) -> None:
    result = run_cli(tmp_path, "webhook", env={"NUDGEBOT_TOKEN": "123456:TEST-TOKEN"})
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "NUDGEBOT_WEBHOOK_URL" in lines[0]


async def test_a_taken_port_stops_the_start_with_a_message_naming_it(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = sqlite_bot(emulator, tmp_path, command="webhook", env={"PORT": str(port)})
        with pytest.raises(AssertionError):
            await process.start(ready_timeout=8)
        assert process.proc is not None
        code = await asyncio.wait_for(process.proc.wait(), 10)
    assert code != 0
    assert f"cannot listen on 127.0.0.1:{port}" in process.log_tail()
    assert "NUDGEBOT_PORT" in process.log_tail()
