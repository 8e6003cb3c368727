import pytest

from nudgebot.config import ConfigError, load_settings, normalise_database_url


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: pytest.TempPathFactory) -> None:
    import os

    for key in list(os.environ):
        if key.startswith("NUDGEBOT_") or key == "PORT":
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults_need_no_environment() -> None:
    settings = load_settings()
    assert settings.token is None
    assert settings.database_url == "sqlite+aiosqlite:///./nudgebot.db"
    assert settings.bot_api_url == "https://api.telegram.org/bot"
    assert settings.admin_ids == frozenset()


def test_admin_ids_are_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NUDGEBOT_ADMIN_IDS", "123, 456,,789")
    assert load_settings().admin_ids == {123, 456, 789}


def test_bad_admin_id_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NUDGEBOT_ADMIN_IDS", "123,alice")
    with pytest.raises(ConfigError, match=r"NUDGEBOT_ADMIN_IDS: 'alice' is not a Telegram user id"):
        load_settings()


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("NUDGEBOT_TOKEN", "not-a-token"),
        ("NUDGEBOT_LOG_LEVEL", "LOUD"),
        ("NUDGEBOT_BOT_API_URL", "ftp://example"),
        ("NUDGEBOT_DATABASE_URL", "mysql://x"),
        ("NUDGEBOT_POLL_TIMEOUT", "soon"),
    ],
)
def test_invalid_values_fail_fast_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=variable):
        load_settings()


def test_token_is_secret_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NUDGEBOT_TOKEN", "123456:ABCdefSECRET")
    settings = load_settings()
    assert "ABCdefSECRET" not in repr(settings)
    assert settings.token is not None
    assert settings.token.get_secret_value() == "123456:ABCdefSECRET"


def test_dotenv_file_is_read(tmp_path: pytest.TempPathFactory) -> None:
    with open(".env", "w") as fh:
        fh.write("NUDGEBOT_LOG_LEVEL=debug\nNUDGEBOT_ADMIN_IDS=42\n")
    settings = load_settings()
    assert settings.log_level == "DEBUG"
    assert settings.admin_ids == {42}


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@h:5432/db", "postgresql+asyncpg://u:p@h:5432/db"),
        ("postgresql://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("sqlite:///./x.db", "sqlite+aiosqlite:///./x.db"),
        ("sqlite+aiosqlite:///x.db", "sqlite+aiosqlite:///x.db"),
    ],
)
def test_platform_database_urls_are_rewritten_for_async_drivers(given: str, expected: str) -> None:
    assert normalise_database_url(given) == expected


def test_platform_port_is_honoured_and_nudgebot_port_too(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().port == 8080
    monkeypatch.setenv("PORT", "5001")
    assert load_settings().port == 5001
    monkeypatch.delenv("PORT")
    monkeypatch.setenv("NUDGEBOT_PORT", "5002")
    assert load_settings().port == 5002
    monkeypatch.setenv("NUDGEBOT_PORT", "99999")
    with pytest.raises(ConfigError, match=r"^NUDGEBOT_PORT: "):
        load_settings()


def test_webhook_secret_is_derived_from_the_token_unless_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NUDGEBOT_TOKEN", "123:abc")
    derived = load_settings().secret_token()
    assert derived == load_settings().secret_token()  # every process agrees
    assert "abc" not in derived and len(derived) == 64
    monkeypatch.setenv("NUDGEBOT_TOKEN", "123:abd")
    assert load_settings().secret_token() != derived
    monkeypatch.setenv("NUDGEBOT_WEBHOOK_SECRET", "my_secret-1")
    assert load_settings().secret_token() == "my_secret-1"
    monkeypatch.setenv("NUDGEBOT_WEBHOOK_SECRET", "has spaces!")
    with pytest.raises(ConfigError, match=r"NUDGEBOT_WEBHOOK_SECRET: 1-256 characters"):
        load_settings()


def test_webhook_path_comes_from_the_url_unless_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NUDGEBOT_WEBHOOK_URL", "https://bot.example.com/telegram/hook")
    assert load_settings().listen_path() == "/telegram/hook"
    monkeypatch.setenv("NUDGEBOT_WEBHOOK_URL", "https://bot.example.com")
    assert load_settings().listen_path() == "/"
    monkeypatch.setenv("NUDGEBOT_WEBHOOK_PATH", "in/")
    assert load_settings().listen_path() == "/in"
    monkeypatch.setenv("NUDGEBOT_WEBHOOK_URL", "bot.example.com")
    with pytest.raises(ConfigError, match=r"NUDGEBOT_WEBHOOK_URL: must be the public"):
        load_settings()


def test_env_example_names_every_setting_and_loads_as_is(
    monkeypatch: pytest.MonkeyPatch, tmp_path: pytest.TempPathFactory
) -> None:
    from pathlib import Path

    from nudgebot.config import Settings

    example = (Path(__file__).resolve().parents[1] / ".env.example").read_text()
    named = {
        line.split("=", 1)[0] for line in example.splitlines() if line and not line.startswith("#")
    }
    for field in Settings.model_fields:
        assert f"NUDGEBOT_{field.upper()}" in named, f"NUDGEBOT_{field.upper()} missing"
    (Path.cwd() / ".env").write_text(example)
    settings = load_settings()
    assert settings.token is None and settings.webhook_url is None and settings.flood_limit == 20
