"""The webhook's HTTP answers when the database is down: 503, so Telegram delivers again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.exc import OperationalError

from nudgebot.bot.intake.webhook import SECRET_HEADER, WebhookServer
from nudgebot.platform.db import create_engine, create_sessionmaker

SECRET = "s3cret"


class _Inbox:
    """Stands in for UpdateInbox: records updates, or fails like a database that is down."""

    def __init__(self, *, down: bool) -> None:
        self.down = down
        self.stored: list[dict[str, Any]] = []

    async def submit(self, updates: list[dict[str, Any]]) -> int:
        if self.down:
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        self.stored.extend(updates)
        return len(updates)


async def _client(url: str, inbox: _Inbox) -> tuple[TestClient[Any, Any], Any]:
    engine = create_engine(url)
    server = WebhookServer(
        inbox,  # type: ignore[arg-type]
        create_sessionmaker(engine),
        secret=SECRET,
        path="/hook",
    )
    client: TestClient[Any, Any] = TestClient(TestServer(server.application()))
    await client.start_server()
    return client, engine


async def test_an_update_the_database_cannot_store_gets_503_and_health_says_so() -> None:
    # Nothing listens on port 1: the database is "down".
    client, engine = await _client("postgresql+asyncpg://postgres@127.0.0.1:1/x", _Inbox(down=True))
    try:
        response = await client.post(
            "/hook", json={"update_id": 1}, headers={SECRET_HEADER: SECRET}
        )
        assert response.status == 503
        health = await client.get("/healthz")
        assert health.status == 503
        assert (await health.json())["status"] == "database unavailable"
    finally:
        await client.close()
        await engine.dispose()


async def test_a_healthy_database_and_a_stored_update_get_200(tmp_path: Path) -> None:
    inbox = _Inbox(down=False)
    client, engine = await _client(f"sqlite+aiosqlite:///{tmp_path / 'h.db'}", inbox)
    try:
        response = await client.post(
            "/hook", json={"update_id": 7}, headers={SECRET_HEADER: SECRET}
        )
        assert response.status == 200
        assert inbox.stored == [{"update_id": 7}]
        assert (await client.get("/healthz")).status == 200
    finally:
        await client.close()
        await engine.dispose()
