import pytest

from nudgebot.config import ConfigError, load_settings, normalise_database_url


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: pytest.TempPathFactory) -> None:
    import os

    for key in list(os.environ):
        if key.startswith("NUDGEBOT_"):
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
