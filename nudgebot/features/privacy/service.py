"""Data rights: a person's copy of everything kept about them (/mydata), and erasure (/forget)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from nudgebot.features.privacy import repo as privacy_repo
from nudgebot.platform.clock import utcnow
from nudgebot.platform.db import SessionMaker


class PrivacyService:
    """What a person may ask about their own data."""

    def __init__(
        self, sessionmaker: SessionMaker, retention: Mapping[str, Mapping[str, str]]
    ) -> None:
        self._sm = sessionmaker
        self._retention = retention  # language -> part of the export -> how long it is kept

    async def export(self, user_id: int, language: str = "en") -> dict[str, Any]:
        """Everything kept about the person, with what each part is and how long it stays
        (said in their language)."""
        async with self._sm() as session:
            data = await privacy_repo.export_user(session, user_id=user_id)
        return {
            "telegram_user_id": user_id,
            "exported_at": utcnow().isoformat(),
            "how_long_each_part_is_kept": dict(
                self._retention.get(language) or self._retention["en"]
            ),
            **data,
        }

    async def export_json(self, user_id: int, language: str = "en") -> bytes:
        """The export as an indented UTF-8 JSON document."""
        data = await self.export(user_id, language)
        return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")

    async def forget(self, user_id: int) -> dict[str, int]:
        """Erase every row about the person in one transaction; rows deleted per table."""
        async with self._sm.begin() as session:
            return await privacy_repo.erase_user(session, user_id=user_id)
