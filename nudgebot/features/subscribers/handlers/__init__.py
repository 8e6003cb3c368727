"""Handlers."""

from __future__ import annotations

from typing import Any

from nudgebot.bot.context import add_buttons, add_commands
from nudgebot.features.subscribers.handlers import account, language, onboarding, settings
from nudgebot.platform import callbacks


def register(application: Any) -> None:
    """Onboarding, /settings, /language, pause, resume, stop and /help."""
    add_commands(
        application,
        {
            "start": onboarding.start,
            "settings": settings.show_settings,
            "pause": account.pause_command,
            "resume": account.resume_command,
            "language": language.language_command,
            "stop": account.stop_command,
            "help": account.help_command,
        },
    )
    add_buttons(
        application,
        [
            (onboarding.question_button, (callbacks.OnboardingAnswer,)),
            (settings.settings_button, callbacks.SETTINGS_BUTTONS),
            (language.language_button, callbacks.LANGUAGE_BUTTONS),
            (account.pause_button, (callbacks.Pause,)),
        ],
    )
