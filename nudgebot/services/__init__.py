"""Use cases, Telegram-free; each function owns its transaction."""
