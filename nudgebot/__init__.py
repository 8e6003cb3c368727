"""nudgebot: a calm Telegram bot for heart-healthy eating and living."""

import os

# python-telegram-bot 22 gives RetryAfter.retry_after as a timedelta when opted in; the int form
# is deprecated. Set before telegram is imported anywhere in the process.
os.environ.setdefault("PTB_TIMEDELTA", "1")

__version__ = "0.1.0"
