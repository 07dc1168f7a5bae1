"""Writers and readers agree: random valid questions come back the same, and no input makes a
reader raise anything but a clean FormatError."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.formats import Citation, FormatError, QuestionDraft, gift, jsonfile, moodlexml
from app.formats.registry import FORMATS, read_file
from app.questions import validate_content

FIXTURES = Path(__file__).parents[2] / "fixtures" / "formats"
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

ALPHABET = list("abcXYZ0189 éß~=#{}:\\*_%-\n\t") + ["->", "<b>", "&amp;", "]]>", "%50%"]
text = (
    st.lists(st.sampled_from(ALPHABET), min_size=1, max_size=12)
    .map(lambda parts: " ".join("".join(parts).split(" ")).strip())
    .filter(lambda t: any(c.isalnum() for c in t))
    .filter(lambda t: "->" not in t)  # GIFT and Moodle cannot tell it from a pair
)
maybe_text = st.one_of(st.just(""), text)
tags = st.lists(
    st.sampled_from(["geo", "europe::west", "été", "a_b", "C++", "x&y", "<b>"]),
    unique=True,
    max_size=3,
).map(tuple)
credit = st.sampled_from([1.0, 0.5, 0.25])
number = st.one_of(st.integers(-10_000, 10_000), st.floats(-1e6, 1e6, allow_nan=False))


@st.composite
def options(draw, single: bool):
    texts = draw(st.lists(text, min_size=2, max_size=5))
    if single:
        right = draw(st.integers(0, len(texts) - 1))
        flags = [i == right for i in range(len(texts))]
    else:
        flags = draw(st.lists(st.booleans(), min_size=len(texts), max_size=len(texts)))
        flags[0] = flags[0] or not any(flags)
    return [
        {"text": t, "correct": f, "feedback": draw(maybe_text)}
        for t, f in zip(texts, flags, strict=True)
    ]


@st.composite
def answers(draw, value):
    items = draw(st.lists(st.tuples(value, credit, maybe_text), min_size=1, max_size=3))
    items[0] = (items[0][0], 1.0, items[0][2])
    return items


def numerical(draw):
    items = draw(answers(st.tuples(number, st.integers(0, 5))))
    return {
        "answers": [
            {"value": v, "tolerance": tol, "credit": c, "feedback": f} for (v, tol), c, f in items
        ]
    }


@st.composite
def content(draw, kind: str, *, rich: bool = True):
    prompt = draw(text)
    if kind in ("multiple_choice", "multiple_response"):
        return {"prompt": prompt, "options": draw(options(kind == "multiple_choice"))}
    if kind == "true_false":
        return {
            "prompt": prompt,
            "answer": draw(st.booleans()),
            "feedback_true": draw(maybe_text),
            "feedback_false": draw(maybe_text),
        }
    if kind == "short_answer":
        items = draw(answers(text))
        return {
            "prompt": prompt,
            "answers": [{"text": t, "credit": c, "feedback": f} for t, c, f in items],
        }
    if kind == "numerical":
        return {"prompt": prompt, **numerical(draw), **({"unit": draw(maybe_text)} if rich else {})}
    if kind == "matching":
        lefts = draw(st.lists(text, min_size=2, max_size=4, unique=True))
        rights = [draw(text) for _ in lefts]
        extra = [t for t in draw(st.lists(text, max_size=2, unique=True)) if t not in rights]
        return {
            "prompt": prompt,
            "pairs": [{"left": a, "right": b} for a, b in zip(lefts, rights, strict=True)],
            "distractors": extra,
        }
    if kind == "essay":
        return {"prompt": prompt, "model_answer": draw(text)}
    if kind == "ordering":
        return {
            "prompt": prompt,
            "items": draw(st.lists(text, min_size=2, max_size=4, unique=True)),
        }
    if kind == "flashcard":
        return {"prompt": prompt, "back": draw(text)}
    if kind == "cloze":
        n = draw(st.integers(1, 3))
        words = [draw(text).replace("{", "").replace("}", "") or "x" for _ in range(n + 1)]
        body = "".join(f"{w} {{{{{i + 1}}}}} " for i, w in enumerate(words[:-1])) + words[-1]
        gaps = []
        for _ in range(n):
            if draw(st.booleans()):
                gaps.append({"answers": draw(st.lists(text, min_size=1, max_size=2))})
            else:
                opts = draw(st.lists(text, min_size=2, max_size=3))
                gaps.append({"options": opts, "correct": draw(st.integers(0, len(opts) - 1))})
        return {"prompt": "Fill in the gap.", "text": body, "gaps": gaps}
    raise AssertionError(kind)


@st.composite
def drafts(draw, kinds: tuple[str, ...], *, rich: bool = True):
    count = draw(st.integers(1, 4))
    out = []
    for i in range(count):
        kind = draw(st.sampled_from(kinds))
        out.append(
            QuestionDraft(
                kind=kind,
                content=validate_content(kind, draw(content(kind, rich=rich))),
                external_id=f"q-{i}-{draw(st.sampled_from(['a', 'b:c', 'd e']))}",
                topic_path=draw(st.sampled_from(["", "Topic", "Topic/Sub topic"])),
                explanation=draw(maybe_text),
                tags=draw(tags),
            )
        )
    return out


def same(
    written: list[QuestionDraft],
    read_back: list,
    *,
    explanations: bool = True,
    with_tags: bool = True,
) -> None:
    assert len(read_back) == len(written)
    for before, after in zip(written, read_back, strict=True):
        assert isinstance(after, QuestionDraft), after.describe()
        assert after.kind == before.kind
        assert validate_content(after.kind, after.content) == before.content
        assert after.external_id == before.external_id
        assert (after.topic_path or "") == before.topic_path
        if explanations and before.kind != "essay":
            assert (after.explanation or "") == before.explanation
        if with_tags:
            assert tuple(after.tags or ()) == before.tags


GIFT_KINDS = (
    "multiple_choice", "multiple_response", "true_false", "short_answer", "numerical",
    "matching", "essay",
)  # fmt: skip
XML_KINDS = (*GIFT_KINDS, "ordering", "cloze")
ALL_KINDS = (*XML_KINDS, "flashcard")


@SETTINGS
@given(drafts(GIFT_KINDS, rich=False))
def test_random_questions_round_trip_through_gift(questions):
    result = gift.write(questions)
    assert not result.left_out
    same(questions, gift.read(result.data).drafts, with_tags=False)  # GIFT has no tags


@SETTINGS
@given(drafts(XML_KINDS))
def test_random_questions_round_trip_through_moodle_xml(questions):
    result = moodlexml.write(questions)
    assert not result.left_out
    same(questions, moodlexml.read(result.data).drafts)


@SETTINGS
@given(drafts(ALL_KINDS), st.sampled_from([1, 2, 3]))
def test_random_questions_round_trip_through_json_with_every_field(questions, difficulty):
    questions = [
        QuestionDraft(
            q.kind, q.content, q.external_id, q.topic_path, q.explanation, difficulty,
            Citation("doc", "intro", "An excerpt."), q.tags,
        )
        for q in questions
    ]  # fmt: skip
    back = jsonfile.read(jsonfile.write(questions).data).drafts
    same(questions, back)
    assert all(b.difficulty == difficulty for b in back)
    assert all(b.citation == Citation("doc", "intro", "An excerpt.") for b in back)


@SETTINGS
@given(drafts(ALL_KINDS))
def test_random_questions_round_trip_through_csv(questions):
    from app.formats import csvfile

    same(questions, csvfile.read(csvfile.write(questions).data).drafts)


def clean(data: bytes, fmt: str) -> None:
    result = read_file(data, None, fmt)
    assert all(isinstance(d, QuestionDraft | FormatError) for d in result.drafts)
    for draft in result.drafts:
        if isinstance(draft, FormatError):
            assert draft.message


@SETTINGS
@given(st.binary(max_size=400), st.sampled_from(["auto", *FORMATS]))
def test_random_bytes_give_only_clean_errors(data, fmt):
    clean(data, fmt)


SAMPLES = {
    "gift": (FIXTURES / "moodle_examples.gift").read_bytes(),
    "aiken": (FIXTURES / "moodle_examples.aiken").read_bytes(),
    "moodlexml": (FIXTURES / "moodle_examples.xml").read_bytes(),
    "csv": (FIXTURES / "questions_example.csv").read_bytes(),
}


@SETTINGS
@given(
    st.sampled_from(sorted(SAMPLES)),
    st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255), st.booleans()), max_size=8),
)
def test_mutated_valid_files_give_only_clean_errors(fmt, edits):
    data = bytearray(SAMPLES[fmt])
    for position, value, insert in edits:
        position %= len(data) or 1
        if insert:
            data.insert(position, value)
        elif data:
            data[position] = value
    clean(bytes(data), fmt)
