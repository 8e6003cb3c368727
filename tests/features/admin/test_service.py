from datetime import UTC, datetime, time

import pytest
from sqlalchemy import select

from nudgebot.content import load_catalog
from nudgebot.features.admin.service import AdminError, AdminService, Dropped, split_source
from nudgebot.features.tips.service import TipService
from nudgebot.platform.db import SessionMaker
from nudgebot.platform.models import AuditEntry, Outbox, User, UserTopic

ADMIN = 9000


@pytest.fixture
async def admin(sessionmaker: SessionMaker) -> AdminService:
    tips = TipService(sessionmaker, load_catalog())
    await tips.sync_library()
    now = datetime.now(UTC)
    async with sessionmaker.begin() as session:
        for uid, status, stress in [
            (1, "active", True),
            (2, "active", False),
            (3, "paused", True),
            (4, "stopped", True),
            (5, "blocked", True),
        ]:
            session.add(
                User(
                    id=uid,
                    chat_id=uid,
                    status=status,
                    timezone="UTC",
                    tip_time=time(8),
                    onboarded_at=now,
                )
            )
            chosen = ("food", "activity", "stress") if stress else ("food", "activity")
            session.add_all(UserTopic(user_id=uid, topic=topic) for topic in chosen)
    return AdminService(sessionmaker, tips, frozenset({ADMIN}), send_rate=25)


def test_only_listed_ids_are_admins(admin: AdminService) -> None:
    assert admin.is_admin(ADMIN)
    assert not admin.is_admin(1) and not admin.is_admin(None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Walk.\nSource: WHO", ("Walk.", "WHO")),
        ("Walk.\n\nsource: WHO  ", ("Walk.", "WHO")),
        ("Walk.\n  SOURCE : WHO", ("Walk.", "WHO")),
        ("Walk.\nSources: WHO; NIH", ("Walk.", "WHO; NIH")),
        ("Source: WHO", ("", "WHO")),
        ("Walk.\nSource:", ("Walk.", None)),
        ("Walk.", ("Walk.", None)),
        ("Source: WHO\nWalk.", ("Source: WHO\nWalk.", None)),
        ("Sources of magnesium: nuts", ("Sources of magnesium: nuts", None)),
    ],
)
def test_a_last_source_line_becomes_the_credit_and_leaves_the_text(
    text: str, expected: tuple[str, str | None]
) -> None:
    assert split_source(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Camina.\nFuente: OMS", ("Camina.", "OMS")),
        ("Camina.\nfuentes: OMS; NIH", ("Camina.", "OMS; NIH")),
        ("Гуляйте.\nИсточник: ВОЗ", ("Гуляйте.", "ВОЗ")),
        ("Гуляйте.\nисточник : ВОЗ", ("Гуляйте.", "ВОЗ")),
        ("Walk.\nSource: WHO", ("Walk.", "WHO")),
        ("Fuentes de magnesio: nueces", ("Fuentes de magnesio: nueces", None)),
    ],
)
def test_every_languages_source_label_is_read(text: str, expected: tuple[str, str | None]) -> None:
    assert split_source(text, ("Source", "Fuente", "Источник")) == expected


async def test_broadcast_reaches_active_subscribers_of_the_audience_only(
    admin: AdminService, sessionmaker: SessionMaker
) -> None:
    await admin.start_broadcast(ADMIN)
    await admin.broadcast_message(ADMIN, {"text": "Hello", "entities": []})
    await admin.broadcast_languages_done(ADMIN)
    info = await admin.broadcast_audience(ADMIN, "stress")
    assert (info.recipients, info.skipped_blocked) == (1, 1)
    broadcast = await admin.broadcast_confirm(ADMIN, ADMIN)
    async with sessionmaker() as session:
        rows = list((await session.execute(select(Outbox))).scalars())
        actions = [a.action for a in (await session.execute(select(AuditEntry))).scalars()]
    assert [(r.user_id, r.key, r.broadcast_id) for r in rows] == [
        (1, f"broadcast:{broadcast.id}:1", broadcast.id)
    ]
    assert actions == ["broadcast"]
    assert await admin.draft(ADMIN) is None


async def test_steps_out_of_order_are_refused(admin: AdminService) -> None:
    with pytest.raises(AdminError):
        await admin.broadcast_confirm(ADMIN, ADMIN)
    await admin.start_broadcast(ADMIN)
    with pytest.raises(AdminError):
        await admin.broadcast_audience(ADMIN, "everyone")


async def test_stopping_cancels_what_is_queued(admin: AdminService) -> None:
    await admin.start_broadcast(ADMIN)
    await admin.broadcast_message(ADMIN, {"text": "Hello", "entities": []})
    await admin.broadcast_languages_done(ADMIN)
    await admin.broadcast_audience(ADMIN, "all")
    broadcast = await admin.broadcast_confirm(ADMIN, ADMIN)
    stopped = await admin.stop_broadcast(ADMIN, broadcast.id)
    assert stopped is not None and stopped.broadcast.cancelled == 2
    assert await admin.stop_broadcast(ADMIN, broadcast.id) is None
    (recent,) = await admin.recent()
    assert recent.broadcast.state == "stopped" and recent.cancelled == 2


async def test_a_new_tip_is_validated_and_saved_with_its_author(admin: AdminService) -> None:
    await admin.start_addtip(ADMIN)
    await admin.addtip_topic(ADMIN, "food")
    with pytest.raises(AdminError, match="tip_too_long"):
        await admin.addtip_text(ADMIN, "x" * 501, "team")
    preview = await admin.addtip_text(ADMIN, "Add beans to soup.\nsource: USDA", "team")
    assert preview.text.count("Source:") == 1 and preview.text.endswith("Source: USDA")
    assert "team" not in preview.text
    tip = await admin.addtip_save(ADMIN)
    assert (tip.id, tip.origin, tip.author_id, tip.enabled) == ("admin-0001", "admin", ADMIN, True)
    rows, _, _, total = await admin.list_tips("beans to soup", 0)
    assert total == 1 and rows[0].id == "admin-0001"


async def test_the_preview_prices_a_paid_broadcast_only_when_the_host_allows_it(
    admin: AdminService, sessionmaker: SessionMaker
) -> None:
    await admin.start_broadcast(ADMIN)
    await admin.broadcast_message(ADMIN, {"text": "Hello", "entities": []})
    await admin.broadcast_languages_done(ADMIN)
    info = await admin.broadcast_audience(ADMIN, "all")
    assert (info.recipients, info.seconds) == (2, 1)
    assert info.paid_seconds is None and info.paid_stars is None
    with pytest.raises(AdminError):
        await admin.broadcast_confirm(ADMIN, ADMIN, paid=True)


async def test_a_paid_broadcast_marks_every_copy_paid_and_reports_stars_spent(
    sessionmaker: SessionMaker, admin: AdminService
) -> None:
    paid = AdminService(sessionmaker, admin._tips, frozenset({ADMIN}), send_rate=25, paid_rate=500)
    await paid.start_broadcast(ADMIN)
    await paid.broadcast_message(ADMIN, {"text": "Hello", "entities": []})
    await paid.broadcast_languages_done(ADMIN)
    info = await paid.broadcast_audience(ADMIN, "all")
    assert (info.paid_seconds, info.paid_stars) == (1, 0.2)
    broadcast = await paid.broadcast_confirm(ADMIN, ADMIN, paid=True)
    async with sessionmaker.begin() as session:
        rows = list((await session.execute(select(Outbox))).scalars())
        assert [r.paid for r in rows] == [True, True]
        rows[0].state = "sent"
    (progress,) = await paid.progress()
    assert progress.broadcast.paid and progress.stars_spent == 0.1
    audit = await _audit_details(sessionmaker)
    assert audit[-1]["paid"] is True and audit[-1]["broadcast"] == broadcast.id


async def test_a_tip_without_a_source_line_gets_the_default_source(admin: AdminService) -> None:
    await admin.start_addtip(ADMIN)
    await admin.addtip_topic(ADMIN, "food")
    preview = await admin.addtip_text(ADMIN, "Add beans to soup.", "team")
    assert preview.text.endswith("Source: team")
    tip = await admin.addtip_save(ADMIN)
    assert (tip.text, tip.source) == ("Add beans to soup.", "team")


async def test_a_source_line_alone_is_an_empty_tip(admin: AdminService) -> None:
    await admin.start_addtip(ADMIN)
    await admin.addtip_topic(ADMIN, "food")
    with pytest.raises(AdminError, match="tip_empty"):
        await admin.addtip_text(ADMIN, "Source: USDA", "team")


async def test_cancelling_a_saved_tips_broadcast_says_the_tip_stays(
    admin: AdminService, sessionmaker: SessionMaker
) -> None:
    await admin.start_addtip(ADMIN)
    await admin.addtip_topic(ADMIN, "stress")
    await admin.addtip_text(ADMIN, "Breathe out slowly.\nSource: NIH", "team")
    tip = await admin.addtip_save(ADMIN)
    await admin.broadcast_tip(ADMIN, tip.id)
    assert await admin.cancel(ADMIN) == Dropped("broadcast", saved_tip=tip.id)
    assert await admin.cancel(ADMIN) is None
    rows, _, _, _ = await admin.list_tips("breathe out slowly", 0)
    assert [(r.id, r.enabled) for r in rows] == [(tip.id, True)]
    async with sessionmaker() as session:
        assert list((await session.execute(select(Outbox))).scalars()) == []


async def test_cancelling_a_plain_broadcast_names_no_tip(admin: AdminService) -> None:
    await admin.start_broadcast(ADMIN)
    await admin.broadcast_message(ADMIN, {"text": "Hello", "entities": []})
    await admin.broadcast_languages_done(ADMIN)
    assert await admin.cancel(ADMIN) == Dropped("broadcast", saved_tip=None)


async def test_stats_count_everyone_by_status(admin: AdminService) -> None:
    stats = await admin.stats(ADMIN)
    assert stats.total == 5
    assert stats.by_status == {"active": 2, "paused": 1, "stopped": 1, "blocked": 1}


async def _audit_details(sm: SessionMaker) -> list[dict[str, object]]:
    async with sm() as session:
        return [dict(a.detail) for a in (await session.execute(select(AuditEntry))).scalars()]
