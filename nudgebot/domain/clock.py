"""Parse the local time of day a person types for their daily tip."""

from __future__ import annotations

import re
from datetime import time

_TIME = re.compile(
    r"^(?P<h>\d{1,2})(?:\s*[:.h]\s*(?P<m>\d{2}))?\s*(?P<ampm>[ap]\.?\s*m\.?)?$", re.IGNORECASE
)


def parse_time_of_day(text: str) -> time | None:
    """Recognise '8:30', '08:30', '8.30', '20h15', '8:30pm', '8 pm', '7'; None otherwise."""
    raw = text.strip().casefold()
    if raw in {"noon", "midday"}:
        return time(12, 0)
    m = _TIME.match(raw)
    if m is None:
        return None
    hour, minute = int(m["h"]), int(m["m"] or 0)
    if minute > 59:
        return None
    if m["ampm"]:
        if not 1 <= hour <= 12:
            return None
        pm = m["ampm"].startswith("p")
        hour = hour % 12 + (12 if pm else 0)
    elif hour > 23:
        return None
    return time(hour, minute)


def format_time(value: time) -> str:
    """24-hour HH:MM, the one way the bot shows a tip time."""
    return f"{value.hour:02d}:{value.minute:02d}"
