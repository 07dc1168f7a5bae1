"""A student imports an Anki deck in the browser: its notes become a personal deck, its
images are kept, and, when asked, its review history becomes the student's reviews."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import MediaFile, Question, QuestionBank, ReviewCard, ReviewLog
from tests.anki_packages import PNG, build_package


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> bytes:
    return build_package(tmp_path_factory.mktemp("anki-web"))


def _upload(client, data: bytes):
    form = {
        "file": (io.BytesIO(data), "deck.apkg"),
        "format": "auto",
        "bank": "new",
        "new_bank": "From Anki",
    }
    response = client.post("/imports/", data=form, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(re.search(r"/imports/(\d+)$", response.headers["Location"]).group(1))


@pytest.mark.parametrize("with_history", [True, False])
def test_a_student_imports_an_anki_deck_with_its_media_and_history(
    student_client, student, package, with_history
):
    import_id = _upload(student_client, package)
    preview = student_client.get(f"/imports/{import_id}").get_data(as_text=True)
    assert "Bring my review history along" in preview
    assert "2 past reviews" in preview
    data = {"with_history": "y"} if with_history else {}
    done = student_client.post(f"/imports/{import_id}/confirm", data=data)
    assert done.status_code == 302
    db.session.rollback()
    deck = db.session.scalar(select(QuestionBank).where(QuestionBank.title == "From Anki"))
    assert deck.personal and deck.owner_id == student.id
    kinds = sorted(db.session.scalars(select(Question.kind).where(Question.bank_id == deck.id)))
    assert kinds == ["cloze", "flashcard", "flashcard"]
    stored = db.session.scalar(select(MediaFile))
    assert stored is not None and stored.size == len(PNG)
    # The picture is served to its importer.
    assert student_client.get(f"/media/{stored.sha256}").data == PNG
    cards = db.session.scalar(
        select(func.count()).select_from(ReviewCard).where(ReviewCard.user_id == student.id)
    )
    logs = db.session.scalar(
        select(func.count()).select_from(ReviewLog).where(ReviewLog.user_id == student.id)
    )
    assert (cards, logs) == ((2, 2) if with_history else (0, 0))


def test_a_deck_exported_from_the_browser_carries_its_pictures(student_client, package):
    from app.formats.registry import read_file

    import_id = _upload(student_client, package)
    student_client.post(f"/imports/{import_id}/confirm")
    db.session.rollback()
    deck = db.session.scalar(select(QuestionBank).where(QuestionBank.title == "From Anki"))
    response = student_client.get(f"/imports/export/{deck.id}?format=apkg&anyway=1")
    assert response.status_code == 200
    again = read_file(response.data, "deck.apkg", "apkg")
    assert [item.data for item in again.media.values()] == [PNG]
