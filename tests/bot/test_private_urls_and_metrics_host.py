"""Operator settings an error or a default must make visible: a refused private address names
DIGESTBOT_ALLOW_PRIVATE_URLS; /metrics listens on DIGESTBOT_METRICS_HOST (loopback by default)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.metrics import HealthServer
from bot.settings import load_settings
from ingest.fetch import PrivateAddressError, check_url
from tests.support.cli import run_here as run
from tests.support.harness import ADMIN, running, sqlite_sessionmaker

__all__ = ["sqlite_sessionmaker"]


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1/feed.xml", "http://localhost:8080/rss", "http://10.0.0.7/atom"]
)
async def test_a_private_address_is_refused_naming_the_setting_that_allows_it(url: str) -> None:
    with pytest.raises(PrivateAddressError, match="DIGESTBOT_ALLOW_PRIVATE_URLS=true"):
        await check_url(url)
    await check_url(url, allow_private=True)  # the trusted local setup


async def test_addfeed_in_the_chat_names_the_setting(
    sqlite_sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with running(sqlite_sessionmaker) as bot:
        [reply] = await bot.say(ADMIN, "/addfeed http://127.0.0.1:9/feed.xml")
    assert "DIGESTBOT_ALLOW_PRIVATE_URLS" in reply.text


def test_feeds_add_on_the_command_line_names_the_setting(tmp_path: Path) -> None:
    result = run("feeds", "add", "http://127.0.0.1:9/feed.xml", cwd=tmp_path)
    assert result.returncode != 0
    assert "DIGESTBOT_ALLOW_PRIVATE_URLS" in result.stderr
    assert "Traceback" not in result.stderr


def test_metrics_listen_on_loopback_unless_told_otherwise(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DIGESTBOT_METRICS_HOST", raising=False)
    assert load_settings().metrics_host == "127.0.0.1"
    monkeypatch.setenv("DIGESTBOT_METRICS_HOST", "0.0.0.0")
    assert load_settings().metrics_host == "0.0.0.0"


async def test_the_health_server_binds_only_the_configured_host(
    sqlite_sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    server = HealthServer(sqlite_sessionmaker)
    await server.start(load_settings(_env_file=None).metrics_host, 0)
    try:
        assert server._runner is not None
        addresses = server._runner.addresses
        assert addresses and all(address[0] == "127.0.0.1" for address in addresses)
    finally:
        await server.stop()
