"""`digestbot sections backfill`: give articles stored before the section classifier existed
their news sections (new articles get theirs at ingest)."""

from __future__ import annotations

import typer

from bot.cli.common import echo, run, settings_or_exit
from bot.cli.feeds import _database
from bot.settings import Settings

sections_app = typer.Typer(help="News sections of stored articles.", no_args_is_help=True)
BATCH = 500


async def backfill(settings: Settings, *, batch: int = BATCH) -> tuple[int, int]:
    """Classify every article without sections, one transaction per batch; returns
    (articles looked at, articles given at least one section). Safe to re-run or interrupt."""
    from ingest.sections import classify
    from storage import sections as section_store

    seen = tagged = 0
    after_id = 0
    async with _database(settings) as sessionmaker:
        while True:
            async with sessionmaker() as session:
                rows = await section_store.articles_without_sections(
                    session, after_id=after_id, limit=batch
                )
                if not rows:
                    return seen, tagged
                for article_id, title, text, language in rows:
                    sections = classify(title, text, language=language)
                    if sections:
                        await section_store.set_sections(
                            session, article_id=article_id, sections=sections
                        )
                        tagged += 1
                await session.commit()
            seen += len(rows)
            after_id = rows[-1][0]


@sections_app.command("backfill")
def backfill_command() -> None:
    """Classify the stored articles that have no sections yet (run once after upgrading)."""
    seen, tagged = run(backfill(settings_or_exit()))
    echo(f"classified {seen} articles: {tagged} in at least one section")


def register(app: typer.Typer) -> None:
    app.add_typer(sections_app, name="sections")
