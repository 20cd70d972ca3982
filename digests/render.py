"""Render digests, single articles and result lists into Telegram HTML with Jinja2.

Templates live in `digests/templates/`; an operator's directory (`Settings.templates_dir`)
overrides them by name. Every value is escaped for Telegram's HTML (`& < > "`), undefined
names raise, links are http/https only, and dates are shown in the chat's zone and language.
Texts are the templates' own, through gettext (`_()`, `ngettext`): views hold only what the
sources gave, so a missing title or source is worded by the template in each chat's language.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from babel.dates import format_datetime
from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    select_autoescape,
)
from markupsafe import Markup

from digests import i18n
from digests.schedule import zone_of
from digests.split import pack_blocks
from storage.models import Article
from storage.rows import ArticleRow

MAX_TITLE = 200  # characters; a longer title is cut at a word with an ellipsis
MAX_SUMMARY = 400
MAX_URL = 2048
FSI, PDI = "\u2068", "\u2069"  # first strong isolate ... pop directional isolate

# Marks for the times of a story rendered once for every zone (private-use characters).
_MARK_OPEN, _MARK_CLOSE = "\ue000", "\ue001"
_TIME_MARK = re.compile(f"{_MARK_OPEN}(\\d+){_MARK_CLOSE}")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
_SPACES = re.compile(r"[ \t\r\f\v]+")


def tg_escape(text: str) -> str:
    """Escape text for Telegram's HTML parse mode: only `& < > "` need it."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def clean_text(text: str | None) -> str:
    """Drop control characters and lone surrogates; collapse runs of spaces."""
    if not text:
        return ""
    return _SPACES.sub(" ", _CONTROL.sub("", text)).strip()


def shorten(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` characters at a word boundary, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—") + "…"


@lru_cache(maxsize=65_536)
def one_line(text: str | None, limit: int) -> str:
    return shorten(" ".join(clean_text(text).split()), limit)


def paragraphs(text: str | None, limit: int) -> str:
    """Summary text: paragraphs kept as single line breaks, cut at a sentence or word."""
    lines = [" ".join(p.split()) for p in clean_text(text).split("\n")]
    joined = "\n".join(p for p in lines if p)
    if len(joined) <= limit:
        return joined
    cut = joined[:limit]
    end = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "), cut.rfind("\n"))
    if end > limit // 2:
        return cut[: end + 1].rstrip()
    return shorten(joined, limit)


@lru_cache(maxsize=65_536)
def safe_url(url: str | None) -> str | None:
    """The URL if it is an absolute http(s) link fit for an href, else None."""
    if not url:
        return None
    url = _CONTROL.sub("", url).strip().replace(" ", "%20")
    if not url or len(url) > MAX_URL or any(c.isspace() for c in url):
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    if parts.username is not None or parts.password is not None:
        return None
    return url


@dataclass(frozen=True)
class SourceView:
    name: str
    url: str | None

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", one_line(self.name, 60))  # "" -> "source" in templates
        object.__setattr__(self, "url", safe_url(self.url))


@dataclass(frozen=True)
class ItemView:
    """One story as a template sees it (already cleaned and cut; a title or source the article
    lacks is "", which the templates word in the chat's language)."""

    article_id: int
    title: str
    url: str | None
    source: str | None = None
    published: datetime | None = None
    summary: str = ""
    also: tuple[SourceView, ...] = ()
    story_id: int | None = None
    update: bool = False  # a later article of a story the chat already got
    date_only: bool = False  # `published` is only a day: shown without a time

    def __post_init__(self) -> None:
        # whatever the source held: clean, bounded text, and http(s) links or none
        object.__setattr__(self, "title", one_line(self.title, MAX_TITLE))
        object.__setattr__(self, "url", safe_url(self.url))
        object.__setattr__(self, "source", one_line(self.source, 60))
        object.__setattr__(self, "summary", paragraphs(self.summary, MAX_SUMMARY))


@dataclass(frozen=True)
class TopicGroup:
    topic: str
    items: tuple[ItemView, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "topic", one_line(self.topic, MAX_TITLE))  # "" -> "Topic"


@dataclass(frozen=True)
class DigestView:
    groups: tuple[TopicGroup, ...]
    created: datetime
    timezone: str = "UTC"
    language: str = "en"
    more: int = 0  # stories held back for /more
    kind: str = "scheduled"
    title: str | None = None
    items_count: int = field(default=0)


# What rendering reads of an article: a stored one, or the columns selection loaded.
ArticleLike = Article | ArticleRow


def source_name(url: str | None, fallback: str | None = None) -> str:
    """The outlet's name, else its host; "" when neither is known (templates word that)."""
    if fallback and fallback.strip():
        return one_line(fallback, 60)
    host = urlsplit(url or "").hostname or ""
    return host.removeprefix("www.")


def item_view(
    article: ArticleLike, *, also: Sequence[ArticleLike] = (), update: bool = False
) -> ItemView:
    """The view of an article (with the other outlets that reported the same story; `update`
    when it follows up a story the chat already got)."""
    url = safe_url(article.url) or safe_url(article.canonical_url)
    others: dict[str, SourceView] = {}
    for other in also:
        other_url = safe_url(other.url) or safe_url(other.canonical_url)
        name = source_name(other_url, other.source_name)
        others.setdefault(name, SourceView(name, other_url))
    return ItemView(
        article_id=article.id or 0,
        title=one_line(article.title, MAX_TITLE),
        url=url,
        source=source_name(url, article.source_name),
        published=article.published_at or article.stored_at,
        date_only=bool(article.date_only and article.published_at),
        summary=paragraphs(article.summary, MAX_SUMMARY),
        also=tuple(others.values())[:5],
        story_id=article.story_id,
        update=update,
    )


_PATTERNS = {"short": "d MMM, HH:mm", "date": "d MMMM y", "time": "HH:mm", "day": "d MMM"}


@lru_cache(maxsize=65_536)
def local_time(moment: datetime | None, timezone: str, language: str, style: str = "short") -> str:
    """A time in the chat's zone and language: "2 Mar, 09:00" (style "short"); style "day"
    ("2 Mar") is for a day without a time, read in UTC where it was stored, not moved."""
    if moment is None:
        return ""
    if style == "day":
        timezone = "UTC"
    pattern = _PATTERNS.get(style, style)
    locale = i18n.locale_of(language)
    return str(format_datetime(moment, pattern, tzinfo=zone_of(timezone), locale=locale))


def isolated(text: str | None) -> str:
    """Text from a source (a title, an outlet, a topic, a summary line) in a right-to-left
    chat: each line a first-strong isolate, so it keeps its own direction (an English title's
    final "?" or "…" stays at its end) and does not decide the message's. Telegram keeps these
    two characters (it drops only the older embeddings, U+202A..U+202E). Unchanged in a
    left-to-right language."""
    if not text or i18n.current() not in i18n.RTL:
        return text or ""
    return "\n".join(f"{FSI}{line}{PDI}" if line else line for line in text.split("\n"))


def _finalize(value: Any) -> Any:
    if hasattr(value, "__html__"):
        return value
    return Markup(tg_escape(str(value)))


def _href(url: str | None) -> Markup:
    checked = safe_url(url)
    return Markup(tg_escape(checked)) if checked else Markup("")


class Renderer:
    """Templates for digests (grouped by topic), /latest and /search results and the "nothing
    new" line; `templates_dir` overrides them by name."""

    def __init__(self, templates_dir: Path | None = None) -> None:
        loaders: list[Any] = []
        if templates_dir is not None:
            loaders.append(FileSystemLoader(str(templates_dir)))
        loaders.append(PackageLoader("digests", "templates"))
        self.env = Environment(
            loader=ChoiceLoader(loaders),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
            finalize=_finalize,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            auto_reload=False,
        )
        # texts in the current language (digests/i18n.py): {{ _("Also reported by") }},
        # {{ ngettext("%(num)d story", "%(num)d stories", n) }}; placeholders filled and escaped
        self.env.add_extension("jinja2.ext.i18n")
        self.env.install_gettext_callables(  # type: ignore[attr-defined]
            i18n.template_gettext, i18n.template_ngettext, newstyle=True
        )
        self.env.globals.update(local_time=local_time, href=_href, story=self.story)
        self.env.filters.update(href=_href, isolated=isolated)
        self._stories: dict[tuple[int, str, str], tuple[ItemView, Markup]] = {}
        self._zoneless_stories: dict[
            tuple[int, str],
            tuple[ItemView, tuple[str, tuple[tuple[datetime | None, str], ...]] | None],
        ] = {}
        # a template of the operator's own may use the zone in other ways: rendered per zone
        self._share_zones = templates_dir is None or not (templates_dir / "item.html.j2").exists()
        self._pieces: dict[tuple[object, ...], str] = {}

    def forget_stories(self) -> None:
        """Drop the stories cached for views of an earlier tick (their views are gone, so the
        entries could never be hit again, only kept until the cache filled)."""
        self._stories.clear()
        self._zoneless_stories.clear()

    def story(self, item: ItemView, tz: str, lang: str) -> Markup:
        """One story rendered with item.html.j2, cached for the same view object (digests built
        in one tick share their views) in a zone and language. The packaged template is
        rendered once per language, its times left as marks that each zone fills in."""
        key = (id(item), tz, lang)
        cached = self._stories.get(key)
        if cached is not None and cached[0] is item:
            return cached[1]
        if len(self._stories) >= 50_000:
            self._stories.clear()
        zoneless = self._zoneless(item, tz, lang) if self._share_zones else None
        if zoneless is None:
            html = self._render_story(item, tz, lang)
        else:
            text, times = zoneless

            def shown(mark: re.Match[str]) -> str:
                moment, style = times[int(mark.group(1))]
                return tg_escape(local_time(moment, tz, lang, style))

            html = Markup(_TIME_MARK.sub(shown, text))
        self._stories[key] = (item, html)
        return html

    def _render_story(self, item: ItemView, tz: str, lang: str, **extra: Any) -> Markup:
        with i18n.use_language(lang):
            text = self.env.get_template("item.html.j2").render(
                item=item, tz=tz, lang=lang, **extra
            )
        return Markup(re.sub(r"\n{2,}", "\n", text).strip())

    def _zoneless(
        self, item: ItemView, tz: str, lang: str
    ) -> tuple[str, tuple[tuple[datetime | None, str], ...]] | None:
        """The story in a language with a mark for each time it shows (None when its own text
        holds such marks, so a zone could not fill them in safely)."""
        key = (id(item), lang)
        cached = self._zoneless_stories.get(key)
        if cached is not None and cached[0] is item:
            return cached[1]
        times: list[tuple[datetime | None, str]] = []

        def marked(moment: datetime | None, _tz: str, _lang: str, style: str = "short") -> Markup:
            times.append((moment, style))
            return Markup(f"{_MARK_OPEN}{len(times) - 1}{_MARK_CLOSE}")

        text = str(self._render_story(item, tz, lang, local_time=marked))
        found = (text, tuple(times)) if text.count(_MARK_OPEN) == len(times) else None
        if len(self._zoneless_stories) >= 50_000:
            self._zoneless_stories.clear()
        self._zoneless_stories[key] = (item, found)
        return found

    def render(self, name: str, **context: Any) -> str:
        """Template `name` with `context`, in the language `lang` of the context (else the
        current one)."""
        with i18n.use_language(context.get("lang") or i18n.current()):
            text = self.env.get_template(name).render(**context)
        return re.sub(r"\n{3,}", "\n\n", text).strip()

    def render_digest(self, digest: DigestView) -> str:
        """The whole digest as one HTML text (`digest_parts` splits it into messages).

        Assembled from cached pieces — digest_header, digest_topic, item (one per story),
        digest_footer — since many chats share them."""
        return "\n\n".join(self.digest_blocks(digest))

    def digest_blocks(self, digest: DigestView) -> list[str]:
        """The digest's blocks: header, one per story (a topic's first with its heading),
        footer; messages are split between blocks."""
        tz, lang = digest.timezone, digest.language
        blocks = [self._piece("digest_header.html.j2", digest.title, digest.created, tz, lang)]
        for group in digest.groups:
            heading = self._piece("digest_topic.html.j2", group.topic, None, tz, lang)
            for index, item in enumerate(group.items):
                story = self.story(item, tz, lang)
                blocks.append(f"{heading}\n{story}" if index == 0 else str(story))
        if digest.more:
            blocks.append(self._piece("digest_footer.html.j2", str(digest.more), None, tz, lang))
        return [b for b in blocks if b]

    def _piece(
        self, name: str, value: str | None, when: datetime | None, tz: str, lang: str
    ) -> str:
        key = (name, value, when, tz, lang)
        html = self._pieces.get(key)
        if html is None:
            if len(self._pieces) >= 50_000:
                self._pieces.clear()
            html = self.render(name, value=value, when=when, tz=tz, lang=lang)
            self._pieces[key] = html
        return html

    def digest_parts(self, digest: DigestView) -> list[str]:
        """The digest as Telegram messages, each within the limits."""
        return pack_blocks(self.digest_blocks(digest))

    def render_results(
        self,
        *,
        title: str,
        articles: Sequence[ItemView | ArticleLike],
        timezone: str = "UTC",
        language: str = "en",
        empty: str | None = None,
    ) -> str:
        """A /latest or /search result list (the `empty` line when nothing was found, else the
        template's "Nothing found.")."""
        items = [a if isinstance(a, ItemView) else item_view(a) for a in articles]
        return self.render(
            "results.html.j2",
            title=one_line(title, MAX_TITLE),
            items=items,
            empty=empty or "",
            tz=timezone,
            lang=language,
        )

    def render_nothing_new(
        self, *, since: datetime | None = None, timezone: str = "UTC", language: str = "en"
    ) -> str:
        """The reply to a /digest that finds nothing new (since `since`, else the last digest)."""
        return self.render("nothing_new.html.j2", since=since, tz=timezone, lang=language)
