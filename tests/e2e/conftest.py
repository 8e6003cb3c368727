"""End-to-end fixtures: the Bot API emulator and the real bot process pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.botapi_emulator import BotApiEmulator
from tests.e2e.botprocess import BotProcess, running, sqlite_bot

pytestmark = pytest.mark.e2e


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    emu = BotApiEmulator()
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()


@pytest.fixture
async def bot(
    emulator: BotApiEmulator, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[BotProcess]:
    """A started bot on a fresh SQLite file; its log is printed when a test fails."""
    process = sqlite_bot(emulator, tmp_path)
    async with running(process, request):
        yield process


ADMIN = 9000


@pytest.fixture
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
