"""Students' own decks; copying questions; deleting and archiving questions and banks."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.classes import roster
from app.extensions import db
from app.models import (
    ClassBank,
    PracticeItem,
    PracticeSession,
    Question,
    QuestionBank,
    ReviewCard,
    Role,
    Topic,
)
from tests.factories import CLOCK_START, make_bank, make_card, make_document, make_question


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def make_deck(owner, title="My Spanish", **fields) -> QuestionBank:
    return make_bank(title, owner_id=owner.id, personal=True, **fields)


@pytest.fixture
def deck(student) -> QuestionBank:
    return make_deck(student)


# -- creating a deck and writing cards ---------------------------------------------------------


def test_a_student_creates_a_deck_and_writes_cards_of_four_kinds(student_client, student):
    response = student_client.post("/decks/", data={"title": " Verbs ", "description": "Irregular"})
    deck = db.session.scalars(select(QuestionBank)).one()
    assert (deck.title, deck.description, deck.personal, deck.owner_id) == (
        "Verbs",
        "Irregular",
        True,
        student.id,
    )
    assert response.headers["Location"] == f"/banks/{deck.id}/questions/new"
    posts = {
        "flashcard": {"prompt": "ser", "back": "to be"},
        "cloze": {"prompt": "Fill in.", "text": "Yo {{1}} estudiante.", "gaps-0": "soy"},
        "multiple_choice": {
            "prompt": "tener?",
            "options-0-text": "to have",
            "options-0-correct": "y",
            "options-1-text": "to go",
        },
        "short_answer": {"prompt": "ir?", "answers-0-text": "to go", "answers-0-credit": "100"},
    }
    for kind, data in posts.items():
        saved = student_client.post(
            f"/banks/{deck.id}/questions/new?type={kind}",
            data={**data, "difficulty": "2", "action": "save"},
        )
        assert saved.status_code == 302, (kind, saved.get_data(as_text=True)[:2000])
    assert sorted(q.kind for q in db.session.scalars(select(Question))) == sorted(posts)
    page = student_client.get("/decks/").get_data(as_text=True)
    assert "Verbs" in page and "4</strong> cards" in page
    card = db.session.scalars(select(Question).where(Question.kind == "flashcard")).one()
    edited = student_client.post(
        f"/banks/{deck.id}/questions/{card.id}/edit",
        data={"prompt": "ser", "back": "to be (permanent)", "difficulty": "2", "action": "save"},
    )
    assert edited.status_code == 302
    db.session.refresh(card)
    assert card.content["back"] == "to be (permanent)"


def test_a_deck_needs_a_title_and_a_student_still_cannot_make_a_bank(student_client):
    refused = student_client.post("/decks/", data={"title": "  "})
    assert refused.status_code == 422 and count(QuestionBank) == 0
    assert student_client.post("/banks/new", data={"title": "Public"}).status_code == 403
    assert count(QuestionBank) == 0


def test_decks_are_listed_on_my_decks_not_with_the_banks(student_client, deck):
    make_bank("Seeded history")
    banks = student_client.get("/banks/").get_data(as_text=True)
    assert "Seeded history" in banks and deck.title not in banks
    assert deck.title in student_client.get("/decks/").get_data(as_text=True)
    assert "My decks" in student_client.get("/").get_data(as_text=True)


# -- privacy -----------------------------------------------------------------------------------


def deck_urls(deck: QuestionBank, question: Question) -> list[str]:
    base = f"/banks/{deck.id}"
    q = f"{base}/questions/{question.id}"
    return [
        base,
        f"{base}/questions/new",
        f"{base}/questions/new?type=flashcard",
        q,
        f"{q}/edit",
        f"{q}/copy",
        f"{q}/delete",
        f"{base}/delete",
    ]


@pytest.mark.parametrize("role", ["other student", "teacher", "admin"])
def test_nobody_but_the_owner_opens_a_deck(app, client, auth, make_user, student, role):
    deck = make_deck(student, title="Secret deck")
    card = make_question(deck, "flashcard")
    other = make_user(
        {"other student": Role.STUDENT, "teacher": Role.TEACHER, "admin": Role.ADMIN}[role]
    )
    auth.login(student)
    for url in deck_urls(deck, card):
        assert client.get(url).status_code == 200, url
    auth.logout()
    auth.login(other)
    for url in deck_urls(deck, card):
        assert client.get(url).status_code == 404, url
        if url != f"/banks/{deck.id}":  # the bank page takes no posts
            posted = client.post(url, data={"action": "save", "prompt": "x", "back": "y"})
            assert posted.status_code == 404, url
    for url in ("/banks/", "/decks/", "/practice/", "/study/exams"):
        assert "Secret deck" not in client.get(url).get_data(as_text=True), url
    assert client.post("/study/add", data={"bank_id": deck.id}).status_code == 404
    assert client.post("/study/add", data={"question_id": card.id}).status_code == 404
    assert count(ReviewCard) == 0
    practice = client.post(
        "/practice/", data={"banks": [deck.id], "kinds": ["flashcard"], "count": 5}
    )
    assert practice.status_code == 422 and count(PracticeSession) == 0
    client.post("/study/deck", data={"deck": f"bank:{deck.id}"})
    assert "Secret deck" not in client.get("/study/").get_data(as_text=True)
    db.session.refresh(card)
    assert card.content["back"] != "y" and count(Question) == 1 and count(QuestionBank) == 1


def test_anonymous_visitors_are_sent_to_log_in_from_a_deck(client, student, deck):
    card = make_question(deck, "flashcard")
    for url in deck_urls(deck, card):
        response = client.get(url)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_a_cited_deck_card_is_not_shown_to_others(app, client, auth, make_user, student):
    document = make_document()
    deck = make_deck(student)
    card = make_question(
        deck,
        "flashcard",
        source_document_id=document.id,
        source_section="background",
        source_excerpt="Stalin died in March 1953.",
    )
    auth.login(make_user(Role.TEACHER))
    assert client.get(f"/sources/{document.slug}?cite={card.id}").status_code == 404
    auth.logout()
    auth.login(student)
    assert client.get(f"/sources/{document.slug}?cite={card.id}").status_code == 200


def test_a_deck_cannot_be_shared_with_a_class(teacher_client, teacher):
    deck = make_deck(teacher, title="Teacher's own deck")
    make_bank("Shareable")
    c = roster.create_class(db.session, teacher, name="9B", now=CLOCK_START)
    db.session.commit()
    page = teacher_client.get(f"/classes/{c.id}").get_data(as_text=True)
    assert "Shareable" in page and "Teacher&#39;s own deck" not in page
    refused = teacher_client.post(
        f"/classes/{c.id}/banks", data={"bank_id": deck.id}, follow_redirects=True
    )
    assert "Choose a bank" in refused.get_data(as_text=True) and count(ClassBank) == 0
    with pytest.raises(Exception, match="private"):
        roster.share_bank(db.session, c, deck, teacher, CLOCK_START)


# -- studying and practising a deck ------------------------------------------------------------


def test_the_owner_studies_and_practises_a_deck(student_client, student, deck, clock):
    card = make_question(deck, "flashcard")
    make_question(deck, "multiple_choice")
    assert deck.title in student_client.get("/practice/").get_data(as_text=True)
    added = student_client.post("/study/add", data={"bank_id": deck.id, "next": "/study/"})
    assert added.status_code == 302 and count(ReviewCard) == 2
    assert student_client.post("/study/deck", data={"deck": f"bank:{deck.id}"}).status_code == 302
    study = student_client.get("/study/").get_data(as_text=True)
    assert deck.title in study
    review = db.session.scalars(select(ReviewCard).where(ReviewCard.question_id == card.id)).one()
    shown = student_client.get("/study/").get_data(as_text=True)
    assert "Show answer" in shown or "Check" in shown
    started = student_client.post(
        "/practice/", data={"banks": [deck.id], "kinds": ["multiple_choice"], "count": 5}
    )
    assert started.status_code == 302 and count(PracticeItem) == 1
    assert review.user_id == student.id


# -- copying -----------------------------------------------------------------------------------


def test_a_student_copies_a_seeded_question_into_a_deck(student_client, student, deck):
    document = make_document()
    seeded = make_bank("Seeded", slug="seeded")
    original = make_question(
        seeded,
        "multiple_choice",
        topic="Thaw/1956",
        explanation="See the speech.",
        source_document_id=document.id,
        source_section="secret-speech",
        source_excerpt="He denounced the cult of personality.",
    )
    url = f"/banks/{seeded.id}/questions/{original.id}"
    assert "Copy to my deck" in student_client.get(url).get_data(as_text=True)
    assert deck.title in student_client.get(f"{url}/copy").get_data(as_text=True)
    response = student_client.post(f"{url}/copy", data={"target": deck.id})
    copy = db.session.scalars(select(Question).where(Question.bank_id == deck.id)).one()
    assert response.headers["Location"] == f"/banks/{deck.id}/questions/{copy.id}/edit"
    assert copy.content == original.content and copy.external_id != original.external_id
    assert (copy.explanation, copy.source_document_id, copy.source_excerpt) == (
        "See the speech.",
        document.id,
        "He denounced the cult of personality.",
    )
    assert copy.copied_from_id == original.id and copy.topic.path == "Thaw/1956"
    assert copy.topic.bank_id == deck.id
    # Into a bank that is not theirs: refused, nothing written.
    assert student_client.post(f"{url}/copy", data={"target": seeded.id}).status_code == 422
    assert count(Question) == 2


def test_a_student_without_a_deck_is_asked_to_make_one(student_client):
    bank = make_bank("Seeded")
    question = make_question(bank, "flashcard")
    page = student_client.get(f"/banks/{bank.id}/questions/{question.id}/copy")
    assert page.status_code == 200 and "Create a deck" in page.get_data(as_text=True)
    assert (
        student_client.post(
            f"/banks/{bank.id}/questions/{question.id}/copy", data={"target": "1"}
        ).status_code
        == 200
    )
    assert count(Question) == 1


def test_a_teacher_copies_into_their_own_bank_only(teacher_client, teacher, make_user):
    seeded = make_bank("Seeded")
    original = make_question(seeded, "true_false")
    mine = make_bank("Mine", owner_id=teacher.id)
    theirs = make_bank("Theirs", owner_id=make_user(Role.TEACHER).id)
    url = f"/banks/{seeded.id}/questions/{original.id}/copy"
    page = teacher_client.get(url).get_data(as_text=True)
    assert "Mine" in page and "Theirs" not in page
    assert teacher_client.post(url, data={"target": theirs.id}).status_code == 422
    assert teacher_client.post(url, data={"target": mine.id}).status_code == 302
    assert db.session.scalar(select(func.count()).where(Question.bank_id == mine.id)) == 1


# -- deleting and archiving ----------------------------------------------------------------------


def test_a_question_without_history_is_deleted_after_confirmation(teacher_client, teacher):
    bank = make_bank("Mine", owner_id=teacher.id)
    question = make_question(bank, "flashcard")
    url = f"/banks/{bank.id}/questions/{question.id}/delete"
    page = teacher_client.get(url).get_data(as_text=True)
    assert "deleted for good" in page and 'data-removal="delete"' in page
    assert count(Question) == 1
    assert teacher_client.post(url).headers["Location"] == f"/banks/{bank.id}"
    assert count(Question) == 0


def test_a_question_with_someone_elses_review_is_archived(teacher_client, teacher, student, clock):
    bank = make_bank("Mine", owner_id=teacher.id)
    question = make_question(bank, "flashcard")
    other = make_question(bank, "flashcard", content={"prompt": "Still here", "back": "yes"})
    make_card(student.id, question, due=CLOCK_START)
    url = f"/banks/{bank.id}/questions/{question.id}/delete"
    page = teacher_client.get(url).get_data(as_text=True)
    assert "archived, not deleted" in page and "1 review card" in page
    teacher_client.post(url)
    db.session.refresh(question)
    assert question.archived_at == CLOCK_START and count(ReviewCard) == 1
    bank_page = teacher_client.get(f"/banks/{bank.id}").get_data(as_text=True)
    assert "Still here" in bank_page and "1 question match" in bank_page
    assert teacher_client.get(f"/banks/{bank.id}/questions/{question.id}").status_code == 404
    assert teacher_client.get(f"/banks/{bank.id}/questions/{other.id}").status_code == 200


def test_a_question_in_a_practice_session_is_archived(student_client, student, deck):
    question = make_question(deck, "multiple_choice")
    student_client.post(
        "/practice/", data={"banks": [deck.id], "kinds": ["multiple_choice"], "count": 5}
    )
    assert count(PracticeItem) == 1
    student_client.post(f"/banks/{deck.id}/questions/{question.id}/delete")
    db.session.refresh(question)
    assert question.archived_at is not None and count(PracticeItem) == 1
    again = student_client.post(
        "/practice/", data={"banks": [deck.id], "kinds": ["multiple_choice"], "count": 5}
    )
    assert again.status_code == 422 and count(PracticeSession) == 1


def test_only_editors_delete(student_client, teacher):
    bank = make_bank("Teacher's", owner_id=teacher.id)
    question = make_question(bank, "flashcard")
    assert student_client.get(f"/banks/{bank.id}/questions/{question.id}/delete").status_code == 403
    assert student_client.post(f"/banks/{bank.id}/delete").status_code == 403
    assert count(Question) == 1 and count(QuestionBank) == 1


def test_a_deck_without_history_is_deleted_with_its_cards(student_client, deck):
    make_question(deck, "flashcard", topic="Verbs")
    page = student_client.get(f"/banks/{deck.id}/delete").get_data(as_text=True)
    assert "Delete this deck?" in page and "deleted for good" in page
    response = student_client.post(f"/banks/{deck.id}/delete")
    assert response.headers["Location"] == "/decks/"
    assert (count(QuestionBank), count(Question), count(Topic)) == (0, 0, 0)


def test_a_bank_with_history_is_archived_with_its_questions(
    admin_client, admin, student, make_user, clock
):
    bank = make_bank("Seeded")
    studied = make_question(bank, "flashcard")
    unstudied = make_question(bank, "true_false")
    make_card(student.id, studied, due=CLOCK_START, reps=3, state=2, stability=5.0, difficulty=5.0)
    c = roster.create_class(db.session, make_user(Role.TEACHER), name="9B", now=CLOCK_START)
    roster.share_bank(db.session, c, bank, admin, CLOCK_START)
    db.session.commit()
    page = admin_client.get(f"/banks/{bank.id}/delete").get_data(as_text=True)
    assert "archived, not deleted" in page and "2 questions" in page
    assert admin_client.post(f"/banks/{bank.id}/delete").headers["Location"] == "/banks/"
    db.session.expire_all()
    bank = db.session.get(QuestionBank, bank.id)
    assert bank.archived_at == CLOCK_START
    assert db.session.get(Question, unstudied.id).archived_at == CLOCK_START
    assert count(ClassBank) == 0 and count(ReviewCard) == 1
    assert admin_client.get(f"/banks/{bank.id}").status_code == 404
    assert "Seeded" not in admin_client.get("/banks/").get_data(as_text=True)
    assert admin_client.post(f"/banks/{bank.id}/delete").status_code == 404
