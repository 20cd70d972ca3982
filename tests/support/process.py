"""`digestbot run` as a child process, as the crash and scale-out tests and the load and soak
benchmarks start it (no pytest here: the benchmarks import it)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import IO, Any


async def start_run(
    role: str | None,
    api: str,
    *,
    env: Mapping[str, str],
    cwd: Path,
    stderr: int | IO[Any] | None,
    stdout: int | IO[Any] | None = asyncio.subprocess.DEVNULL,
    stdin: int | IO[Any] | None = None,
    nice: int = 0,
) -> asyncio.subprocess.Process:
    """`digestbot run --role role` (no --role for None) against the Bot API at `api`
    (`…/bot` is appended), in `cwd` (a folder without the checkout's .env), lowered by `nice`
    when it is not 0."""
    code = "from bot.cli import main; main()"
    if nice:
        code = f"import os; os.nice({nice}); {code}"
    roles = [] if role is None else ["--role", role]
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        code,
        "run",
        *roles,
        "--base-url",
        f"{api}/bot",
        cwd=cwd,
        env=dict(env),
        stdin=stdin,
        stdout=stdout,
        stderr=stderr,
    )


@asynccontextmanager
async def reaped(
    process: asyncio.subprocess.Process,
) -> AsyncIterator[asyncio.subprocess.Process]:
    """`process`, killed and waited for at the end of the block if it is still running (the
    block failed before stopping it)."""
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
