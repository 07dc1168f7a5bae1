"""Aiken, Moodle XML, CSV and JSON readers: documented examples, hostile files, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.formats import Citation, FormatError, QuestionDraft, aiken, csvfile, jsonfile, moodlexml
from app.formats.registry import detect, read_file
from app.questions import validate_content

FIXTURES = Path(__file__).parents[2] / "fixtures" / "formats"


def only_drafts(result) -> list[QuestionDraft]:
    assert not result.errors, [e.describe() for e in result.errors]
    for draft in result.drafts:
        validate_content(draft.kind, draft.content)
    return result.drafts


# -- Aiken -----------------------------------------------------------------------------------


def test_aiken_documented_examples():
    first, second = only_drafts(aiken.read((FIXTURES / "moodle_examples.aiken").read_bytes()))
    assert first.content["prompt"] == "What is the correct answer to this question?"
    assert [o["correct"] for o in first.content["options"]] == [False, False, False, True]
    assert len(second.content["options"]) == 6 and second.content["options"][0]["correct"]
    assert second.location.line == 8


def test_aiken_question_over_several_lines():
    (draft,) = only_drafts(aiken.read("Line one\nline two\nA. x\nB. y\nANSWER: B\n"))
    assert draft.content["prompt"] == "Line one\nline two"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("Q\nA. x\nB. y\nANSWER: C\n", 4, "not one of the options A to B"),
        ("Q\nA. x\nB. y\n\nNext question\nA. a\nB. b\nANSWER: A", 1, "no ANSWER"),
        ("Q\nA. x\nB. y\n", 1, "no ANSWER"),
        ("A. orphan\n", 1, "no question"),
        ("Q\nA. x\nB. y\nANSWER:\n", 4, "not one of the options"),
    ],
)
def test_aiken_errors_have_their_line(text, line, words):
    errors = aiken.read(text).errors
    assert errors and errors[0].line == line and words in errors[0].message


def test_aiken_writer_holds_multiple_choice_only():
    mc = QuestionDraft(
        "multiple_choice",
        {
            "prompt": "Q?",
            "options": [{"text": "a", "correct": False}, {"text": "b", "correct": True}],
        },
        external_id="m",
    )
    card = QuestionDraft("flashcard", {"prompt": "a", "back": "b"}, external_id="c")
    result = aiken.write([mc, card])
    assert result.data.decode() == "Q?\nA. a\nB. b\nANSWER: B\n"
    assert result.left_out == ["c (flashcard): Aiken holds multiple choice questions only."]


# -- Moodle XML ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def xml_result():
    return moodlexml.read((FIXTURES / "moodle_examples.xml").read_bytes(), "examples.xml")


def test_moodle_xml_documented_examples(xml_result):
    drafts = only_drafts(xml_result)
    kinds = [d.kind for d in drafts]
    assert kinds == [
        "multiple_choice", "multiple_response", "true_false", "short_answer", "numerical",
        "matching", "essay", "cloze", "short_answer",
    ]  # fmt: skip
    mc, mr, tf, sa, num, match, essay, cloze, _ = drafts
    assert mc.external_id == "mc-1" and mc.topic_path == "Capitals/Europe"
    assert mc.content["prompt"] == "What is the answer to this **question**?"  # script removed
    assert mc.explanation == "The *general* feedback."
    assert mc.content["options"][0]["feedback"] == "Correct!"
    assert [o["correct"] for o in mr.content["options"]] == [True, True, False]
    assert tf.content["answer"] is True and tf.content["feedback_false"] == "No, it does."
    assert [a["credit"] for a in sa.content["answers"]] == [1.0, 0.5]
    assert num.content["unit"] == "cm" and num.content["answers"][0]["tolerance"] == 0.5
    assert match.content["distractors"] == ["Paris"]
    assert essay.content["model_answer"] == "Mentions 1956."
    assert cloze.content["text"] == (
        "Paris is the capital of {{1}} and {{2}} is that of Italy; 2+2 = {{3}}."
    )
    assert cloze.content["gaps"][1] == {"options": ["Berlin", "Rome", "Madrid"], "correct": 1}


def test_moodle_xml_description_and_embedded_files_are_reported(xml_result):
    assert any("description was skipped" in n for n in xml_result.notices)
    # The embedded face.png comes along as media, referred to from the prompt.
    (face,) = xml_result.media.values()
    assert face.name == "face.png" and face.mime_type == "image/png"
    assert any(
        f"(media:{face.sha256}.png)" in getattr(d, "content", {}).get("prompt", "")
        for d in xml_result.drafts
    )


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><!DOCTYPE q [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><quiz>&b;</quiz>',
        b'<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<quiz><question type='essay'><questiontext><text>&x;</text>"
        b"</questiontext></question></quiz>",
        b'<!DOCTYPE quiz SYSTEM "http://example.com/quiz.dtd"><quiz/>',
    ],
)
def test_moodle_xml_refuses_entities_and_doctypes(data):
    with pytest.raises(FormatError) as caught:
        moodlexml.read(data)
    assert "refused for safety" in caught.value.message


def test_moodle_xml_malformed_has_its_line():
    with pytest.raises(FormatError) as caught:
        moodlexml.read(b"<quiz>\n<question type='essay'>\n</quiz>")
    assert caught.value.line == 3 and "not well-formed" in caught.value.message


def test_moodle_xml_unknown_type_is_an_error_at_its_path():
    (error,) = moodlexml.read(b"<quiz><question type='calculated'/></quiz>").drafts
    assert isinstance(error, FormatError) and error.location.path == "/quiz/question[1]"


# -- CSV -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "options"),
    [
        ("Thaw\tThe easing\nSpeech\t1956\n", {}),
        ("Thaw,The easing\nSpeech,1956", {}),
        ("Thaw\tThe easing;Speech\t1956", {}),
        ("Thaw - The easing\nSpeech - 1956", {"term_separator": " - "}),
        ("Thaw=The easing|Speech=1956", {"term_separator": "=", "card_separator": "|"}),
    ],
)
def test_quizlet_exports_become_flashcards(text, options):
    drafts = only_drafts(csvfile.read(text, **options))
    assert [(d.kind, d.content["prompt"], d.content["back"]) for d in drafts] == [
        ("flashcard", "Thaw", "The easing"),
        ("flashcard", "Speech", "1956"),
    ]


def test_quizlet_card_without_separator_has_its_line():
    (error,) = csvfile.read("a\tb\n\nno separator here\n").errors
    assert error.line == 3 and "tab" in error.message


def test_multi_column_example_file_reads_every_type():
    result = csvfile.read((FIXTURES / "questions_example.csv").read_bytes(), "example.csv")
    drafts = only_drafts(result)
    assert {d.kind for d in drafts} == {
        "flashcard", "multiple_choice", "multiple_response", "true_false", "short_answer",
        "numerical", "cloze", "matching", "ordering", "essay",
    }  # fmt: skip
    mr = next(d for d in drafts if d.kind == "multiple_response")
    assert [o["correct"] for o in mr.content["options"]] == [True, False, True]
    assert mr.topic_path == "Reforms/Economy" and mr.difficulty == 3
    cloze = next(d for d in drafts if d.kind == "cloze")
    assert cloze.content["gaps"] == [
        {"answers": ["1956"]},
        {"answers": ["Khrushchev", "Nikita Khrushchev"]},
    ]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("type,prompt,correct\nmultiple_choice,Q,4\n", "there are 0"),
        ("type,prompt,answer\ntrue_false,Q,maybe\n", "true or false"),
        ("type,prompt,colour\nflashcard,Q,red\n", "unknown column"),
        ("type,prompt,content\nessay,Q,{not json\n", "not valid JSON"),
        ("type,prompt,difficulty\nflashcard,Q,9\n", "difficulty"),
    ],
)
def test_multi_column_errors(text, words):
    errors = read_file(text.encode(), "questions.csv", "csv").errors
    assert errors and words in errors[0].message


# -- JSON ------------------------------------------------------------------------------------


def test_json_reads_the_seed_shape_with_citations():
    text = """{"format": "recall-questions", "version": 1, "questions": [
      {"id": "x-1", "type": "flashcard", "topic": "A/B", "difficulty": 1,
       "prompt": "Thaw", "back": "The easing", "explanation": "Why.",
       "section": "intro", "source": {"document": "doc", "excerpt": "The easing"}}]}"""
    (draft,) = jsonfile.read(text).drafts
    assert draft.external_id == "x-1" and draft.topic_path == "A/B" and draft.difficulty == 1
    assert draft.content == {"prompt": "Thaw", "back": "The easing"}
    assert draft.citation == Citation("doc", "intro", "The easing")


def test_json_syntax_error_has_its_line():
    with pytest.raises(FormatError) as caught:
        jsonfile.read('{"questions": [\n  {"type": "flashcard",}\n]}')
    assert caught.value.line == 2


def test_json_with_a_number_too_long_to_read_is_a_clean_error():
    with pytest.raises(FormatError) as caught:
        jsonfile.read('[{"type": "numerical", "value": ' + "9" * 5000 + "}]")
    assert "cannot be read as JSON" in caught.value.message


# -- detection -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("moodle_examples.gift", "gift"),
        ("moodle_examples.aiken", "aiken"),
        ("moodle_examples.xml", "moodlexml"),
        ("questions_example.csv", "csv"),
    ],
)
def test_detects_formats_without_the_name(name, fmt):
    assert detect((FIXTURES / name).read_bytes()) == fmt


def test_read_file_turns_an_unreadable_file_into_one_error():
    result = read_file(b"\x89PNG\r\n\x1a\n\x00\x00", "picture.gift")
    assert len(result.drafts) == 1 and isinstance(result.drafts[0], FormatError)


# -- tags ------------------------------------------------------------------------------------


def test_moodle_xml_reads_and_writes_moodle_tags():
    data = b"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="truefalse">
    <name><text>tf</text></name>
    <questiontext format="html"><text>Paris is in France.</text></questiontext>
    <answer fraction="100"><text>true</text></answer>
    <answer fraction="0"><text>false</text></answer>
    <tags>
      <tag><text>geo</text></tag>
      <tag><text>europe::west</text></tag>
      <tag><text> capital  cities </text></tag>
    </tags>
  </question>
  <question type="truefalse">
    <name><text>untagged</text></name>
    <questiontext format="html"><text>Lyon is in France.</text></questiontext>
    <answer fraction="100"><text>true</text></answer>
    <answer fraction="0"><text>false</text></answer>
  </question>
</quiz>"""
    tagged, untagged = only_drafts(moodlexml.read(data))
    assert tagged.tags == ["geo", "europe::west", "capital_cities"]
    assert untagged.tags is None
    written = moodlexml.write([tagged]).data.decode()
    import xml.etree.ElementTree as ET  # noqa: S405 - our own output

    question = ET.fromstring(written).find("question")  # noqa: S314
    assert [t.text for t in question.findall("tags/tag/text")] == tagged.tags
    assert moodlexml.read(written.encode()).drafts[0].tags == tagged.tags


def test_csv_tags_column_is_space_separated():
    text = (
        "type,prompt,answer,tags\n"
        "flashcard,Thaw,The easing.,thaw  ussr::1950s\n"
        "flashcard,Gulag,The camps.,\n"
    )
    tagged, empty = only_drafts(csvfile.read(text.encode()))
    assert tagged.tags == ["thaw", "ussr::1950s"] and empty.tags == []
    assert only_drafts(csvfile.read(b"type,prompt,answer\nflashcard,a,b\n"))[0].tags is None
    written = csvfile.write([tagged]).data.decode()
    assert written.splitlines()[0].endswith(",explanation,tags,content")
    assert only_drafts(csvfile.read(written.encode()))[0].tags == ["thaw", "ussr::1950s"]


def test_json_tags_are_an_optional_list():
    data = b'[{"id": "a", "type": "flashcard", "prompt": "p", "back": "b", "tags": ["x", "y::z"]}]'
    [draft] = only_drafts(jsonfile.read(data))
    assert draft.tags == ["x", "y::z"] and "tags" not in draft.content
    assert jsonfile.question_object(draft)["tags"] == ["x", "y::z"]
    data = b'[{"type": "flashcard", "prompt": "p", "back": "b", "tags": "x"}]'
    [bad] = jsonfile.read(data).drafts
    assert isinstance(bad, FormatError) and "list of words" in bad.message
