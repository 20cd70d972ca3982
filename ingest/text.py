"""Plain-text helpers shared by cleaning, summaries, topics and de-duplication: whitespace
normalisation, paragraphs, sentences and word tokens. Pure functions, no I/O."""

from __future__ import annotations

import re
from functools import cache

import stopwordsiso


def wordset(text: str) -> frozenset[str]:
    """A set of words written as one whitespace-separated string (easier to read and edit)."""
    return frozenset(text.split())


# Every kind of horizontal space a page may carry (NBSP, thin, figure, ideographic, ...).
_SPACES = re.compile(r"[ \t\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(
    r"[\u200b\u200d\u2060\ufeff\u00ad]|(?<![^\W\d_])\u200c|\u200c(?![^\W\d_])"
)  # the zero-width non-joiner stays inside a word: Persian writes "می‌شود" with it
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_BLANK_LINES = re.compile(r"\n\s*\n+")

# A sentence ends at . ! ? (or an ellipsis; the Arabic question mark ؟, the Urdu and Persian
# full stop ۔, the Devanagari danda ।), optionally followed by closing quotes/brackets, then
# whitespace. German closes a quotation with “ (it opens one in English: only right after the
# punctuation does it close). Abbreviations and initials are handled in `split_sentences`.
_BOUNDARY = re.compile(r"(?:[.!?…。！？؟۔।]+)(?:“|\s*(?:''|[\"'”’»)\]」』]))*(?=\s+|$)")
# Chinese and Japanese end sentences without a following space: add one to split on.
_CJK_END = re.compile(r"([。！？]+(?:[」』”’)]+(?![\u3040-\u309f]))?)(?=[^\s」』”’)])")
_ABBREVIATIONS = wordset(
    """mr mrs ms dr prof sr jr st mt ft gen col lt sgt capt cmdr adm gov sen rep rev hon pres
    vs etc e.g i.e cf al inc ltd co corp no nos vol fig approx est jan feb mar apr jun jul aug
    sep sept oct nov dec u.s u.k u.n e.u a.m p.m d.c n.y l.a op"""
)
# Abbreviations of the other languages articles come in (Russian and Ukrainian, German,
# Spanish, Portuguese, French), lower-cased, without their last period.
_OTHER_ABBREVIATIONS = wordset(
    """т.е т.к т.д т.п т.н т.ч т.і т.б т.зв др пр им ул пер просп пл стр см ср проф акад доц
    млн млрд тыс трлн руб коп долл грн мін тис спб обл р-н напр
    z.b bzw usw vgl ca evtl ggf inkl bspw sog u.a d.h u.s.w nr hr str abs mrd mio tsd
    sr sra srta dña dn ud uds pág págs aprox núm tel ee.uu av avda
    dra exmo exma nº sto sta
    mme mlle cie"""
)
# Before a lower-case word these (and any single letter) end no sentence: "в 2020 г. он",
# "в 1990-х гг. цены", "в V в. до н.э. люди".
_BEFORE_LOWER = wordset("гг вв ст н.э")
_LETTER_PERIOD = re.compile(r"\s*[^\W\d_]\.")
_ACRONYM = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")
_NUMBER_ABBREVIATIONS = frozenset({"no", "nos", "vol", "fig", "pp", "art", "para"})
_WORD = re.compile(r"[^\W_]+(?:['’.\-][^\W_]+)*", re.UNICODE)

STOPWORDS = wordset(
    """a about above after again against all also am an and any are aren't as at be because been
    before being below between both but by can can't cannot could couldn't did didn't do does
    doesn't doing don't down during each few for from further had hadn't has hasn't have haven't
    having he he'd he'll he's her here here's hers herself him himself his how how's i i'd i'll
    i'm i've if in into is isn't it it's its itself just let's me more most mustn't my myself no
    nor not now of off on once only or other ought our ours ourselves out over own said same
    say says she she'd she'll she's should shouldn't so some such than that that's the their
    theirs them themselves then there there's these they they'd they'll they're they've this
    those through to too under until up upon us very was wasn't we we'd we'll we're we've were
    weren't what what's when when's where where's which while who who's whom why why's will
    with won't would wouldn't you you'd you'll you're you've your yours yourself yourselves one
    two new also would could may might must shall 's n't 're 've 'll 'd mr mrs ms"""
)


@cache
def stopwords(language: str | None) -> frozenset[str]:
    """Words too common to carry content in `language` (ISO 639-1): the English list, plus the
    language's own from stopwords-iso (English words turn up in every language's news)."""
    if not language or language == "en":
        return STOPWORDS
    own = stopwordsiso.stopwords(language) if stopwordsiso.has_lang(language) else set()
    return STOPWORDS | frozenset(word.lower() for word in own)


def normalize_whitespace(text: str) -> str:
    """Collapse runs of spaces (NBSP included) inside lines and keep paragraphs as "\\n\\n"."""
    text = _INVISIBLE.sub("", _LINE_BREAKS.sub("\n", text))
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    joined = "\n".join(lines)
    paragraphs = [p.strip() for p in _BLANK_LINES.split(joined)]
    return "\n\n".join(p for p in paragraphs if p)


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs are separated by blank lines; single line breaks inside one are kept."""
    return [p.strip() for p in _BLANK_LINES.split(text) if p.strip()]


def _is_abbreviation(chunk: str, following: str) -> bool:
    """Does `chunk` (text up to and including a period) end with an abbreviation or initial?
    `following` is the text after it ("No." abbreviates only before a number)."""
    last = chunk.rsplit(None, 1)[-1] if chunk.strip() else ""
    word = last[:-1].lstrip("(\"'“‘")
    if not word:
        return False
    if word.lower() in _NUMBER_ABBREVIATIONS:
        return following.lstrip()[:1].isdigit()
    lowered = word.lower()
    if lowered in _ABBREVIATIONS or lowered in _OTHER_ABBREVIATIONS:
        return True
    if following.lstrip()[:1].islower() and (len(word) == 1 or lowered in _BEFORE_LOWER):
        return True
    if len(word) == 1 and word.islower() and _LETTER_PERIOD.match(following):
        return True  # the first letter of "z. B.", "d. h.", "т. е."
    # A single capital letter is an initial ("J. Smith"); dotted acronyms like "U.S." too.
    return (len(word) == 1 and word.isupper()) or bool(_ACRONYM.fullmatch(word))


def split_sentences(text: str) -> list[str]:
    """Sentences of `text` in order; paragraph breaks always end a sentence.

    Rule-based: a boundary is terminal punctuation (plus closing quotes) followed by space,
    unless the word before it is a known abbreviation or an initial. Works on normal text and
    on lower-cased, tokenized text such as CNN/DailyMail's (`... the group . on monday , ...`)."""
    sentences: list[str] = []
    for paragraph in split_paragraphs(text):
        paragraph = _CJK_END.sub(r"\1 ", " ".join(paragraph.split()))
        start = 0
        for match in _BOUNDARY.finditer(paragraph):
            end = match.end()
            chunk = paragraph[start:end]
            before = paragraph[start : match.start() + 1]
            # A period right before the space may end an abbreviation; one before a closing
            # quote ends the sentence.
            if match.group(0) == "." and _is_abbreviation(before, paragraph[end : end + 4]):
                continue
            if chunk.strip():
                sentences.append(chunk.strip())
            start = end
        rest = paragraph[start:].strip()
        if rest:
            sentences.append(rest)
    return sentences


def words(text: str) -> list[str]:
    """Word tokens in original case (letters and digits; inner apostrophes, dots, hyphens)."""
    return _WORD.findall(text)


def content_words(text: str, language: str | None = None) -> list[str]:
    """Lower-cased word tokens without stopwords (of `language` too) and one-character
    tokens."""
    lowered = (t.lower() for t in _WORD.findall(text))
    common = stopwords(language)
    return [w for w in lowered if len(w) > 1 and w not in common]
