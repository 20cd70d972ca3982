"""Where each line of the extracted text sits in the page: its block element, how much of it is
link text, and whether it lies inside the article's main container — the smallest element that
holds most of the text's prose. Lines outside that container (a column of other stories, a
box of promotions, the site's footer) and short lines made of links inside it (a list of
other stories within the article's own element) are not the article, nor is a short line
that shares its parent element only with a picture (its caption). A table of data
(`data_table`) is part of the article, never its container: the element around it is.

Pure: reads a parsed page, changes nothing. Over 500 lines on purpose: every pass here (the
container, captions, link tails, labels at the text's edges, tables of data) places lines in
the same `Layout` of the page (`locate`) and would otherwise have to find them again."""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass

from lxml.html import HtmlElement

from ingest.patterns import LIST_ITEM
from ingest.regions import key
from ingest.text import words

_SKIP = frozenset({"script", "style", "noscript", "template", "head", "title"})
_BLOCK = frozenset(
    {"p", "div", "li", "td", "th", "dd", "dt", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol"}
    | {"table", "tr", "section", "article", "aside", "blockquote", "pre", "body", "header"}
    | {"footer", "nav", "form", "dl", "figure", "figcaption", "main", "center", "font"}
)
PROSE_WORDS = 12  # a line this long is prose: the main container is found from these
MAIN_SHARE = 0.8  # the main container holds at least this share of the prose words
MAX_DROPPED = 0.4  # lines outside it go when they are at most this share of the prose
SEED_SHARE = 0.5  # a grown seed is the container when it holds this share of the prose
ADDED_SHARE = 0.5  # a step up from the seed adds at most this share of its prose
OTHER_WORDS = 12  # and at most this many words of short or link lines beyond the prose it adds
_ITEMS = frozenset({"li", "dt", "dd"})  # list items: a list within the text, not its paragraphs
_QUOTES = frozenset({"blockquote"})  # a long quotation is not where the article's text sits
TAIL_LINES = 6  # a closing tail of short lines goes when it has this many with words
TAIL_LINKS = 0.5  # and this share of its words is link text
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
DATA_ROWS = 3  # a table of data has at least this many rows
DATA_REGULAR = 0.8  # and this share of its rows have its most common number of columns (2+)
DATA_PARAGRAPHS = 0.1  # and at most this share of its cells hold a paragraph (a long note)
DATA_LINKS = 0.5  # and at most this share of its words are link text (not a list of links)
DATA_CELL_WORDS = 100  # and no cell holds more words than this (an article's cell does)
_CELLS = frozenset({"td", "th"})
# Blocks a cell of data never holds: a heading, a list, a form, a quotation, another table.
_NOT_DATA = ("h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "form", "table", "blockquote")


@dataclass(frozen=True)
class Line:
    """A line of the extracted text as found in the page (`block` None: not found)."""

    text: str
    block: HtmlElement | None
    link_share: float  # share of its characters inside <a> elements


@dataclass(frozen=True)
class Layout:
    joined: str  # the page's text as word keys, pieces joined by single spaces
    starts: list[int]  # offset of each piece in `joined`
    blocks: list[HtmlElement]  # the block element each piece belongs to
    linked: list[bool]  # whether each piece lies inside a link


def page_layout(tree: HtmlElement) -> Layout:
    body = tree.find("body")
    root = body if body is not None else tree
    parts: list[str] = []
    starts: list[int] = []
    blocks: list[HtmlElement] = []
    linked: list[bool] = []
    size = 0

    def add(text: str | None, block: HtmlElement, link: bool) -> None:
        nonlocal size
        piece = key(text or "")
        if not piece:
            return
        starts.append(size)
        parts.append(piece)
        blocks.append(block)
        linked.append(link)
        size += len(piece) + 1

    def walk(element: HtmlElement, block: HtmlElement, link: bool) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag and tag not in _SKIP:
            own = element if tag in _BLOCK else block
            inner = link or tag == "a"
            add(element.text, own, inner)
            for child in element:
                walk(child, own, inner)
        add(element.tail, block, link)

    walk(root, root, False)
    return Layout(" ".join(parts), starts, blocks, linked)


def locate(text: str, layout: Layout) -> list[Line]:
    """Each line of `text` with its place in the page, searched in document order."""
    found: list[Line] = []
    cursor = 0
    padded = " " + layout.joined + " "
    for line in (line for line in text.split("\n") if line.strip()):
        line_key = key(line)
        if not line_key:
            found.append(Line(line, None, 0.0))
            continue
        needle = f" {line_key} "
        at = padded.find(needle, cursor)
        if at < 0:
            at = padded.find(needle)
        if at < 0:
            found.append(Line(line, None, 0.0))
            continue
        cursor = at + len(needle) - 1
        first = max(0, bisect.bisect_right(layout.starts, at) - 1)
        last = max(first, bisect.bisect_right(layout.starts, at + len(line_key) - 1) - 1)
        chars = 0
        in_links = 0
        for piece in range(first, last + 1):
            length = (
                layout.starts[piece + 1] - layout.starts[piece] - 1
                if piece + 1 < len(layout.starts)
                else len(layout.joined) - layout.starts[piece]
            )
            chars += length
            in_links += length if layout.linked[piece] else 0
        found.append(Line(line, layout.blocks[first], in_links / max(1, chars)))
    return found


def main_container(lines: list[Line]) -> HtmlElement | None:
    """The article's main container: the first of `containers`."""
    found = containers(lines)
    return found[0] if found else None


def containers(lines: list[Line]) -> list[HtmlElement]:
    """Candidates for the article's main container, narrowest first: the element grown from
    the one with the most prose words in its own lines and its direct children's (`_seed`)
    while each step up adds little prose beside it (`_widened`), when it lies within the next
    and holds `SEED_SHARE` of the prose; and the deepest element that holds `MAIN_SHARE` of the
    prose words of the located lines."""
    counts: dict[int, int] = {}
    elements: dict[int, tuple[int, HtmlElement]] = {}
    total = 0
    for line in lines:
        n = len(words(line.text))
        if line.block is None or n < PROSE_WORDS:
            continue
        total += n
        chain = [line.block, *line.block.iterancestors()]
        for depth, element in enumerate(reversed(chain)):
            counts[id(element)] = counts.get(id(element), 0) + n
            elements[id(element)] = (depth, element)
    best: tuple[int, HtmlElement] | None = None
    for ident, count in counts.items():
        if count >= MAIN_SHARE * total:
            depth, element = elements[ident]
            if best is None or depth > best[0]:
                best = (depth, element)
    if best is None:
        return []
    best = (best[0], _around_data(best[1]))
    seed = _seed(lines)
    if seed is not None:
        grown = _around_data(_widened(seed, lines))
        within = any(a is best[1] for a in grown.iterancestors())
        if within and counts.get(id(grown), 0) >= SEED_SHARE * total:
            return [grown, best[1]]
    return [best[1]]


def _around_data(element: HtmlElement) -> HtmlElement:
    """The element around the outermost table of data (`data_table`) holding `element`, or
    `element` itself: the table sits in the article, with its paragraphs beside it."""
    outermost = None
    for candidate in (element, *element.iterancestors("table")):
        if candidate.tag == "table" and data_table(candidate):
            outermost = candidate
    parent = outermost.getparent() if outermost is not None else None
    return parent if parent is not None else element


def _prose(line: Line) -> int:
    """The words of a prose line (`PROSE_WORDS` or more, mostly not link text), else 0."""
    n = len(words(line.text))
    return n if n >= PROSE_WORDS and line.link_share < 0.5 else 0


def _seed(lines: list[Line]) -> HtmlElement | None:
    """The element whose own prose lines and whose direct children's hold the most prose words
    (list items and quotations aside: they sit inside the article, not beside its paragraphs): the
    article's paragraphs sit side by side, a column of teasers sits in boxes of its own."""
    density: dict[int, tuple[int, HtmlElement]] = {}
    for line in lines:
        n = _prose(line)
        if line.block is None or not n or line.block.tag in _ITEMS:
            continue
        parent = line.block.getparent()
        for element in (line.block, parent) if parent is not None else (line.block,):
            if element.tag in _QUOTES:
                continue
            count, _ = density.get(id(element), (0, element))
            density[id(element)] = (count + n, element)
    if not density:
        return None
    return max(density.values(), key=lambda pair: pair[0])[1]


def _kind(block: HtmlElement) -> tuple[str, ...]:
    """A block's tag and class with its parent's: the article's paragraphs set apart by other
    elements share it when a class is named (an unnamed <p> in an unnamed <div> says nothing)."""
    parent = block.getparent()
    named: tuple[str, ...] = (str(block.tag), block.get("class") or "")
    if parent is not None:
        named += (str(parent.tag), parent.get("class") or "")
    return named if any(named[1::2]) else (str(id(block)),)


def _widened(seed: HtmlElement, lines: list[Line]) -> HtmlElement:
    """`seed` grown to its ancestors while each step adds prose of at most `ADDED_SHARE` of what
    it holds and not mostly short or link lines (a lead or a closing paragraph set apart, not a
    column of other stories)."""
    current = seed
    for parent in seed.iterancestors():
        held = added = other = same = 0
        alike = {
            _kind(line.block)
            for line in lines
            if line.block is not None and _prose(line) and inside(line, current)
        }
        for line in lines:
            if line.block is None or not inside(line, parent):
                continue
            n = len(words(line.text))
            if inside(line, current):
                held += _prose(line)
            elif _prose(line) and _kind(line.block) in alike:
                held += n
                same += n
            elif _prose(line):
                added += n
            else:
                other += n
        if added > ADDED_SHARE * held or other > added + same + OTHER_WORDS:
            break
        current = parent
    return current


def inside(line: Line, container: HtmlElement) -> bool:
    if line.block is None:
        return True
    return line.block is container or any(a is container for a in line.block.iterancestors())


def drop_outside(text: str, layout: Layout) -> str:
    """`text` without the lines that lie outside the article's main container (`main_container`)
    and after its last line or between its lines (a column of other stories, the site's
    footer, a box of promotions), nor the short lines (under `PROSE_WORDS` words) before its
    first line (section labels, time stamps, menus); a heading before the container's last line
    stays when the line after it stays (the article's own subheadings in a sibling element).
    Each of `containers` is tried, narrowest first; nothing is dropped when each would take
    more than `MAX_DROPPED` of the text's prose words (short lines do not count: a column of
    teaser headlines may outweigh a short article)."""
    lines = locate(text, layout)
    total = sum(_prose(line) for line in lines)
    for container in containers(lines):
        drop = _outside(lines, container)
        if drop and sum(_prose(lines[i]) for i in drop) <= MAX_DROPPED * total:
            return _without(text, drop)
    return text


def _outside(lines: list[Line], container: HtmlElement) -> set[int]:
    """The indices of the lines `drop_outside` takes away for `container`."""
    flags = [inside(line, container) for line in lines]
    if True not in flags:
        return set()
    first = flags.index(True)
    last = len(flags) - 1 - flags[::-1].index(True)
    drop: set[int] = set()
    for i in reversed(range(len(lines))):  # a heading is judged after the line it heads
        line = lines[i]
        if flags[i] or line.block is None:
            continue
        if i < last and line.block.tag in _HEADINGS and i + 1 not in drop:
            continue
        if i > first or len(words(line.text)) < PROSE_WORDS:
            drop.add(i)
    return drop


def _without(text: str, drop: set[int]) -> str:
    kept: list[str] = []
    index = 0
    for paragraph in text.split("\n\n"):
        rest: list[str] = []
        for part in paragraph.split("\n"):
            if not part.strip():
                continue
            if index not in drop:
                rest.append(part)
            index += 1
        if rest:
            kept.append("\n".join(rest))
    return "\n\n".join(kept)


def drop_link_tail(text: str, layout: Layout) -> str:
    """`text` without its tail after the last prose line (`PROSE_WORDS` or more, mostly not link
    text) when that tail is short lines only, at least `TAIL_LINES` of them with words, and
    mostly link text by words (`TAIL_LINKS`): the site's menus and lists of other stories
    that trafilatura keeps after the article, inside its element or not."""
    lines = locate(text, layout)
    last = max((i for i, line in enumerate(lines) if _prose(line)), default=-1)
    if last < 0:
        return text
    tail = [line for line in lines[last + 1 :] if words(line.text)]
    sizes = [len(words(line.text)) for line in tail]
    if len(tail) < TAIL_LINES or max(sizes) >= PROSE_WORDS:
        return text
    linked = sum(n * line.link_share for n, line in zip(sizes, tail, strict=True))
    if linked < TAIL_LINKS * sum(sizes):
        return text
    return _without(text, set(range(last + 1, len(lines))))


EDGE_LINK_WORDS = 8  # a page tool's or menu's line at the text's edge is at most this long
WHOLE_LINK = 0.9  # and at least this share of its characters lie in links


def drop_edge_links(text: str, layout: Layout) -> str:
    """`text` without the lines at its start and at its end that are links and nothing else:
    short (`EDGE_LINK_WORDS` words at most), no sentence's end, `WHOLE_LINK` of them link text
    where they stand in the page, a short label before them aside — a page's tools, menu
    entries and tags that trafilatura keeps at the article's edge ("Comments", "Print Email",
    "Printer-friendly version Email-a-friend Respond", "National", "Filed under: Politics |",
    "Previous story: Sports roundup"). A bare address ("example.com", "http://…") is the
    article's pointer to a site, a list's items (a table of contents) and a heading are the
    article's: they stay; nothing goes unless a line of prose stays."""
    lines = locate(text, layout)
    if not any(_prose(line) for line in lines):
        return text
    start = 0
    while start < len(lines) and _edge_link(lines[start]):
        start += 1
    end = len(lines)
    while end > start and _edge_link(lines[end - 1]):
        end -= 1
    drop = set(range(start)) | set(range(end, len(lines)))
    return _without(text, drop) if drop else text


def _edge_link(line: Line) -> bool:
    text = line.text.strip()
    return (
        0 < len(words(text)) <= EDGE_LINK_WORDS
        and line.link_share >= WHOLE_LINK * (1 - _label_share(text))
        and text[-1:] not in _SENTENCE_END
        and not (" " not in text and "." in text)  # an address: "example.com", "http://…"
        and not LIST_ITEM.match(text)
        and (line.block is None or line.block.tag not in _HEADINGS)  # a heading's link is its own
    )


def _label_share(text: str) -> float:
    """The share of a line's characters in a short label opening it ("Filed under: …",
    "Previous story: …"; at most `LABEL_WORDS` words before ": "), 0 without one."""
    label, colon, rest = text.partition(": ")
    if not colon or not rest.strip() or not 0 < len(words(label)) <= LABEL_WORDS:
        return 0.0
    return len(key(label)) / max(1, len(key(text)))


CAPTION_WORDS = 40  # a line beside a picture is its caption when it is at most this long
_QUOTE_MARKS = frozenset("\"“”„«»'‘")
CAPTION_EXTRA = 6  # and the picture's wrapper holds at most this many words beside it


def drop_figure_captions(text: str, layout: Layout) -> str:
    """`text` without the captions written beside a picture: a line of at most `CAPTION_WORDS`
    words, not a quotation, whose block shares its parent with an <img> and nothing else of
    note (the parent's words are the line's and at most `CAPTION_EXTRA` more, "View larger
    image"), as a figure without <figure> markup is built; nothing goes when that would take
    over `MAX_DROPPED` of the text's prose."""
    lines = locate(text, layout)
    sizes: dict[HtmlElement, int] = {}  # words of each parent looked at (kept alive: lxml
    # reuses a freed element's id)
    drop = {i for i, line in enumerate(lines) if _beside_picture(line, sizes)}
    total = sum(_prose(line) for line in lines)
    if not drop or sum(_prose(lines[i]) for i in drop) > MAX_DROPPED * total:
        return text
    return _without(text, drop)


def _beside_picture(line: Line, sizes: dict[HtmlElement, int]) -> bool:
    n = len(words(line.text))
    if line.block is None or not n or n > CAPTION_WORDS or line.block.tag in _HEADINGS:
        return False
    if line.text.lstrip()[:1] in _QUOTE_MARKS:
        return False  # a quotation beside a face (a reader's review) is not a caption
    wrapper = line.block.getparent()
    if wrapper is None or wrapper.tag in ("body", "html"):
        return False
    if wrapper not in sizes:
        sizes[wrapper] = len(words(wrapper.text_content()))
    if sizes[wrapper] > n + CAPTION_EXTRA:
        return False
    return any(not inside(Line("", img, 0.0), line.block) for img in wrapper.iter("img"))


def data_table(table: HtmlElement) -> bool:
    """Whether a <table> holds data, not the page's layout: a first row of <th> cells over two
    columns or more (a header row, or a title spanning the table), at least `DATA_ROWS` rows
    of which `DATA_REGULAR` have the same number of columns (two or more), at most
    `DATA_LINKS` of its words in links, and no cell of more than `DATA_CELL_WORDS` words or
    holding a heading, a list, a form, a quotation or another table. A paragraph in a few
    cells (`DATA_PARAGRAPHS`) is a long entry, a <br> or a <div> a line break: not layout."""
    if any(True for _ in table.iterdescendants(*_NOT_DATA)):
        return False
    rows = [
        cells
        for row in table.iterdescendants("tr")
        if _owner(row) is table and (cells := [cell for cell in row if cell.tag in _CELLS])
    ]
    if len(rows) < DATA_ROWS or any(cell.tag != "th" for cell in rows[0]):
        return False
    widths = Counter(_span_of(cells) for cells in rows)
    common, count = widths.most_common(1)[0]
    if _span_of(rows[0]) < 2 or common < 2 or count < DATA_REGULAR * len(rows):
        return False
    linked = sum(len(words(a.text_content())) for a in table.iterdescendants("a"))
    if linked > DATA_LINKS * len(words(table.text_content())):
        return False
    cells = [cell for row in rows for cell in row]
    if any(len(words(cell.text_content())) > DATA_CELL_WORDS for cell in cells):
        return False
    paragraphs = sum(1 for cell in cells if any(True for _ in cell.iterdescendants("p")))
    return paragraphs <= DATA_PARAGRAPHS * len(cells)


def _span_of(cells: list[HtmlElement]) -> int:
    return sum(_span(cell) for cell in cells)


def _owner(element: HtmlElement) -> HtmlElement | None:
    return next(element.iterancestors("table"), None)


def _span(cell: HtmlElement) -> int:
    value = (cell.get("colspan") or "1").strip()
    return int(value) if value.isdigit() and 0 < int(value) < 100 else 1


LABEL_WORDS = 3  # a section's label over the text is at most this long
LABEL_LINES = 2  # and at most this many open it ("International" / "India & World")
_LABEL_STOP = frozenset('.!?;:,"”’)')


def drop_opening_labels(text: str, layout: Layout) -> str:
    """`text` without the labels opening it: short lines (at most `LABEL_WORDS` words, no
    sentence's end, `LABEL_LINES` at most) that are, where they stand in the page just before
    the line after them,

    - the whole text of a link whose words another link of the page repeats: the section's
      entry in the site's menu ("Business" over the lead, linking to the section's index);
    - or the heading of links only, up to the text's next line (`LABEL_LINKS`), in a box that
      holds none of the text's prose: a box of other stories whose headlines went ("Today's
      Sun" / "Latest News" over the byline), not the article's own heading over its list.

    A heading that is the article's own ("<h1>Lorem</h1>") is no link and heads the article's
    paragraphs: it stays. A second short line beside a menu's label in its block ("Sport" /
    "Racing : Horse") goes with it; nothing goes unless a line of prose (`PROSE_WORDS`)
    follows."""
    lines = [line for line in text.split("\n") if line.strip()]
    padded = " " + layout.joined + " "
    menu: Counter[str] | None = None
    drop: set[int] = set()
    label: HtmlElement | None = None
    prose = [line.block for line in locate(text, layout) if line.block is not None and _prose(line)]
    for i, line in enumerate(lines[: LABEL_LINES + 1]):
        n = len(words(line))
        if i >= LABEL_LINES or not 0 < n <= LABEL_WORDS or line.rstrip()[-1:] in _LABEL_STOP:
            break
        following = padded.find(f" {key(lines[i + 1])} ") if i + 1 < len(lines) else -1
        at = padded.rfind(f" {key(line)} ", 0, following) if following > 0 else -1
        if at < 0:
            break
        piece = max(0, bisect.bisect_right(layout.starts, at) - 1)
        anchor = _whole_link(layout.blocks[piece], key(line))
        if not layout.linked[piece] or anchor is None:
            if drop and _within(layout.blocks[piece], label):
                drop.add(i)  # the label's second part, in the label's block
                continue
            end = max(0, bisect.bisect_right(layout.starts, following) - 1)
            if not _heads_links(layout, piece, end) or not _apart(layout.blocks[piece], prose):
                break
            label = None
            drop.add(i)
            continue
        if menu is None:
            root = anchor.getroottree().getroot()
            menu = Counter(key(a.text_content()) for a in root.iter("a"))
        if menu[key(line)] < 2:
            break
        label = layout.blocks[piece]
        drop.add(i)
    rest = lines[max(drop) + 1 :] if drop else []
    if not drop or not any(len(words(line)) >= PROSE_WORDS for line in rest):
        return text
    return _without(text, drop)


def _apart(block: HtmlElement, prose: list[HtmlElement]) -> bool:
    """Whether the element around `block` holds none of the `prose` blocks."""
    box = block.getparent()
    return box is not None and not any(p is box or box in p.iterancestors() for p in prose)


def _within(block: HtmlElement, label: HtmlElement | None) -> bool:
    return label is not None and (block is label or any(a is label for a in block.iterancestors()))


def _whole_link(block: HtmlElement, line_key: str) -> HtmlElement | None:
    """The link in `block` whose whole text is `line_key`, if any."""
    for anchor in block.iter("a"):
        if key(anchor.text_content()) == line_key:
            return anchor
    return None


CLOSING_LABEL_WORDS = 5  # a label closing the text ("RELATED INTERNET LINKS:") is this short
LABEL_LINKS = 0.6  # and this share of the page's words it heads are link text


def drop_closing_labels(text: str, layout: Layout) -> str:
    """`text` without a label that heads only links and the short lines after it, after the
    article's last line of prose (`_sentence`): a line of at most `CLOSING_LABEL_WORDS` words
    ending in ":" ("Related to this story:", "RELATED INTERNET LINKS:") whose words in the page
    up to the text's next line are at least `LABEL_LINKS` link text: its list of links went,
    and the lines left after it are remnants of that list ("(31 Dec 07 |") and a disclaimer.
    A label closing the text over nothing ("On the Net:", "See more photos:") stays: what it
    headed may be the article's, and nothing is left of it to judge."""
    lines = [line for line in text.split("\n") if line.strip()]
    places = _places(lines, layout)
    prose = [i for i, line in enumerate(lines) if _sentence(line)]
    if not prose:
        return text
    for i in range(prose[-1] + 1, len(lines) - 1):
        line = lines[i].strip()
        if not (line.endswith(":") and 0 < len(words(line)) <= CLOSING_LABEL_WORDS):
            continue
        end = next((p for p in places[i + 1 :] if p >= 0), -1)
        if places[i] >= 0 and end > places[i] and _heads_links(layout, places[i], end):
            return _without(text, set(range(i, len(lines))))
        return text
    return text


def _sentence(line: str) -> bool:
    """A line of prose: `PROSE_WORDS` words or more, ending as a sentence does."""
    return len(words(line)) >= PROSE_WORDS and line.rstrip()[-1:] in _SENTENCE_END


_SENTENCE_END = frozenset('.!?"”’)')


def _places(lines: list[str], layout: Layout) -> list[int]:
    """The index of the page's piece where each line starts (-1: not found), searched in
    document order as `locate` does."""
    padded = " " + layout.joined + " "
    cursor = 0
    found: list[int] = []
    for line in lines:
        needle = f" {key(line)} "
        at = padded.find(needle, cursor) if key(line) else -1
        if at < 0:
            found.append(-1)
            continue
        cursor = at + len(needle) - 1
        found.append(max(0, bisect.bisect_right(layout.starts, at) - 1))
    return found


def _heads_links(layout: Layout, label: int, end: int) -> bool:
    """Whether the page's pieces after the label's, up to `end`, are mostly link text by words
    (`LABEL_LINKS`)."""
    total = linked = 0
    for piece in range(label + 1, end):
        after = layout.starts[piece + 1] if piece + 1 < len(layout.starts) else None
        n = len(layout.joined[layout.starts[piece] : after].split())
        total += n
        linked += n if layout.linked[piece] else 0
    return total > 0 and linked >= LABEL_LINKS * total
