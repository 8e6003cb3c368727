"""/mydata and /forget at the store: every row about a person, and nothing else, in every table."""

from __future__ import annotations

import json
from datetime import date, time

from sqlalchemy import select

from nudgebot.bot.intake import inbox_repo
from nudgebot.content import load_content
from nudgebot.features.privacy.service import PrivacyService
from nudgebot.platform.db import SessionMaker
from nudgebot.platform.models import (
    AdminDraft,
    AuditEntry,
    Base,
    Checkin,
    Outbox,
    Tip,
    TipFeedback,
    TipLog,
    User,
    UserTopic,
)

PERSON = 918_273_645  # distinctive, so a leftover shows up anywhere it hides
OTHER = 555_000_111


def _service(sessionmaker: SessionMaker) -> PrivacyService:
    return PrivacyService(sessionmaker, {"en": load_content().replies.privacy.retention})


def _message(update_id: int, user_id: int, text: str) -> dict[str, object]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 0,
            "text": text,
            "chat": {"id": user_id, "type": "private"},
            "from": {"id": user_id, "is_bot": False, "first_name": "A"},
        },
    }


async def _seed(sessionmaker: SessionMaker, user_id: int, first_update: int) -> None:
    async with sessionmaker.begin() as session:
        tip = (await session.execute(select(Tip).where(Tip.id == "t-privacy"))).scalar()
        if tip is None:
            tip = Tip(
                id="t-privacy", topic="food", text="Eat greens.", source="NIH", origin="library"
            )
            session.add(tip)
            await session.flush()
        session.add(
            User(
                id=user_id,
                chat_id=user_id,
                status="active",
                timezone="Europe/Berlin",
                tip_time=time(8, 0),
                age_band="31-50",
                sex="female",
            )
        )
        session.add_all(UserTopic(user_id=user_id, topic=topic) for topic in ("stress", "food"))
        session.add(
            Checkin(
                user_id=user_id,
                update_id=first_update,
                local_date=date(2026, 11, 24),
                items=[{"food": "almonds", "mg": 76.5}],
                total_mg=76.5,
            )
        )
        session.add(TipLog(user_id=user_id, tip_num=tip.num, kind="daily", local_date=date.today()))
        session.add(TipFeedback(user_id=user_id, tip_num=tip.num, kind="helpful"))
        session.add(
            Outbox(
                key=f"tip:{user_id}:2026-11-24",
                kind="tip",
                user_id=user_id,
                chat_id=user_id,
                payload={"text": "Eat greens."},
                state="queued",
            )
        )
        session.add(AdminDraft(admin_id=user_id, kind="addtip", step="text", data={}))
        session.add(AuditEntry(admin_id=user_id, action="denied", detail={"attempt": "/broadcast"}))
        await inbox_repo.store_updates(
            session,
            updates=[
                _message(first_update, user_id, "oatmeal with almonds"),
                _message(first_update + 1, user_id, "/forget"),
            ],
        )


async def _everything(sessionmaker: SessionMaker) -> dict[str, list[str]]:
    """Every row of every table, as text."""
    dump: dict[str, list[str]] = {}
    async with sessionmaker() as session:
        for table in Base.metadata.sorted_tables:
            rows = (await session.execute(select(table))).all()
            dump[table.name] = [json.dumps([str(v) for v in row]) for row in rows]
    return dump


async def test_forget_leaves_no_row_about_the_person_in_any_table(
    sessionmaker: SessionMaker,
) -> None:
    await _seed(sessionmaker, PERSON, 100)
    await _seed(sessionmaker, OTHER, 200)
    before = await _everything(sessionmaker)
    assert any(str(PERSON) in row for rows in before.values() for row in rows)

    counts = await _service(sessionmaker).forget(PERSON)

    assert counts["users"] == 1 and counts["checkins"] == 1 and counts["inbox"] == 2
    assert counts["user_topics"] == 2
    after = await _everything(sessionmaker)
    for table, rows in after.items():
        leftovers = [row for row in rows if str(PERSON) in row]
        assert leftovers == [], f"{table} still holds rows about the person: {leftovers}"
    # Everyone else's rows are untouched.
    for table, rows in before.items():
        others = [row for row in rows if str(OTHER) in row]
        assert [row for row in after[table] if str(OTHER) in row] == others, table


async def test_forget_keeps_an_admins_real_actions_in_the_audit_log(
    sessionmaker: SessionMaker,
) -> None:
    async with sessionmaker.begin() as session:
        session.add(AuditEntry(admin_id=PERSON, action="broadcast", detail={"id": 1}))
    await _service(sessionmaker).forget(PERSON)
    async with sessionmaker() as session:
        actions = (await session.execute(select(AuditEntry.action))).scalars().all()
    assert actions == ["broadcast"]


async def test_export_holds_every_kind_of_row_about_the_person_and_none_of_others(
    sessionmaker: SessionMaker,
) -> None:
    await _seed(sessionmaker, PERSON, 100)
    await _seed(sessionmaker, OTHER, 200)
    data = json.loads(await _service(sessionmaker).export_json(PERSON))
    assert data["telegram_user_id"] == PERSON
    assert data["profile_and_preferences"]["timezone"] == "Europe/Berlin"
    assert data["profile_and_preferences"]["tip_time"] == "08:00:00"
    assert [t["topic"] for t in data["topics"]] == ["food", "stress"]
    assert "topics" in data["how_long_each_part_is_kept"]
    assert data["checkins"][0]["total_mg"] == 76.5
    assert data["tips_received"][0]["tip_id"] == "t-privacy"
    assert data["tips_received"][0]["text"] == "Eat greens."
    assert data["tip_feedback"] == [
        {"tip_id": "t-privacy", "kind": "helpful", "at": data["tip_feedback"][0]["at"]}
    ]
    assert data["messages_queued_or_sent"][0]["payload"] == {"text": "Eat greens."}
    kept = data["updates_kept_for_crash_recovery"]
    assert [u["payload"]["message"]["text"] for u in kept] == ["oatmeal with almonds", "/forget"]
    assert data["admin_drafts"][0]["kind"] == "addtip"
    assert set(data["how_long_each_part_is_kept"]) <= set(data)
    assert str(OTHER) not in json.dumps(data)


async def test_export_of_someone_never_seen_is_empty_not_an_error(
    sessionmaker: SessionMaker,
) -> None:
    data = await _service(sessionmaker).export(424242)
    assert data["profile_and_preferences"] is None
    assert data["topics"] == []
    assert data["checkins"] == [] and data["updates_kept_for_crash_recovery"] == []
