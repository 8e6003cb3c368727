"""The clock: one "now" for the whole bot, shifted only by the test variable."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nudgebot.cli import cli
from nudgebot.features.subscribers.timezones import local_now
from nudgebot.platform import clock, models


@pytest.fixture
def offset_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Set NUDGEBOT_CLOCK_OFFSET_SECONDS for one test; the cached offset is re-read around it."""
    clock.offset.cache_clear()
    yield monkeypatch
    monkeypatch.delenv(clock.OFFSET_VARIABLE, raising=False)
    clock.offset.cache_clear()


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [(None, 0.0), ("", 0.0), ("  ", 0.0), ("50", 50.0), ("-12.5", -12.5), (" 3 ", 3.0)],
)
def test_parse_offset_reads_seconds_either_way(raw: str | None, seconds: float) -> None:
    assert clock.parse_offset(raw) == timedelta(seconds=seconds)


@pytest.mark.parametrize("raw", ["soon", "1e12", "nan", "inf", "10s"])
def test_parse_offset_refuses_what_is_not_a_small_number_of_seconds(raw: str) -> None:
    with pytest.raises(ValueError, match="NUDGEBOT_CLOCK_OFFSET_SECONDS"):
        clock.parse_offset(raw)


def test_without_the_variable_the_clock_is_the_real_one(offset_env: pytest.MonkeyPatch) -> None:
    offset_env.delenv(clock.OFFSET_VARIABLE, raising=False)
    before = datetime.now(UTC)
    now = clock.utcnow()
    assert before <= now <= datetime.now(UTC)
    assert now.tzinfo is UTC


def test_the_offset_moves_every_now_the_bot_takes(offset_env: pytest.MonkeyPatch) -> None:
    offset_env.setenv(clock.OFFSET_VARIABLE, "-3600")
    shifted = datetime.now(UTC) - timedelta(hours=1)
    # What a new row is stamped with: SQLAlchemy calls the column default with its context.
    row_stamp = models.User.__table__.c.created_at.default.arg(None)
    for now in (clock.utcnow(), row_stamp, local_now("Asia/Kathmandu")):
        assert abs(now - shifted) < timedelta(seconds=5)


def test_a_bad_offset_stops_the_start_with_a_line_naming_it(
    offset_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    offset_env.chdir(tmp_path)  # no .env, and nothing is created if the check were skipped
    offset_env.setenv(clock.OFFSET_VARIABLE, "soon")
    result = CliRunner().invoke(cli, ["migrate"])
    assert result.exit_code == 2
    assert "invalid configuration: NUDGEBOT_CLOCK_OFFSET_SECONDS" in result.output
    assert list(tmp_path.iterdir()) == []
