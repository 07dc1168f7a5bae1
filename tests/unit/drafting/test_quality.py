"""The drafter measured on the seeded documents against the seeded banks."""

from __future__ import annotations

from benchmarks import drafting as measures


def test_judged_fixture_is_the_current_sample_and_every_draft_is_judged(seeded_drafts):
    sampled = [draft.key for _, draft in measures.sample(seeded_drafts)]
    judged = measures.judged()
    assert [item["key"] for item in judged] == sampled, (
        "the drafter changed: run python -m benchmarks.drafting --refresh-sample and judge"
    )
    assert len(judged) == 40
    for item in judged:
        assert isinstance(item["usable"], bool), item["key"]
        assert item["why"].strip(), item["key"]


def test_at_least_seventy_percent_of_judged_drafts_are_usable_without_edits():
    usable, total = measures.usable_share()
    assert usable / total >= 0.70, (usable, total)


def test_every_section_of_the_seeded_documents_gets_drafts(seeded, seeded_drafts):
    per_section = measures.drafts_per_section(seeded_drafts)
    for document in seeded:
        for section in document["sections"]:
            assert sum(per_section[(document["slug"], section["slug"])].values()) >= 3, section


def test_recall_of_seeded_answer_terms(seeded_drafts):
    recall = measures.recall(seeded_drafts)
    hit, total = recall["numerical"]
    assert total == 11 and hit >= 10  # only the ordinal "20th Congress" is missed
    hit, total = recall["cloze"]
    assert total == 47 and hit >= 7
    lenient = measures.recall(seeded_drafts, within=True)
    assert lenient["cloze"][0] >= recall["cloze"][0]


def test_fifty_page_document_is_drafted():
    sections, words = measures.fifty_pages()
    assert words >= 50 * measures.WORDS_PER_PAGE
    assert len({s.slug for s in sections}) == len(sections)
