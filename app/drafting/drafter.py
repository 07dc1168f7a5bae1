"""Proposing question drafts from a document, each citing the passage it comes from.

The drafter reads only the document: its sentences, its tables and the terms they carry
(years, figures, names, key phrases found by YAKE). Distractors and false variants are
other terms of the same kind from the same document. Nothing is fetched, nothing is
stored: the caller shows the drafts to a teacher, who accepts, edits or rejects each.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from app.questions import ValidationError, validate_content
from app.sources.documents import Section

from .text import (
    Sentence,
    Table,
    Term,
    find_names,
    find_numbers,
    find_phrases,
    key_phrases,
    overlaps,
    sentences,
    tables,
)

MAX_EXCERPT_CHARS = 300
BLANK = "\\_\\_\\_\\_"  # Markdown for a visible blank line: ____
TRUE_FALSE_MAX_CHARS = 220
MATCHING_MAX_PAIRS = 5
SECTION_PHRASES = 12
MAX_GAPS = 2
MAX_NAME_GAP_WORDS = 3  # longer names are hard to type exactly
NUMBERS_PER_SENTENCE = 2


@dataclass(frozen=True)
class Citation:
    document: str
    section: str
    excerpt: str


@dataclass
class Draft:
    """A proposed question: its kind, its content (valid for the engine) and its source."""

    kind: str
    content: dict[str, Any]
    citation: Citation
    basis: str  # what the draft was drawn from: "definition", "table", "year", ...
    key_term: str | None = None
    needs_review: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        """A stable identity: the same document gives the same keys."""
        content = {
            name: value
            for name, value in self.content.items()
            if not (name in _OPTIONAL_DEFAULTS and value == _OPTIONAL_DEFAULTS[name])
        }
        raw = json.dumps([self.kind, self.citation.section, content], sort_keys=True)
        return hashlib.sha1(raw.encode()).hexdigest()[:12]  # noqa: S324 (an identity, not a secret)



# Optional fields the engine fills in with a default when validating. The key leaves them
# out at that default, so giving a question type a new optional field keeps every key.
_OPTIONAL_DEFAULTS: dict[str, Any] = {"typo_credit": 1.0, "units": [], "year": False}

@dataclass
class _Pools:
    """The document's terms by kind, for distractors, swaps and alternative answers."""

    years: list[int] = field(default_factory=list)
    figures: dict[str, list[Term]] = field(default_factory=lambda: defaultdict(list))
    names: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    mentions: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


def draft_document(document: str, title: str, sections: Sequence[Section]) -> list[Draft]:
    """All drafts for a document, in document order, grouped by section."""
    text = " ".join(s.text for s in sections)
    n_words = len(text.split())
    phrases = key_phrases(text, limit=max(20, min(400, n_words // 25)))

    section_tables: dict[str, list[Table]] = {}
    section_sentences: dict[str, list[Sentence]] = {}
    pools = _Pools()
    seen_names: dict[str, None] = {}
    seen_keys: dict[str, None] = {}
    seen_years: dict[int, None] = {}
    for section in sections:
        found = tables(section)
        section_tables[section.slug] = found
        rows = [row.excerpt for table in found for row in table.rows]
        section_sentences[section.slug] = sentences(section, rows)
        # The section's own key words too: a term central to one section only.
        local = key_phrases(section.text, limit=SECTION_PHRASES) if section.text else []
        section_phrases = list(dict.fromkeys([*phrases, *local]))
        for sentence in section_sentences[section.slug]:
            sentence.terms = _terms(sentence.text, section_phrases)
            for term in sentence.terms:
                if term.kind == "year":
                    seen_years.setdefault(int(term.value or 0))
                elif term.kind == "figure":
                    pools.figures[_unit_kind(term.unit)].append(term)
                elif term.kind == "name":
                    seen_names.setdefault(term.text)
                else:
                    seen_keys.setdefault(term.text.lower())
                pools.mentions[term.text.lower()].add(term.text)
    pools.years = list(seen_years)
    pools.names = list(seen_names)
    pools.people = _people(pools.names)
    pools.keys = list(seen_keys)

    drafts: list[Draft] = []
    for section in sections:
        context = _Context(document, title, section, pools)
        for table in section_tables[section.slug]:
            drafts.extend(context.from_table(table))
        for sentence in section_sentences[section.slug]:
            drafts.extend(context.from_sentence(sentence))
    unique: dict[str, Draft] = {}
    for draft in drafts:
        try:
            draft.content = validate_content(draft.kind, draft.content)
        except ValidationError:
            continue  # e.g. a table whose labels repeat: no valid matching to propose
        unique.setdefault(draft.key, draft)
    return list(unique.values())


def _terms(sentence: str, phrases: Sequence[str]) -> list[Term]:
    numbers = find_numbers(sentence)
    names = [t for t in find_names(sentence) if not overlaps(t, numbers)]
    keys = [
        t
        for t in find_phrases(sentence, phrases)
        if not overlaps(t, numbers)
        and not any(n.text.lower() == t.text.lower() for n in names)
        and not any(t.start >= n.start and t.end <= n.end for n in names)
    ]
    # Longer key phrases first, then drop those overlapping one already kept.
    kept: list[Term] = []
    for term in sorted(keys, key=lambda t: (-(t.end - t.start), t.start)):
        if not overlaps(term, kept):
            kept.append(term)
    names = [n for n in names if not overlaps(n, kept) or len(n.text.split()) > 1]
    kept = [k for k in kept if not overlaps(k, names)]
    return sorted(numbers + names + kept, key=lambda t: t.start)


INSTITUTION_WORDS = {
    "union",
    "party",
    "bloc",
    "congress",
    "committee",
    "republic",
    "war",
    "state",
    "states",
    "army",
    "council",
    "church",
    "court",
    "government",
    "ministry",
    "university",
    "uprising",
    "revolution",
    "speech",
    "treaty",
    "crisis",
    "europe",
    "west",
    "east",
    "procuracy",
}


def _people(names: Sequence[str]) -> list[str]:
    """Names that look like people's: two or three plain words, or the surname of one
    of those standing alone elsewhere in the document."""
    people = []
    for name in names:
        words = name.split()
        if 2 <= len(words) <= 3 and not any(
            w.lower() in INSTITUTION_WORDS or w.lower() in TITLE_WORDS or w[-3:] in ("ist", "ism")
            for w in words
        ):
            people.append(name)
    surnames = {p.split()[-1] for p in people}
    people += [n for n in names if n in surnames and n not in people]
    return people


TITLE_WORDS = {"of", "the", "and", "its", "on", "cold", "secret", "party"}


def _words_between(text: str, a: Term, b: Term) -> int:
    first, second = sorted((a, b), key=lambda t: t.start)
    return len(text[first.end : second.start].split())


def _unit_kind(unit: str) -> str:
    return unit.split()[-1] if unit else ""


def _value(number: float) -> int | float:
    return int(number) if float(number).is_integer() else number


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


DEFINITION = re.compile(
    r"^(?P<term>[A-Z][\w'’\-]*(?:\s+[\w'’\-]+){0,4}?)\s*(?:\([^)]{1,40}\)\s*)?,?\s+"
    r"(?P<verb>refers to|is defined as|is known as|means|denotes|describes|is|was|are|were)\s+"
    r"(?P<rest>(?:the|a|an)\s.{10,})$"
)
APPOSITIVE = re.compile(
    r"^(?P<term>[A-Z][\w'’\-]*(?:\s+[\w'’\-]+){0,3}),\s+(?P<rest>(?:the|a|an)\s[^,]{8,120}),\s"
)
GLOSSARY = re.compile(r"^(?P<term>[A-Z][\w'’\- ]{2,60}?)\s*(?::|\s[–—-])\s+(?P<rest>.{12,})$")


class _Context:
    def __init__(self, document: str, title: str, section: Section, pools: _Pools) -> None:
        self.document = document
        self.title = title
        self.section = section
        self.pools = pools
        self.asked: set[str] = set()  # answers of this section's multiple-choice drafts

    # -- citations ----------------------------------------------------------------------

    def cite(self, excerpt: str) -> Citation:
        return Citation(self.document, self.section.slug, excerpt)

    def where(self) -> str:
        return f"*{self.title}*" + (
            f" (section “{self.section.title}”)" if self.section.title else ""
        )

    # -- tables -------------------------------------------------------------------------

    def from_table(self, table: Table) -> list[Draft]:
        drafts: list[Draft] = []
        label = table.header[0] if table.header else "item"
        for row in table.rows:
            if len(row.excerpt) > MAX_EXCERPT_CHARS:
                continue
            drafts.append(
                Draft(
                    "flashcard",
                    {
                        "prompt": f"In the table of {self.where()}, what is said of "
                        f"**{row.left}**?",
                        "back": row.right,
                    },
                    self.cite(row.excerpt),
                    basis="table",
                    key_term=row.left,
                )
            )
        chunk: list = []
        chunks = []
        for row in table.rows:
            joined = " ".join(r.excerpt for r in [*chunk, row])
            if chunk and (len(joined) > MAX_EXCERPT_CHARS or len(chunk) == MATCHING_MAX_PAIRS):
                chunks.append(chunk)
                chunk = []
            chunk.append(row)
        chunks.append(chunk)
        if len(chunks) > 1 and len(chunks[-1]) < 2:
            chunks.pop()
        for rows in chunks:
            excerpt = " ".join(r.excerpt for r in rows)
            if len(rows) < 2 or len(excerpt) > MAX_EXCERPT_CHARS:
                continue
            drafts.append(
                Draft(
                    "matching",
                    {
                        "prompt": f"Match each {label.lower()} from the table of {self.where()} "
                        "with what the table says of it.",
                        "pairs": [{"left": r.left, "right": r.right} for r in rows],
                    },
                    self.cite(excerpt),
                    basis="table",
                )
            )
        return drafts

    # -- sentences ----------------------------------------------------------------------

    def from_sentence(self, sentence: Sentence) -> list[Draft]:
        drafts: list[Draft] = []
        definition = self.definition(sentence)
        if definition:
            drafts.append(definition)
        drafts.extend(self.cloze(sentence))
        drafts.extend(self.numerical(sentence))
        drafts.extend(self.multiple_choice(sentence))
        drafts.extend(self.true_false(sentence))
        return drafts

    def excerpt_around(self, sentence: str, terms: Sequence[Term]) -> tuple[str, int] | None:
        """The sentence, or the shortest run of its clauses that holds the terms (<= 300)."""
        if len(sentence) <= MAX_EXCERPT_CHARS:
            return sentence, 0
        lo = min(t.start for t in terms)
        hi = max(t.end for t in terms)
        cuts = [0] + [m.end() for m in re.finditer(r"[,;:]\s", sentence)] + [len(sentence)]
        start = max(c for c in cuts if c <= lo)
        end = min(c for c in cuts if c >= hi)
        while end - start > MAX_EXCERPT_CHARS:
            return None
        # Widen clause by clause while it fits.
        for c in sorted(cuts):
            if c > end and c - start <= MAX_EXCERPT_CHARS:
                end = c
        excerpt = sentence[start:end].rstrip(",;: ")
        return excerpt, start

    def definition(self, sentence: Sentence) -> Draft | None:
        text = sentence.text
        for pattern, basis in ((DEFINITION, "definition"), (APPOSITIVE, "apposition")):
            m = pattern.match(text)
            if not m:
                continue
            term = m.group("term")
            lead = term
            if basis == "apposition" and term.split()[0] in ("The", "A", "An") and " " in term:
                term = term.split(" ", 1)[1]  # "The chloroplast, the organelle ..."
            first = term.split()[0].lower()
            if first in _NOT_TERMS or len(term) > 60:
                continue
            rest = m.group("rest").rstrip(" .")
            verb = m.groupdict().get("verb") or "is"
            if verb == "refers to":
                prompt = f"According to {self.where()}, what does **{term}** refer to?"
            elif verb in ("was", "were"):
                prompt = f"According to {self.where()}, what {verb} **{term}**?"
            elif verb in ("are",):
                prompt = f"According to {self.where()}, what are **{term}**?"
            else:
                prompt = f"According to {self.where()}, what is **{term}**?"
            cut = self.excerpt_around(text, [Term(lead, "key", 0, len(lead))])
            if not cut or not cut[0].startswith(lead):
                continue
            back = _cap(rest)
            if len(text) > MAX_EXCERPT_CHARS:
                back = _cap(cut[0][m.start("rest") :].rstrip(" .,;"))
            return Draft(
                "flashcard",
                {"prompt": prompt, "back": back},
                self.cite(cut[0]),
                basis=basis,
                key_term=term,
            )
        m = GLOSSARY.match(text)
        if m and len(m.group("term").split()) <= 6 and len(text) <= MAX_EXCERPT_CHARS:
            term = m.group("term").strip()
            if term.split()[0].lower() not in _NOT_TERMS and not any(c.isdigit() for c in term):
                return Draft(
                    "flashcard",
                    {
                        "prompt": f"According to {self.where()}, what is **{term}**?",
                        "back": _cap(m.group("rest").rstrip(" .")),
                    },
                    self.cite(text),
                    basis="definition",
                    key_term=term,
                )
        return None

    def alternatives(self, term: Term) -> list[str]:
        """The term as written, then its other mentions in the document."""
        answers = [term.text]
        for form in sorted(self.pools.mentions.get(term.text.lower(), ())):
            if form not in answers:
                answers.append(form)
        if term.kind == "name" and len(term.text.split()) > 1:
            surname = term.text.split()[-1]
            if surname in self.pools.names and surname not in answers:
                answers.append(surname)
        return answers

    def cloze(self, sentence: Sentence) -> list[Draft]:
        candidates = [
            t
            for t in sentence.terms
            if t.kind == "key" or t.kind == "name" and len(t.text.split()) <= MAX_NAME_GAP_WORDS
        ]
        if not candidates:
            candidates = [t for t in sentence.terms if t.kind == "year"]
        if not candidates:
            return []
        # Gap the most telling terms: names and multi-word phrases first, up to three.
        # Multi-word names, then key phrases, then one-word names ("Soviet" says little).
        ranked = sorted(
            candidates,
            key=lambda t: (
                0 if t.kind == "name" and " " in t.text else 1 if t.kind == "key" else 2,
                -len(t.text.split()),
                t.start,
            ),
        )
        gaps: list[Term] = []
        for term in ranked:
            if len(gaps) == MAX_GAPS:
                break
            if any(g.text.lower() == term.text.lower() for g in gaps):
                continue
            if any(_words_between(sentence.text, g, term) < 2 for g in gaps):
                continue  # gaps side by side leave nothing to go on
            gaps.append(term)
        lone = len(gaps) == 1 and gaps[0].kind == "name" and " " not in gaps[0].text
        if lone and gaps[0].text not in self.pools.people:
            return []  # a lone "Soviet" or "Moscow" says little
        cut = self.excerpt_around(sentence.text, gaps)
        if cut is None:
            gaps = gaps[:1]
            cut = self.excerpt_around(sentence.text, gaps)
            if cut is None:
                return []
        excerpt, offset = cut
        gaps = [g for g in gaps if g.start >= offset and g.end <= offset + len(excerpt)]
        if not gaps:
            return []
        gaps.sort(key=lambda t: t.start)
        pieces, last = [], offset
        for number, gap in enumerate(gaps, start=1):
            pieces.append(sentence.text[last : gap.start] + f"{{{{{number}}}}}")
            last = gap.end
        pieces.append(sentence.text[last : offset + len(excerpt)])
        cloze_text = "".join(pieces)
        if cloze_text.count("{") != 2 * len(gaps) or "}}}" in cloze_text:
            return []
        word = "gap" if len(gaps) == 1 else "gaps"
        return [
            Draft(
                "cloze",
                {
                    "prompt": f"Fill in the {word}, as in {self.where()}.",
                    "text": cloze_text,
                    "gaps": [{"answers": self.alternatives(g)} for g in gaps],
                },
                self.cite(excerpt),
                basis="+".join(sorted({g.kind for g in gaps})),
                key_term=gaps[0].text,
            )
        ]

    def blanked(self, sentence: Sentence, term: Term) -> tuple[str, str] | None:
        cut = self.excerpt_around(sentence.text, [term])
        if cut is None:
            return None
        excerpt, offset = cut
        shown = (
            sentence.text[offset : term.start]
            + BLANK
            + sentence.text[term.end : offset + len(excerpt)]
        )
        return excerpt, shown

    def numerical(self, sentence: Sentence) -> list[Draft]:
        drafts = []
        for term in sentence.terms:
            if term.kind not in ("year", "figure") or term.value is None:
                continue
            cut = self.blanked(sentence, term)
            if cut is None:
                continue
            excerpt, shown = cut
            if term.kind == "year":
                question, unit = "What year goes in the blank?", ""
            else:
                unit = term.unit
                question = (
                    f"What number goes in the blank (in {unit})?"
                    if unit
                    else ("What number goes in the blank?")
                )
            drafts.append(
                Draft(
                    "numerical",
                    {
                        "prompt": f"According to {self.where()}: “{shown}”\n\n{question}",
                        "answers": [{"value": _value(term.value), "tolerance": 0}],
                        "unit": unit,
                    },
                    self.cite(excerpt),
                    basis=term.kind,
                    key_term=term.text,
                )
            )
            if len(drafts) == NUMBERS_PER_SENTENCE:
                break
        return drafts

    def same_kind(self, term: Term, sentence: Sentence, count: int) -> list[str]:
        """Up to `count` other terms of the document of the term's kind, closest first."""
        in_sentence = {t.text.lower() for t in sentence.terms}
        sentence_words = {w for t in sentence.terms for w in t.text.lower().split()}
        if term.kind == "year":
            own = int(term.value or 0)
            others = sorted(
                (y for y in self.pools.years if y != own and str(y) not in in_sentence),
                key=lambda y: (abs(y - own), y),
            )
            return [str(y) for y in others[:count]]
        if term.kind == "figure":
            pool = self.pools.figures.get(_unit_kind(term.unit), [])
            texts: list[str] = []
            for other in pool:
                fresh = other.text not in texts and other.text.lower() not in in_sentence
                if other.value != term.value and fresh:
                    texts.append(other.text)
            return texts[:count]
        if term.kind == "name":
            person = term.text in self.pools.people
            pool = (
                self.pools.people
                if person
                else [
                    n
                    for n in self.pools.names
                    if n not in self.pools.people and len(n.split()) == len(term.text.split())
                ]
            )
        else:
            pool = self.pools.keys
        words = len(term.text.split())
        own = term.text.lower()
        others = [
            p
            for p in pool
            if p.lower() != own
            and p.lower() not in in_sentence
            and own not in p.lower()
            and p.lower() not in own
        ]
        others.sort(key=lambda p: (abs(len(p.split()) - words), pool.index(p)))
        result: list[str] = []
        used = set(own.split()) | sentence_words
        for other in others:
            words_of = set(other.lower().split())
            if words_of & used:
                continue  # "Stalin" beside "Joseph Stalin" gives the answer away
            result.append(other)
            used |= words_of
            if len(result) == count:
                break
        if term.kind == "key" and term.text[:1].isupper():
            result = [_cap(r) for r in result]
        return result

    def multiple_choice(self, sentence: Sentence) -> list[Draft]:
        order = {"name": 0, "year": 1, "figure": 2}
        usable = [
            t
            for t in sentence.terms
            if t.kind in order
            and t.text not in self.asked
            # Other names are of too many kinds (places, parties, ideas) to pick distractors.
            and (t.kind != "name" or t.text in self.pools.people)
        ]
        for term in sorted(usable, key=lambda t: (order[t.kind], t.start)):
            distractors = self.same_kind(term, sentence, 3)
            if len(distractors) < 3:
                continue
            cut = self.blanked(sentence, term)
            if cut is None:
                continue
            excerpt, shown = cut
            options = [{"text": term.text, "correct": True}] + [
                {"text": d, "correct": False} for d in distractors
            ]
            self.asked.add(term.text)
            pin = term.kind == "year"
            if pin:
                options.sort(key=lambda o: o["text"])
            return [
                Draft(
                    "multiple_choice",
                    {
                        "prompt": f"According to {self.where()}, what goes in the blank?\n\n"
                        f"“{shown}”",
                        "options": options,
                        "pin_order": pin,
                    },
                    self.cite(excerpt),
                    basis=term.kind,
                    key_term=term.text,
                )
            ]
        return []

    def true_false(self, sentence: Sentence) -> list[Draft]:
        text = sentence.text
        if len(text) > TRUE_FALSE_MAX_CHARS or text.endswith("?") or text.endswith(":"):
            return []
        for term in sentence.terms:
            if term.kind not in ("year", "figure") and term.text not in self.pools.people:
                continue
            swaps = self.same_kind(term, sentence, 1)
            if not swaps:
                continue
            statement = text.rstrip(":")
            true = Draft(
                "true_false",
                {
                    "prompt": f"True or false? According to {self.where()}: “{statement}”",
                    "answer": True,
                },
                self.cite(text),
                basis=term.kind,
                key_term=term.text,
            )
            swapped = statement[: term.start] + swaps[0] + statement[term.end :]
            false = Draft(
                "true_false",
                {
                    "prompt": f"True or false? According to {self.where()}: “{swapped}”",
                    "answer": False,
                    "feedback_true": f"The document says {term.text}, not {swaps[0]}.",
                },
                self.cite(text),
                basis=term.kind,
                key_term=term.text,
                needs_review=True,
                notes=[f"{term.text} swapped for {swaps[0]}: check that the swap makes it false"],
            )
            return [true, false]
        return []


_NOT_TERMS = {
    "this",
    "that",
    "these",
    "those",
    "it",
    "he",
    "she",
    "they",
    "there",
    "here",
    "such",
    "the",
    "a",
    "an",
    "one",
    "what",
    "which",
    "who",
    "its",
    "his",
    "her",
    "their",
    "our",
    "however",
    "yet",
    "while",
    "ultimately",
    "today",
    "instead",
    "thus",
    "in",
    "for",
    "by",
    "as",
    "if",
    "when",
    "after",
    "before",
    "during",
    "among",
    "under",
    "from",
    "with",
    "consider",
    "each",
    "both",
    "all",
    "some",
}
