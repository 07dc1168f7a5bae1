"""The drafter: valid, cited drafts of each kind, drawn from the document's own text."""

from __future__ import annotations

from collections import Counter

from app.drafting import draft_document
from app.questions import grade, validate_content
from app.sources.documents import Section, excerpt_in_section

TEXT = [
    "Photosynthesis refers to the process by which green plants turn light into chemical "
    "energy stored in sugar.",
    "The chloroplast, the organelle where photosynthesis happens, holds the pigment chlorophyll.",
    "In 1779 Jan Ingenhousz showed that plants need light to refresh the air.",
    "In 1845 Julius Robert Mayer proposed that plants store light as chemical energy.",
    "Melvin Calvin mapped the path of carbon through the plant in 1950.",
    "Robert Hill showed in 1937 that isolated chloroplasts release oxygen.",
    "A large tree can release about 120 kilograms of oxygen a year.",
    "Forests cover about 31 percent of the land on Earth.",
    "The light reactions take place in the thylakoid membranes of the chloroplast.",
]
TABLE = [
    "Stage Where",
    "Light Reactions Splitting water and making ATP in the thylakoids.",
    "Calvin Cycle Fixing carbon dioxide into sugar in the stroma.",
    "Photorespiration Wasting fixed carbon when oxygen binds to the enzyme.",
]


def _drafts():
    sections = [
        Section("basics", "Basics", list(TEXT)),
        Section("stages", "Stages", list(TABLE)),
    ]
    return sections, draft_document("plants", "the plant notes", sections)


def test_every_draft_is_valid_content_and_cites_a_verbatim_excerpt_of_its_section():
    sections, drafts = _drafts()
    assert drafts
    for draft in drafts:
        assert validate_content(draft.kind, draft.content) == draft.content
        assert draft.citation.document == "plants"
        assert len(draft.citation.excerpt) <= 300
        assert excerpt_in_section(sections, draft.citation.section, draft.citation.excerpt), draft


def test_kinds_drawn_from_the_document():
    _, drafts = _drafts()
    kinds = Counter(d.kind for d in drafts)
    for kind in ("cloze", "numerical", "flashcard", "matching", "true_false", "multiple_choice"):
        assert kinds[kind] >= 1, kinds


def test_definition_gives_a_flashcard():
    _, drafts = _drafts()
    card = next(d for d in drafts if d.kind == "flashcard" and d.key_term == "Photosynthesis")
    assert "refer to" in card.content["prompt"]
    assert card.content["back"].startswith("The process by which green plants")
    apposition = next(
        d
        for d in drafts
        if d.kind == "flashcard"
        and d.key_term == "The chloroplast"
        or d.kind == "flashcard"
        and d.key_term == "chloroplast"
    )
    assert apposition.content["back"] == "The organelle where photosynthesis happens"


def test_two_column_table_gives_flashcards_and_matching():
    _, drafts = _drafts()
    cards = {
        d.key_term: d.content["back"]
        for d in drafts
        if d.basis == "table" and d.kind == "flashcard"
    }
    assert cards["Calvin Cycle"] == "Fixing carbon dioxide into sugar in the stroma."
    matching = next(d for d in drafts if d.kind == "matching")
    assert {p["left"] for p in matching.content["pairs"]} == {
        "Light Reactions",
        "Calvin Cycle",
        "Photorespiration",
    }
    assert matching.citation.section == "stages"


def test_numerical_drafts_from_years_and_figures_with_unit_and_scale():
    _, drafts = _drafts()
    numerical = [d for d in drafts if d.kind == "numerical"]
    by_term = {d.key_term: d for d in numerical}
    year = by_term["1779"]
    assert year.content["answers"][0]["value"] == 1779
    assert "1779" not in year.content["prompt"]
    figure = by_term["120 kilograms"]
    assert figure.content["answers"][0]["value"] == 120
    assert figure.content["unit"] == "kilograms"
    assert by_term["31 percent"].content["unit"] == "%"
    result = grade("numerical", year.content, {"value": "1779"})
    assert result.correct


def test_cloze_gaps_a_term_and_accepts_its_other_mentions():
    _, drafts = _drafts()
    cloze = [d for d in drafts if d.kind == "cloze"]
    assert cloze
    for draft in cloze:
        for gap in draft.content["gaps"]:
            assert gap["answers"][0] in draft.citation.excerpt
    calvin = next(d for d in cloze if "Melvin Calvin" in d.citation.excerpt)
    answers = [a for g in calvin.content["gaps"] for a in g["answers"]]
    assert "Melvin Calvin" in answers


def test_false_variant_swaps_a_same_kind_term_and_needs_review():
    _, drafts = _drafts()
    pairs = [d for d in drafts if d.kind == "true_false"]
    false = [d for d in pairs if d.content["answer"] is False]
    assert false and all(d.needs_review for d in false)
    assert all(not d.needs_review for d in pairs if d.content["answer"] is True)
    ingenhousz = next(d for d in false if "Ingenhousz" in d.citation.excerpt)
    # The year 1779 swapped for another year of the same document.
    assert "1779" not in ingenhousz.content["prompt"]
    assert any(y in ingenhousz.content["prompt"] for y in ("1845", "1950", "1937"))


def test_multiple_choice_distractors_are_same_kind_terms_of_the_document():
    _, drafts = _drafts()
    choices = [d for d in drafts if d.kind == "multiple_choice"]
    years = [d for d in choices if d.basis == "year"]
    assert years
    document_years = {"1779", "1845", "1950", "1937"}
    for draft in years:
        texts = {o["text"] for o in draft.content["options"]}
        assert texts <= document_years
        assert sum(o["correct"] for o in draft.content["options"]) == 1


def test_drafts_are_deterministic():
    _, first = _drafts()
    _, second = _drafts()
    assert [d.key for d in first] == [d.key for d in second]


def test_seeded_documents_give_valid_cited_drafts(seeded, seeded_drafts):
    for document in seeded:
        drafts = seeded_drafts[document["slug"]]
        assert len(drafts) > 20
        for draft in drafts:
            validate_content(draft.kind, draft.content)
            assert excerpt_in_section(
                document["structure"], draft.citation.section, draft.citation.excerpt
            ), draft.citation
            assert len(" ".join(draft.citation.excerpt.split())) <= 300


def test_empty_document_gives_no_drafts():
    assert draft_document("empty", "Empty", [Section("a", "A", ["Too short."])]) == []


def test_awkward_text_gives_only_valid_drafts():
    sections = [
        Section(
            "odd",
            "Odd",
            [
                "Label One Text that repeats here.",
                "Label One Text that repeats here.",
                "Label One Another text for the same label.",
                "A sentence with {{1}} braces written by Ada Lovelace in 1843 and 1842 notes.",
                "Charles Babbage, the inventor of engines, met Ada Lovelace in 1833 in London.",
                "1843 1842 1833 2020 ... ??? !!!",
                "",
            ],
        ),
        Section("empty", "Empty", []),
    ]
    drafts = draft_document("odd", "Odd", sections)
    for draft in drafts:
        assert validate_content(draft.kind, draft.content) == draft.content
        assert excerpt_in_section(sections, draft.citation.section, draft.citation.excerpt)
    assert not any(d.kind == "cloze" and "{{1}} braces" in d.citation.excerpt for d in drafts)
