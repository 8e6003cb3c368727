"""Check-in throughput benchmark (not a test): updates through the real Application, in-process.

    .venv/bin/python -m bench.checkins            # 2,000 check-ins from 200 people, SQLite

The Application is the bot's own (every handler, the real services, a SQLite file); only the Bot
API is answered in-process (the console's request class, printing nothing), so the figures are
the bot's own handling cost. Reports check-ins per second, handled one after another and 32 at a
time through the update inbox (stored first, as in production), with p50/p95 handling times.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from telegram import Update

from nudgebot.bot.intake.console import ConsoleRequest
from nudgebot.bot.lifecycle import started_bot
from nudgebot.config import load_settings

MEALS = [
    "oatmeal with almonds and a banana",
    "2 slices whole wheat toast, peanut butter",
    "½ cup spinach, 100 g salmon",
    "a handful of cashews",
    "dal and rice",
    "greek yogurt with blueberries and walnuts",
    "a bowl of quinoa, black beans and salsa",
    "two eggs and avocado toast",
    "3 squares of dark chocolate and a coffee",
    "1 apple",
]


def message(update_id: int, user_id: int, text: str) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "text": text,
            "chat": {"id": user_id, "type": "private", "first_name": "B"},
            "from": {"id": user_id, "is_bot": False, "first_name": "B"},
        },
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--checkins", type=int, default=2000)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="nudgebot-bench-"))
    # The reply rate limiter (Telegram's 30 msg/s) is off: this measures the bot's own cost.
    settings = load_settings(
        database_url=f"sqlite:///{workdir / 'bench.db'}", tick_seconds=60, reply_rate_limit=False
    )
    request = ConsoleRequest(user_id=1, first_name="B", out=lambda _line: None)
    ids = itertools.count(1)
    rng = random.Random(7)
    async with started_bot(settings, token="1:bench", request=request) as bot:
        app = bot.application
        # onboard everyone with the real handlers
        for user in range(1000, 1000 + args.people):
            for text in ("/start", "UTC", "08:00"):
                await app.process_update(Update.de_json(message(next(ids), user, text), app.bot))
            for data in ("ob:topics:done", "ob:profile:skip"):
                raw = {
                    "update_id": next(ids),
                    "callback_query": {
                        "id": str(next(ids)),
                        "chat_instance": "b",
                        "data": data,
                        "from": {"id": user, "is_bot": False, "first_name": "B"},
                        "message": message(next(ids), user, "q")["message"],
                    },
                }
                await app.process_update(Update.de_json(raw, app.bot))
        updates = [
            message(next(ids), rng.randrange(1000, 1000 + args.people), rng.choice(MEALS))
            for _ in range(args.checkins)
        ]
        # one after another, through Application.process_update
        latencies = []
        started = time.perf_counter()
        for raw in updates[: args.checkins // 2]:
            t0 = time.perf_counter()
            await app.process_update(Update.de_json(raw, app.bot))
            latencies.append((time.perf_counter() - t0) * 1000)
        sequential_rate = len(latencies) / (time.perf_counter() - started)
        # through the inbox: stored first, then handled, many people at once
        rest = updates[args.checkins // 2 :]
        started = time.perf_counter()
        for start in range(0, len(rest), 32):
            await bot.inbox.submit(rest[start : start + 32])
        await bot.inbox.wait_idle(300)
        inbox_rate = len(rest) / (time.perf_counter() - started)
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    print(
        f"check-ins, one after another   {sequential_rate:7.0f} /s   "
        f"p50 {statistics.median(latencies):5.1f} ms   p95 {p95:5.1f} ms"
    )
    print(f"check-ins through the inbox    {inbox_rate:7.0f} /s   (stored first, 32 per batch)")


if __name__ == "__main__":
    asyncio.run(main())
