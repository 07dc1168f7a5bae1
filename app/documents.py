"""The structure of a source document: sections, paragraphs, cited passages.

A document is plain text. Each section starts at the line equal to its `start`;
`skip` lines are page furniture (bylines, share buttons) and are not shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


def normalize_space(text: str) -> str:
    return " ".join(text.split())


@dataclass
class Section:
    slug: str
    title: str
    paragraphs: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return normalize_space(" ".join(self.paragraphs))


@dataclass
class Passage:
    """Where an excerpt sits: the section, the paragraph and the span in it."""

    section_slug: str
    paragraph_index: int
    start: int
    end: int


def split_sections(
    text: str, sections: Sequence[dict[str, Any]], skip: Sequence[str] = ()
) -> list[Section]:
    """Split `text` into its sections. Text before the first section is the preamble."""
    starts = {s["start"]: s for s in sections}
    result: list[Section] = [Section(slug="", title="")]
    skip_set = set(skip)
    for raw in text.splitlines():
        line = raw.strip()
        if line in starts:
            spec = starts[line]
            result.append(Section(slug=spec["slug"], title=spec["title"]))
            # A heading line that is also furniture, or reads like a heading
            # sentence with content, stays as the section's lead line.
            if line not in skip_set and line != spec["title"] and _is_lead(line):
                result[-1].paragraphs.append(line)
            continue
        if not line or line in skip_set:
            continue
        result[-1].paragraphs.append(line)
    if not result[0].paragraphs:
        result.pop(0)
    return result


def _is_lead(line: str) -> bool:
    # "Khrushchev's Secret Speech: 1956 denunciation ..." carries content worth
    # citing; bare labels like "Historical context" do not.
    return ":" in line or len(line.split()) > 6


def locate_excerpt(sections: Sequence[Section], excerpt: str) -> Passage | None:
    """Find the excerpt (whitespace-normalized) inside one paragraph, or None."""
    needle = normalize_space(excerpt)
    if not needle:
        return None
    for section in sections:
        for index, paragraph in enumerate(section.paragraphs):
            haystack = normalize_space(paragraph)
            at = haystack.find(needle)
            if at >= 0:
                return Passage(section.slug, index, at, at + len(needle))
    return None


def excerpt_in_section(sections: Sequence[Section], slug: str, excerpt: str) -> bool:
    needle = normalize_space(excerpt)
    return any(s.slug == slug and needle in s.text for s in sections)
