"""`digestbot run` as an operator starts it: the no-token message, the role flag."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
from pathlib import Path

import httpx
import pytest

from bot.emulator import Emulator, Limits
from tests.bot.test_cli import DIGESTBOT, run

ROOT = str(Path(__file__).resolve().parents[2])


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
    emulator = Emulator(token="5151:run-test-token", limits=Limits(enabled=False))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        metrics_port = sock.getsockname()[1]
    async with emulator.serve() as url:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DIGESTBOT_")}
        env.update(
            {
                "TELEGRAM_BOT_TOKEN": emulator.token,
                "DIGESTBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
                "DIGESTBOT_INGEST_INTERVAL": "3600",
                "DIGESTBOT_METRICS_PORT": str(metrics_port),
                "PYTHONPATH": ROOT,
            }
        )
        process = await asyncio.create_subprocess_exec(
            *DIGESTBOT,
            "run",
            "--role",
            "all",
            "--base-url",
            f"{url}/bot",
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
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
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
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
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGESTBOT_")}
    env.update(
        {
            "TELEGRAM_BOT_TOKEN": "5151:a-wrong-token",
            "DIGESTBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
            "PYTHONPATH": ROOT,
        }
    )
    async with emulator.serve() as url:
        refused = await asyncio.create_subprocess_exec(
            *DIGESTBOT,
            "run",
            "--base-url",
            f"{url}/bot",
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        _out, err = await asyncio.wait_for(refused.communicate(), timeout=60)
    assert refused.returncode == 2
    assert err.decode().strip().splitlines()[-1] == (
        "digestbot: Telegram refused TELEGRAM_BOT_TOKEN: check the token @BotFather gave you"
    )
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    waiting = await asyncio.create_subprocess_exec(
        *DIGESTBOT,
        "run",
        "--base-url",
        f"http://127.0.0.1:{closed}/bot",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert waiting.stderr is not None
        line = await asyncio.wait_for(waiting.stderr.readline(), timeout=60)
        while b"cannot reach the Bot API" not in line:
            line = await asyncio.wait_for(waiting.stderr.readline(), timeout=60)
        waiting.send_signal(signal.SIGTERM)
        await asyncio.wait_for(waiting.wait(), timeout=30)
    finally:
        if waiting.returncode is None:
            waiting.kill()
            await waiting.wait()
    assert waiting.returncode == 0
