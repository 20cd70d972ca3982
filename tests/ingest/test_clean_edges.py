"""The lines at the text's edges a subscriber would still see: a closing contact line with an
address written against harvesters. The article's own closing lines stay."""

from __future__ import annotations

import pytest

from ingest.clean import clean_text
from tests.support.pages import BODY

ARTICLE = "\n\n".join(BODY)


def text(*lines: str) -> str:
    return "\n\n".join(lines)


# Closing contact lines (the first from a Pittsburgh Post-Gazette film review on l3s-gn1).
@pytest.mark.parametrize(
    "contact",
    [
        "(Pittsburgh Post-Gazette movie editor Barbara Vancheri can be reached at "
        "bvancheri(at)post-gazette.com.)",
        "Jane Roe covers the council. Write to her at jroe [at] ledger [dot] com",
        "Reach the author at jroe at ledger dot co dot uk.",
    ],
)
def test_a_closing_contact_line_with_a_spelled_out_address_goes(contact: str) -> None:
    assert clean_text(text(ARTICLE, contact)) == ARTICLE


def test_a_closing_sentence_with_at_but_no_address_stays() -> None:
    closing = "The council will meet again at the harbour office in March."
    assert clean_text(text(ARTICLE, closing)) == text(ARTICLE, closing)
