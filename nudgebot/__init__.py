"""nudgebot: a calm Telegram bot for heart-healthy eating and living."""

__version__ = "0.1.0"
