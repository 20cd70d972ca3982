"""No English left where users read it: every text a chat sees goes through gettext (#20).

Python modules that word replies (bot/handlers, bot/app.py, bot/limits/replies*.py, digests/)
are scanned with `ast`: a string constant (f-string parts too) that reads as English — two
Latin words in a row, or a capitalised word ending a phrase ("Done.", "Usage:") — fails with
its file:line unless it is a msgid (`_`, `gettext`, `ngettext`, `N_`), a docstring, in a log or
warnings call, in an `assert`, raised as a builtin exception (programming errors, never
replies: what users read is raised as the project's own exceptions), or in `ALLOWED` below.
Templates fail on any text outside `{{ }}`/`{% %}`/`{# #}` that holds a Latin letter (HTML tags
and entities aside), and on an English string in an expression outside `_()`/`ngettext()`.
Operator texts (bot/cli, settings, metrics, logs) stay English and are not scanned.
"""

from __future__ import annotations

import ast
import builtins
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from jinja2 import Environment, nodes

from tests.support.source import docstring_ids

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted(
    {
        *ROOT.glob("bot/handlers/*.py"),
        ROOT / "bot" / "app.py",
        *ROOT.glob("bot/limits/replies*.py"),
        *ROOT.glob("digests/*.py"),
    }
)
TEMPLATES = sorted(ROOT.glob("digests/templates/*.j2"))

MSGID_CALLS = frozenset({"_", "gettext", "ngettext", "N_"})
LOG_OBJECTS = frozenset({"logger", "log", "logging", "warnings"})
BUILTIN_ERRORS = frozenset(
    name
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
)
#: Two Latin words in a row ("Your digest"), or a capitalised word ending a phrase ("Done.");
#: a word has small letters ("EEE HH:mm" is a date pattern, "HTML" a parse mode).
ENGLISH = re.compile(
    r"\b[A-Za-z]?[a-z]+'?[a-z]*\s+[A-Za-z]?[a-z]{2,}|(?:^|\s)[A-Z][a-z]+[.!?:…](?:\s|$)"
)
#: `/command <argument | …>`: a command's syntax, typed as is in every language.
COMMAND_SYNTAX = re.compile(r"^/\w+ [<\[]")

#: Texts that are not words for chats, by file and the start of the constant. Keep it short:
#: each entry says why.
ALLOWED: dict[str, tuple[str, ...]] = {
    # the body of an HTTP answer to Telegram's servers (the webhook), not a message
    "bot/app.py": ("bad update",),
}
#: Constants, by file and the name they are assigned to, whose strings are typed by users as
#: they are (input keywords), in every language.
KEYWORDS: dict[str, frozenset[str]] = {
    # the words that name a news section in /subscribe
    "digests/query.py": frozenset({"SECTION_ALIASES"}),
}


def is_english(text: str) -> bool:
    return bool(ENGLISH.search(text)) and not COMMAND_SYNTAX.match(text)


def _call_name(call: ast.Call) -> tuple[str, str]:
    """(object, name) of a call: `logger.info` -> ("logger", "info"), `_` -> ("", "_")."""
    func = call.func
    if isinstance(func, ast.Name):
        return "", func.id
    if isinstance(func, ast.Attribute):
        owner = func.value
        while isinstance(owner, ast.Attribute | ast.Call):
            owner = owner.func if isinstance(owner, ast.Call) else owner.value
        return (owner.id if isinstance(owner, ast.Name) else ""), func.attr
    return "", ""


def _exempt(tree: ast.AST, keywords: frozenset[str] = frozenset()) -> set[int]:
    """The nodes whose strings are not replies: msgids, logs, asserts, builtin exceptions,
    the values of the `keywords` constants."""
    skipped: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id in keywords for t in targets):
                skipped.append(node.value)
        elif isinstance(node, ast.Call):
            owner, name = _call_name(node)
            if not owner and name in MSGID_CALLS:
                skipped += node.args  # the msgids; keyword values are texts of their own
            elif owner in LOG_OBJECTS or name == "getLogger":
                skipped.append(node)
        elif isinstance(node, ast.Assert) and node.msg is not None:
            skipped.append(node.msg)
        elif isinstance(node, ast.Raise) and node.exc is not None:
            raised = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if isinstance(raised, ast.Name) and raised.id in BUILTIN_ERRORS:
                skipped.append(node.exc)
    return {id(inner) for node in skipped for inner in ast.walk(node)}


def english_in_python(source: str, path: str = "") -> Iterator[str]:
    """`path:line: 'text'` for each English constant of a module that is no msgid."""
    tree = ast.parse(source)
    ignored = docstring_ids(tree) | _exempt(tree, KEYWORDS.get(path, frozenset()))
    allowed = ALLOWED.get(path, ())
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in ignored
            and is_english(node.value)
            and not node.value.startswith(allowed)
        ):
            yield f"{path}:{node.lineno}: {node.value[:70]!r}"


_TAG = re.compile(r"<[^<>]*>|&#?\w+;")
_LATIN = re.compile(r"[A-Za-z]")


def english_in_template(source: str, path: str = "") -> Iterator[str]:
    """`path:line: 'text'` for text outside the template's tags that holds Latin letters, and
    for English strings in its expressions that are no msgid."""
    env = Environment(extensions=["jinja2.ext.i18n"])
    text = "".join(
        value if kind == "data" else "\x00" + "\n" * value.count("\n")
        for _line, kind, value in env.lex(source)
    )
    stripped = _TAG.sub(lambda m: "\x00" + "\n" * m.group(0).count("\n"), text)
    for match in _LATIN.finditer(stripped):
        line = stripped.count("\n", 0, match.start()) + 1
        yield f"{path}:{line}: {stripped.splitlines()[line - 1].strip()[:70]!r}"
        break  # one hit per template says enough
    tree = env.parse(source)
    msgids = {
        id(arg)
        for call in tree.find_all(nodes.Call)
        if isinstance(call.node, nodes.Name) and call.node.name in MSGID_CALLS
        for arg in call.args
    }
    for const in tree.find_all(nodes.Const):
        if isinstance(const.value, str) and id(const) not in msgids and is_english(const.value):
            yield f"{path}:{const.lineno}: {const.value[:70]!r}"


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("path", MODULES, ids=_relative)
def test_no_english_text_outside_gettext_in_a_module(path: Path) -> None:
    found = list(english_in_python(path.read_text(encoding="utf-8"), _relative(path)))
    assert not found, "English outside gettext:\n" + "\n".join(found)


@pytest.mark.parametrize("path", TEMPLATES, ids=_relative)
def test_no_english_text_outside_gettext_in_a_template(path: Path) -> None:
    found = list(english_in_template(path.read_text(encoding="utf-8"), _relative(path)))
    assert not found, "English outside gettext:\n" + "\n".join(found)


def test_the_scan_finds_english_replies_and_spares_the_rest() -> None:
    source = '''
"""Module docstring with words."""
import logging
logger = logging.getLogger(__name__)

def reply(name: str) -> str:
    """Docstring words."""
    logger.info("sent the reply to %s", name)
    assert name, "a name is needed here"
    if not name:
        raise RuntimeError("no name at all")
    ok = _("Hello there, %(name)s", name=name)
    done = N_("All done.")
    usage = "/schedule <daily 08:00 | off>"
    mode = "HTML"
    return f"Hello {name}, welcome back" + ok + done + usage + mode

def fail() -> None:
    raise SubscribeError("That topic is too long.")

def short() -> str:
    return "Done."
'''
    found = sorted(hit.split(": ", 1)[0] for hit in english_in_python(source, "m.py"))
    assert found == ["m.py:16", "m.py:19", "m.py:22"]


def test_the_template_scan_finds_bare_text_and_english_strings() -> None:
    bare = '{# comment words #}<b>{{ _("Your digest") }}</b>\n<i>Also reported by</i> {{ x }}'
    assert [h.split(": ")[0] for h in english_in_template(bare, "t")] == ["t:2"]
    literal = '<b>{{ value or "Your digest" }}</b> <a href="{{ url }}">{{ _("Read more") }}</a>'
    assert [h.split(": ")[0] for h in english_in_template(literal, "t")] == ["t:1"]
    fine = '<b>▍{{ value or _("Topic") }}</b> · {{ local_time(when, tz, lang, "date") }} &amp;'
    assert list(english_in_template(fine, "t")) == []
