"""When the database fails mid-update, an emergency or a crisis is still answered in full."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError
from telegram import Update

from nudgebot.bot.lifecycle import started_bot
from nudgebot.config import Settings
from nudgebot.features.subscribers.service import Subscriber, SubscriberService
from tests.test_fuzz_updates import FakeTelegram

ADA = 4242


def _text_update(update_id: int, text: str) -> dict[str, object]:
    user = {"id": ADA, "is_bot": False, "first_name": "Ada"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": ADA, "type": "private", "first_name": "Ada"},
            "from": user,
            "text": text,
        },
    }


@pytest.fixture
def database_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every subscriber lookup fails as a locked or unreachable database would."""

    async def unreachable(self: SubscriberService, user_id: int) -> Subscriber | None:
        raise OperationalError("SELECT users", {}, Exception("database is locked"))

    monkeypatch.setattr(SubscriberService, "get", unreachable)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("crushing chest pain and my left arm is numb", "emergency number"),
        ("i have my pills saved up and tonight i want to end it", "988"),
        ("oatmeal with almonds", "can't reach my notebook"),
    ],
)
async def test_urgent_messages_are_answered_even_when_the_database_is_down(
    tmp_path: Path, database_fails: None, text: str, expected: str
) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'down.db'}",
        reply_rate_limit=False,
        _env_file=None,  # type: ignore[call-arg]
    )
    fake = FakeTelegram()
    async with started_bot(settings, token="999:down", request=fake) as bot:
        app = bot.application
        await app.process_update(Update.de_json(_text_update(1, text), app.bot))
    replies = [sent for chat, sent in fake.texts if chat == ADA]
    assert len(replies) == 1 and expected in replies[0]
