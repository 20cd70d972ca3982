"""article.stems: Snowball stems of a non-English article's title, keyphrases and summary
(`storage.stems`), searched beside the English-stemmed words so that keyword topics match in
the article's own language. Articles already stored in such a language get their stems here
(their summaries and keyphrases stay as they were made).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.stems import SNOWBALL, stems_of

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TRIGGERS = ("article_fts_insert", "article_fts_delete", "article_fts_update")


def _vector(stems: bool) -> str:
    # The stems are already stems: 'simple' only lower-cases them, as the query side does.
    extra = " || setweight(to_tsvector('simple', coalesce(stems, '')), 'A')" if stems else ""
    return (
        "ALTER TABLE article ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
        "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
        "setweight(to_tsvector('english', coalesce(keyphrases, '')), 'A') || "
        "setweight(to_tsvector('english', coalesce(summary, '')), 'B') || "
        f"setweight(to_tsvector('english', coalesce(text, '')), 'C'){extra}) STORED"
    )


def _fts5(columns: list[str]) -> None:
    names = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    op.execute(
        f"CREATE VIRTUAL TABLE article_fts USING fts5({names}, "
        "content='article', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')"
    )
    op.execute(
        f"CREATE TRIGGER article_fts_insert AFTER INSERT ON article BEGIN "
        f"INSERT INTO article_fts(rowid, {names}) VALUES (new.id, {new}); END"
    )
    op.execute(
        f"CREATE TRIGGER article_fts_delete AFTER DELETE ON article BEGIN "
        f"INSERT INTO article_fts(article_fts, rowid, {names}) "
        f"VALUES ('delete', old.id, {old}); END"
    )
    op.execute(
        f"CREATE TRIGGER article_fts_update AFTER UPDATE OF {names} ON article BEGIN "
        f"INSERT INTO article_fts(article_fts, rowid, {names}) "
        f"VALUES ('delete', old.id, {old}); "
        f"INSERT INTO article_fts(rowid, {names}) VALUES (new.id, {new}); END"
    )
    op.execute("INSERT INTO article_fts(article_fts) VALUES ('rebuild')")


def _rebuild(stems: bool) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_article_search")
        op.execute("ALTER TABLE article DROP COLUMN IF EXISTS search_vector")
        op.execute(_vector(stems))
        op.execute("CREATE INDEX ix_article_search ON article USING GIN (search_vector)")
        return
    for trigger in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS article_fts")
    _fts5(["title", "keyphrases", "summary", "text", *(["stems"] if stems else [])])


def _stem_stored_articles() -> None:
    """Stems for the articles stored before, in a stemmed language (a few at a time)."""
    bind = op.get_bind()
    select = sa.text(
        "SELECT id, language, title, keyphrases, summary FROM article "
        "WHERE language IN :languages AND id > :after ORDER BY id LIMIT 500"
    ).bindparams(sa.bindparam("languages", sorted(SNOWBALL), expanding=True))
    update = sa.text("UPDATE article SET stems = :stems WHERE id = :id")
    after = 0
    while rows := bind.execute(select, {"after": after}).all():
        changes = [
            {"id": row[0], "stems": stems_of(row[1], row[2] or "", row[3] or "", row[4] or "")}
            for row in rows
        ]
        bind.execute(update, changes)
        after = rows[-1][0]


# Plain ALTER TABLE, not a batch: on SQLite a batch would copy the table and lose the
# full-text search triggers on `article` (they are made anew here anyway).
def upgrade() -> None:
    op.add_column("article", sa.Column("stems", sa.Text(), nullable=True))
    _stem_stored_articles()  # (the old triggers watch other columns)
    _rebuild(stems=True)


def downgrade() -> None:
    _rebuild(stems=False)
    op.drop_column("article", "stems")
