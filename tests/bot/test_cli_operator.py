"""The operator's command line (issue 19): usage errors in one line, `db revision` that creates
nothing, feed intervals, forced refreshes, what was sent to whom."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from tests.support.cli import Invoke, Outcome, invoker, site
from tests.support.cli import run as run_subprocess

__all__ = ["site"]


@pytest.fixture
def cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Invoke:
    """`digestbot …` in-process, loopback URLs allowed (the operator's own feeds)."""
    return invoker(tmp_path, monkeypatch, capsys, private=True)


def assert_one_line(result: Outcome | object, needle: str) -> None:
    stderr: str = getattr(result, "stderr")  # noqa: B009
    assert getattr(result, "returncode") == 2, stderr  # noqa: B009
    assert stderr.startswith("digestbot: ") and stderr.count("\n") == 1, stderr
    assert needle in stderr and "Traceback" not in stderr and "╭" not in stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("feeds", "remove", "abc"), "Invalid value for 'feed_id'"),
        (("run", "--role", "boss"), "'boss' is not one of"),
        (("bogus",), "No such command 'bogus'"),
        (("feeds", "add"), "Missing argument"),
        (("feeds", "list", "--colour"), "No such option: --colour"),
    ],
)
def test_usage_errors_are_one_line_naming_the_help(
    cli: Invoke, args: tuple[str, ...], needle: str
) -> None:
    result = cli(*args)
    assert_one_line(result, needle)
    assert "--help)" in result.stderr


def test_usage_error_of_the_console_script_is_one_line(tmp_path: Path) -> None:
    result = run_subprocess("run", "--role", "boss", cwd=tmp_path)
    assert_one_line(result, "(see digestbot run --help)")


def test_db_revision_in_an_empty_folder_creates_no_database(cli: Invoke, tmp_path: Path) -> None:
    result = cli("db", "revision")
    assert_one_line(result, "create it with digestbot db upgrade")
    assert not (tmp_path / "cli.db").exists()
    assert cli("db", "upgrade").returncode == 0
    assert "(head " in cli("db", "revision").stdout


def test_a_bare_group_still_shows_its_help(cli: Invoke) -> None:
    result = cli("feeds")
    assert "Usage: digestbot feeds" in result.stdout + result.stderr


# --- feed intervals and forced refreshes ----------------------------------------------------


async def follow_in_realtime(path: Path, *, feed_id: int) -> None:
    """A chat with a realtime schedule follows the feed (as /subscribe and /schedule do)."""
    from storage import chats, schedules, subscriptions
    from storage.db import make_engine, make_sessionmaker
    from storage.models import SubscriptionKind

    engine = make_engine(f"sqlite:///{path}")
    try:
        async with make_sessionmaker(engine)() as session:
            chat, _ = await chats.upsert_chat(session, telegram_id=77)
            assert chat.id is not None
            await subscriptions.add_subscription(
                session,
                chat_id=chat.id,
                kind=SubscriptionKind.FEED,
                target=f"feed:{feed_id}",
                feed_id=feed_id,
            )
            await schedules.set_schedule(
                session, chat_id=chat.id, kind="realtime", next_due_at=None
            )
            await session.commit()
    finally:
        await engine.dispose()


def test_feed_interval_set_list_and_forced_refresh(
    site: str, cli: Invoke, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DIGESTBOT_FEED_INTERVAL", "10m")
    assert cli("feeds", "add", f"{site}/rss").returncode == 0
    assert cli("feeds", "add", f"{site}/teaser.xml").returncode == 0
    assert "2 feeds refreshed" in cli("refresh").stdout
    assert "no feed is due" in cli("refresh").stdout

    set_ = cli("feeds", "set", "2", "--every", "5m")
    assert set_.returncode == 0, set_.stderr
    assert "feed #2 is checked every 5m" in set_.stdout
    listed = cli("feeds", "list").stdout
    assert "10m (default)" in listed and " 5m " in listed

    assert_one_line(
        cli("feeds", "set", "2", "--every", "2s"), "from 1m (DIGESTBOT_FEED_MIN_INTERVAL)"
    )
    assert_one_line(cli("feeds", "set", "2", "--every", "soon"), "not a duration: 'soon'")
    assert_one_line(cli("feeds", "set", "9", "--every", "5m"), "no feed #9")
    back = cli("feeds", "set", "2", "--every", "default").stdout
    assert "feed #2 is checked every 10m, the default;" in back
    asyncio.run(follow_in_realtime(tmp_path / "cli.db", feed_id=1))
    listed = cli("feeds", "list").stdout
    assert "1m (realtime readers)" in listed and "10m (default)" in listed

    one = cli("refresh", "--feed", "1")
    assert one.returncode == 0, one.stderr
    assert "1 feeds refreshed, 0 new articles, 0 failed" in one.stdout
    forced = cli("refresh", "--force")
    assert "2 feeds refreshed, 0 new articles, 0 failed" in forced.stdout
    assert_one_line(cli("refresh", "--feed", "9"), "no feed #9")


def test_a_bad_feed_interval_setting_is_one_line(
    cli: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIGESTBOT_FEED_INTERVAL", "every now and then")
    assert_one_line(cli("feeds", "list"), "invalid setting DIGESTBOT_FEED_INTERVAL: not a duration")
    monkeypatch.setenv("DIGESTBOT_FEED_INTERVAL", "1s")
    assert_one_line(cli("feeds", "list"), "DIGESTBOT_FEED_INTERVAL: use a duration from 5s to 1d")


def test_the_example_env_file_is_valid_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.settings import load_settings

    for name in [k for k in os.environ if k.startswith("DIGESTBOT_")]:
        monkeypatch.delenv(name)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    example = Path(__file__).resolve().parents[2] / ".env.example"
    settings = load_settings(_env_file=example)
    assert settings.token == "123:ABC" and settings.base_url == "http://127.0.0.1:8081/bot"
    assert settings.is_admin(42) and settings.feed_min_interval.total_seconds() == 60
