"""The message router: what a message is, decided once (see router.py)."""
