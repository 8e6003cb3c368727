"""The `nudgebot` command: run, migrate, console."""

from __future__ import annotations

import asyncio
from typing import NoReturn

import typer

from nudgebot.bot.intake.inbox import FatalPollingError
from nudgebot.config import ConfigError, Settings, load_settings
from nudgebot.content import ContentError
from nudgebot.platform import clock
from nudgebot.platform.db import DatabaseNotMigrated

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
        settings = load_settings()
        clock.offset()  # the clock's test-only shift: a bad value stops the start here too
    except (ConfigError, ValueError) as exc:
        _fail(f"invalid configuration: {exc}")
    return settings


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
    from nudgebot.bot.lifecycle import configure_logging, run_polling

    settings = _settings()
    if settings.token is None:
        _fail(NO_TOKEN)
    configure_logging(settings.log_level, secrets=_secrets(settings))
    _run_async(run_polling(settings))


@cli.command()
def webhook() -> None:
    """Serve Telegram updates over HTTP (needs NUDGEBOT_TOKEN and NUDGEBOT_WEBHOOK_URL)."""
    from nudgebot.bot.lifecycle import configure_logging, run_webhook

    settings = _settings()
    if settings.token is None:
        _fail(NO_TOKEN)
    if settings.webhook_url is None:
        _fail(
            "NUDGEBOT_WEBHOOK_URL is not set: give the public https:// address Telegram should "
            "post updates to (e.g. https://mybot.example.com/telegram), or use `nudgebot run`"
        )
    configure_logging(settings.log_level, secrets=_secrets(settings))
    _run_async(run_webhook(settings))


def _secrets(settings: Settings) -> list[str]:
    """What must never appear in a log line."""
    if settings.token is None:
        return []
    return [settings.token.get_secret_value(), settings.secret_token()]


@cli.command()
def migrate() -> None:
    """Bring the database schema up to date (alembic upgrade head)."""
    from nudgebot.platform.db import create_engine, migrate, schema_state

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
    lang: str = typer.Option(
        "en",
        "--lang",
        help="The console user's Telegram app language (en, es, ru): the bot starts in it.",
    ),
) -> None:
    """Try the bot in this terminal: no token, no network."""
    from nudgebot.bot.intake.console import run_console
    from nudgebot.bot.lifecycle import configure_logging

    settings = _settings()
    configure_logging("WARNING" if settings.log_level == "INFO" else settings.log_level)
    _run_async(run_console(settings, user_id=user_id, first_name=name, language_code=lang))


@cli.command()
def estimate(
    text: str = typer.Argument(..., help='A message, e.g. "oatmeal with almonds"'),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    lang: str = typer.Option(
        "en", "--lang", help="The language of the person who wrote it (en, es, ru)."
    ),
) -> None:
    """Show what the bot makes of a message: the router's verdict and the meal estimate."""
    import json

    from nudgebot.content import load_catalog
    from nudgebot.features.meals.foods import FoodsError
    from nudgebot.features.meals.parser import load_index
    from nudgebot.features.understanding.router import Intent, build_routers

    try:
        catalog = load_catalog()
        if lang not in catalog.languages:
            _fail(f"unknown language {lang!r}: one of {', '.join(catalog.languages)}")
        foods = {code: load_index(code) for code in catalog.languages}
    except (ContentError, FoodsError) as exc:
        _fail(str(exc))
    verdict = build_routers(catalog.by_language, foods).route(text, language=lang)
    meal = verdict.meal
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "intent": verdict.intent.value,
                    "language": lang,
                    # the language whose words raised an emergency or a crisis
                    "urgent_language": verdict.language if verdict.urgent else None,
                    "safety": verdict.safety.value if verdict.safety else None,
                    "reason": verdict.reason,
                    "referrals": [r.value for r in verdict.referrals],
                    "command": verdict.command.value if verdict.command else None,
                    "answer": verdict.entry.id
                    if verdict.entry
                    else (verdict.answer.value if verdict.answer else None),
                    "foods": [
                        {
                            "id": i.food.id,
                            "name": i.food.name,
                            "portion": i.portion_text,
                            "quantity": i.quantity,
                            "unit": i.unit,
                            "grams": i.grams,
                            "mg": i.mg,
                            "source": i.food.source,
                        }
                        for i in (meal.items if meal else ())
                    ],
                    "total_mg": round(meal.total_mg, 1) if meal else 0.0,
                    "unrecognised": list(meal.unknown) if meal else [],
                    # what the bot would offer as "did you mean" buttons for each
                    "did_you_mean": {
                        u.text: [
                            {"id": f.id, "name": f.name, "source": f.source} for f in u.options
                        ]
                        for u in (meal.unknown_parts if meal else ())
                        if u.options
                    },
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    typer.echo(f"intent: {verdict.intent.value}")
    if verdict.intent is Intent.EMERGENCY:
        typer.echo(f"safety: emergency ({verdict.reason}): the emergency reply only")
        return
    if verdict.intent is Intent.CRISIS:
        typer.echo("safety: crisis: the crisis reply only")
        return
    if verdict.referrals:
        typer.echo("referrals: " + ", ".join(r.value for r in verdict.referrals))
    if verdict.command:
        typer.echo(f"command: /{verdict.command.value}")
    if verdict.entry:
        typer.echo(f"answer: {verdict.entry.id}")
    elif verdict.answer:
        typer.echo(f"answer: {verdict.answer.value}")
    if meal is not None:
        for item in meal.items:
            typer.echo(f"{item.food.name:<32} {item.portion_text:<34} {item.mg:7.1f} mg")
            typer.echo(f"    {item.food.source}")
        if meal.items:
            typer.echo(f"{'total':<67} {meal.total_mg:7.1f} mg")
        for part in meal.unknown_parts:
            offered = "; ".join(f.name for f in part.options) or "nothing close"
            typer.echo(f"not recognised: {part.text} (did you mean: {offered})")


def main() -> None:
    """Entry point of the `nudgebot` script."""
    cli(prog_name="nudgebot")


if __name__ == "__main__":  # pragma: no cover
    main()
