"""The drafter on the seeded documents: how many drafts, how many seeded answers it finds,
how many judged drafts are usable, and how fast it drafts a 50-page document.

    python -m benchmarks.drafting

Recall: of the accepted-answer terms of the seeded cloze gaps (each gap's first answer)
and numerical questions (the value), the share the drafter also proposes as an answer
(a cloze gap's accepted answer, a numerical value, a multiple-choice correct option or
the term a true/false draft turns on) in a draft citing the same section.
Usable share: the drafts judged by hand in tests/fixtures/drafts_judged.yaml.
"""

from __future__ import annotations

import argparse
import random
import re
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from app.drafting import Draft, draft_document
from app.sources.documents import Section, split_sections

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seed_data"
JUDGED = ROOT / "tests" / "fixtures" / "drafts_judged.yaml"
WORDS_PER_PAGE = 500
SAMPLE_SIZE = 40
SAMPLE_SEED = 16


@dataclass
class SeededDocument:
    slug: str
    title: str
    text: str
    sections: list[dict[str, Any]]
    skip: list[str]

    @property
    def structure(self) -> list[Section]:
        return split_sections(self.text, self.sections, self.skip)


def seeded_documents() -> list[SeededDocument]:
    manifest = yaml.safe_load((SEED / "sources" / "manifest.yaml").read_text(encoding="utf-8"))
    return [
        SeededDocument(
            spec["slug"],
            spec["short_title"],
            (SEED / "sources" / spec["file"]).read_text(encoding="utf-8"),
            spec["sections"],
            list(spec.get("skip", ())),
        )
        for spec in manifest["documents"]
    ]


def draft_seeded(documents: list[SeededDocument] | None = None) -> dict[str, list[Draft]]:
    documents = documents or seeded_documents()
    return {d.slug: draft_document(d.slug, d.title, d.structure) for d in documents}


def _norm(text: Any) -> str:
    return " ".join(re.sub(r"[^\w\s.]", " ", str(text).casefold()).split())


def seeded_terms() -> list[tuple[str, str, str, str]]:
    """(document, section, kind, term) for each seeded cloze gap and numerical answer."""
    terms = []
    for path in sorted((SEED / "banks").glob("*.yaml")):
        if path.name == "banks.yaml":
            continue
        for q in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]:
            source = q.get("source") or {}
            where = (source.get("document"), q.get("section"))
            if q["type"] == "cloze":
                for gap in q["gaps"]:
                    first = (gap.get("answers") or [None])[0]
                    if first is None:
                        first = gap["options"][gap["correct"]]
                    terms.append((*where, "cloze", first))
            elif q["type"] == "numerical":
                answer = q["answers"][0]
                value = answer.get("value", answer.get("min"))
                terms.append((*where, "numerical", _number_text(value)))
    return terms


def _number_text(value: Any) -> str:
    number = float(value)
    return str(int(number)) if number.is_integer() else str(number)


def proposed_answers(draft: Draft) -> set[str]:
    content = draft.content
    found: set[str] = set()
    if draft.kind == "cloze":
        for gap in content["gaps"]:
            found.update(_norm(a) for a in gap.get("answers", []))
    elif draft.kind == "numerical":
        found.update(_number_text(a["value"]) for a in content["answers"] if "value" in a)
    elif draft.kind == "multiple_choice":
        found.update(_norm(o["text"]) for o in content["options"] if o["correct"])
    elif draft.kind == "true_false" and draft.key_term:
        found.add(_norm(draft.key_term))
    return found


def recall(drafts: dict[str, list[Draft]], *, within: bool = False) -> dict[str, tuple[int, int]]:
    """Per kind of seeded question: (terms the drafter proposes, terms).

    `within`: also count a term the drafter proposes inside a longer answer
    ("Virgin Lands" in "Virgin Lands Campaign")."""
    answers: dict[tuple[str, str], set[str]] = {}
    for document, items in drafts.items():
        for draft in items:
            answers.setdefault((document, draft.citation.section), set()).update(
                proposed_answers(draft)
            )
    result: dict[str, list[int]] = {}
    for document, section, kind, term in seeded_terms():
        proposed = answers.get((document, section), set())
        needle = _norm(term)
        hit = needle in proposed or (
            within and any(re.search(rf"\b{re.escape(needle)}\b", p) for p in proposed)
        )
        counts = result.setdefault(kind, [0, 0])
        counts[0] += int(hit)
        counts[1] += 1
    return {kind: (hit, total) for kind, (hit, total) in result.items()}


def drafts_per_section(drafts: dict[str, list[Draft]]) -> dict[tuple[str, str], Counter]:
    table: dict[tuple[str, str], Counter] = {}
    for document, items in drafts.items():
        for draft in items:
            table.setdefault((document, draft.citation.section), Counter())[draft.kind] += 1
    return table


def sample(drafts: dict[str, list[Draft]]) -> list[tuple[str, Draft]]:
    """The drafts to judge by hand: a fixed random sample over both documents."""
    every = [(doc, d) for doc, items in sorted(drafts.items()) for d in items]
    every.sort(key=lambda pair: pair[1].key)
    return random.Random(SAMPLE_SEED).sample(every, SAMPLE_SIZE)


def judged() -> list[dict[str, Any]]:
    return yaml.safe_load(JUDGED.read_text(encoding="utf-8"))["drafts"]


def usable_share() -> tuple[int, int]:
    items = judged()
    return sum(1 for item in items if item["usable"]), len(items)


JUDGED_HEAD = """\
# Forty drafts of the seeded documents, judged by hand against the document.
# The sample is benchmarks.drafting.sample(): a fixed random sample (seed 16) of all
# drafts. usable: correct and answerable as drafted, without edits; why: the reason.
# The tests check that these are still exactly the sampled drafts and that the usable
# share stays >= 70 %. After a change to the drafter, `python -m benchmarks.drafting
# --refresh-sample` keeps the judgements of drafts still sampled and adds the new ones
# with usable: null, to be judged by hand.
"""


def _shown(draft: Draft) -> tuple[Any, Any]:
    c = draft.content
    if draft.kind == "cloze":
        return c["text"], [g["answers"] for g in c["gaps"]]
    if draft.kind == "flashcard":
        return c["prompt"], c["back"]
    if draft.kind == "matching":
        return c["prompt"], [f"{p['left']} = {p['right']}" for p in c["pairs"]]
    if draft.kind == "numerical":
        return c["prompt"], c["answers"][0]["value"]
    if draft.kind == "true_false":
        return c["prompt"], c["answer"]
    return c["prompt"], [o["text"] + (" (correct)" if o["correct"] else "") for o in c["options"]]


def refresh_sample(drafts: dict[str, list[Draft]]) -> int:
    """Rewrite the judged fixture for the current sample; returns how many need judging."""
    old = {item["key"]: item for item in judged()} if JUDGED.exists() else {}
    items = []
    for document, draft in sample(drafts):
        shown, answer = _shown(draft)
        before = old.get(draft.key, {})
        items.append(
            {
                "key": draft.key,
                "document": document,
                "section": draft.citation.section,
                "kind": draft.kind,
                "draft": shown,
                "answer": answer,
                "excerpt": draft.citation.excerpt,
                "usable": before.get("usable"),
                "why": before.get("why", ""),
            }
        )
    with JUDGED.open("w", encoding="utf-8") as out:
        out.write(JUDGED_HEAD)
        yaml.safe_dump({"drafts": items}, out, allow_unicode=True, sort_keys=False, width=100)
    return sum(1 for item in items if item["usable"] is None)


def fifty_pages(documents: list[SeededDocument] | None = None) -> tuple[list[Section], int]:
    """A 50-page document: the seeded sections again and again, each copy with its years
    moved and its sections renamed, so it is not the same text repeated."""
    documents = documents or seeded_documents()
    base = [s for d in documents for s in d.structure]
    sections: list[Section] = []
    words = 0
    copy = 0
    while words < 50 * WORDS_PER_PAGE:
        shift = copy * 7
        for section in base:
            paragraphs = [
                re.sub(r"\b(1[89]\d\d)\b", lambda m, s=shift: str(int(m.group(1)) + s), p)
                for p in section.paragraphs
            ]
            sections.append(
                Section(f"{section.slug}-{copy}", f"{section.title} ({copy})", paragraphs)
            )
            words += sum(len(p.split()) for p in paragraphs)
        copy += 1
    return sections, words


def benchmark(repeat: int = 1) -> dict[str, float]:
    sections, words = fifty_pages()
    best = float("inf")
    count = 0
    for _ in range(repeat):
        start = time.perf_counter()
        drafts = draft_document("fifty-pages", "Fifty pages", sections)
        best = min(best, time.perf_counter() - start)
        count = len(drafts)
    return {
        "pages": words / WORDS_PER_PAGE,
        "words": words,
        "drafts": count,
        "seconds": best,
        "drafts_per_second": count / best,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--refresh-sample", action="store_true", help="rewrite the judged fixture's sample"
    )
    args = parser.parse_args()
    documents = seeded_documents()
    drafts = draft_seeded(documents)
    if args.refresh_sample:
        print(f"{refresh_sample(drafts)} drafts to judge in {JUDGED.relative_to(ROOT)}")
        return
    print("Drafts per section")
    for (document, section), kinds in drafts_per_section(drafts).items():
        detail = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
        print(f"  {document:28} {section:26} {sum(kinds.values()):4}  ({detail})")
    total = sum(len(v) for v in drafts.values())
    print(f"  total {total}")
    for within in (False, True):
        label = "exact answer" if not within else "exact or inside a longer answer"
        print(f"Recall of seeded answer terms (same section, {label})")
        hits = totals = 0
        for kind, (hit, count) in sorted(recall(drafts, within=within).items()):
            print(f"  {kind:10} {hit}/{count} = {hit / count:.0%}")
            hits, totals = hits + hit, totals + count
        print(f"  all        {hits}/{totals} = {hits / totals:.0%}")
    usable, judged_count = usable_share()
    print(
        f"Usable without edits (judged by hand): {usable}/{judged_count} = "
        f"{usable / judged_count:.0%}"
    )
    figures = benchmark(args.repeat)
    print(
        f"50-page document ({figures['words']} words): {figures['drafts']} drafts in "
        f"{figures['seconds']:.2f} s = {figures['drafts_per_second']:.0f} drafts/s"
    )


if __name__ == "__main__":
    main()
