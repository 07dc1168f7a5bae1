"""Reading a document's text: blocks, sentences, tables and the terms they carry.

Everything here works on the normalized text of a section (`Section.text`), so every
sentence or row found is a verbatim excerpt of that section.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from segtok.segmenter import split_single

from app.sources.documents import Section, normalize_space

TERMINAL = (".", "!", "?", '."', ".”", "!”", "?”", ".'", ".’", ":")

YEAR = re.compile(r"(?<![\d.,–\-])(1[0-9]{3}|20[0-9]{2})(?!\d|,\d|\.\d|s\b|–|-\d)")
SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
FIGURE = re.compile(
    r"(?<![\w.,])(?P<number>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
    r"(?:\s*(?P<percent>%|percent\b|per cent\b))?"
    r"(?:\s+(?P<scale>thousand|million|billion|trillion)\b)?"
    r"(?P<unit>\s+(?!of\b|and\b|in\b|by\b|to\b|the\b|a\b|or\b|were\b|was\b|had\b)[a-z][a-z\-]+)?"
)
NAME_WORD = r"[A-Z][\w'’\-]*[a-zA-Z]"
NAME = re.compile(
    rf"(?<![\w'’\-])(?:{NAME_WORD})(?:\s+(?:of\s+the\s+|of\s+|the\s+|de\s+|von\s+)?(?:{NAME_WORD}|\d+(?:st|nd|rd|th)))*"
)
POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")

# Capitalized words that begin sentences or name nothing in particular.
COMMON_CAPITALIZED = {
    "a",
    "an",
    "the",
    "this",
    "that",
    "these",
    "those",
    "it",
    "its",
    "he",
    "she",
    "they",
    "we",
    "i",
    "you",
    "his",
    "her",
    "their",
    "our",
    "in",
    "on",
    "at",
    "by",
    "for",
    "from",
    "to",
    "of",
    "and",
    "but",
    "or",
    "yet",
    "so",
    "as",
    "if",
    "while",
    "when",
    "where",
    "after",
    "before",
    "during",
    "since",
    "until",
    "however",
    "thus",
    "instead",
    "today",
    "ultimately",
    "consider",
    "among",
    "such",
    "some",
    "many",
    "most",
    "all",
    "both",
    "each",
    "other",
    "one",
    "two",
    "three",
    "under",
    "over",
    "within",
    "without",
    "with",
    "although",
    "though",
    "because",
    "what",
    "which",
    "who",
    "how",
    "why",
    "yes",
    "no",
    "not",
    "also",
    "there",
    "here",
    "first",
    "second",
    "finally",
    "for instance",
    "simultaneously",
    "unlike",
    "despite",
    "similarly",
    "initially",
    "additionally",
    "moreover",
    "furthermore",
    "notably",
    "indeed",
    "rather",
    "through",
    "against",
    "beyond",
    "critics",
    "late",
    "early",
    "mid",
    "like",
    "across",
    "toward",
    "towards",
    "once",
    "now",
    "then",
    "still",
    "even",
    "just",
    "only",
    "emphasis",
    "following",
    "by contrast",
    "in practice",
    "meanwhile",
}

TITLE_CONNECTORS = {"of", "and", "for", "in", "on", "to", "with", "&", "the", "a", "an", "or"}


@dataclass(frozen=True)
class Term:
    """A term of a sentence: its text as written, its kind and its place."""

    text: str
    kind: str  # "year", "figure", "name" or "key"
    start: int
    end: int
    value: float | None = None  # years and figures, in the unit's scale
    unit: str = ""  # figures: "million prisoners", "%"


@dataclass
class Sentence:
    text: str
    section: str
    terms: list[Term] = field(default_factory=list)


@dataclass(frozen=True)
class Row:
    left: str
    right: str
    excerpt: str  # the row as it stands in the section's normalized text


@dataclass
class Table:
    section: str
    header: tuple[str, str] | None
    rows: list[Row]


def blocks(section: Section) -> list[str]:
    """Paragraphs with wrapped lines joined again (PDF text breaks lines mid-sentence)."""
    result: list[str] = []
    for raw in section.paragraphs:
        line = normalize_space(raw)
        if not line:
            continue
        if result and not result[-1].endswith(TERMINAL) and line[:1].islower():
            result[-1] = f"{result[-1]} {line}"
        else:
            result.append(line)
    return result


def sentences(section: Section, table_rows: Iterable[str] = ()) -> list[Sentence]:
    """The section's sentences, skipping headings, table rows and fragments."""
    skip = set(table_rows)
    found: list[Sentence] = []
    for block in blocks(section):
        if block in skip:
            continue
        for piece in split_single(block):
            piece = piece.strip()
            words = piece.split()
            if len(words) < 6 or not piece.endswith(TERMINAL[:3] + TERMINAL[3:8]):
                continue
            found.append(Sentence(text=piece, section=section.slug))
    return found


# -- tables ---------------------------------------------------------------------------------


def split_row(line: str) -> tuple[str, str] | None:
    """A two-column row: "Label\\tText", "| Label | Text |" or "Title Case Label Text ..."."""
    stripped = line.strip()
    if stripped.startswith("|") and stripped.endswith("|"):
        cells = [c.strip() for c in stripped.strip("|").split("|")]
        if len(cells) == 2 and all(cells) and not set(cells[0]) <= set("-: "):
            return cells[0], cells[1]
        return None
    if "\t" in stripped:
        cells = [c.strip() for c in stripped.split("\t") if c.strip()]
        return (cells[0], cells[1]) if len(cells) == 2 else None
    words = stripped.split()
    if len(words) < 3 or len(stripped) > 200 or words[0] in ("The", "A", "An"):
        return None
    # The label is Title Case; the text begins at a capitalized word that starts a phrase
    # (a verb in -ing, or a word followed by an ordinary lowercase word).
    label_end = None
    for i in range(1, min(len(words) - 1, 7)):
        word = words[i]
        if not word[:1].isupper():
            if word not in TITLE_CONNECTORS:
                break
            continue
        if word.endswith("ing"):
            label_end = i
            break
        following = words[i + 1]
        if following[:1].islower() and following not in TITLE_CONNECTORS:
            label_end = i
            break
    if label_end is None:
        return None
    label = " ".join(words[:label_end])
    if not all(w[:1].isupper() or w in TITLE_CONNECTORS for w in words[:label_end]):
        return None
    return label, " ".join(words[label_end:])


def tables(section: Section, lead: str | None = None) -> list[Table]:
    """Runs of at least three consecutive two-column rows in the section."""
    found: list[Table] = []
    run: list[Row] = []
    run_form = ""
    header: tuple[str, str] | None = None
    heading = (lead or "").split()
    if len(heading) == 2 and all(w[:1].isupper() for w in heading):
        header = (heading[0], heading[1])

    def close() -> None:
        nonlocal run, header
        if len(run) >= 3:
            found.append(Table(section.slug, header, run))
        run = []
        header = None

    for raw in section.paragraphs:
        line = raw.strip()
        if re.fullmatch(r"\|?[\s:\-|]+\|?", line) and "-" in line:
            continue  # a Markdown table rule
        pair = split_row(line)
        form = "|" if line.startswith("|") else "\t" if "\t" in line else " "
        if pair is None or len(line) > 300 or (run and form != run_form):
            close()
        if pair is None or len(line) > 300:
            continue
        run_form = form
        if line.startswith("|") and not run and header is None:
            header = pair  # the first row of a Markdown table is its header
            continue
        run.append(Row(pair[0], pair[1], normalize_space(line)))
    close()
    return found


# -- terms ----------------------------------------------------------------------------------


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def find_numbers(sentence: str) -> list[Term]:
    terms: list[Term] = []
    taken: list[tuple[int, int]] = []
    for m in YEAR.finditer(sentence):
        terms.append(Term(m.group(1), "year", m.start(1), m.end(1), float(m.group(1))))
        taken.append((m.start(1), m.end(1)))
    for m in FIGURE.finditer(sentence):
        start, end = m.start("number"), m.end("number")
        if any(a <= start < b for a, b in taken):
            continue
        after = sentence[end : end + 3]
        if after[:2] in ("st", "nd", "rd", "th") or after[:1] in ("–", "-"):
            continue  # an ordinal ("20th") or a range
        unit = normalize_space(m.group("unit") or "")
        scale = m.group("scale") or ""
        percent = m.group("percent")
        value = _number(m.group("number"))
        if not (scale or percent or unit):
            continue  # a bare number carries no meaning to ask about
        unit_text = "%" if percent else normalize_space(f"{scale} {unit}")
        text_end = max(end, m.end("scale") if scale else 0, m.end("percent") if percent else 0)
        if unit and not percent:
            text_end = m.end("unit")
        terms.append(Term(sentence[start:text_end], "figure", start, text_end, value, unit_text))
    return sorted(terms, key=lambda t: t.start)


def find_names(sentence: str) -> list[Term]:
    terms: list[Term] = []
    for m in NAME.finditer(sentence):
        text = POSSESSIVE.sub("", m.group(0))
        start = m.start()
        words = text.split()
        # A sentence's first word is capitalized anyway: drop it unless it is known as a
        # name, which the caller decides; here drop common words and lone initial words.
        while words and words[0].lower() in COMMON_CAPITALIZED:
            start += len(words[0]) + 1
            words = words[1:]
        while words and words[-1].lower() in TITLE_CONNECTORS:
            words = words[:-1]
        if not words:
            continue
        text = " ".join(words)
        if start == 0 and len(words) == 1:
            continue
        if len(text) < 3 or text.isupper() and len(text) < 2:
            continue
        terms.append(Term(text, "name", start, start + len(text)))
    return terms


def find_phrases(sentence: str, phrases: Sequence[str]) -> list[Term]:
    """Occurrences of the document's key phrases, whole words, case-insensitive."""
    terms: list[Term] = []
    lowered = sentence.lower()
    for phrase in phrases:
        needle = phrase.lower()
        if needle not in lowered:
            continue  # the cheap test first: most phrases are not in a given sentence
        for m in _phrase_pattern(needle).finditer(lowered):
            terms.append(Term(sentence[m.start() : m.end()], "key", m.start(), m.end()))
    return terms


@functools.lru_cache(maxsize=4096)
def _phrase_pattern(needle: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w\-]){re.escape(needle)}(?![\w\-])")


def key_phrases(text: str, limit: int) -> list[str]:
    """The document's key phrases (YAKE, unsupervised, offline), best first."""
    import yake

    extractor = yake.KeywordExtractor(lan="en", n=2, top=limit * 3, dedupLim=0.8)
    lowered = text.lower()
    phrases = []
    for phrase, _score in extractor.extract_keywords(text):
        phrase = normalize_space(phrase)
        words = phrase.lower().split()
        if not words or words[0] in COMMON_CAPITALIZED or words[-1] in COMMON_CAPITALIZED:
            continue
        if any(ch.isdigit() for ch in phrase) or len(phrase) < 4:
            continue
        if any(w[:1].isupper() for w in phrase.split()):
            continue  # names are found as names
        if len(words) == 1 and (words[0].endswith(("ed", "ing", "ly")) or words[0] in GENERIC):
            continue
        if len(words) > 1 and any(w.endswith(("ed", "ing", "ly")) for w in words[1:]):
            continue
        if len(words) > 1 and words[-1] in GENERIC | {"remain", "remains", "became", "sought"}:
            continue
        if len(words) > 1 and words[0].endswith(("ed", "ing", "ly", "s")) and words[0] not in KEEP:
            continue  # "allowed khrushchev", "exposing stalin": a verb and its object
        if len(words) == 1 and len(words[0]) < SPECIFIC_WORD_LETTERS:
            continue  # short words ("shift", "reform") are too general to ask for
        if len(words) > 1 and lowered.count(phrase.lower()) < 2:
            continue  # a two-word phrase met once is a chance collocation
        phrases.append(phrase)
    return phrases[:limit]


# A single word asked for must be at least this long: longer words are the specific ones
# ("punitive", "censorship"), shorter ones the general ("shift", "speech", "regime").
SPECIFIC_WORD_LETTERS = 8


GENERIC = {
    "political",
    "process",
    "aimed",
    "approach",
    "system",
    "also",
    "would",
    "could",
    "made",
    "make",
    "many",
    "much",
    "more",
    "less",
    "well",
    "part",
    "time",
    "year",
    "years",
    "way",
    "ways",
    "thing",
    "things",
    "example",
    "instance",
    "case",
    "cases",
    "people",
    "state",
    "different",
    "various",
    "important",
    "significant",
    "broader",
    "greater",
    "new",
    "old",
    "sought",
    "underscores",
    "life",
    "death",
    "power",
    "works",
    "remain",
    "remains",
    "became",
}
KEEP = {"cold", "living", "heavy", "forced", "secret", "personality"}


def overlaps(term: Term, others: Iterable[Term]) -> bool:
    return any(term.start < o.end and o.start < term.end for o in others)
