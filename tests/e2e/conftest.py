"""End-to-end fixtures: the Bot API emulator and the real bot process pointed at it.

Tests that restart, kill or reconfigure the bot, need a fresh database or leave a fault behind get
their own emulator and process (`emulator`, `bot`, `admin_bot`). Tests that only talk to the bot
share one process per module (`shared_bot`): each speaks as its own `user`, reads only what was
sent to that user (or after its own `emulator.mark()`), and so passes in any order.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from tests.botapi_emulator import BotApiEmulator
from tests.e2e.botprocess import BotProcess, running, shared_process, sqlite_bot

pytestmark = pytest.mark.e2e

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every async end-to-end test runs in its module's event loop.

    A module's shared emulator answers from that loop: in a per-test loop of its own it would
    stall while other tests of the module run, and its bot would back off from it.
    """
    for item in items:
        if HERE in item.path.parents and pytest_asyncio.is_async_test(item):
            item.add_marker(pytest.mark.asyncio(loop_scope="module"), append=False)


@pytest_asyncio.fixture(loop_scope="module")
async def emulator() -> AsyncIterator[BotApiEmulator]:
    emu = BotApiEmulator()
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()


@pytest_asyncio.fixture(loop_scope="module")
async def bot(
    emulator: BotApiEmulator, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[BotProcess]:
    """A started bot on a fresh SQLite file; its log is printed when a test fails."""
    process = sqlite_bot(emulator, tmp_path)
    async with running(process, request):
        yield process


ADMIN = 9000


@pytest_asyncio.fixture(loop_scope="module")
async def admin_bot(emulator: BotApiEmulator, tmp_path: Path) -> AsyncIterator[BotProcess]:
    """A started bot on a fresh SQLite file with user 9000 as its admin."""
    process = BotProcess(
        emulator,
        database_url=f"sqlite:///{tmp_path / 'bot.db'}",
        workdir=tmp_path,
        env={"NUDGEBOT_ADMIN_IDS": str(ADMIN)},
    )
    await process.start()
    try:
        yield process
    finally:
        await process.stop()


# Far from every id a test names itself (5001, 7001, 9000, 20001…) and from the seeded ranges.
_fresh_ids = itertools.count(600_001)


@pytest.fixture
def user() -> int:
    """A Telegram user id no other test of this run speaks as."""
    return next(_fresh_ids)


@pytest.fixture
def other_user() -> int:
    """A second fresh user id, for tests with two people."""
    return next(_fresh_ids)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def module_bot(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[BotProcess]:
    """One emulator and one bot (on a fresh SQLite file) for a whole module."""
    async with shared_process(tmp_path_factory.mktemp("shared-bot")) as process:
        yield process


@pytest.fixture
def shared_bot(module_bot: BotProcess, request: pytest.FixtureRequest) -> Iterator[BotProcess]:
    """The module's bot for a test that only talks to it; its log is printed if the test fails."""
    with module_bot.log_on_failure(request):
        yield module_bot
