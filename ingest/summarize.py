"""Extractive summaries: the 1–3 whole sentences that carry an article's gist, within a
character budget. A small linear model (`ingest/models/summarizer.json`, trained by
`training/train_summarizer.py` on CNN/DailyMail training items) scores each sentence from its
position, length, centrality (directed, as in PACSUM) and term salience; only sentences that
read as whole sentences of prose on their own may be chosen (`readable`, `dependent`).

Other languages than English: sentences end at their own punctuation too (؟ ۔ «» „“, see
`ingest.text.split_sentences`), a sentence reads as prose by Unicode case (Cyrillic, Greek) or
without case (Arabic, Persian), and the term features drop that language's stopwords and use
its Snowball stems (`storage.stems`) when it has one. The English-only checks (connectives,
first person, bylines) simply find nothing in other languages.

Over 500 lines on purpose: most of it is `readable` and the sentence shapes it refuses (labels,
captions, splices, questions, quotations' middles), which belong beside the selection they
guard and share its sentence splitting."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

from ingest.clean import reader_prompt, teaser_sentences
from ingest.patterns import caseless
from ingest.text import STOPWORDS, split_sentences, stopwords, wordset
from storage.stems import has_stemmer, stemmer

_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_TOKEN_OR_BREAK = re.compile(r"[^\W_]+(?:['’][^\W_]+)*|\n", re.UNICODE)
_SUFFIX = re.compile(r"(?:ing|ed|es|s)$")
MAX_SENTENCES = 150
SHORT_WORDS = 4  # fewer words than this: a label, a byline, a fragment
LONG_WORDS = 80  # more than this: a run-on list or a paragraph the splitter could not cut
OPENING_SENTENCES = 2  # a label glued by a colon opens the text: before this many of prose
LABEL_LINE_WORDS = 12  # "Label: value" in this many words or fewer: a label's line, no sentence
DUPLICATE = 0.6  # share of the shorter sentence's terms that makes two sentences say the same

# --- The shape of a sentence a reader can take alone -----------------------------------------

# Ends with terminal punctuation, possibly inside closing quotes or brackets.
_CLOSERS = r"(?:“|[\"'”’»)\]」』])*"  # closing quotes and brackets after the punctuation
_TERMINAL = re.compile(rf"[.!?…。！？؟۔।]{_CLOSERS}$|[.!?…]\s*''$")
# Scripts written without spaces between words (Chinese, Japanese): count characters instead.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
# "Rated: PG-13 for …", "Subs: Poom, …": a label and a short value, not a sentence.
_LABEL = re.compile(r"^(?:[A-Z][\w'’-]*\s?){1,2}:\s")
_BRACKETED_THEN_LOWER = re.compile(r"^\([^()]*\)\s*[a-z]")
_NOT_A_START = frozenset(",;:.!?)]}’”»-–—")  # the rest of a sentence cut before its start
# A word after a space or at the start (`_reads_as_prose` counts those in lower case).
_SPACED_WORD = re.compile(r"(?:^|(?<=\s))[^\W\d_][\w'’-]*")
# Who wrote it, took the picture, or where to click: lines about the article, not of it.
_ABOUT_THE_ARTICLE = caseless(
    r"^(?:by\b|published\b|updated\b|last (?:updated|modified)\b|posted\b|click\b|follow\b|"
    r"share\b|read more\b|related\b|copyright\b|©|\(?cnn\)?\s*--?\s*$|scroll down\b|sign up\b|"
    r"subscribe\b|watch\b.*:|pictured\b)"
    r"|\b(?:contributed|additional reporting) to this (?:report|story|article)\b"
    r"|\b(?:reporting|writing|editing) by\b"
    r"|\b(?:photo|image|picture|video) (?:credit|courtesy)\b"
    r"|\b(?:credit|photo|photograph|picture|image|caption)s?\s*:"
    r"|\b(?:getty|reuters|ap|afp|epa|pa|shutterstock) (?:images|photo|pictures)\b"
    r"|\|",
)
# A social post's text or its credit, as an embedded post leaves them in the article: the
# platform's own link in it (a tweet's "pic.twitter.com/…" or "https://t.co/…"; an address the
# article's prose gives, "(www.alertnet.org)", is no sign), the author's handle in brackets
# ("— Jane Doe (@jdoe) March 3, 2019"), two hashtags or more, or one opening it ("#Browns Greedy
# Williams has been solid …"). News prose names a hashtag once ("the hashtag #MeToo"), in words.
_LINK = caseless(r"\b(?:pic\.twitter\.com|t\.co)/\w")
_HANDLE_CREDIT = re.compile(r"\(@[\w.]{1,30}\)")
_HASHTAG = re.compile(r"(?<![\w&#])#[^\W\d_][\w]*")
# A list item: a bullet, or a number or letter with a dot or bracket, then a space.
_LIST_ITEM = re.compile(r"^\s*(?:[•·▪■►*\-–—]|\(?(?:\d{1,2}|[a-z])[.)])\s")
# An opening word that needs the sentence before it: a connective or an anaphoric pronoun.
# "This week" and "That night" point at time, not at an earlier sentence.
_DEPENDENT = caseless(
    r"^[\"'“‘`]*\s*(?:but|so|and|or|yet|however|still|instead|meanwhile|moreover|furthermore|"
    r"therefore|thus|hence|besides|nevertheless|nonetheless|otherwise|indeed|also|then|"
    r"that's why|even so|in addition|as a result|for example|for instance|in fact|"
    r"on the other hand|by contrast|in contrast|at the same time|specifically|in particular|"
    r"likewise|similarly|additionally|consequently|accordingly|namely|in turn|in other words|"
    r"after all|above all|conversely|alternatively|subsequently|nor|"
    r"he|she|it|they|him|them|his|her|hers|its|their|theirs|it['’]s|it ['’]s|"
    r"(?:this|that|these|those|such)(?!\s+(?:year|week|month|morning|afternoon|evening|night|"
    r"weekend|season|summer|winter|spring|autumn|fall|time)\b))\b"
    r"(?!-\w)",
)
# A quotation opening the sentence and credited to a pronoun right after it closes: who "she"
# is, the sentence before says ('"Our position is they should not do it again," she said.').
_QUOTED_PRONOUN = caseless(r"^[\"“‘'`]+[^\"”’]*?[,.!?…-]\s*[\"”’']+\s*(?:he|she|they)\s+[a-z]+\b")
# A caption or list line without its subject, shaped as a sentence: a verb in the past opening
# it with its object straight after ("Produced the hiphop track …", "Worked their socks off
# …"), or an auxiliary opening a statement ("Had not heard it …", "Was born in 1970 …"). A
# participle with a comma opens a clause before its subject ("Asked the reason, Evans said").
_OBJECT = r"(?:the|a|an|his|her|their|its|our|my|your|this|these|those|some|every)"
_SUBJECTLESS = re.compile(
    r"^(?:[A-Z][a-z]+[^e]ed|Won|Wrote|Made|Took|Led|Became|Began|Gave|Got|Lost|Spent|Built|"
    rf"Brought|Bought|Held|Met|Told|Found|Kept|Left|Sang|Ran) {_OBJECT} (?!.*,)"
    r"|^(?:Has|Have|Had|Was|Were|Is) (?:not|never|also|been|born|always|since|[a-z]+ed)\b"
)
# A splice where the page lost something inside a sentence: a word that opens sentences only
# (a subject pronoun) capitalised after a word in lower case ("… how many fouls he had He gets
# up …"), or a verb that takes an infinitive, "to", then a sentence's start ("British Airways
# had said it expected to The U.S. National Transportation Safety Board has …").
_PRONOUN_START = re.compile(r" (?:He|She|They|We|There) [a-z]")
_TO_START = re.compile(r" to (?:The|A|An|This|These|Those|He|She|They|We|It|There|But) ")
_TAKES_INFINITIVE = wordset(
    """expected hoped wanted planned plans decided able unable likely unlikely agreed refused
    failed tried trying seems seemed intends intended promised vowed threatened managed ought
    about"""
)
# An opening that leans on the headline: one word, a dash, then the rest in lower case with no
# dash closing an aside ("Minstrels - see, it's already off …"; "Ludeke - who … - has" is one).
_DASHED_OPENING = re.compile(r"^[\"“‘']?[A-Z][\w'’]*[,!]? (?:--?|[–—]) [a-z](?!.*\s(?:--?|[–—])\s)")
# A question: an interviewer's, or the teaser's hook ("So what went wrong?"), not news told.
_QUESTION = re.compile(rf"[?？؟]{_CLOSERS}$")
_FIRST_PERSON = re.compile(r"(?:^|\s)(?:i|i['’](?:m|ve|d|ll)|my|me|myself)(?=[\s,.!?;:]|$)")
_QUOTES = re.compile(r"[\"“”]|``|''")
_DIGIT = re.compile(r"\d")


def _balanced(sentence: str) -> bool:
    """Quotation marks and brackets open and close inside the sentence: "…", “…”, «…»
    (or »…«) and the German „…“ (or Polish „…”) pairs."""
    straight = sentence.count('"')
    low = sentence.count("„")
    curly = sentence.count("“") - sentence.count("”")
    if low:
        curly = sentence.count("“") + sentence.count("”") - low
    guillemets = sentence.count("«") - sentence.count("»")
    tokenized = sentence.count("``") - sentence.count("''")
    brackets = sentence.count("(") - sentence.count(")")
    squares = sentence.count("[") - sentence.count("]")
    return straight % 2 == 0 and curly == guillemets == tokenized == brackets == squares == 0


def _word_count(sentence: str) -> int:
    spaced = len(sentence.split())
    if spaced * 12 < len(sentence):  # few spaces for its length: perhaps unspaced script
        return max(spaced, len(_UNSPACED.findall(sentence)) // 2)
    return spaced


def _reads_as_prose(sentence: str, word_count: int) -> bool:
    """In normally cased text: starts like a sentence, is not a "Label: value" line, and has
    lower-case words as prose does (headings and names-only lines are mostly capitalised)."""
    if not (sentence[0].isupper() or sentence[0].isdigit() or sentence[0] in "\"“‘'(`«„"):
        return False
    if _LABEL.match(sentence) and word_count <= LABEL_LINE_WORDS:
        return False
    if _BRACKETED_THEN_LOWER.match(sentence):
        return False  # "(NASDAQ:LOGI) unveiled …": a sentence cut after its subject
    lower = [w for w in _SPACED_WORD.findall(sentence) if w[0].islower()]
    # Prose has lower-case words, and not only "and", "of", "in" between names.
    return len(lower) >= max(2, word_count // 4) and any(len(w.strip()) >= 4 for w in lower)


def _spliced(sentence: str) -> bool:
    """Are two sentences run together: a capitalised pronoun after a word in lower case as a
    whole ("he had He gets", not "song How We do"), or "expected to The …"?"""
    for match in _PRONOUN_START.finditer(sentence):
        before = _word_before(sentence, match.start()).removesuffix(",")
        if before.isalpha() and before.islower():
            return True
    return any(
        _word_before(sentence, match.start()) in _TAKES_INFINITIVE
        for match in _TO_START.finditer(sentence)
    )


def _word_before(sentence: str, end: int) -> str:
    words = sentence[:end].rsplit(None, 1)
    return words[-1] if words else ""


def readable(sentence: str, *, cased: bool = True) -> bool:
    """Can `sentence` stand in a summary as a whole sentence of prose? It ends with terminal
    punctuation, its quotes and brackets are balanced, it has 4–80 words, it is not a heading,
    a caption, a credit, a byline or dateline, a list item, a question, a social post's text
    (`posted`: an embedded tweet's) or a prompt sending the reader to the comments, a gallery
    or "below" (`ingest.clean.reader_prompt`), and it does not speak in the first person
    outside quotation marks (a reader's comment, a line from the middle of a quotation).
    In normally cased text (`cased`) it also starts with a capital, a digit or a quote, is not
    a "Label: value" line, and has lower-case words as prose does."""
    word_count = _word_count(sentence)
    if not SHORT_WORDS <= word_count <= LONG_WORDS or not _TERMINAL.search(sentence):
        return False
    if not _balanced(sentence) or _ABOUT_THE_ARTICLE.search(sentence):
        return False
    if _QUESTION.search(sentence) or posted(sentence) or reader_prompt(sentence):
        return False
    if _LIST_ITEM.match(sentence) or sentence[0] in _NOT_A_START:
        return False
    if cased and not _reads_as_prose(sentence, word_count):
        return False
    if cased and (
        _SUBJECTLESS.match(sentence) or _spliced(sentence) or _DASHED_OPENING.match(sentence)
    ):
        return False  # a fragment shaped as a sentence, or two run together
    return not (_FIRST_PERSON.search(sentence.lower()) and not _QUOTES.search(sentence))


def posted(sentence: str) -> bool:
    """Is `sentence` shaped as a social post or its credit rather than the article's prose: it
    holds the platform's link, a handle in brackets, two hashtags or more, or opens with one
    (`_LINK`, `_HANDLE_CREDIT`, `_HASHTAG`)?"""
    if _LINK.search(sentence) or _HANDLE_CREDIT.search(sentence):
        return True
    # An opening hash sign, also split from its word as tokenized text has it ("# helpme").
    return len(_HASHTAG.findall(sentence)) >= 2 or sentence.lstrip("\"“‘'`").startswith("#")


def about_the_article(sentence: str) -> bool:
    """Is `sentence` about the article rather than of it: a byline, a credit, a caption label,
    a call to click or share?"""
    return bool(_ABOUT_THE_ARTICLE.search(sentence))


def _complete(sentence: str, *, cased: bool) -> bool:
    """The least a summary sentence must be: begun, ended, balanced, not about the article."""
    return bool(
        not (cased and sentence[0].islower())
        and _TERMINAL.search(sentence)
        and _balanced(sentence)
        and not _ABOUT_THE_ARTICLE.search(sentence)
        and not _LIST_ITEM.match(sentence)
    )


def dependent(sentence: str) -> bool:
    """Does `sentence` open with a connective ("But", "However") or an anaphoric pronoun ("He",
    "This"), or is it a quotation credited to a pronoun ('"It was reckless," she said.'), so
    that it needs the sentence before it?"""
    return bool(_DEPENDENT.match(sentence) or _QUOTED_PRONOUN.match(sentence))


# --- Features and the learned scorer ---------------------------------------------------------

FEATURES = (
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "position 6-10",
    "inverse position",
    "relative position",
    "log sentences",
    "log words",
    "length off 20 words",
    "forward centrality",
    "backward centrality",
    "degree",
    "centroid similarity",
    "lead similarity",
    "term salience",
    "has number",
    "has quote",
)


@dataclass(frozen=True)
class Model:
    """A linear scorer over standardised features, and how summaries are chosen with it."""

    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float
    trigram_block: bool  # skip a sentence sharing a word trigram with a chosen one

    def score(self, features: np.ndarray) -> np.ndarray:
        standard = (features - self.mean) / self.scale
        return np.asarray(np.einsum("ij,j->i", standard, self.weights) + self.bias)


@cache
def load_model() -> Model:
    """The shipped model, read once per process."""
    raw = json.loads(
        resources.files("ingest").joinpath("models/summarizer.json").read_text(encoding="utf-8")
    )
    if list(raw["features"]) != list(FEATURES):
        raise RuntimeError("ingest/models/summarizer.json does not match the feature list")
    return Model(
        mean=np.array(raw["mean"], dtype=np.float64),
        scale=np.array(raw["scale"], dtype=np.float64),
        weights=np.array(raw["weights"], dtype=np.float64),
        bias=float(raw["bias"]),
        trigram_block=bool(raw["trigram_block"]),
    )


_STEMS: dict[str, str] = {}  # word -> its stem, "" for words that carry no content


def _stem(word: str) -> str:
    """A crude suffix stripper: enough to match "vote", "voted", "votes" for similarity."""
    if len(word) > 4:
        return _SUFFIX.sub("", word)
    return word


def _terms(sentence: str) -> list[str]:
    return _terms_of_each([sentence])[0]


def _terms_of_each(sentences: list[str], language: str | None = None) -> list[list[str]]:
    """Content-word stems of each sentence (one pass over the text: this is the hot loop);
    in another language than English, without its stopwords and with its own stems."""
    if language and language != "en":
        return _foreign_terms(sentences, language)
    current: list[str] = []
    out = [current]
    stems = _STEMS
    text = "\n".join(sentences)
    if text.count("\n") != len(sentences) - 1:
        text = "\n".join(" ".join(s.split()) for s in sentences)
    for word in _TOKEN_OR_BREAK.findall(text.lower()):
        stem = stems.get(word)
        if stem is None:
            if word == "\n":
                current = []
                out.append(current)
                continue
            stem = "" if len(word) <= 2 or word in STOPWORDS else _stem(word)
            if len(stems) < 200_000:
                stems[word] = stem
        if stem:
            current.append(stem)
    return out


def _foreign_terms(sentences: list[str], language: str) -> list[list[str]]:
    common = stopwords(language)
    stem = stemmer(language) if has_stemmer(language) else None
    out: list[list[str]] = []
    for sentence in sentences:
        found = [
            w
            for w in _TOKEN.findall(sentence.lower().replace("\u200c", ""))
            if len(w) > 2 and w not in common
        ]
        out.append([stem(w) for w in found] if stem is not None else found)
    return out


def sentence_features(sentences: list[str], terms: list[list[str]] | None = None) -> np.ndarray:
    """One row of `FEATURES` per sentence (the model's input; the training script uses it too)."""
    count = len(sentences)
    if terms is None:
        terms = _terms_of_each(sentences)
    vocabulary: dict[str, int] = {}
    rows: list[int] = []
    columns: list[int] = []
    for row, sentence_terms in enumerate(terms):
        columns.extend([vocabulary.setdefault(term, len(vocabulary)) for term in sentence_terms])
        rows.extend([row] * len(sentence_terms))
    size = max(1, len(vocabulary))
    flat = np.bincount(
        np.asarray(rows, dtype=np.intp) * size + np.asarray(columns, dtype=np.intp),
        minlength=count * size,
    )
    counts = flat.reshape(count, size).astype(np.float64)
    present = counts > 0
    idf = np.log1p(count / np.maximum(present.sum(axis=0), 1))
    matrix = counts * idf[None, :]
    norms = np.sqrt(np.einsum("ij,ij->i", matrix, matrix))
    norms[norms == 0] = 1.0
    matrix /= norms[:, None]
    similarity = np.einsum("ik,jk->ij", matrix, matrix)  # einsum: no BLAS threads
    if count > 1:
        np.fill_diagonal(similarity, np.inf)
        low = float(similarity.min())
        np.fill_diagonal(similarity, 0.0)
        edges = np.maximum(similarity - low, 0.0)
        np.fill_diagonal(edges, 0.0)
    else:
        np.fill_diagonal(similarity, 0.0)
        edges = similarity
    later = np.triu(edges, 1).sum(axis=1)
    earlier = np.tril(edges, -1).sum(axis=1)
    centroid = matrix.sum(axis=0)
    centroid_size = float(np.linalg.norm(centroid)) or 1.0
    document_counts = counts.sum(axis=0)
    salience = np.einsum("ij,j->i", present, np.log1p(document_counts)) / np.maximum(
        present.sum(axis=1), 1
    )

    positions = np.arange(count, dtype=np.float64)
    word_counts = np.array([len(s.split()) for s in sentences], dtype=np.float64)
    out = np.zeros((count, len(FEATURES)), dtype=np.float64)
    for index in range(5):
        out[index : index + 1, index] = 1.0
    out[5:10, 5] = 1.0
    out[:, 6] = 1.0 / (1.0 + positions)
    out[:, 7] = positions / max(1, count)
    out[:, 8] = np.log1p(count)
    out[:, 9] = np.log1p(word_counts)
    out[:, 10] = np.abs(word_counts - 20.0) / 20.0
    out[:, 11] = later / (float(later.max()) or 1.0)
    out[:, 12] = earlier / (float(earlier.max()) or 1.0)
    out[:, 13] = (later + earlier) / max(1, count - 1)
    out[:, 14] = np.einsum("ij,j->i", matrix, centroid) / centroid_size
    out[:, 15] = similarity[0]
    out[0, 15] = 1.0
    out[:, 16] = salience
    out[:, 17] = [_DIGIT.search(s) is not None for s in sentences]
    out[:, 18] = [_QUOTES.search(s) is not None for s in sentences]
    return out


# --- Choosing ----------------------------------------------------------------------------------


def _candidates(text: str) -> list[str]:
    """Sentences that may be chosen, at most `MAX_SENTENCES` from the start: the gist of news
    is early, and the similarity matrix grows with the square of the count."""
    teasers = teaser_sentences(text) if "\n" in text else set()
    return [s for s in split_sentences(text) if s not in teasers][:MAX_SENTENCES]


def _shown(sentences: list[str]) -> list[str]:
    """Each sentence as a summary shows it: without a label glued before it (`unlabelled`).
    The model scores the sentence as the text has it."""
    shown: list[str] = []
    for index, sentence in enumerate(sentences):
        after = index > 0 and _DATELINE_PLACE.match(sentences[index - 1]) is not None
        # A label opens the text (counted only for the rare sentence with a label).
        opening = _OPENING_LABEL.match(sentence) is not None and _opens(sentences, index)
        shown.append(unlabelled(sentence, opening=opening, after_dateline=after))
    return shown


def _opens(sentences: list[str], index: int) -> bool:
    """Do fewer than `OPENING_SENTENCES` sentences of prose come before `index`?"""
    prose = 0
    for sentence in sentences[:index]:
        prose += readable(sentence)
        if prose >= OPENING_SENTENCES:
            return False
    return True


# A short label glued before a sentence by a colon: "UPDATE: The …", "Earlier story: The
# minister said …", "NEW DELHI: Union …" — one to three words, the first capitalised, then
# a sentence starting with a capital, a digit or a quotation mark.
_STARTS_SENTENCE = r"(?=[A-Z0-9\"“‘'])"
_OPENING_LABEL = re.compile(rf"^[A-Z][\w'’.&-]*(?: [\w'’.&-]+){{0,2}}:\s+{_STARTS_SENTENCE}")
# A speaker before their words is no label: "Smith said: The …", "Police added: Three …" (a
# verb in lower case ends it; "Breaking News" is a label).
_SPEAKER = re.compile(r"\b(?:said|told|wrote|[a-z]+ed|[a-z]+s)$")
# An agency's tag opening a sentence ("(CBS) The mother …"), perhaps with the dash of a
# dateline the sentence splitter cut after its place ("GRANT TOWN, W.Va." | "(AP) - …").
_DASH = r"(?:--?|[–—―])"
_AGENCY_TAG = re.compile(rf"^\((?:[A-Z][\w.&'’-]*\s?){{1,3}}\)\s*(?:{_DASH}\s+)?{_STARTS_SENTENCE}")
# A dateline: the place in capitals, perhaps a region or a day, an agency and a dash ("NEW YORK
# - ", "ORLANDO, Fla. — ", "PARIS, Jan 8 (Reuters) - ", "LAS VEGAS, Jan. 8 /PRNewswire/ --",
# "TORONTO (AP) ").
_DATELINE = re.compile(
    r"^[A-Z][A-Z.'’-]{2,}(?: [A-Z][A-Z.'’-]+){0,3}(?:, [A-Z][\w.]*(?: [A-Z\d][\w.]*){0,2})?"
    rf"(?:(?: \([^()]{{2,30}}\)| /[^/]{{2,30}}/)? ?{_DASH}\s*| \([^()]{{2,30}}\)\s+)"
    rf"{_STARTS_SENTENCE}"
    # A place in Title Case is a dateline by its region or day and its agency: "New York, NY
    # (Sports Network) - ", "Islamabad, Jan 14 (IANS) ".
    r"|^[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,2}, [A-Z][\w.]*(?: [A-Z\d][\w.]*){0,2}"
    rf" \((?:[A-Z][\w.&'’-]*\s?){{1,3}}\) ?(?:{_DASH}\s+)?{_STARTS_SENTENCE}"
)
# The dash alone after such a place ("ORLANDO, Fla." | "— In the final game …"); a dash
# elsewhere opens a list item.
_DATELINE_DASH = re.compile(rf"^{_DASH}\s+{_STARTS_SENTENCE}")
# The place of a dateline, cut off as a sentence of its own: a capitalised place, a comma and
# an abbreviated region ("ORLANDO, Fla.", "GRANT TOWN, W.Va.").
_DATELINE_PLACE = re.compile(r"^[A-Z][\w'’.-]*(?: [A-Z][\w'’.-]*){0,2}, [A-Z][\w.]*\.$")


def unlabelled(sentence: str, *, opening: bool = True, after_dateline: bool = False) -> str:
    """`sentence` without what is glued before it and is not of it, when the rest reads as a
    whole sentence on its own: a short label and a colon ("EXCLUSIVE: ", "Earlier story: "),
    an agency's tag ("(AP) - ", "(CBS) "), a dateline ("NEW YORK - "), or, `after_dateline`
    (the sentence before it is a dateline's place, "ORLANDO, Fla."), the dateline's dash. A
    speaker ("He said: …", "Smith told: …") is not a label, nor is a name before a colon
    further on than the `opening` sentences ("Morton: Scientology would be …" tells what
    Morton says). Else `sentence` unchanged."""
    label = _OPENING_LABEL.match(sentence) if opening else None
    if label is not None:
        head = label.group(0).rstrip().removesuffix(":")
        # Twelve words or fewer: a "Label: value" line ("Rated: PG-13 for …"), no sentence.
        short = _word_count(sentence) <= LABEL_LINE_WORDS
        if short or dependent(head) or _SPEAKER.search(head) or _DIGIT.search(head):
            label = None
    label = label or _AGENCY_TAG.match(sentence) or _DATELINE.match(sentence)
    if label is None and after_dateline:
        label = _DATELINE_DASH.match(sentence)
    if label is None:
        return sentence
    rest = sentence[label.end() :]
    return rest if readable(rest) else sentence


def _is_cased(sentences: list[str]) -> bool:
    """Is the text written in normal case (not lower-cased like CNN/DM's tokenized text)?"""
    head = " ".join(sentences[:5])
    return head != head.lower()


def _trigrams(sentence: str) -> set[tuple[str, ...]]:
    tokens = _TOKEN.findall(sentence.lower())
    return {tuple(tokens[i : i + 3]) for i in range(len(tokens) - 2)}


def _overlap(first: set[str], second: set[str]) -> float:
    if not first or not second:
        return 0.0
    return len(first & second) / min(len(first), len(second))


# A short capitalised abbreviation ending a sentence ("… stood at Rs.", "… in Vol.").
_ABBREVIATION_END = re.compile(r"(?:^|\s)[A-Z][a-z]{0,2}\.$")


def _cut_at_number(sentences: list[str], index: int) -> bool:
    """Did the splitter cut this sentence at an abbreviation before a number ("BSNL's revenue
    stood at Rs." | "39,750 crore in 2006-07 …"), here or before it? Either piece is half."""
    return any(
        at >= 0
        and at + 1 < len(sentences)
        and sentences[at + 1][:1].isdigit()
        and _ABBREVIATION_END.search(sentences[at]) is not None
        for at in (index, index - 1)
    )


def choose(
    sentences: list[str],
    scores: np.ndarray,
    *,
    n: int,
    max_chars: int | None,
    trigram_block: bool,
    terms: list[list[str]] | None = None,
) -> list[int]:
    """Indices of the sentences to show, in document order: the best-scoring readable ones that
    fit the budget, never two saying the same, never one that leans on an unchosen sentence
    before it. Only when no readable sentence exists does the best one of the rest stand in."""
    count = len(sentences)
    if count == 0 or n <= 0:
        return []
    cased = _is_cased(sentences)
    order = [int(i) for i in np.argsort(-scores, kind="stable")]
    chosen: list[int] = []
    chosen_terms: list[set[str]] = []
    blocked: set[tuple[str, ...]] = set()
    deferred: list[int] = []
    first_readable: int | None = None
    used = 0

    def take(index: int) -> bool:
        nonlocal used
        length = len(sentences[index]) + (1 if chosen else 0)
        if max_chars is not None and used + length > max_chars:
            return False
        own = set(terms[index] if terms is not None else _terms(sentences[index]))
        if any(_overlap(own, other) >= DUPLICATE for other in chosen_terms):
            return False
        grams = _trigrams(sentences[index]) if trigram_block else set()
        if grams & blocked:
            return False
        chosen.append(index)
        chosen_terms.append(own)
        blocked.update(grams)
        used += length
        return True

    for index in order:
        if len(chosen) >= n:
            break
        if not readable(sentences[index], cased=cased) or _cut_at_number(sentences, index):
            continue
        if first_readable is None:
            first_readable = index
        if index > 0 and dependent(sentences[index]) and index - 1 not in chosen:
            deferred.append(index)
            continue
        taken = [index] if take(index) else []
        while taken:
            # A deferred sentence whose predecessor is now chosen reads well after all.
            after = taken.pop() + 1
            if after in deferred and len(chosen) < n and take(after):
                deferred.remove(after)
                taken.append(after)
    if not chosen and first_readable is not None:
        # No readable sentence fits the budget: the best one whole, never a cut one.
        chosen = [first_readable]
    elif not chosen:
        # Nothing reads as prose (a short note, a list): the best complete sentence, if any.
        chosen = [i for i in order if _complete(sentences[i], cased=cased)][:1]
    return sorted(chosen)


def select_sentences(
    text: str, *, n: int = 3, title: str | None = None, language: str | None = None
) -> list[str]:
    """The `n` best sentences of `text` (fewer if it has fewer readable ones), in document
    order; `language` (ISO 639-1) is the text's, None for English or unknown."""
    sentences = _candidates(text)
    if not sentences:
        return []
    shown = _shown(sentences)
    model = load_model()
    terms = _terms_of_each(sentences, language)
    scores = model.score(sentence_features(sentences, terms))
    indices = choose(
        shown, scores, n=n, max_chars=None, trigram_block=model.trigram_block, terms=terms
    )
    return [shown[i] for i in indices]


def summarize(
    text: str,
    *,
    title: str | None = None,
    max_chars: int = 300,
    max_sentences: int = 3,
    language: str | None = None,
) -> str:
    """1–`max_sentences` whole sentences, at most `max_chars` characters together (a single
    sentence longer than the budget is returned whole rather than cut, when nothing shorter
    reads well); "" for empty text. `language` (ISO 639-1) is the text's, None for English
    or unknown."""
    sentences = _candidates(text)
    if not sentences:
        return ""
    shown = _shown(sentences)
    model = load_model()
    terms = _terms_of_each(sentences, language)
    scores = model.score(sentence_features(sentences, terms))
    indices = choose(
        shown,
        scores,
        n=max_sentences,
        max_chars=max_chars,
        trigram_block=model.trigram_block,
        terms=terms,
    )
    return " ".join(shown[i] for i in indices)
