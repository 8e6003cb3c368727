"""The bot's one clock: every "now" the bot acts on (due tips, stored instants, local dates).

`NUDGEBOT_CLOCK_OFFSET_SECONDS` shifts it, for tests only: an end-to-end test starts the bot a
few seconds before a minute turns instead of waiting for a real minute. The variable is read
here and nowhere else, once per process. Telegram's own timestamps (message dates) and the
monotonic clocks that pace sends are not shifted.
"""

from __future__ import annotations

import math
import os
from datetime import UTC, datetime, timedelta
from functools import cache

OFFSET_VARIABLE = "NUDGEBOT_CLOCK_OFFSET_SECONDS"
# A test needs seconds; a year is far enough to catch a typo (a timestamp given as an offset).
MAX_OFFSET_SECONDS = 366 * 24 * 3600


def parse_offset(raw: str | None) -> timedelta:
    """The shift a value of NUDGEBOT_CLOCK_OFFSET_SECONDS asks for; none when unset or blank."""
    if raw is None or not raw.strip():
        return timedelta(0)
    try:
        seconds = float(raw)
    except ValueError:
        raise ValueError(f"{OFFSET_VARIABLE}: {raw!r} is not a number of seconds") from None
    if not math.isfinite(seconds) or abs(seconds) > MAX_OFFSET_SECONDS:
        raise ValueError(f"{OFFSET_VARIABLE}: {raw!r} is more than a year either way")
    return timedelta(seconds=seconds)


@cache
def offset() -> timedelta:
    """How far this process's clock runs ahead of the real one (behind when negative)."""
    return parse_offset(os.environ.get(OFFSET_VARIABLE))


def utcnow() -> datetime:
    """The current instant, aware, in UTC."""
    return datetime.now(UTC) + offset()
