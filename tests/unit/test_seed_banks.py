"""The seeded banks are sound: valid, unique, cited verbatim, grounded, covering every section."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from app.extensions import db
from app.formats import Action, plan
from app.formats.seed import QUESTION_KEYS, document_sections, read_banks, read_documents
from app.models import Question, ReviewCard, ReviewLog, SourceDocument
from app.questions import QUESTION_TYPES, grade, normalize_text, validate_content
from app.sources.documents import excerpt_in_section, normalize_space, split_sections
from tests.factories import make_card, make_log

SEED = Path(__file__).resolve().parents[2] / "seed_data"
KEY_TERMS = [
    "cult of personality",
    "Secret Speech",
    "Thaw",
    "rehabilitation",
    "peaceful coexistence",
    "socialist realism",
    "Virgin Lands Campaign",
    "collective leadership",
    "Gulag",
    "Eastern Bloc",
]


def raw_questions() -> list[tuple[str, dict]]:
    items = []
    for path in sorted((SEED / "banks").glob("*.yaml")):
        if path.name == "banks.yaml":
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        items.extend((data["bank"], q) for q in data["questions"])
    return items


QUESTIONS = raw_questions()
DOCUMENTS = {d["slug"]: d for d in read_documents(SEED)}
STRUCTURE = {
    slug: split_sections(d["text"], d["sections"], d.get("skip", ()))
    for slug, d in DOCUMENTS.items()
}


def content_of(question: dict) -> dict:
    return validate_content(
        question["type"], {k: v for k, v in question.items() if k not in QUESTION_KEYS}
    )


def test_every_file_validates_through_the_reader_and_the_planner(app):
    banks = read_banks(SEED)
    sources = document_sections(list(DOCUMENTS.values()))
    entries = [e for b in banks for e in plan(db.session, None, b.drafts, sources=sources).entries]
    assert [e.describe() for e in entries if e.action is not Action.CREATE] == []
    assert len(entries) == len(QUESTIONS) >= 150
    assert {b.slug for b in banks} == {bank for bank, _ in QUESTIONS}


def test_ids_are_unique():
    counts = Counter((bank, q["id"]) for bank, q in QUESTIONS)
    assert [key for key, n in counts.items() if n > 1] == []


def test_every_type_is_used():
    assert set(QUESTION_TYPES) <= {q["type"] for _, q in QUESTIONS}


@pytest.mark.parametrize("slug", sorted(DOCUMENTS))
def test_every_section_has_at_least_five_questions(slug):
    counts = Counter(q["section"] for _, q in QUESTIONS if q["source"]["document"] == slug)
    short = {
        s["slug"]: counts[s["slug"]] for s in DOCUMENTS[slug]["sections"] if counts[s["slug"]] < 5
    }
    assert short == {}


def test_every_question_is_cited_verbatim_within_its_section():
    problems = []
    for _, q in QUESTIONS:
        source = q["source"]
        excerpt = source["excerpt"]
        if len(normalize_space(excerpt)) > 300:
            problems.append(f"{q['id']}: excerpt over 300 characters")
        if not excerpt_in_section(STRUCTURE[source["document"]], q["section"], excerpt):
            problems.append(f"{q['id']}: excerpt not in section {q['section']}")
    assert problems == []


def test_every_question_has_a_difficulty_and_an_explanation():
    bad = [
        q["id"]
        for _, q in QUESTIONS
        if q.get("difficulty") not in (1, 2, 3) or not str(q.get("explanation", "")).strip()
    ]
    assert bad == []


def _answer_texts(kind: str, content: dict) -> list[list[str]]:
    """Groups of acceptable texts; each group must be grounded."""
    if kind in ("multiple_choice", "multiple_response"):
        return [[o["text"]] for o in content["options"] if o["correct"]]
    if kind == "short_answer":
        return [[a["text"] for a in content["answers"] if a["credit"] >= 1]]
    if kind == "numerical":
        texts = []
        for a in content["answers"]:
            if a.get("credit", 1) >= 1 and "value" in a:
                value = a["value"]
                texts.append(str(int(value)) if float(value).is_integer() else str(value))
        return [texts] if texts else []
    if kind == "cloze":
        groups = []
        for gap in content["gaps"]:
            if "options" in gap:
                groups.append([gap["options"][gap["correct"]]])
            else:
                groups.append(list(gap["answers"]))
        return groups
    return []


def test_objective_answers_are_grounded_in_their_excerpt():
    ungrounded = []
    for _, q in QUESTIONS:
        qtype = QUESTION_TYPES[q["type"]]
        if not qtype.objective:
            continue
        excerpt = normalize_text(q["source"]["excerpt"])
        key_term = q["source"].get("key_term")
        if key_term:
            if normalize_text(key_term) not in excerpt:
                ungrounded.append(f"{q['id']}: key_term not in excerpt")
            continue
        explanation = q["explanation"].lower()
        if "paraphrase" in explanation or "implies" in explanation:
            continue
        groups = _answer_texts(q["type"], content_of(q))
        if not groups:
            ungrounded.append(f"{q['id']}: needs a key_term")
        for group in groups:
            if not any(normalize_text(text) in excerpt for text in group):
                ungrounded.append(f"{q['id']}: answer {group[0]!r} not in excerpt")
    assert ungrounded == []


def test_every_key_term_has_a_flashcard():
    fronts = [
        normalize_text(q["prompt"]) + " " + normalize_text(q.get("back", ""))
        for _, q in QUESTIONS
        if q["type"] == "flashcard"
    ]
    missing = [t for t in KEY_TERMS if not any(normalize_text(t) in f for f in fronts)]
    assert missing == []


def test_no_all_or_none_of_the_above():
    bad = [
        q["id"]
        for _, q in QUESTIONS
        for o in q.get("options", [])
        if isinstance(o, dict)
        and normalize_text(o["text"]) in {"all of the above", "none of the above"}
    ]
    assert bad == []


def test_correct_option_is_not_systematically_the_longest():
    longest = total = 0
    for _, q in QUESTIONS:
        if q["type"] != "multiple_choice":
            continue
        options = content_of(q)["options"]
        total += 1
        correct = next(o for o in options if o["correct"])
        longest += len(correct["text"]) == max(len(o["text"]) for o in options)
    assert total and longest / total < 0.5


def test_the_stored_answer_of_each_objective_question_grades_full():
    """The answer the engine reports can be given back for full marks (guards typos)."""
    for _, q in QUESTIONS:
        if q["type"] == "multiple_choice":
            content = content_of(q)
            choice = next(i for i, o in enumerate(content["options"]) if o["correct"])
            assert grade("multiple_choice", content, {"choice": choice}).correct, q["id"]


def test_seed_is_idempotent_and_updates_in_place_keeping_history(app, tmp_path, make_user):
    from app.seeding import load_seed_data

    data = tmp_path / "seed_data"
    shutil.copytree(SEED, data)
    first = load_seed_data(db.session, data)
    db.session.commit()
    assert first.questions_created == len(QUESTIONS)
    assert db.session.scalar(select(func.count()).select_from(SourceDocument)) == 2

    second = load_seed_data(db.session, data)
    db.session.commit()
    assert (second.questions_created, second.questions_updated) == (0, 0)
    assert second.documents_created == second.banks_created == 0

    # A student has history on one question; then the question is edited in seed_data/.
    bank_slug, item = QUESTIONS[0]
    question = db.session.scalar(select(Question).where(Question.external_id == item["id"]))
    student = make_user()
    now = datetime(2026, 1, 1, tzinfo=UTC)
    card = make_card(student.id, question, due=now)
    make_log(card, now, rating=3, state_before=1, state_after=2)
    path = next(p for p in (data / "banks").glob("*.yaml") if item["id"] in p.read_text())
    text = path.read_text(encoding="utf-8")
    edited = yaml.safe_load(text)
    for q in edited["questions"]:
        if q["id"] == item["id"]:
            q["prompt"] = q["prompt"] + " (revised)"
    path.write_text(yaml.safe_dump(edited, allow_unicode=True, sort_keys=False), "utf-8")

    third = load_seed_data(db.session, data)
    db.session.commit()
    assert (third.questions_created, third.questions_updated) == (0, 1)
    db.session.refresh(question)
    assert question.version == 2 and question.content["prompt"].endswith("(revised)")
    assert db.session.scalar(select(func.count()).select_from(ReviewLog)) == 1
    assert db.session.get(ReviewCard, card.id).question_id == question.id


def test_a_bad_bank_file_is_refused_and_nothing_is_written(app, tmp_path):
    from app.seeding import SeedError, load_seed_data

    data = tmp_path / "seed_data"
    shutil.copytree(SEED, data)
    (data / "banks" / "zz-broken.yaml").write_text(
        "bank: explainer\ntopic: Broken\nquestions:\n"
        "  - id: broken-1\n    type: multiple_choice\n    prompt: Which?\n"
        "    options: [{text: a, correct: true}, {text: b, correct: true}]\n"
        "    explanation: x\n",
        encoding="utf-8",
    )
    with pytest.raises(SeedError, match="broken-1.*options"):
        load_seed_data(db.session, data)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Question)) == 0


def test_every_citation_can_be_highlighted_in_its_section():
    from app.sources.documents import locate_excerpt

    missing = []
    for _, q in QUESTIONS:
        passage = locate_excerpt(STRUCTURE[q["source"]["document"]], q["source"]["excerpt"])
        if passage is None or passage.section_slug != q["section"]:
            missing.append(q["id"])
    assert missing == []
