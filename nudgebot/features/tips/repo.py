"""Repository functions for tips, the tips people were given, and their feedback."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import cast

from sqlalchemy import Table, bindparam, insert, literal, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from nudgebot.platform import bulk, locks
from nudgebot.platform.clock import utcnow
from nudgebot.platform.models import Tip, TipFeedback, TipLog, TipTranslation


@dataclass(frozen=True, slots=True)
class LibraryTip:
    """A tip as the library file describes it."""

    id: str
    topic: str
    text: str
    source: str
    see_professional: bool
    # language -> (text, source) in the languages other than English that have this tip
    translations: Mapping[str, tuple[str, str]] = field(default_factory=dict)


async def sync_library(session: AsyncSession, *, tips: Sequence[LibraryTip]) -> tuple[int, int]:
    """Upsert library tips by id; library tips gone from the file are disabled.

    Returns (added, disabled). Admin tips are never touched, and a library tip an admin switched
    off stays off while its text is unchanged.
    """
    if session.get_bind().dialect.name == "postgresql":
        # Several processes starting at once: one syncs, the others wait for it here and then
        # find every tip in place (without the lock, both insert the same ids and one start fails).
        await session.execute(
            text("SELECT pg_advisory_xact_lock(:k)"), {"k": locks.TIP_LIBRARY_LOCK}
        )
    existing = {
        t.id: t
        for t in (await session.execute(select(Tip).where(Tip.origin == "library"))).scalars()
    }
    added = 0
    for tip in tips:
        row = existing.pop(tip.id, None)
        if row is None:
            session.add(
                Tip(
                    id=tip.id,
                    topic=tip.topic,
                    text=tip.text,
                    source=tip.source,
                    see_professional=tip.see_professional,
                    origin="library",
                    enabled=True,
                )
            )
            added += 1
            continue
        if (row.topic, row.text, row.source, row.see_professional) != (
            tip.topic,
            tip.text,
            tip.source,
            tip.see_professional,
        ):
            row.topic, row.text, row.source = tip.topic, tip.text, tip.source
            row.see_professional = tip.see_professional
    for gone in existing.values():
        gone.enabled = False
    await session.flush()
    await _sync_translations(session, tips)
    return added, len(existing)


async def _sync_translations(session: AsyncSession, tips: Sequence[LibraryTip]) -> None:
    """Make tip_texts hold exactly the library's translations (written only where changed)."""
    nums = {
        tip_id: num
        for tip_id, num in await session.execute(
            select(Tip.id, Tip.num).where(Tip.origin == "library")
        )
    }
    wanted = {
        (nums[tip.id], language): pair
        for tip in tips
        if tip.id in nums
        for language, pair in tip.translations.items()
    }
    rows = await session.execute(
        select(TipTranslation)
        .join(Tip, Tip.num == TipTranslation.tip_num)
        .where(Tip.origin == "library")
    )
    for row in rows.scalars():
        pair = wanted.pop((row.tip_num, row.language), None)
        if pair is None:
            await session.delete(row)
        elif (row.text, row.source) != pair:
            row.text, row.source = pair
    for (num, language), (text_, source) in wanted.items():
        session.add(TipTranslation(tip_num=num, language=language, text=text_, source=source))
    await session.flush()


async def set_translations(
    session: AsyncSession, *, tip_num: int, translations: Mapping[str, tuple[str, str]]
) -> None:
    """An admin's tip in more languages (English stays in tips.text)."""
    for language, (text_, source) in translations.items():
        session.add(TipTranslation(tip_num=tip_num, language=language, text=text_, source=source))
    await session.flush()


async def enabled_tips(session: AsyncSession) -> list[Tip]:
    """Every tip in rotation."""
    stmt = select(Tip).where(Tip.enabled.is_(True)).order_by(Tip.num)
    return list((await session.execute(stmt)).scalars())


@dataclass(frozen=True, slots=True)
class TipText:
    """What the scheduler needs of a tip in rotation, in every language it exists in."""

    num: int
    topic: str
    text: str
    source: str
    # language -> (text, source) beyond English; a language without one never gets this tip
    translations: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    def speaks(self, language: str) -> bool:
        """The tip exists in this language (English always)."""
        return language == "en" or language in self.translations

    def in_language(self, language: str) -> tuple[str, str]:
        """(text, source) in the language, English when it has no translation."""
        return self.translations.get(language) or (self.text, self.source)


async def enabled_tip_texts(session: AsyncSession) -> list[TipText]:
    """Every tip in rotation as plain rows (the scheduler reads them every pass)."""
    tips = cast(Table, Tip.__table__)
    stmt = (
        select(tips.c.num, tips.c.topic, tips.c.text, tips.c.source)
        .where(tips.c.enabled.is_(True))
        .order_by(tips.c.num)
    )
    translations: dict[int, dict[str, tuple[str, str]]] = {}
    texts = cast(Table, TipTranslation.__table__).c
    for num, language, text_, source in await session.execute(
        select(texts.tip_num, texts.language, texts.text, texts.source)
    ):
        translations.setdefault(num, {})[language] = (text_, source)
    return [
        TipText(num, topic, text_, source, translations.get(num, {}))
        for num, topic, text_, source in await session.execute(stmt)
    ]


async def get_tip(session: AsyncSession, *, num: int) -> Tip | None:
    """One tip by its number."""
    return await session.get(Tip, num)


async def get_tip_by_id(session: AsyncSession, *, tip_id: str) -> Tip | None:
    """One tip by its stable id."""
    return (await session.execute(select(Tip).where(Tip.id == tip_id))).scalar_one_or_none()


async def set_enabled(session: AsyncSession, *, tip_id: str, enabled: bool) -> bool:
    """Take a tip out of rotation or back; False if no such tip."""
    result = await session.execute(update(Tip).where(Tip.id == tip_id).values(enabled=enabled))
    return bool(getattr(result, "rowcount", 0))


_LOGGED = ("user_id", "tip_num", "kind", "local_date")


async def log_tips(
    session: AsyncSession, *, rows: Iterable[tuple[int, int, str, date | None]]
) -> None:
    """Record tips given: (user_id, tip_num, kind, local_date)."""
    given = [dict(zip(_LOGGED, row, strict=True)) for row in rows]
    if not given:
        return
    log = cast(Table, TipLog.__table__)
    now = utcnow()
    if session.get_bind().dialect.name == "postgresql":
        source = bulk.unnest({c: (log.c[c].type, [r[c] for r in given]) for c in _LOGGED})
        columns = select(*(source.c[c] for c in _LOGGED), literal(now, log.c.created_at.type))
        await session.execute(insert(log).from_select([*_LOGGED, "created_at"], columns))
        return
    stmt = insert(log).values(
        {**{c: bindparam(c, type_=log.c[c].type) for c in _LOGGED}, "created_at": now}
    )
    await bulk.executemany(session, stmt, given)


async def add_feedback(session: AsyncSession, *, user_id: int, tip_num: int, kind: str) -> bool:
    """Store feedback once; False when it was already there."""
    dialect = session.get_bind().dialect.name
    upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        upsert(TipFeedback)
        .values(user_id=user_id, tip_num=tip_num, kind=kind, created_at=utcnow())
        .on_conflict_do_nothing()
        .returning(TipFeedback.tip_num)
    )
    return (await session.execute(stmt)).first() is not None
