"""GET /media/<sha256>: a stored file with its checked type, never sniffed, cached long,
for signed-in users; questions show their images and sounds from there."""

from __future__ import annotations

import pytest

from app.security import CONTENT_SECURITY_POLICY
from tests.factories import MP3_BYTES, PNG_BYTES, make_bank, make_media, make_question


def test_a_stored_image_is_served_with_its_type_and_a_long_cache(app, student_client):
    media = make_media(PNG_BYTES)
    response = student_client.get(f"/media/{media.sha256}")
    assert response.status_code == 200
    assert response.data == PNG_BYTES
    assert response.mimetype == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert "no-store" not in response.headers["Cache-Control"]
    assert "media-src 'self'" in response.headers["Content-Security-Policy"]
    assert "img-src 'self'" in CONTENT_SECURITY_POLICY


def test_audio_is_served_as_audio(app, student_client):
    media = make_media(MP3_BYTES)
    assert student_client.get(f"/media/{media.sha256}").mimetype == "audio/mpeg"


@pytest.mark.parametrize("name", ["0" * 64, "AB" * 32, "xyz", "..%2f..%2fetc%2fpasswd", "ab" * 40])
def test_unknown_or_malformed_names_are_not_found(app, student_client, name):
    make_media(PNG_BYTES)
    assert student_client.get(f"/media/{name}").status_code == 404


def test_a_file_missing_from_the_store_is_not_found(app, student_client, tmp_path):
    media = make_media(PNG_BYTES)
    path = tmp_path / "media" / media.sha256[:2] / media.sha256
    path.unlink()
    response = student_client.get(f"/media/{media.sha256}")
    assert response.status_code == 404
    assert response.headers["Cache-Control"] == "no-store"


def test_signed_out_visitors_get_nothing(app, client):
    media = make_media(PNG_BYTES)
    assert client.get(f"/media/{media.sha256}").status_code == 404


def test_a_question_shows_its_image_from_the_media_route(app, student_client):
    media = make_media(PNG_BYTES)
    bank = make_bank("Maps")
    question = make_question(
        bank,
        "flashcard",
        content={"prompt": f"Which country? ![map](media:{media.sha256}.png)", "back": "France"},
    )
    page = student_client.get(f"/banks/{bank.id}/questions/{question.id}").get_data(as_text=True)
    assert f'<img src="/media/{media.sha256}" alt="map">' in page


def _new_flashcard(client, bank, upload, action="save"):
    data = {"prompt": "Which country?", "back": "France", "difficulty": "2", "action": action}
    if upload is not None:
        data["attachment"] = upload
    return client.post(
        f"/banks/{bank.id}/questions/new?type=flashcard",
        data=data,
        content_type="multipart/form-data",
    )


def test_an_author_attaches_an_image_to_a_question(app, teacher_client, teacher, tmp_path):
    import hashlib
    import io

    from sqlalchemy import select

    from app.extensions import db
    from app.models import MediaFile, Question

    bank = make_bank("Maps", owner_id=teacher.id)
    sha = hashlib.sha256(PNG_BYTES).hexdigest()
    preview = _new_flashcard(teacher_client, bank, (io.BytesIO(PNG_BYTES), "map.png"), "preview")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and f'<img src="/media/{sha}" alt="map">' in page
    assert f"![map](media:{sha}.png)" in page  # kept in the prompt for the save that follows
    assert db.session.scalars(select(Question)).all() == []
    response = _new_flashcard(teacher_client, bank, (io.BytesIO(PNG_BYTES), "map.png"))
    assert response.status_code == 302
    question = db.session.scalars(select(Question)).one()
    assert question.content["prompt"] == f"Which country?\n\n![map](media:{sha}.png)"
    assert db.session.get(MediaFile, sha).mime_type == "image/png"
    assert teacher_client.get(f"/media/{sha}").data == PNG_BYTES


@pytest.mark.parametrize(
    "data", [b"<svg xmlns='http://www.w3.org/2000/svg'/>", b"", PNG_BYTES + bytes(2048)]
)
def test_a_bad_attachment_is_refused_and_nothing_is_written(app, teacher_client, teacher, data):
    import io

    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import MediaFile, Question

    app.config["MEDIA_MAX_BYTES"] = 1024
    bank = make_bank("Maps", owner_id=teacher.id)
    response = _new_flashcard(teacher_client, bank, (io.BytesIO(data), "photo.png"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "is empty" in page or "not a PNG" in page or "is over" in page
    assert db.session.scalar(select(func.count()).select_from(Question)) == 0
    assert db.session.scalar(select(func.count()).select_from(MediaFile)) == 0
