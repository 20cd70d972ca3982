"""Migrations: a database created by an older version upgrades without losing data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import text

from storage.db import (
    alembic_config,
    current_revision,
    downgrade,
    head_revision,
    make_sessionmaker,
    upgrade,
)
from storage.search import search_articles
from tests.support.db import database


def test_one_linear_history() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1, "two migrations claim the same parent: rebase one"
    revisions = list(script.walk_revisions())
    assert revisions[-1].down_revision is None


async def test_every_step_upgrades_with_data_kept(backend: str, tmp_path: Path) -> None:
    script = ScriptDirectory.from_config(alembic_config())
    first = list(script.walk_revisions())[-1].revision
    async with database(backend, tmp_path, migrate=False) as (_url, engine, _schema):
        await upgrade(engine, first)
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO feed (url, error_count, state, created_at) "
                    "VALUES ('https://old.example/rss', 0, 'ok', '2025-01-01 00:00:00')"
                )
            )
            await connection.execute(
                text(
                    "INSERT INTO article (canonical_url, url, title, text, summary, keyphrases, "
                    "content_hash, stored_at) VALUES ('https://old.example/1', '', "
                    "'Old volcano story', 'lava', '', '', 'h', '2025-01-01 00:00:00')"
                )
            )
            # a digest of the first schema: two articles shown, one held back for /more
            for n in (2, 3, 4):
                await connection.execute(
                    text(
                        "INSERT INTO article (canonical_url, url, title, text, summary, "
                        "keyphrases, content_hash, stored_at) VALUES "
                        f"('https://old.example/{n}', '', 'Story {n}', '', '', '', 'h{n}', "
                        "'2025-01-01 00:00:00')"
                    )
                )
            # an article in Russian, found by another form of its words once stemmed (0011)
            await connection.execute(
                text(
                    "INSERT INTO article (canonical_url, url, title, text, summary, keyphrases, "
                    "language, content_hash, stored_at) VALUES ('https://old.example/ru', '', "
                    "'В Молдове прошли выборы', '', '', 'выборы', 'ru', 'h5', "
                    "'2025-01-01 00:00:00')"
                )
            )
            await connection.execute(
                text(
                    "INSERT INTO chat (telegram_id, type, language, timezone, state, max_items, "
                    "created_at) VALUES (42, 'private', 'en', 'UTC', 'active', 2, "
                    "'2025-01-01 00:00:00')"
                )
            )
            await connection.execute(
                text(
                    "INSERT INTO digest (chat_id, kind, created_at, items_count, overflow_count) "
                    "VALUES (1, 'scheduled', '2025-01-02 08:00:00', 2, 1)"
                )
            )
            for article_id, rank, shown in ((3, 0, True), (2, 1, True), (4, 2, False)):
                await connection.execute(
                    text(
                        "INSERT INTO digest_item (digest_id, article_id, rank, shown) "
                        "VALUES (1, :a, :r, :s)"
                    ),
                    {"a": article_id, "r": rank, "s": shown},
                )
            await connection.execute(
                text(
                    "INSERT INTO story (title, sources_count, created_at, updated_at) "
                    "VALUES ('Story 3', 1, '2025-01-01 00:00:00', '2025-01-01 00:00:00')"
                )
            )
            await connection.execute(
                text(
                    "INSERT INTO sent_story (chat_id, story_id, digest_id, sent_at) "
                    "VALUES (1, 1, 1, '2025-01-02 08:00:00')"
                )
            )
            # rows that refer to tables a migration rebuilds: a subscription, an unsent part
            await connection.execute(
                text(
                    "INSERT INTO subscription (chat_id, kind, target, query, created_at) "
                    "VALUES (1, 'topic', 'volcano', 'volcano', '2025-01-01 00:00:00')"
                )
            )
            await connection.execute(
                text(
                    "INSERT INTO delivery (digest_id, part_no, chat_id, telegram_chat_id, text, "
                    "status, attempts, next_attempt_at, created_at) VALUES (1, 0, 1, 42, "
                    "'<b>Your digest</b>', 'pending', 0, '2025-01-02 08:00:00', "
                    "'2025-01-02 08:00:00')"
                )
            )
        await upgrade(engine)
        await upgrade(engine)  # idempotent
        assert await current_revision(engine) == head_revision()
        async with engine.connect() as connection:
            url = (await connection.execute(text("SELECT url FROM feed"))).scalar_one()
            digest = (
                await connection.execute(text("SELECT article_ids, more_ids FROM digest"))
            ).one()
        assert url == "https://old.example/rss"
        assert tuple(digest) == ("3,2", "4")  # what it showed, best first, and what /more sends
        async with engine.connect() as connection:
            sent = (
                await connection.execute(
                    text("SELECT chat_id, story_id, digest_id FROM sent_story")
                )
            ).all()
            outbox = (
                await connection.execute(text("SELECT digest_id, chat_id, text FROM delivery"))
            ).all()
            followed = (await connection.execute(text("SELECT target FROM subscription"))).all()
        assert [tuple(row) for row in sent] == [(1, 1, 1)]
        assert [tuple(row) for row in outbox] == [(1, 1, "<b>Your digest</b>")]
        assert [tuple(row) for row in followed] == [("volcano",)]
        async with make_sessionmaker(engine)() as session:
            hits = await search_articles(session, "volcano")
            russian = await search_articles(session, "выборах")
        assert len(hits) == 1
        assert [hit.article_id for hit in russian] == [5]


async def test_migrations_build_exactly_the_models_tables(backend: str, tmp_path: Path) -> None:
    """A model change without its migration (or the reverse) shows here, not in production."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    import storage.models  # noqa: F401  (registers the tables)

    async with database(backend, tmp_path) as (_url, engine, schema):

        def diff(connection: Any) -> list[Any]:
            context = MigrationContext.configure(
                connection, opts={"compare_type": False, "include_schemas": False}
            )
            found = compare_metadata(context, SQLModel.metadata)
            # the full-text search objects (FTS5 tables, the tsvector column and its index)
            # are the migrations' own
            return [d for d in found if not _search_object(d)]

        async with engine.connect() as connection:
            if schema:
                await connection.execute(text(f'SET search_path TO "{schema}"'))
            differences = await connection.run_sync(diff)
        assert differences == []


def _search_object(difference: tuple[Any, ...]) -> bool:
    kind = difference[0]
    if kind == "remove_table":
        return "fts" in difference[1].name
    if kind == "remove_index":
        return bool(difference[1].name == "ix_article_search")
    if kind == "remove_column":
        return bool(difference[3].name == "search_vector")
    return False


async def test_digest_ids_survive_a_downgrade_and_upgrade_again(
    backend: str, tmp_path: Path
) -> None:
    """Rolling back a release (alembic downgrade 0002) keeps what each digest showed."""
    async with database(backend, tmp_path) as (_url, engine, _schema):
        async with engine.begin() as connection:
            for n in (1, 2):
                await connection.execute(
                    text(
                        "INSERT INTO article (canonical_url, url, title, text, summary, "
                        f"keyphrases, content_hash, stored_at) VALUES ('https://e.example/{n}', "
                        f"'', 'Story {n}', '', '', '', 'h{n}', '2025-01-01 00:00:00')"
                    )
                )
            await connection.execute(
                text(
                    "INSERT INTO chat (telegram_id, type, language, timezone, state, max_items, "
                    "created_at) VALUES (42, 'private', 'en', 'UTC', 'active', 1, "
                    "'2025-01-01 00:00:00')"
                )
            )
            await connection.execute(
                text(
                    "INSERT INTO digest (chat_id, kind, created_at, items_count, overflow_count, "
                    "article_ids, more_ids) VALUES (1, 'scheduled', '2025-01-02 08:00:00', 1, 1, "
                    "'2', '1')"
                )
            )

        await downgrade(engine, "0002")
        async with engine.connect() as connection:
            items = await connection.execute(
                text("SELECT article_id, rank, shown FROM digest_item ORDER BY rank")
            )
            assert [(a, r, bool(s)) for a, r, s in items.all()] == [(2, 0, True), (1, 1, False)]
        await upgrade(engine)
        async with engine.connect() as connection:
            digest = (
                await connection.execute(text("SELECT article_ids, more_ids FROM digest"))
            ).one()
        assert tuple(digest) == ("2", "1")
