"""The `nudgebot` command: run, migrate, console."""

from __future__ import annotations

import asyncio
from typing import NoReturn

import typer

from nudgebot.config import ConfigError, Settings, load_settings
from nudgebot.content import ContentError
from nudgebot.ingest import FatalPollingError
from nudgebot.store.db import DatabaseNotMigrated

cli = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="nudgebot: a calm Telegram bot for heart-healthy eating and living.",
)

NO_TOKEN = (
    "NUDGEBOT_TOKEN is not set: put your bot token from @BotFather in the environment or in .env "
    "(see .env.example), or try the bot without one: nudgebot console"
)


def _fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"nudgebot: {message}", err=True)
    raise typer.Exit(code)


def _settings() -> Settings:
    try:
        return load_settings()
    except ConfigError as exc:
        _fail(f"invalid configuration: {exc}")


def _run_async(coro: object) -> None:
    try:
        asyncio.run(coro)  # type: ignore[arg-type]
    except KeyboardInterrupt:
        pass
    except (ContentError, DatabaseNotMigrated, FatalPollingError) as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"cannot reach the database or the network: {exc}")


@cli.command()
def run() -> None:
    """Run the bot with long polling (needs NUDGEBOT_TOKEN)."""
    from nudgebot.runner import configure_logging, run_polling

    settings = _settings()
    if settings.token is None:
        _fail(NO_TOKEN)
    configure_logging(settings.log_level)
    _run_async(run_polling(settings))


@cli.command()
def migrate() -> None:
    """Bring the database schema up to date (alembic upgrade head)."""
    from nudgebot.store.db import create_engine, migrate, schema_state

    settings = _settings()

    async def go() -> None:
        engine = create_engine(settings.database_url)
        try:
            await migrate(engine)
            current, _ = await schema_state(engine)
        finally:
            await engine.dispose()
        typer.echo(f"database is at revision {', '.join(sorted(current))}")

    _run_async(go())


@cli.command()
def console(
    user_id: int = typer.Option(1, help="The Telegram user id the console speaks as."),
    name: str = typer.Option("Console", help="The first name the console user has."),
) -> None:
    """Try the bot in this terminal: no token, no network."""
    from nudgebot.console import run_console
    from nudgebot.runner import configure_logging

    settings = _settings()
    configure_logging("WARNING" if settings.log_level == "INFO" else settings.log_level)
    _run_async(run_console(settings, user_id=user_id, first_name=name))


def main() -> None:
    """Entry point of the `nudgebot` script."""
    cli(prog_name="nudgebot")


if __name__ == "__main__":  # pragma: no cover
    main()
