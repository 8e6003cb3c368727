"""Thin python-telegram-bot glue: read the update, call a service, render a reply."""
