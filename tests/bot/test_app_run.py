"""`digestbot run` as an operator starts it: the no-token message, the role flag."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
from pathlib import Path

import httpx
import pytest

from telegram_emulator import ApiLimits, Emulator
from tests.support.cli import run_here as run
from tests.support.process import reaped, start_run
from tests.support.web import serve_routes

ROOT = str(Path(__file__).resolve().parents[2])
PIPE = asyncio.subprocess.PIPE


def _env(tmp_path: Path, token: str, **settings: str) -> dict[str, str]:
    """This environment without its DIGESTBOT_ settings, plus `token`, a database in
    `tmp_path` and `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGESTBOT_")}
    env.update(
        {
            "TELEGRAM_BOT_TOKEN": token,
            "DIGESTBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
            "PYTHONPATH": ROOT,
            **settings,
        }
    )
    return env


def test_run_without_a_token_says_what_to_do(tmp_path: Path) -> None:
    result = run("run", cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "TELEGRAM_BOT_TOKEN" in lines[0]
    assert "digestbot demo" in lines[0]
    assert "Traceback" not in result.stderr


def test_run_refuses_an_unknown_role(tmp_path: Path) -> None:
    result = run("run", "--role", "boss", cwd=tmp_path, env={"TELEGRAM_BOT_TOKEN": "1:x"})
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "role" in result.stderr.lower()


def test_run_help_documents_roles_and_base_url(tmp_path: Path) -> None:
    result = run("run", "--help", cwd=tmp_path)
    assert result.returncode == 0
    for word in ("--role", "poller", "worker", "--base-url"):
        assert word in result.stdout


@pytest.mark.slow
async def test_run_polls_the_emulator_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    emulator = Emulator(token="5151:run-test-token", limits=ApiLimits(enabled=False))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        metrics_port = sock.getsockname()[1]
    async with emulator.serve() as url:
        env = _env(
            tmp_path,
            emulator.token,
            DIGESTBOT_INGEST_INTERVAL="3600",
            DIGESTBOT_METRICS_PORT=str(metrics_port),
        )
        started = await start_run("all", url, env=env, cwd=tmp_path, stdout=PIPE, stderr=PIPE)
        async with reaped(started) as process:
            emulator.user(77).send("/start")
            [welcome] = await emulator.wait_for_messages(77, 1, timeout=60)
            assert "Hi!" in welcome.text
            emulator.user(77).send("/subscribe climate")
            await emulator.wait_for_messages(77, 2, timeout=30)
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{metrics_port}") as client:
                health = await client.get("/healthz")
                scraped = await client.get("/metrics")
            assert health.json()["database"] is True
            assert 'digestbot_command_latency_seconds_count{command="subscribe"} 1.0' in (
                scraped.text
            )
            process.send_signal(signal.SIGTERM)
            _out, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, err.decode()
    log = err.decode()
    assert "role=all" in log and "stopping" in log
    assert emulator.token not in log  # the token is never logged
    assert "Traceback" not in log
    assert (tmp_path / "bot.db").exists()


@pytest.mark.slow
async def test_run_refused_token_is_one_line_and_unreachable_api_is_retried(
    tmp_path: Path,
) -> None:
    emulator = Emulator(token="5151:the-real-token")
    env = _env(tmp_path, "5151:a-wrong-token")
    async with emulator.serve() as url:
        refused = await start_run(None, url, env=env, cwd=tmp_path, stdout=PIPE, stderr=PIPE)
        _out, err = await asyncio.wait_for(refused.communicate(), timeout=60)
    assert refused.returncode == 2
    assert err.decode().strip().splitlines()[-1] == (
        "digestbot: Telegram refused TELEGRAM_BOT_TOKEN: check the token @BotFather gave you"
    )
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    closed_url = f"http://127.0.0.1:{closed}"
    started = await start_run(None, closed_url, env=env, cwd=tmp_path, stdout=PIPE, stderr=PIPE)
    async with reaped(started) as waiting:
        assert waiting.stderr is not None
        line = await asyncio.wait_for(waiting.stderr.readline(), timeout=60)
        while b"cannot reach the Bot API" not in line:
            line = await asyncio.wait_for(waiting.stderr.readline(), timeout=60)
        waiting.send_signal(signal.SIGTERM)
        await asyncio.wait_for(waiting.wait(), timeout=30)
    assert waiting.returncode == 0


@pytest.mark.slow
async def test_run_does_the_whole_job_feed_to_delivered_digest(tmp_path: Path) -> None:
    """A real process: an admin adds a (loopback) feed, the ingest tick stores it, /digest
    builds a digest and the delivery loop sends it — nothing stepped by hand."""
    from aiohttp import web

    from bot.demo import sample_feed
    from storage.types import utcnow

    body = sample_feed(utcnow())

    async def feed(_request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="application/rss+xml")

    admin = 4242
    emulator = Emulator(token="5151:run-test-token", limits=ApiLimits(enabled=False))
    env = _env(
        tmp_path,
        emulator.token,
        DIGESTBOT_ADMIN_IDS=str(admin),
        DIGESTBOT_ALLOW_PRIVATE_URLS="true",  # the feed server is on loopback
        DIGESTBOT_INGEST_INTERVAL="1",
        DIGESTBOT_COMMANDS_PER_MINUTE="1000",
    )
    async with serve_routes({"/feed.xml": feed}) as (site, _seen), emulator.serve() as url:
        started = await start_run(None, url, env=env, cwd=tmp_path, stdout=PIPE, stderr=PIPE)
        async with reaped(started) as process:
            person = emulator.user(admin)
            person.send(f"/addfeed {site}/feed.xml")
            [added] = await emulator.wait_for_messages(admin, 1, timeout=60)
            assert "Added feed #1" in added.text
            person.send("/subscribe climate")
            await emulator.wait_for_messages(admin, 2, timeout=30)
            # stories wait a few seconds after being stored before a digest takes them
            for attempt in range(20):
                person.send("/digest")
                messages = await emulator.wait_for_messages(admin, 3 + attempt, timeout=30)
                if "Nothing new" not in messages[-1].text:
                    break
                await asyncio.sleep(2)
            digest = emulator.chat(admin).last.text
            assert "Offshore wind farm" in digest
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://bot.example.org/hook", "https://"),
        ("https://bot.example.org:8080/hook", "8080"),
        ("https:///hook", "no host"),
    ],
)
def test_run_stops_with_one_line_on_a_webhook_url_telegram_refuses(
    tmp_path: Path, url: str, reason: str
) -> None:
    # Telegram's rule: HTTPS on ports 80, 88, 443 or 8443 only (telegram-bot-api
    # WebhookActor.cpp, Client.cpp "Webhook can be set up only on ports 80, 88, 443 or 8443")
    env = {"TELEGRAM_BOT_TOKEN": "1:x", "DIGESTBOT_WEBHOOK_URL": url}
    result = run("run", cwd=tmp_path, env=env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "DIGESTBOT_WEBHOOK_URL" in lines[0] and reason in lines[0]
    assert "Traceback" not in result.stderr


def test_the_webhook_urls_telegram_accepts_pass() -> None:
    from bot.settings import webhook_url_problem

    for url in ("https://a.example/h", "https://a.example:88/h", "https://a.example:8443/h"):
        assert webhook_url_problem(url) is None
    assert webhook_url_problem("https://user:pw@a.example/h") is not None
