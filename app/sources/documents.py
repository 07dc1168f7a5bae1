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
    """Where an excerpt sits: its section and, per paragraph it covers, the span in it.

    An excerpt may run over several paragraphs of one section (rows of a table).
    """

    section_slug: str
    spans: list[tuple[int, int, int]]  # (paragraph index, start, end) in normalized text


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
    """Find the excerpt (whitespace-normalized) in one section, or None."""
    needle = normalize_space(excerpt)
    if not needle:
        return None
    for section in sections:
        paragraphs = [normalize_space(p) for p in section.paragraphs]
        joined = " ".join(paragraphs)
        at = joined.find(needle)
        if at < 0:
            continue
        end = at + len(needle)
        spans = []
        offset = 0
        for index, paragraph in enumerate(paragraphs):
            lo, hi = max(at, offset), min(end, offset + len(paragraph))
            if lo < hi:
                spans.append((index, lo - offset, hi - offset))
            offset += len(paragraph) + 1  # the joining space
        return Passage(section.slug, spans)
    return None


def excerpt_in_section(sections: Sequence[Section], slug: str, excerpt: str) -> bool:
    needle = normalize_space(excerpt)
    return any(s.slug == slug and needle in s.text for s in sections)
