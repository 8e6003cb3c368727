"""Telegram's message size limit: 4096 characters (callback data: nudgebot.platform.callbacks)."""

from __future__ import annotations

MAX_MESSAGE_CHARS = 4096


def split_message(text: str, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Split a long text into messages of at most `limit` characters, at line breaks.

    A single line longer than the limit is split at the last space before it, and a word longer
    than the limit (no space at all) is cut. Nothing is lost but the break characters.
    """
    if limit <= 0:
        raise ValueError("limit must be positive")
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        current = ""
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit + 1)
            if cut <= 0:
                cut = limit
            parts.append(line[:cut])
            line = line[cut:].lstrip(" ")
        current = line
    if current:
        parts.append(current)
    return [p for p in parts if p.strip()] or [text[:limit]]
