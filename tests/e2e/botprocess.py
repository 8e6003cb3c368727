"""Run the real `nudgebot` command as a subprocess against the Bot API emulator."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.botapi_emulator import BotApiEmulator


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class BotProcess:
    """One `python -m nudgebot run` (or `webhook`) process; start, stop, kill and restart it."""

    def __init__(
        self,
        emulator: BotApiEmulator,
        *,
        database_url: str,
        workdir: Path,
        env: dict[str, str] | None = None,
        command: str = "run",
    ) -> None:
        self.emulator = emulator
        self.database_url = database_url
        self.workdir = workdir
        self.extra_env = env or {}
        self.command = command
        self.proc: asyncio.subprocess.Process | None = None
        self.log_path = workdir / "bot.log"
        self.starts = 0
        self.port = free_port() if command == "webhook" else 0

    @property
    def webhook_url(self) -> str:
        """Where this process takes updates (webhook mode)."""
        return f"http://127.0.0.1:{self.port}/telegram"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NUDGEBOT_")}
        env.update(
            NUDGEBOT_TOKEN=self.emulator.token,
            NUDGEBOT_BOT_API_URL=self.emulator.base_url,
            NUDGEBOT_BOT_FILE_API_URL=self.emulator.base_url.replace("/bot", "/file/bot"),
            NUDGEBOT_DATABASE_URL=self.database_url,
            NUDGEBOT_POLL_TIMEOUT="2",
            NUDGEBOT_LOG_LEVEL="INFO",
            PYTHONUNBUFFERED="1",
        )
        if self.command == "webhook":
            env.update(
                NUDGEBOT_WEBHOOK_URL=self.webhook_url,
                NUDGEBOT_WEBHOOK_LISTEN="127.0.0.1",
                PORT=str(self.port),
            )
        env.update(self.extra_env)
        return env

    async def start(self, *, ready_timeout: float = 20.0) -> None:
        """Start the process and wait until it polls for updates (or registers its webhook)."""
        assert self.proc is None or self.proc.returncode is not None
        self.starts += 1
        since = self.emulator.mark()
        log = self.log_path.open("ab")
        log.write(f"\n===== start #{self.starts} =====\n".encode())
        log.flush()
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "nudgebot",
            self.command,
            cwd=self.workdir,
            env=self.env(),
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
        )
        log.close()
        ready = "setWebhook" if self.command == "webhook" else "getUpdates"
        is_ready = asyncio.ensure_future(
            self.emulator.wait_for(
                lambda call: call.method == ready and call.error is None,
                timeout=ready_timeout,
                since=since,
            )
        )
        # A process that exits before it is ready (a bad setting, a taken port) fails the start
        # at once instead of after the whole ready_timeout.
        exited = asyncio.ensure_future(self.proc.wait())
        await asyncio.wait({is_ready, exited}, return_when=asyncio.FIRST_COMPLETED)
        if not is_ready.done():
            is_ready.cancel()
            raise AssertionError(
                f"bot exited with code {exited.result()} before it was ready ({ready}):\n"
                f"{self.log_tail()}"
            )
        exited.cancel()
        try:
            is_ready.result()
        except AssertionError as exc:
            raise AssertionError(f"bot did not start ({ready}):\n{self.log_tail()}") from exc

    async def stop(self, *, timeout: float = 15.0) -> int:
        """SIGTERM and wait; returns the exit code."""
        return await self._signal(signal.SIGTERM, timeout)

    async def kill(self) -> int:
        """SIGKILL: the process dies at once, as in a crash."""
        return await self._signal(signal.SIGKILL, 10.0)

    async def restart(self) -> None:
        """Stop cleanly and start again."""
        await self.stop()
        await self.start()

    async def _signal(self, sig: signal.Signals, timeout: float) -> int:
        if self.proc is None or self.proc.returncode is not None:
            return self.proc.returncode if self.proc and self.proc.returncode is not None else 0
        self.proc.send_signal(sig)
        try:
            return await asyncio.wait_for(self.proc.wait(), timeout)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
            raise AssertionError(
                f"bot ignored {sig.name} for {timeout}s:\n{self.log_tail()}"
            ) from None

    def log_tail(self, lines: int = 40, *, since: int = 0) -> str:
        """The last lines the process printed (after byte `since` of its log, if given)."""
        with contextlib.suppress(FileNotFoundError):
            with self.log_path.open("rb") as log:
                log.seek(since)
                text = log.read().decode(errors="replace")
            return "\n".join(text.splitlines()[-lines:])
        return "(no log)"

    def log_size(self) -> int:
        """How many bytes the log holds now, for log_tail(since=)."""
        with contextlib.suppress(FileNotFoundError):
            return self.log_path.stat().st_size
        return 0

    @contextlib.contextmanager
    def log_on_failure(self, request: pytest.FixtureRequest) -> Iterator[None]:
        """Print what the process logged during a test, if that test failed."""
        since = self.log_size()
        yield
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            state = "running" if self.proc and self.proc.returncode is None else "exited"
            during = self.log_tail(80, since=since)
            if during.strip():
                print(f"----- bot log during the test (bot {state}) -----\n{during}")
            else:
                print(f"----- bot logged nothing during the test (bot {state}); before it -----")
                print(self.log_tail(40))


def sqlite_bot(
    emulator: BotApiEmulator,
    tmp_path: Path,
    *,
    command: str = "run",
    env: dict[str, str] | None = None,
) -> BotProcess:
    """A bot process (not started) on a fresh SQLite file in tmp_path."""
    return BotProcess(
        emulator,
        database_url=f"sqlite:///{tmp_path / 'bot.db'}",
        workdir=tmp_path,
        command=command,
        env=env,
    )


@contextlib.asynccontextmanager
async def running(process: BotProcess, request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Start the process, stop it afterwards, and print its log if the test failed."""
    await process.start()
    try:
        yield
    finally:
        code = await process.stop()
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            print(f"----- bot log (exit {code}) -----\n{process.log_tail(80)}")


@contextlib.asynccontextmanager
async def shared_process(
    workdir: Path, *, command: str = "run", env: dict[str, str] | None = None
) -> AsyncIterator[BotProcess]:
    """An emulator of its own and a started bot on a fresh SQLite file, for many tests."""
    async with BotApiEmulator() as emulator:
        process = sqlite_bot(emulator, workdir, command=command, env=env)
        await process.start()
        try:
            yield process
        finally:
            code = await process.stop()
            if code != 0:
                print(f"----- shared bot log (exit {code}) -----\n{process.log_tail(80)}")


def run_cli(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m nudgebot ARGS` with no NUDGEBOT_ variables but `env`; waits for the exit."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NUDGEBOT_")}
    return subprocess.run(
        [sys.executable, "-m", "nudgebot", *args],
        cwd=tmp_path,
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )
