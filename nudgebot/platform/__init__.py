"""The Telegram-free kernel every feature builds on (today: the clock)."""
