"""The Telegram edge: the Application, start and stop, intake (polling, webhook, console) and
the outbox sender."""
