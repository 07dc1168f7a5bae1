"""The short-answer form sets the credit a spelling slip earns."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Question
from app.questions import grade
from tests.factories import make_bank, make_question

ANSWERS = {"answers-0-text": "Khrushchev", "answers-0-credit": "100"}


def post(client, bank_id: int, **fields: str):
    data = {"prompt": "Who gave the speech?", "difficulty": "2", **ANSWERS, **fields}
    return client.post(
        f"/banks/{bank_id}/questions/new?type=short_answer", data={**data, "action": "save"}
    )


def test_author_sets_the_typo_credit_and_the_edit_form_shows_it(teacher_client, teacher):
    bank = make_bank("Thaw", owner_id=teacher.id)
    page = teacher_client.get(f"/banks/{bank.id}/questions/new?type=short_answer")
    assert "Credit for a spelling slip (%)" in page.get_data(as_text=True)
    assert post(teacher_client, bank.id, typo_credit="50").status_code == 302
    question = db.session.scalars(select(Question)).one()
    assert question.content["typo_credit"] == 0.5
    assert grade("short_answer", question.content, {"text": "Krushchev"}).fraction == 0.5

    edit = teacher_client.get(f"/banks/{bank.id}/questions/{question.id}/edit")
    fields = dict(re.findall(r'<input[^>]*?name="([^"]+)"[^>]*?value="([^"]*)"', edit.text))
    assert fields["typo_credit"] == "50"


def test_a_blank_typo_credit_means_full_credit(teacher_client, teacher):
    bank = make_bank("Thaw", owner_id=teacher.id)
    question = make_question(
        bank,
        "short_answer",
        content={"prompt": "Who?", "answers": [{"text": "Khrushchev"}], "typo_credit": 0.25},
    )
    edit = teacher_client.get(f"/banks/{bank.id}/questions/{question.id}/edit")
    assert re.search(r'name="typo_credit"[^>]*value="25"', edit.text)
    assert post(teacher_client, bank.id, typo_credit="").status_code == 302
    new = db.session.scalars(select(Question).order_by(Question.id.desc())).first()
    assert new.content["typo_credit"] == 1.0


@pytest.mark.parametrize("value", ["101", "-5", "lots", "nan"])
def test_a_bad_typo_credit_is_refused_and_writes_nothing(teacher_client, teacher, value):
    bank = make_bank("Thaw", owner_id=teacher.id)
    response = post(teacher_client, bank.id, typo_credit=value)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r'<input[^>]*is-invalid[^>]*name="typo_credit"', page)
    assert "Give a credit between 0 and 100%." in page or "Not a valid float value." in page
    assert db.session.scalar(select(func.count()).select_from(Question)) == 0
