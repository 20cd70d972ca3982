"""Extraction: a page whose markup is broken at the top (a cut download or saved page) still
gives its article, as the whole page would."""

from __future__ import annotations

import pytest

from ingest.extract import extract_page

_HEAD = (
    '<head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
    "<title>Ferry service to the islands resumes after storm repairs</title></head>"
)
_BODY = (
    '<body><div id="header"><a href="/">Home</a> <a href="/news">News</a></div>'
    '<div class="story"><h1>Ferry service to the islands resumes after storm repairs</h1>'
    "<p>The ferry to the outer islands sailed again on Monday morning, three weeks after a storm"
    " tore the landing ramp at the harbour from its moorings and left two hundred residents"
    " relying on a small water taxi for food, mail and trips to the hospital.</p>"
    "<p>Engineers worked through the weekend to fit a new hinge to the ramp, and the harbour"
    " master said the first crossing carried forty cars, a school group and a lorry of building"
    " supplies that had waited on the quay since the storm.</p>"
    "<p>Islanders said the weeks without a ferry had shown how much the community depends on a"
    " single boat, and the council has promised to study a second landing on the sheltered side"
    " of the main island before next winter.</p></div>"
    '<div id="footer"><a href="/about">About us</a></div></body></html>'
)
_WHOLE = f'<!DOCTYPE html>\n<html lang="en">{_HEAD}{_BODY}'


@pytest.fixture(scope="module")
def whole_text() -> str:
    page = extract_page(_WHOLE)
    assert page is not None
    assert page.text.startswith("The ferry to the outer islands sailed again on Monday")
    return page.text


@pytest.mark.parametrize(
    "html",
    [
        # The doctype cut inside its name, running into the first tag of the body; the head is
        # gone. Shape of a cjad.com page (l3s-gn1 2391433d): `<!DOCTYPE htm\n  <div id="header">`.
        pytest.param(f"<!DOCTYPE htm\n  {_BODY}", id="cut-doctype"),
        # The `<html>` tag cut inside its attributes, with a quote left open: the rest of the page
        # is read as the attribute's value. Shape of an l3s-gn1 page: `<html xm…`.
        pytest.param(
            f"<html xmlns='http://www.w3.org/1999/xh\n{_HEAD}{_BODY}", id="cut-html-quote"
        ),
        pytest.param(f"<!DOCTYPE html>\n<html xm\n{_HEAD}{_BODY}", id="cut-html-name"),
        pytest.param(
            f"\ufeff<html xmlns='http://www.w3.org/1999/xh\n{_HEAD}{_BODY}".encode(),
            id="cut-html-after-byte-order-mark",
        ),
        # The title's end tag mangled, so the title swallows the page. Shape of a cbn.com page
        # (l3s-gn1 cb5cb16c): `<title id="TitleID">… - CBN News</titlevalue="true" -->`.
        pytest.param(_WHOLE.replace("</title>", '</titlevalue="true" -->'), id="mangled-title-end"),
    ],
)
def test_article_survives_broken_markup_at_the_top(html: str | bytes, whole_text: str) -> None:
    page = extract_page(html)
    assert page is not None
    assert page.text == whole_text


def test_title_closed_at_the_next_tag_when_its_end_tag_is_mangled() -> None:
    page = extract_page(_WHOLE.replace("</title>", '</titlevalue="true" -->'))
    assert page is not None
    assert page.title == "Ferry service to the islands resumes after storm repairs"


def test_a_page_without_an_article_stays_without_one() -> None:
    # Repairing the top gives nothing to a page that has no text to give.
    assert extract_page("<!DOCTYPE htm\n  <div id='header'><a href='/'>Home</a></div>") is None
