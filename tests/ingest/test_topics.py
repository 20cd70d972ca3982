# ruff: noqa: E501
"""Topics: keyphrases and names that say what an article is about; its language."""

from __future__ import annotations

from ingest.topics import detect_language, entities, keyphrases

TITLE = "Ad sales boost Time Warner profit"
TEXT = """Quarterly profits at US media giant Time Warner jumped 76% to $1.13bn for the three months to December, from $639m a year earlier.

The firm, which is now one of the biggest investors in Google, benefited from sales of high-speed internet connections and higher advert sales. Time Warner said fourth quarter sales rose 2% to $11.1bn from $10.9bn.

Its profits were buoyed by one-off gains which offset a profit dip at Warner Bros, and less users for AOL. Time Warner said on Friday that it now owns 8% of search-engine Google.

But its own internet business, AOL, had mixed fortunes. It lost 464,000 subscribers in the fourth quarter profits were lower than in the preceding three quarters."""


def test_keyphrases_name_the_subject() -> None:
    phrases = keyphrases(TITLE, TEXT, limit=8)
    assert 1 <= len(phrases) <= 8
    assert phrases[0] == "Time Warner"
    lowered = [p.lower() for p in phrases]
    assert "aol" in lowered and "google" in lowered
    assert not any(p.lower() in {"the", "said", "which", "it"} for p in phrases)
    assert len(set(lowered)) == len(lowered)


def test_keyphrases_of_empty_text() -> None:
    assert keyphrases("", "") == []


def test_entities_are_names_not_sentence_openers() -> None:
    names = entities(TEXT)
    assert "Time Warner" in names and "Google" in names and "AOL" in names
    assert "The" not in names and "But" not in names and "Its" not in names


def test_language_detection() -> None:
    assert detect_language(TEXT) == "en"
    german = "Der Bundestag hat am Montag ein neues Gesetz zum Klimaschutz beschlossen, das ab Januar gilt."
    assert detect_language(german) == "de"
    french = "Le gouvernement a annoncé mardi une nouvelle réforme des retraites très contestée."
    assert detect_language(french) == "fr"
    assert detect_language("ok") is None
    assert detect_language("12345 678") is None


def test_possessives_and_quote_openers_do_not_make_new_names() -> None:
    text = (
        "AOL's chief said the deal was done. \"Even so, I'm worried,\" said Jane Smith of AOL. "
        "Jane Smith's team at AOL agreed. Even the board agreed with Smith."
    )
    names = entities(text)
    assert "AOL" in names and "Jane Smith" in names
    assert not any(name in {"AOL's", "Even", "I'm", "Jane Smith's"} for name in names)


def test_generic_words_are_not_keyphrases() -> None:
    text = (
        "People said last year was a good time for the harbour. The harbour barrier vote took "
        "place last week. Councillors said the harbour barrier would be built next year."
    )
    phrases = [p.lower() for p in keyphrases("Harbour barrier approved", text)]
    assert phrases[0] == "harbour barrier"
    assert not {"year", "people", "time", "last", "said"} & set(phrases)


# BBC News corpus, bbc-politics-005 (../shared/eval/corpus/bbc_news_2225.jsonl; BBC, research use),
# first two paragraphs.
BROWN_TITLE = "Brown ally rejects Budget spree"
BROWN = """Chancellor Gordon Brown's closest ally has denied suggestions there will be a Budget giveaway on 16 March.

Ed Balls, ex-chief economic adviser to the Treasury, said there would be no spending spree before polling day. But Mr Balls, a prospective Labour MP, said he was confident the chancellor would meet his fiscal rules. He was speaking as Sir Digby Jones, CBI director general, warned Mr Brown not to be tempted to use any extra cash on pre-election bribes."""


def test_keyphrases_ignore_the_page_around_the_article() -> None:
    plain = keyphrases(BROWN_TITLE, BROWN)
    # The same article as a web page shows it: site name in the title, a dateline, a credit.
    page = keyphrases(
        f"{BROWN_TITLE} | BBC News",
        f"LONDON (Reuters) - {BROWN}\n\nPhoto: Getty Images\n\nShare this article by email",
    )
    assert page == plain
    lowered = {p.lower() for p in page}
    assert not lowered & {"bbc news", "london", "getty", "images", "getty images", "email", "share"}


def test_keyphrases_name_a_person_once_and_skip_lone_verbs() -> None:
    phrases = keyphrases(BROWN_TITLE, BROWN)
    assert "Balls" in phrases and "Brown" in phrases
    # "Sir Digby" and "Digby Jones" are one person: at most one of them.
    assert len([p for p in phrases if "Digby" in p]) <= 1
    assert not {"denied", "speaking", "tempted", "warned"} & {p.lower() for p in phrases}
