"""The docs keep up with the code: every setting, bot command and CLI subcommand is documented,
docs/configuration.md is what tools/gen_config_docs.py writes, the README stays a front door,
and every relative link in the README and docs/ leads somewhere."""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import typer
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram.ext import CommandHandler

from bot.app import build_application
from bot.cli import app as cli_app
from bot.settings import Settings
from telegram_emulator.request import EmulatorRequest
from tests.support.harness import TOKEN, make_emulator

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
README_MAX_LINES = 200

# Pages other branches write; a link to one is accepted while the page does not exist yet,
# and checked like any other once it does. Remove an entry when its page has landed.
PENDING_PAGES = {DOCS / "emulator.md"}


def pages() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


def all_text() -> str:
    return "\n".join(page.read_text(encoding="utf-8") for page in pages())


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_config_docs", ROOT / "tools" / "gen_config_docs.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- settings ---------------------------------------------------------------------------------


def test_configuration_page_is_generated_from_the_settings() -> None:
    generator = load_generator()
    page = DOCS / "configuration.md"
    assert page.read_text(encoding="utf-8") == generator.render(), (
        "docs/configuration.md is out of date: run .venv/bin/python tools/gen_config_docs.py"
    )


def test_every_setting_is_documented_with_its_variable() -> None:
    generator = load_generator()
    text = all_text()
    missing = [
        generator.variable_name(name, field)
        for name, field in Settings.model_fields.items()
        if f"`{generator.variable_name(name, field)}`" not in text
    ]
    assert not missing, f"settings not documented in docs/: {missing}"


def test_every_setting_has_a_description() -> None:
    assert [name for name, field in Settings.model_fields.items() if not field.description] == []


# --- bot commands -----------------------------------------------------------------------------


async def bot_commands() -> tuple[set[str], set[str]]:
    """(commands the application handles, commands it registers with Telegram's menu)."""
    settings = Settings(_env_file=None, admin_ids=frozenset({42}))
    engine = create_async_engine("sqlite+aiosqlite://")
    emulator = make_emulator()
    application = build_application(
        settings,
        sessionmaker=async_sessionmaker(engine, class_=AsyncSession),
        request=EmulatorRequest(emulator),
        get_updates_request=EmulatorRequest(emulator),
        role="poller",
        run_ticks=False,
        token=TOKEN,
    )
    handled = {
        command
        for group in application.handlers.values()
        for handler in group
        if isinstance(handler, CommandHandler)
        for command in handler.commands
    }
    await application.initialize()
    try:
        assert application.post_init is not None
        await application.post_init(application)
    finally:
        await application.shutdown()
        await engine.dispose()
    registered = {command["command"] for menu in emulator.commands.values() for command in menu}
    return handled, registered


def documented_commands(text: str) -> set[str]:
    """Bot commands written as code: `/name`, `/name <arg>`, `/name@bot`."""
    return set(re.findall(r"`/([a-z0-9_]+)(?=[\s`@])", text))


async def test_every_bot_command_is_documented() -> None:
    handled, registered = await bot_commands()
    assert registered, "the application registered no commands with Telegram"
    assert registered <= handled, f"registered but not handled: {registered - handled}"
    missing = sorted(handled - documented_commands((DOCS / "commands.md").read_text("utf-8")))
    assert not missing, f"bot commands missing from docs/commands.md: {missing}"


def test_the_command_check_notices_a_missing_command() -> None:
    text = "| `/start` | hi |\n`/subscribe <topic>`, `/cmd@botname`, see /stop and `/_emulator/x`"
    assert documented_commands(text) == {"start", "subscribe", "cmd"}


# --- command line -----------------------------------------------------------------------------


def cli_paths() -> Iterator[str]:
    """Every `digestbot …` subcommand, groups and their commands, recursively."""
    root = typer.main.get_command(cli_app)

    def walk(command: Any, path: str) -> Iterator[str]:
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            if getattr(sub, "hidden", False):
                continue
            yield f"{path} {name}"
            yield from walk(sub, f"{path} {name}")

    yield from walk(root, "digestbot")


def test_the_cli_walk_finds_nested_subcommands() -> None:
    paths = set(cli_paths())
    assert {"digestbot feeds", "digestbot feeds add", "digestbot run"} <= paths


def test_every_cli_subcommand_is_documented() -> None:
    text = all_text()
    missing = [path for path in cli_paths() if not re.search(rf"`{re.escape(path)}[\s`]", text)]
    assert not missing, f"CLI subcommands not documented in docs/: {missing}"


# --- the README and the links -----------------------------------------------------------------


def test_readme_is_a_front_door() -> None:
    lines = README.read_text(encoding="utf-8").count("\n")
    assert lines < README_MAX_LINES, f"README.md has {lines} lines (limit {README_MAX_LINES})"


LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


def anchors(page: Path) -> set[str]:
    """GitHub's anchors for a page's headings: lower case, punctuation dropped, spaces -> '-'."""
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    slugs = set()
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", text, re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.lower().replace("`", "")).replace(" ", "-")
        slugs.add(slug)
    return slugs


def links(page: Path) -> Iterator[str]:
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    text = re.sub(r"`[^`\n]*`", "", text)  # code spans are not links
    yield from LINK.findall(text)


@pytest.mark.parametrize("page", pages(), ids=lambda page: page.name)
def test_relative_links_resolve(page: Path) -> None:
    broken = []
    for target in links(page):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        if not linked.exists():
            if linked not in PENDING_PAGES:
                broken.append(target)
            continue
        if anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(target)
    assert not broken, f"{page.relative_to(ROOT)}: broken links {broken}"


def test_the_link_check_reads_anchors_as_github_does() -> None:
    page = DOCS / "deploy.md"
    assert {"4-polling-or-webhook", "first-deployment-step-by-step"} <= anchors(page)
