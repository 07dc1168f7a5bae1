from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Question, QuestionBank, Role
from app.questions import validate_content
from tests.factories import make_bank, make_document, make_question
from tests.samples import SAMPLES


def question_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Question))


def form_data(kind: str, content: dict[str, Any]) -> dict[str, str]:
    """What a browser posts for `content`, written out field by field."""
    data = {"prompt": content["prompt"], "difficulty": "2"}
    if kind in ("multiple_choice", "multiple_response"):
        for i, option in enumerate(content["options"]):
            data[f"options-{i}-text"] = option["text"]
            data[f"options-{i}-feedback"] = option.get("feedback", "")
            if option.get("correct"):
                data[f"options-{i}-correct"] = "y"
        if content.get("pin_order"):
            data["pin_order"] = "y"
    elif kind == "true_false":
        data["answer"] = "true" if content["answer"] else "false"
        data["feedback_true"] = content.get("feedback_true", "")
        data["feedback_false"] = content.get("feedback_false", "")
    elif kind == "short_answer":
        for i, answer in enumerate(content["answers"]):
            data[f"answers-{i}-text"] = answer["text"]
            data[f"answers-{i}-credit"] = str(answer.get("credit", 1) * 100)
            data[f"answers-{i}-feedback"] = answer.get("feedback", "")
    elif kind == "numerical":
        for i, answer in enumerate(content["answers"]):
            for key in ("value", "tolerance", "min", "max"):
                data[f"answers-{i}-{key}"] = str(answer.get(key, ""))
            data[f"answers-{i}-credit"] = str(answer.get("credit", 1) * 100)
        data["unit"] = content.get("unit", "")
    elif kind == "cloze":
        data["text"] = content["text"]
        for i, gap in enumerate(content["gaps"]):
            if "options" in gap:
                marked = [
                    ("*" if j == gap["correct"] else "") + o for j, o in enumerate(gap["options"])
                ]
                data[f"gaps-{i}"] = "options: " + " | ".join(marked)
            else:
                data[f"gaps-{i}"] = " | ".join(gap["answers"])
    elif kind == "matching":
        for i, pair in enumerate(content["pairs"]):
            data[f"pairs-{i}-left"] = pair["left"]
            data[f"pairs-{i}-right"] = pair["right"]
        data["distractors"] = "\n".join(content.get("distractors", []))
    elif kind == "ordering":
        for i, item in enumerate(content["items"]):
            data[f"items-{i}"] = item
    elif kind == "essay":
        data["model_answer"] = content["model_answer"]
        data["rubric"] = content.get("rubric", "")
    elif kind == "flashcard":
        data["back"] = content["back"]
    return data


MULTIPLE_CHOICE = SAMPLES["multiple_choice"]
# Every sample, with the one optional field it leaves out, so the forms cover every field.
CONTENT_BY_TYPE = {**SAMPLES, "multiple_choice": {**MULTIPLE_CHOICE, "pin_order": True}}


def post_question(client, bank_id: int, kind: str, data: dict[str, str], action: str = "save"):
    return client.post(
        f"/banks/{bank_id}/questions/new?type={kind}", data={**data, "action": action}
    )


def only_question() -> Question:
    return db.session.scalars(select(Question)).one()


# -- creating ----------------------------------------------------------------------------------


def test_teacher_creates_a_bank_and_a_multiple_choice_question(teacher_client, teacher):
    response = teacher_client.post("/banks/new", data={"title": "Thaw", "description": "1953-64"})
    assert response.status_code == 302
    bank = db.session.scalars(select(QuestionBank)).one()
    assert bank.owner_id == teacher.id and bank.title == "Thaw"
    assert response.headers["Location"].endswith(f"/banks/{bank.id}")

    choose = teacher_client.get(f"/banks/{bank.id}/questions/new").get_data(as_text=True)
    assert f"/banks/{bank.id}/questions/new?type=multiple_choice" in choose
    assert "?type=essay" in choose

    data = {**form_data("multiple_choice", MULTIPLE_CHOICE), "topic": "Thaw/Speech"}
    response = post_question(teacher_client, bank.id, "multiple_choice", data)
    assert response.status_code == 302
    question = only_question()
    assert response.headers["Location"].endswith(f"/banks/{bank.id}/questions/{question.id}")
    assert question.kind == "multiple_choice" and question.version == 1
    assert re.fullmatch(r"q-[0-9a-f]{8}", question.external_id)
    assert question.topic.path == "Thaw/Speech"

    bank_page = teacher_client.get(f"/banks/{bank.id}").get_data(as_text=True)
    assert question.external_id in bank_page and "Who gave the" in bank_page
    page = teacher_client.get(f"/banks/{bank.id}/questions/{question.id}")
    assert page.status_code == 200
    assert "<em>Secret Speech</em>" in page.get_data(as_text=True)


def test_blank_bank_title_is_refused(teacher_client):
    response = teacher_client.post("/banks/new", data={"title": "", "description": "x"})
    assert response.status_code == 422
    assert "is-invalid" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(QuestionBank)) == 0


def test_unknown_type_is_404(teacher_client, teacher):
    bank = make_bank("Thaw", owner_id=teacher.id)
    assert teacher_client.get(f"/banks/{bank.id}/questions/new?type=riddle").status_code == 404


def test_every_type_has_a_form(teacher_client, teacher):
    bank = make_bank("Thaw", owner_id=teacher.id)
    for kind in CONTENT_BY_TYPE:
        response = teacher_client.get(f"/banks/{bank.id}/questions/new?type={kind}")
        assert response.status_code == 200, kind
        assert 'name="prompt"' in response.get_data(as_text=True)


@pytest.mark.parametrize("kind", list(CONTENT_BY_TYPE))
def test_valid_save_stores_the_validated_content(teacher_client, teacher, kind):
    bank = make_bank("Thaw", owner_id=teacher.id)
    content = CONTENT_BY_TYPE[kind]
    response = post_question(teacher_client, bank.id, kind, form_data(kind, content))
    assert response.status_code == 302, response.get_data(as_text=True)
    question = only_question()
    assert question.kind == kind
    assert question.content == validate_content(kind, content)
    page = teacher_client.get(f"/banks/{bank.id}/questions/{question.id}")
    assert page.status_code == 200


@pytest.mark.parametrize("kind", list(CONTENT_BY_TYPE))
def test_edit_form_round_trips_the_stored_content(teacher_client, teacher, kind):
    bank = make_bank("Thaw", owner_id=teacher.id)
    content = validate_content(kind, CONTENT_BY_TYPE[kind])
    question = make_question(bank, kind, content=content, external_id="q-1")
    url = f"/banks/{bank.id}/questions/{question.id}/edit"
    page = teacher_client.get(url).get_data(as_text=True)
    fields = dict(re.findall(r'<input[^>]*?name="([^"]+)"[^>]*?value="([^"]*)"', page))
    assert fields["external_id"] == "q-1"
    assert CONTENT_BY_TYPE[kind]["prompt"].replace("*", "") in page.replace("*", "")
    if kind == "numerical":
        assert fields["answers-0-value"] == "1956" and fields["answers-1-credit"] == "50"
    if kind == "cloze":
        assert fields["gaps-1"] == "options: 1953 | *1956 | 1964"
    data = {**form_data(kind, CONTENT_BY_TYPE[kind]), "external_id": "q-1", "action": "save"}
    assert teacher_client.post(url, data=data).status_code == 302
    db.session.refresh(question)
    assert question.content == content
    assert question.version == 1  # nothing changed


# -- preview and refusals ----------------------------------------------------------------------


def test_preview_shows_the_rendered_question_and_writes_nothing(teacher_client, teacher):
    bank = make_bank("Thaw", owner_id=teacher.id)
    data = {**form_data("multiple_choice", MULTIPLE_CHOICE), "explanation": "He **spoke**."}
    response = post_question(teacher_client, bank.id, "multiple_choice", data, action="preview")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Preview" in page
    assert "<em>Secret Speech</em>" in page
    assert re.search(r'name="choice"[^>]*disabled', page)
    assert "The answer: <strong>Khrushchev</strong>" in page
    assert "<strong>spoke</strong>" in page
    assert 'value="Khrushchev"' in page  # the form keeps what was typed
    assert question_count() == 0


def test_two_correct_options_are_refused_with_the_error_shown(teacher_client, teacher):
    bank = make_bank("Thaw", owner_id=teacher.id)
    data = form_data("multiple_choice", MULTIPLE_CHOICE)
    data["options-1-correct"] = "y"
    for action in ("save", "preview"):
        response = post_question(teacher_client, bank.id, "multiple_choice", data, action)
        assert response.status_code == 422
        assert "Exactly one option must be correct" in response.get_data(as_text=True)
    assert question_count() == 0


def test_row_errors_point_at_the_form_row_not_the_content_index(teacher_client, teacher):
    bank = make_bank("Thaw", owner_id=teacher.id)
    data = {
        "prompt": "Who?",
        "options-0-text": "Khrushchev",
        "options-0-correct": "y",
        # a browser posts blank rows too: row 2 is the second option in the content
        "options-1-text": "",
        "options-1-feedback": "",
        "options-2-text": "",
        "options-2-feedback": "feedback without text",
        "options-3-text": "Molotov",
    }
    response = post_question(teacher_client, bank.id, "multiple_choice", data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r'class="form-control is-invalid" id="options-2-text"', page)
    assert "Text is empty" in page
    assert question_count() == 0


def test_empty_prompt_is_shown_on_the_prompt(teacher_client, teacher):
    bank = make_bank("Thaw", owner_id=teacher.id)
    data = {**form_data("flashcard", CONTENT_BY_TYPE["flashcard"]), "prompt": "  "}
    response = post_question(teacher_client, bank.id, "flashcard", data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r'class="form-control is-invalid" id="prompt"', page)
    assert "Prompt is empty" in page


def test_matching_with_one_pair_is_refused(teacher_client, teacher):
    bank = make_bank("Thaw", owner_id=teacher.id)
    data = {"prompt": "Match", "pairs-0-left": "Stalin dies", "pairs-0-right": "1953"}
    response = post_question(teacher_client, bank.id, "matching", data)
    assert response.status_code == 422
    assert "Needs at least 2 pairs" in response.get_data(as_text=True)
    assert question_count() == 0


def test_numerical_without_value_is_refused(teacher_client, teacher):
    bank = make_bank("Thaw", owner_id=teacher.id)
    for data in (
        {"prompt": "Year?"},
        {"prompt": "Year?", "answers-0-tolerance": "1", "answers-0-credit": "100"},
    ):
        response = post_question(teacher_client, bank.id, "numerical", data)
        assert response.status_code == 422
        assert "value" in response.get_data(as_text=True)
    response = post_question(
        teacher_client, bank.id, "numerical", {"prompt": "Year?", "answers-0-value": "soon"}
    )
    assert response.status_code == 422
    assert "Enter a number" in response.get_data(as_text=True)
    assert question_count() == 0


def test_cloze_without_gaps_is_refused(teacher_client, teacher):
    bank = make_bank("Thaw", owner_id=teacher.id)
    data = {"prompt": "Fill in", "text": "The {{1}} Congress."}
    response = post_question(teacher_client, bank.id, "cloze", data)
    assert response.status_code == 422
    assert "Needs at least 1 gap" in response.get_data(as_text=True)
    data = {"prompt": "Fill in", "text": "No gaps here.", "gaps-0": "x"}
    response = post_question(teacher_client, bank.id, "cloze", data)
    assert response.status_code == 422
    assert "has no gaps" in response.get_data(as_text=True)
    assert question_count() == 0


def test_true_false_needs_an_answer(teacher_client, teacher):
    bank = make_bank("Thaw", owner_id=teacher.id)
    response = post_question(teacher_client, bank.id, "true_false", {"prompt": "Is it?"})
    assert response.status_code == 422
    assert "Choose True or False." in response.get_data(as_text=True)
    assert question_count() == 0


def test_cloze_options_need_one_marked_answer(teacher_client, teacher):
    bank = make_bank("Thaw", owner_id=teacher.id)
    data = {"prompt": "Fill in", "text": "In {{1}}.", "gaps-0": "options: 1953 | 1956"}
    response = post_question(teacher_client, bank.id, "cloze", data)
    assert response.status_code == 422
    assert re.search(r'is-invalid"[^>]*id="gaps-0"', response.get_data(as_text=True))
    assert question_count() == 0


def test_excerpt_must_be_in_the_cited_section(teacher_client, teacher):
    bank = make_bank("Thaw", owner_id=teacher.id)
    document = make_document()
    data = {
        **form_data("flashcard", CONTENT_BY_TYPE["flashcard"]),
        "source_document": "thaw-notes",
        "source_section": "background",
        "excerpt": "spoke to the Twentieth Party Congress",
    }
    response = post_question(teacher_client, bank.id, "flashcard", data)
    assert response.status_code == 422
    assert "not in section" in response.get_data(as_text=True)
    assert question_count() == 0

    data["source_section"] = "secret-speech"
    data["excerpt"] = "spoke to the  Twentieth\nParty Congress"
    assert post_question(teacher_client, bank.id, "flashcard", data).status_code == 302
    question = only_question()
    assert question.source_document_id == document.id
    assert question.source_section == "secret-speech"
    assert question.source_excerpt == "spoke to the Twentieth Party Congress"


def test_external_id_is_unique_in_the_bank(teacher_client, teacher):
    bank = make_bank("Thaw", owner_id=teacher.id)
    data = {**form_data("flashcard", CONTENT_BY_TYPE["flashcard"]), "external_id": "thaw-1"}
    assert post_question(teacher_client, bank.id, "flashcard", data).status_code == 302
    response = post_question(teacher_client, bank.id, "flashcard", data)
    assert response.status_code == 422
    assert "Another question in this bank has this id" in response.get_data(as_text=True)
    assert question_count() == 1


# -- editing -----------------------------------------------------------------------------------


def test_edit_bumps_version_and_keeps_external_id(teacher_client, teacher):
    bank = make_bank("Thaw", owner_id=teacher.id)
    data = form_data("multiple_choice", MULTIPLE_CHOICE)
    post_question(teacher_client, bank.id, "multiple_choice", data)
    question = only_question()
    external_id = question.external_id
    url = f"/banks/{bank.id}/questions/{question.id}/edit"

    form = teacher_client.get(url).get_data(as_text=True)
    assert 'value="Khrushchev"' in form and f'value="{external_id}"' in form
    assert re.search(r'checked[^>]*id="options-0-correct"|id="options-0-correct"[^>]*checked', form)

    data["prompt"] = "Who spoke to the Twentieth Congress?"
    response = teacher_client.post(url, data={**data, "external_id": "", "action": "save"})
    assert response.status_code == 302
    db.session.refresh(question)
    assert question.version == 2
    assert question.external_id == external_id
    assert question.kind == "multiple_choice"
    assert question.content["prompt"] == "Who spoke to the Twentieth Congress?"

    response = teacher_client.post(url, data={**data, "action": "preview"})
    assert response.status_code == 200
    db.session.refresh(question)
    assert question.version == 2


def test_question_of_another_bank_is_404(teacher_client, teacher):
    bank, other = make_bank("Thaw", owner_id=teacher.id), make_bank("Other", owner_id=teacher.id)
    post_question(
        teacher_client, bank.id, "flashcard", form_data("flashcard", CONTENT_BY_TYPE["flashcard"])
    )
    question = only_question()
    assert teacher_client.get(f"/banks/{other.id}/questions/{question.id}/edit").status_code == 404


# -- who may -----------------------------------------------------------------------------------


def _urls(bank_id: int, question_id: int) -> list[str]:
    return [
        f"/banks/{bank_id}/questions/new",
        f"/banks/{bank_id}/questions/new?type=flashcard",
        f"/banks/{bank_id}/questions/{question_id}/edit",
    ]


def _bank_with_question(owner_id: int | None) -> tuple[QuestionBank, Question]:
    bank = make_bank("Thaw", owner_id=owner_id)
    content = validate_content("flashcard", CONTENT_BY_TYPE["flashcard"])
    return bank, make_question(bank, "flashcard", content=content, external_id="q-1")


def test_teacher_is_403_in_another_teachers_bank(teacher_client, make_user):
    other = make_user(Role.TEACHER)
    bank, question = _bank_with_question(other.id)
    data = {**form_data("flashcard", CONTENT_BY_TYPE["flashcard"]), "action": "save"}
    for url in _urls(bank.id, question.id):
        assert teacher_client.get(url).status_code == 403
        assert teacher_client.post(url, data=data).status_code == 403
    assert question_count() == 1


def test_teacher_is_403_in_an_ownerless_seeded_bank(teacher_client):
    bank, question = _bank_with_question(None)
    for url in _urls(bank.id, question.id):
        assert teacher_client.get(url).status_code == 403


def test_student_is_403(student_client, make_user):
    teacher = make_user(Role.TEACHER)
    bank, question = _bank_with_question(teacher.id)
    assert student_client.get("/banks/new").status_code == 403
    assert student_client.post("/banks/new", data={"title": "Mine"}).status_code == 403
    for url in _urls(bank.id, question.id):
        assert student_client.get(url).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(QuestionBank)) == 1


def test_logged_out_is_sent_to_log_in(client):
    response = client.get("/banks/new")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_admin_may_edit_any_bank(admin_client, make_user):
    teacher = make_user(Role.TEACHER)
    for owner_id in (teacher.id, None):
        bank, question = _bank_with_question(owner_id)
        url = f"/banks/{bank.id}/questions/{question.id}/edit"
        assert admin_client.get(url).status_code == 200
        data = {
            **form_data("flashcard", {"prompt": "Edited", "back": "b"}),
            "external_id": "q-1",
            "action": "save",
        }
        assert admin_client.post(url, data=data).status_code == 302
        db.session.refresh(question)
        assert question.content["prompt"] == "Edited" and question.version == 2
        assert admin_client.get(f"/banks/{bank.id}/questions/new?type=essay").status_code == 200


# -- tags --------------------------------------------------------------------------------------


def test_tags_are_saved_normalized_shown_and_edited_without_a_new_version(teacher_client, teacher):
    bank = make_bank("Thaw", owner_id=teacher.id)
    data = form_data("flashcard", CONTENT_BY_TYPE["flashcard"])
    data["tags"] = " ussr  thaw::1956 ussr"
    assert post_question(teacher_client, bank.id, "flashcard", data).status_code == 302
    question = only_question()
    assert question.tags == ["ussr", "thaw::1956"]
    url = f"/banks/{bank.id}/questions/{question.id}/edit"
    assert 'value="ussr thaw::1956"' in teacher_client.get(url).get_data(as_text=True)
    page = teacher_client.get(f"/banks/{bank.id}/questions/{question.id}").get_data(as_text=True)
    assert f"/banks/{bank.id}?tag=thaw::1956" in page.replace("%3A", ":")

    response = teacher_client.post(url, data={**data, "tags": "thaw", "action": "save"})
    assert response.status_code == 302
    db.session.refresh(question)
    assert question.tags == ["thaw"] and question.version == 1


@pytest.mark.parametrize(
    ("tags", "words"),
    [("x" * 101, "over 100 characters"), (" ".join(f"t{i}" for i in range(31)), "at most 30")],
)
def test_bad_tags_are_refused_on_the_field_and_write_nothing(teacher_client, teacher, tags, words):
    bank = make_bank("Thaw", owner_id=teacher.id)
    data = {**form_data("flashcard", CONTENT_BY_TYPE["flashcard"]), "tags": tags}
    response = post_question(teacher_client, bank.id, "flashcard", data)
    assert response.status_code == 422
    assert words in response.get_data(as_text=True)
    assert question_count() == 0


def test_bank_page_filters_by_tag(teacher_client, teacher):
    bank = make_bank("Thaw", owner_id=teacher.id)
    make_question(bank, content={"prompt": "Tagged card", "back": "b"}, tags=["ussr", "a_b"])
    make_question(bank, content={"prompt": "Other card", "back": "b"}, tags=["ussr::1956"])
    page = teacher_client.get(f"/banks/{bank.id}?tag=ussr").get_data(as_text=True)
    assert "Tagged card" in page and "Other card" not in page
    page = teacher_client.get(f"/banks/{bank.id}?tag=a_b").get_data(as_text=True)
    assert "Tagged card" in page and "Other card" not in page
    page = teacher_client.get(f"/banks/{bank.id}?tag=a%25").get_data(as_text=True)
    assert "Tagged card" not in page and "0 questions match" in page
    page = teacher_client.get(f"/banks/{bank.id}").get_data(as_text=True)
    assert "Tagged card" in page and "Other card" in page
