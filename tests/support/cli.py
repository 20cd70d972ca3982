"""`digestbot` as the tests run it: a subprocess (real exit codes) or in-process through the
console script's own `main()` (without the seconds a new interpreter takes to import), and a
loopback site serving the fixture feeds and pages."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FEEDS = ROOT / "tests" / "fixtures" / "feeds"
DIGESTBOT = [sys.executable, "-c", "from bot.cli import main; main()"]


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`digestbot *args` in a subprocess, with none of this environment's DIGESTBOT_ settings
    or bot token (only `env`)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DIGESTBOT_")}
    environment.pop("TELEGRAM_BOT_TOKEN", None)
    environment.update(env or {})
    environment["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [*DIGESTBOT, *args],
        cwd=cwd,
        env=environment,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


@dataclass
class Outcome:
    returncode: int
    stdout: str
    stderr: str


def run_here(
    *args: str, cwd: Path, env: dict[str, str] | None = None, stdin: str | None = None
) -> Outcome:
    """`run`, in this process: the console script's own `main()` with the same environment
    (none of this one's DIGESTBOT_ settings or bot token, only `env`), working folder, stdin
    (empty unless given) and exit code, without the seconds a new interpreter takes to import
    and to load the models. Not from inside a running event loop (commands call asyncio.run)."""
    from bot.cli import main

    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        for name in [k for k in os.environ if k.startswith("DIGESTBOT_")]:
            patch.delenv(name)
        patch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
        for name, value in (env or {}).items():
            patch.setenv(name, value)
        patch.chdir(cwd)
        patch.setattr(sys, "argv", ["digestbot", *args])
        patch.setattr(sys, "stdin", io.StringIO(stdin or ""))
        with redirect_stdout(out), redirect_stderr(err):
            code = _exit_code(main)
    return Outcome(code, out.getvalue(), err.getvalue())


def _exit_code(main: Callable[[], None]) -> int:
    """Call the console script's `main`; its exit code, as the shell would see it."""
    try:
        main()
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    return 0


Invoke = Callable[..., Outcome]


def invoker(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *,
    private: bool = False,
) -> Invoke:
    """`digestbot …` in-process on `cli.db` in `tmp_path`; `invoke(*args, private=…)` may
    allow or refuse loopback URLs for one call (else `private`)."""
    from bot.cli import main

    for name in [k for k in os.environ if k.startswith("DIGESTBOT_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DIGESTBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    default = private

    def invoke(*args: str, private: bool | None = None) -> Outcome:
        allowed = default if private is None else private
        monkeypatch.setenv("DIGESTBOT_ALLOW_PRIVATE_URLS", "true" if allowed else "false")
        monkeypatch.setattr(sys, "argv", ["digestbot", *args])
        capsys.readouterr()
        code = _exit_code(main)
        captured = capsys.readouterr()
        return Outcome(code, captured.out, captured.err)

    return invoke


@pytest.fixture
def cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Invoke:
    """`digestbot …` in-process; loopback URLs refused unless a call says `private=True`."""
    return invoker(tmp_path, monkeypatch, capsys)


def import_opml(cli: Invoke, path: Path, opml: str) -> Outcome:
    """`digestbot feeds import` of the OPML text `opml` (written to `path`), which succeeds."""
    path.write_text(opml)
    imported = cli("feeds", "import", str(path))
    assert imported.returncode == 0, imported.stderr
    return imported


def one_line_error(result: subprocess.CompletedProcess[str] | Outcome, needle: str) -> None:
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert needle in result.stderr and "Traceback" not in result.stderr


Page = tuple[str, bytes] | Callable[[str], tuple[str, bytes]]  # (type, body), or made for a host

SITE: dict[str, Page] = {
    "/rss": ("application/rss+xml", (FEEDS / "rss2.xml").read_bytes()),
    "/teaser.xml": ("application/rss+xml", (FEEDS / "teaser.xml").read_bytes()),
    "/home": (
        "text/html",
        b'<html><head><link rel="alternate" type="application/rss+xml" href="/rss">'
        b"</head><body>Welcome</body></html>",
    ),
    "/story": ("text/html", (FEEDS / "pages" / "night-trains.html").read_bytes()),
}


@contextmanager
def serve(pages: Mapping[str, Page]) -> Iterator[str]:
    """A loopback HTTP server for `pages` (path -> content type and body, or a function of
    the requested host giving them); yields its base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            found = pages.get(self.path)
            if found is None:
                self.send_error(404)
                return
            kind, body = found(f"http://{self.headers['Host']}") if callable(found) else found
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    """`SITE` on a loopback server: a feed, a teaser feed, a home page, a story."""
    with serve(SITE) as url:
        yield url
