"""Importing files in the browser (upload → preview → confirm), the history, and exporting."""

from __future__ import annotations

import io
import json
import os
import re
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.jobs import wait_for_threads
from app.models import ImportRecord, Question, QuestionBank, Role
from app.questions import validate_content
from tests.factories import make_bank, make_question
from tests.samples import sample

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "formats"

GIFT = b"""// two questions
$CATEGORY: $course$/top/Capitals

::cap-fr:: What is the capital of France? {=Paris ~Lyon ~Nice}

::cap-it:: Rome is the capital of Italy.{T}
"""
AIKEN = b"""Which planet is largest?
A. Mars
B. Jupiter
C. Venus
ANSWER: B
"""
MOODLE_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="truefalse">
    <name><text>tf</text></name>
    <questiontext format="html"><text>Water boils at 100 C at sea level.</text></questiontext>
    <answer fraction="100"><text>true</text></answer>
    <answer fraction="0"><text>false</text></answer>
  </question>
  <question type="shortanswer">
    <name><text>sa</text></name>
    <questiontext format="html"><text>Name the chemical symbol of gold.</text></questiontext>
    <answer fraction="100"><text>Au</text></answer>
  </question>
</quiz>
"""
CSV = b"""type,prompt,answer,options,correct
flashcard,Thaw,The easing of repression,,
multiple_choice,Who gave the Secret Speech?,,Khrushchev|Malenkov,1
"""
QUIZLET = b"perestroika\trestructuring\nglasnost\topenness\n"
JSON = json.dumps(
    {
        "format": "recall-questions",
        "version": 1,
        "questions": [
            {"id": "j-1", "type": "flashcard", "prompt": "Sputnik", "back": "1957"},
            {"id": "j-2", "type": "true_false", "prompt": "Gagarin flew in 1961.", "answer": True},
        ],
    }
).encode()

FORMATS = [
    ("gift", "questions.gift", GIFT, {"multiple_choice": 1, "true_false": 1}),
    ("aiken", "questions.txt", AIKEN, {"multiple_choice": 1}),
    ("moodlexml", "questions.xml", MOODLE_XML, {"true_false": 1, "short_answer": 1}),
    ("csv", "questions.csv", CSV, {"flashcard": 1, "multiple_choice": 1}),
    ("quizlet", "cards.txt", QUIZLET, {"flashcard": 2}),
    ("json", "questions.json", JSON, {"flashcard": 1, "true_false": 1}),
]


def upload(client, data: bytes, name: str = "questions.gift", **fields):
    form = {"file": (io.BytesIO(data), name), "format": "auto", "bank": "new"}
    form.update(fields)
    return client.post("/imports/", data=form, content_type="multipart/form-data")


def main(response) -> str:
    """The page's main content, without the navigation around it."""
    text = response.get_data(as_text=True)
    return text[text.find("<main") : text.find("</main>")]


def uploaded_id(response) -> int:
    assert response.status_code == 302, main(response)
    match = re.search(r"/imports/(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def questions_in(title: str) -> int:
    db.session.rollback()
    bank = db.session.scalar(select(QuestionBank).where(QuestionBank.title == title))
    if bank is None:
        return 0
    return db.session.scalar(select(func.count()).where(Question.bank_id == bank.id))


def record(import_id: int) -> ImportRecord:
    db.session.rollback()
    return db.session.get(ImportRecord, import_id)


@pytest.mark.parametrize(("fmt", "name", "data", "by_type"), FORMATS, ids=[f[0] for f in FORMATS])
def test_each_format_goes_through_preview_and_confirm(
    admin_client, admin, fmt, name, data, by_type
):
    fields = {"new_bank": f"Imported {fmt}"}
    if fmt == "quizlet":
        fields |= {"format": "csv", "term_separator": "tab", "card_separator": "newline"}
    import_id = uploaded_id(upload(admin_client, data, name, **fields))
    page = admin_client.get(f"/imports/{import_id}")
    text = main(page)
    assert page.status_code == 200
    total = sum(by_type.values())
    assert f"{total} to create" in text and "0 with errors" in text
    assert questions_in(f"Imported {fmt}") == 0  # the preview writes nothing

    done = admin_client.post(f"/imports/{import_id}/confirm")
    assert done.status_code == 302 and "/banks/" in done.headers["Location"]
    assert questions_in(f"Imported {fmt}") == total
    stored = record(import_id)
    assert stored.state == "applied" and stored.data is None
    assert stored.counts["created"] == total and stored.counts["by_type"] == by_type
    assert stored.bank.owner_id == admin.id and len(stored.sha256) == 64
    bank_page = main(admin_client.get(done.headers["Location"]))
    assert f"{total} question" in bank_page


def test_errors_are_listed_with_lines_and_nothing_is_written(admin_client):
    bad = AIKEN + b"\nAn orphan question\nA. one\nB. two\nANSWER: Q\n"
    import_id = uploaded_id(upload(admin_client, bad, "quiz.txt", new_bank="Errors"))
    text = main(admin_client.get(f"/imports/{import_id}?show=invalid"))
    assert "1 with errors" in text and "<td>line 10, question 2</td>" in text
    assert "Import the valid ones" in text

    refused = admin_client.post(f"/imports/{import_id}/confirm", follow_redirects=True)
    assert "Nothing was written" in main(refused)
    assert questions_in("Errors") == 0 and record(import_id).state == "pending"

    admin_client.post(f"/imports/{import_id}/confirm", data={"skip_invalid": "y"})
    assert questions_in("Errors") == 1
    assert record(import_id).counts | {"by_type": None} == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "skipped": 1,
        "errors": 1,
        "notices": 0,
        "by_type": None,
    }


def test_reimporting_the_same_file_creates_no_duplicates(teacher_client, teacher):
    bank = make_bank("Mine", owner_id=teacher.id)
    first = uploaded_id(upload(teacher_client, GIFT, bank=str(bank.id)))
    teacher_client.post(f"/imports/{first}/confirm")
    second = uploaded_id(upload(teacher_client, GIFT, bank=str(bank.id)))
    text = main(teacher_client.get(f"/imports/{second}"))
    assert "0 to create" in text and "2 unchanged" in text
    teacher_client.post(f"/imports/{second}/confirm")
    assert questions_in("Mine") == 2
    assert record(second).counts["skipped"] == 2


def test_quizlet_custom_separators(teacher_client, teacher):
    bank = make_bank("Deck", owner_id=teacher.id)
    data = b"Moscow = capital of Russia // Kyiv = capital of Ukraine"
    fields = {
        "bank": str(bank.id),
        "format": "csv",
        "term_separator": "custom",
        "term_custom": "=",
        "card_separator": "custom",
        "card_custom": "//",
    }
    import_id = uploaded_id(upload(teacher_client, data, "cards.txt", **fields))
    teacher_client.post(f"/imports/{import_id}/confirm")
    fronts = sorted(q.content["prompt"] for q in db.session.scalars(select(Question)))
    assert fronts == ["Kyiv", "Moscow"]
    empty = upload(teacher_client, data, "cards.txt", **(fields | {"term_custom": ""}))
    assert empty.status_code == 422 and "Type the separator" in main(empty)


def test_who_may_import_where(client, auth, make_user, app):
    owner = make_user(Role.TEACHER)
    other = make_user(Role.TEACHER)
    student = make_user(Role.STUDENT)
    admin = make_user(Role.ADMIN)
    theirs = make_bank("Theirs", owner_id=owner.id)
    seeded = make_bank("Seeded")

    assert client.get("/imports/").status_code == 302  # anonymous: to the login page
    assert "/auth/login" in client.post("/imports/").headers["Location"]

    auth.login(student)
    page = main(client.get("/imports/"))
    assert "A new deck of your own" in page and "Theirs" not in page
    assert upload(client, GIFT, bank=str(theirs.id)).status_code == 422
    assert db.session.scalar(select(func.count()).select_from(ImportRecord)) == 0
    auth.logout()

    auth.login(other)
    refused = upload(client, GIFT, bank=str(theirs.id))
    assert refused.status_code == 422 and "Not a valid choice" in main(refused)
    assert upload(client, GIFT, bank=str(seeded.id)).status_code == 422
    auth.logout()

    auth.login(owner)
    uploaded_id(upload(client, GIFT, bank=str(theirs.id)))
    auth.logout()

    auth.login(admin)
    import_id = uploaded_id(upload(client, GIFT, bank=str(seeded.id)))
    client.post(f"/imports/{import_id}/confirm")
    assert questions_in("Seeded") == 2


def test_another_user_cannot_see_or_confirm_an_upload(app, admin_client, make_user, auth):
    import_id = uploaded_id(upload(admin_client, GIFT, new_bank="Private"))
    other_admin = make_user(Role.ADMIN)
    other = app.test_client()
    with app.app_context():
        auth.login(other_admin, client=other)
    assert other.get(f"/imports/{import_id}").status_code == 404
    assert other.post(f"/imports/{import_id}/confirm").status_code == 404
    assert questions_in("Private") == 0 and record(import_id).state == "pending"


def test_a_second_confirm_writes_nothing_more(admin_client):
    import_id = uploaded_id(upload(admin_client, GIFT, new_bank="Twice"))
    admin_client.post(f"/imports/{import_id}/confirm")
    again = admin_client.post(f"/imports/{import_id}/confirm", follow_redirects=True)
    assert "already confirmed" in main(again)
    assert questions_in("Twice") == 2


def test_files_over_the_size_limit_are_refused_with_a_message(app, admin_client):
    app.config["IMPORT_MAX_BYTES"] = 1000
    big = GIFT + b"// padding\n" * 200
    answer = upload(admin_client, big, new_bank="Big")
    assert answer.status_code == 422
    assert "The file is too large: at most 1,000 bytes." in main(answer)
    huge = upload(admin_client, b"x" * (300 * 1024), new_bank="Big")
    assert huge.status_code == 413 and "too large: at most 1,000 bytes" in main(huge)
    assert db.session.scalar(select(func.count()).select_from(ImportRecord)) == 0


def test_large_imports_run_as_a_job_with_progress(app, admin_client):
    app.config["IMPORT_JOB_THRESHOLD"] = 1
    import_id = uploaded_id(upload(admin_client, GIFT, new_bank="Job"))
    answer = admin_client.post(f"/imports/{import_id}/confirm")
    assert answer.headers["Location"].endswith(f"/imports/{import_id}")
    assert wait_for_threads()
    stored = record(import_id)
    assert stored.job_id and stored.state == "applied" and stored.data is None
    assert questions_in("Job") == 2
    page = main(admin_client.get(f"/imports/{import_id}"))
    assert "Imported" in page and "2 created" in page
    status = admin_client.get(f"/study/jobs/{stored.job_id}/status").get_json()
    assert status["state"] == "done" and status["result"]["created"] == 2


def test_the_preview_is_paginated(admin_client):
    cards = "".join(f"term {n}\tdefinition {n}\n" for n in range(60)).encode()
    import_id = uploaded_id(upload(admin_client, cards, "cards.txt", new_bank="Many"))
    first = main(admin_client.get(f"/imports/{import_id}"))
    second = main(admin_client.get(f"/imports/{import_id}?page=2"))
    assert "term 49" in first and "term 50" not in first
    assert "term 50" in second and "term 59" in second


def test_history_shows_admins_everything_and_others_their_own(app, client, auth, make_user):
    teacher = make_user(Role.TEACHER, display_name="Tess Teacher")
    admin = make_user(Role.ADMIN)
    auth.login(teacher)
    bank = make_bank("Tess", owner_id=teacher.id)
    import_id = uploaded_id(upload(client, GIFT, "tess.gift", bank=str(bank.id)))
    client.post(f"/imports/{import_id}/confirm")
    own = main(client.get("/imports/history"))
    assert "tess.gift" in own and record(import_id).sha256[:16] in own
    auth.logout()
    auth.login(admin)
    assert "No imports yet" not in main(client.get("/imports/history"))
    everything = main(client.get("/imports/history"))
    assert "tess.gift" in everything and "Tess Teacher" in everything
    auth.logout()
    auth.login(make_user(Role.TEACHER))
    assert "No imports yet" in main(client.get("/imports/history"))


def test_export_downloads_every_writer_of_the_registry(teacher_client, teacher):
    from app.formats.uploads import writable_formats

    bank = make_bank("Soviet History", owner_id=teacher.id)
    make_question(
        bank,
        "multiple_choice",
        content=validate_content("multiple_choice", sample("multiple_choice")),
    )
    page = main(teacher_client.get(f"/banks/{bank.id}"))
    assert "Download as" in page
    for fmt in writable_formats():
        answer = teacher_client.get(f"/imports/export/{bank.id}?format={fmt}&anyway=1")
        assert answer.status_code == 200, fmt
        disposition = answer.headers["Content-Disposition"]
        assert disposition.startswith("attachment") and "soviet-history." in disposition
        assert answer.data
    gift = teacher_client.get(f"/imports/export/{bank.id}?format=gift&anyway=1")
    assert "soviet-history.gift" in gift.headers["Content-Disposition"]
    json_file = teacher_client.get(f"/imports/export/{bank.id}?format=json&anyway=1")
    assert json_file.mimetype == "application/json"
    assert len(json.loads(json_file.data)["questions"]) == 1


def test_export_lists_the_questions_a_format_cannot_hold(teacher_client, teacher, make_user):
    bank = make_bank("Cards", owner_id=teacher.id)
    make_question(bank, "flashcard", external_id="card-1")
    content = validate_content("multiple_choice", sample("multiple_choice"))
    make_question(bank, "multiple_choice", external_id="mc-1", content=content)
    report = teacher_client.get(f"/imports/export/{bank.id}?format=aiken")
    text = main(report)
    assert report.status_code == 200 and "Not expressible in Aiken" in text and "card-1" in text
    assert "Download cards.txt" in text


def test_only_editors_export(client, auth, make_user):
    owner = make_user(Role.TEACHER)
    bank = make_bank("Closed", owner_id=owner.id)
    auth.login(make_user(Role.STUDENT))
    assert client.get(f"/imports/export/{bank.id}?format=gift").status_code == 403
    assert "Download as" not in main(client.get(f"/banks/{bank.id}"))


def test_the_example_csv_is_served_and_imports(admin_client):
    page = main(admin_client.get("/imports/"))
    assert "/static/examples/questions_example.csv" in page and "<code>content</code>" in page
    example = admin_client.get("/static/examples/questions_example.csv")
    assert example.status_code == 200
    assert example.data == (FIXTURES / "questions_example.csv").read_bytes()
    example.close()


def test_a_failed_job_marks_the_import_failed_and_it_can_be_confirmed_again(app, admin_client):
    app.config["IMPORT_JOB_THRESHOLD"] = 0
    bad = AIKEN + b"\nAn orphan question\nA. one\nB. two\nANSWER: Q\n"
    import_id = uploaded_id(upload(admin_client, bad, "quiz.txt", new_bank="Failing"))
    admin_client.post(f"/imports/{import_id}/confirm")
    assert wait_for_threads()
    page = main(admin_client.get(f"/imports/{import_id}"))
    assert "The import failed: Nothing was written" in page
    assert record(import_id).state == "failed" and questions_in("Failing") == 0
    admin_client.post(f"/imports/{import_id}/confirm", data={"skip_invalid": "y"})
    assert wait_for_threads()
    assert record(import_id).state == "applied" and questions_in("Failing") == 1


def test_the_file_name_is_kept_without_folders_or_control_characters(admin_client):
    import_id = uploaded_id(
        upload(admin_client, GIFT, "my files/unit 1/quiz\x00\x07.gift", new_bank="N")
    )
    assert record(import_id).file_name == "quiz.gift"


@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="SQLite runs one writer at a time: the race cannot happen there",
)
def test_two_tabs_confirming_at_once_write_the_file_once(app, admin_client, admin, auth):
    import_id = uploaded_id(upload(admin_client, GIFT, new_bank="Race"))
    second = app.test_client()
    with app.app_context():
        auth.login(admin, client=second)
    barrier = threading.Barrier(2)
    answers: list = [None, None]

    def confirm(index, client):
        barrier.wait()
        answers[index] = client.post(f"/imports/{import_id}/confirm")

    threads = [
        threading.Thread(target=confirm, args=(i, c)) for i, c in enumerate((admin_client, second))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(a.status_code for a in answers) == [302, 302]
    assert questions_in("Race") == 2
    assert db.session.scalar(select(func.count()).select_from(QuestionBank)) == 1


def test_a_discarded_upload_drops_its_bytes_and_cannot_be_confirmed(admin_client):
    import_id = uploaded_id(upload(admin_client, GIFT, new_bank="Dropped"))
    answer = admin_client.post(f"/imports/{import_id}/discard", follow_redirects=True)
    assert "The upload was discarded" in main(answer)
    stored = record(import_id)
    assert stored.state == "discarded" and stored.data is None and len(stored.sha256) == 64
    admin_client.post(f"/imports/{import_id}/confirm")
    assert questions_in("Dropped") == 0
    assert "Discarded" in main(admin_client.get("/imports/history"))


def test_a_student_imports_quizlet_cards_into_a_new_deck_and_exports_it(
    student_client, student, client, auth, make_user
):
    import_id = uploaded_id(upload(student_client, QUIZLET, "cards.txt", new_bank="Russian"))
    done = student_client.post(f"/imports/{import_id}/confirm")
    deck = db.session.scalar(select(QuestionBank).where(QuestionBank.title == "Russian"))
    assert deck.personal and deck.owner_id == student.id
    assert done.headers["Location"].endswith(f"/banks/{deck.id}")
    assert questions_in("Russian") == 2
    csv_file = student_client.get(f"/imports/export/{deck.id}?format=csv&anyway=1")
    assert csv_file.status_code == 200 and b"perestroika" in csv_file.data
    auth.logout()
    auth.login(make_user(Role.STUDENT))
    assert client.get(f"/imports/export/{deck.id}?format=csv").status_code == 404
