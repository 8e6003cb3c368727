"""Settings from environment variables (prefix NUDGEBOT_) and an optional .env file."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from functools import lru_cache
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_BOT_API_URL = "https://api.telegram.org/bot"
DEFAULT_BOT_FILE_API_URL = "https://api.telegram.org/file/bot"


class Settings(BaseSettings):
    """Everything the bot can be configured with; see .env.example for the meaning of each."""

    model_config = SettingsConfigDict(
        env_prefix="NUDGEBOT_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    token: SecretStr | None = None
    database_url: str = "sqlite+aiosqlite:///./nudgebot.db"
    # NoDecode: pydantic-settings would otherwise expect JSON ("[1,2]") for a list.
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    bot_api_url: str = DEFAULT_BOT_API_URL
    bot_file_api_url: str = DEFAULT_BOT_FILE_API_URL
    log_level: str = "INFO"
    auto_migrate: bool = True
    poll_timeout: int = Field(default=25, ge=0, le=50)
    db_busy_timeout_ms: int = Field(default=5000, ge=0)
    # Replies book their slot on the bot's send budget and retry 429s (AIORateLimiter keeps the
    # group limits). Only for a local Bot API server or a benchmark of the bot's own speed: off.
    reply_rate_limit: bool = True
    # Every message the bot sends, replies and bulk together, in all processes: evenly spaced
    # slots under Telegram's ~30/s per bot (budget.py).
    bot_rate: float = Field(default=29.0, gt=0, le=30)
    # Daily tips and the outbox sender.
    tick_seconds: float = Field(default=15.0, gt=0, le=60)
    send_rate: float = Field(default=25.0, gt=0, le=30)
    send_per_chat_interval: float = Field(default=1.0, ge=0)
    # The sender keeps several sends in flight (a window sized from the rate and the measured
    # round trip); never more than this. After a kill -9 at most these can repeat.
    send_max_in_flight: int = Field(default=64, ge=1, le=1000)
    # Paid broadcasts (allow_paid_broadcast, 0.1 Star per message): messages/s, 0 = off.
    paid_broadcast_rate: float = Field(default=0.0, ge=0, le=1000)
    send_max_attempts: int = Field(default=5, ge=1, le=50)
    # A claimed message whose process died is sent by another one after this many seconds.
    send_lease_seconds: float = Field(default=60.0, ge=1, le=3600)
    # Per-user flood control: updates a minute before the bot asks to slow down (0: off).
    flood_limit: int = Field(default=20, ge=0)
    # Webhook mode (`nudgebot webhook`): the public HTTPS URL Telegram posts updates to.
    webhook_url: str | None = None
    # The X-Telegram-Bot-Api-Secret-Token every request must carry; derived from the token
    # when unset, so that every process of one bot agrees on it without more configuration.
    webhook_secret: SecretStr | None = None
    # The path to serve; by default the path of webhook_url ("/" when it has none).
    webhook_path: str | None = None
    webhook_listen: str = "0.0.0.0"
    # Platforms (Heroku, Dokku) hand the port over as PORT.
    port: int = Field(
        default=8080, ge=1, le=65535, validation_alias=AliasChoices("NUDGEBOT_PORT", "PORT")
    )
    webhook_max_connections: int = Field(default=40, ge=1, le=100)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_admin_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",")]
            ids = []
            for part in parts:
                if not part:
                    continue
                if not part.lstrip("-").isdigit():
                    raise ValueError(f"{part!r} is not a Telegram user id (a whole number)")
                ids.append(int(part))
            return frozenset(ids)
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        return normalise_database_url(value)

    @field_validator("bot_api_url", "bot_file_api_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        if not value.startswith(("https://", "http://")):
            raise ValueError("must be the public https:// URL Telegram should post updates to")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", value.get_secret_value()):
            raise ValueError("1-256 characters, only A-Z, a-z, 0-9, _ and - (Telegram's rule)")
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in logging.getLevelNamesMapping():
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @field_validator("token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        bot_id, sep, rest = value.get_secret_value().strip().partition(":")
        if not sep or not bot_id.isdigit() or not rest:
            raise ValueError("does not look like a bot token from @BotFather (digits:letters)")
        return SecretStr(value.get_secret_value().strip())

    @model_validator(mode="after")
    def _bulk_within_budget(self) -> Settings:
        if self.send_rate > self.bot_rate:
            raise ValueError(
                f"NUDGEBOT_SEND_RATE ({self.send_rate:g}) is above NUDGEBOT_BOT_RATE"
                f" ({self.bot_rate:g}), the budget replies and bulk sends share"
            )
        return self

    def secret_token(self) -> str:
        """The webhook secret: the configured one, or one derived from the bot token."""
        if self.webhook_secret is not None:
            return self.webhook_secret.get_secret_value()
        if self.token is None:
            raise ValueError("no token to derive the webhook secret from")
        digest = hmac.new(
            self.token.get_secret_value().encode(), b"nudgebot webhook secret", hashlib.sha256
        )
        return digest.hexdigest()

    def listen_path(self) -> str:
        """The HTTP path the webhook server takes updates on."""
        if self.webhook_path:
            return "/" + self.webhook_path.strip("/")
        path = urlsplit(self.webhook_url or "").path
        return path or "/"

    @property
    def is_sqlite(self) -> bool:
        """True when the database is a SQLite file (single-process mode)."""
        return self.database_url.startswith("sqlite")


def normalise_database_url(url: str) -> str:
    """Rewrite platform-style URLs (postgres://, sqlite:///) for the async drivers."""
    url = url.strip()
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    if url.startswith("sqlite://") and not url.startswith("sqlite+"):
        return "sqlite+aiosqlite://" + url[len("sqlite://") :]
    if not url.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite://")):
        raise ValueError("must be a sqlite:/// path or a postgres:// URL")
    return url


class ConfigError(Exception):
    """Raised with a one-line, human message naming the bad variable."""


def load_settings(**overrides: Any) -> Settings:
    """Read settings, turning validation errors into one line per bad variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else "?"
            msg = err["msg"].removeprefix("Value error, ")
            name = field.upper()
            if not (name.startswith("NUDGEBOT_") or name == "PORT"):
                name = f"NUDGEBOT_{name}"
            lines.append(f"{name}: {msg}")
        raise ConfigError("; ".join(lines)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return load_settings()
