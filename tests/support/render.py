"""Sample digests for the rendering tests: two stories, one with nasty text and sources."""

from __future__ import annotations

from datetime import UTC, datetime

from digests.render import DigestView, ItemView, SourceView, TopicGroup

CREATED = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def sample_items() -> tuple[ItemView, ...]:
    return (
        ItemView(
            1,
            'Regulators & "AI safety" <labs> agree',
            "https://news.example/a?x=1&y=2",
            "Example News",
            datetime(2026, 3, 1, 17, 30, tzinfo=UTC),
            "Labs agreed on tests. The tests start in May.\nCritics want more.",
            (SourceView("Other Wire", "https://wire.example/b"), SourceView("Daily", None)),
        ),
        ItemView(2, "No link here", "javascript:alert(1)", "Blog", None, ""),
    )


def sample_digest(**overrides: object) -> DigestView:
    items = sample_items()
    values: dict[str, object] = {
        "groups": (TopicGroup('"ai safety" OR alignment', items), TopicGroup("energy", items[:1])),
        "created": CREATED,
        "timezone": "Europe/Berlin",
        "language": "de",
        "more": 4,
    }
    values.update(overrides)
    return DigestView(**values)  # type: ignore[arg-type]
