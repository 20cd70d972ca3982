"""Settings: environment and .env, the token masked, bad values named in one line."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from bot.logs import RedactSecrets
from bot.settings import SettingsError, load_settings

TOKEN = "123456:ABCdefGhIJKlmNoPQRstuVWXyz0123456789"


def test_defaults_and_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("DIGESTBOT_ADMIN_IDS", "11, 22")
    monkeypatch.setenv("DIGESTBOT_DEFAULT_TIMEZONE", "Europe/Berlin")
    settings = load_settings()
    assert settings.database_url == "sqlite:///./digestbot.db"
    assert settings.token == TOKEN
    assert settings.admin_ids == {11, 22}
    assert settings.is_admin(22) and not settings.is_admin(33) and not settings.is_admin(None)
    assert settings.default_timezone == "Europe/Berlin"
    assert TOKEN not in repr(settings) and TOKEN not in str(settings.model_dump())


def test_dotenv_file_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DIGESTBOT_DATABASE_URL", raising=False)
    (tmp_path / ".env").write_text("DIGESTBOT_DATABASE_URL=sqlite:///x.db\nDIGESTBOT_MAX_ITEMS=5\n")
    settings = load_settings()
    assert settings.database_url == "sqlite:///x.db"
    assert settings.max_items == 5


def test_digest_helpers_default_to_the_spare_cores(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DIGESTBOT_DIGEST_HELPERS", raising=False)
    for cores, helpers in [(1, 0), (2, 1), (4, 3), (64, 3)]:
        monkeypatch.setattr(os, "cpu_count", lambda cores=cores: cores)
        assert load_settings().helper_processes() == helpers
    monkeypatch.setenv("DIGESTBOT_DIGEST_HELPERS", "0")
    assert load_settings().helper_processes() == 0


# A bad value of each kind: a number, a time zone, a list of ids, a choice, two bounds.
INVALID = {
    "DIGESTBOT_RATE_GLOBAL": "fast",
    "DIGESTBOT_DEFAULT_TIMEZONE": "Mars/Olympus",
    "DIGESTBOT_ADMIN_IDS": "1,bob",
    "DIGESTBOT_LOG_FORMAT": "xml",
    "DIGESTBOT_MAX_ITEMS": "0",
    "DIGESTBOT_DIGEST_HELPERS": "-1",
}


def refusal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, variable: str, value: str) -> str:
    """The one-line error loading the settings gives with `variable` set to `value`."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert "\n" not in str(error.value)
    return str(error.value)


@pytest.mark.parametrize(("variable", "value"), INVALID.items())
def test_invalid_values_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, variable: str, value: str
) -> None:
    assert refusal(monkeypatch, tmp_path, variable, value).startswith(
        f"invalid setting {variable}: "
    )


def test_an_unknown_time_zone_is_quoted(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    message = refusal(monkeypatch, tmp_path, "DIGESTBOT_DEFAULT_TIMEZONE", "Mars/Olympus")
    assert "unknown time zone 'Mars/Olympus'" in message


def test_log_records_never_carry_the_token() -> None:
    record = logging.LogRecord(
        "httpx",
        logging.INFO,
        __file__,
        1,
        "POST https://api.telegram.org/bot%s/getMe",
        (TOKEN,),
        None,
    )
    RedactSecrets([TOKEN]).filter(record)
    assert TOKEN not in record.getMessage()
    other = logging.LogRecord("x", logging.INFO, __file__, 1, "bot999999:" + "A" * 35, None, None)
    RedactSecrets().filter(other)
    assert "A" * 35 not in other.getMessage()
