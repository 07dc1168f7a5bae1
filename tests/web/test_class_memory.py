"""The class memory page: what a class is forgetting, from its students' shared reviews."""

from __future__ import annotations

from datetime import timedelta

from app.extensions import db
from app.models import Role
from tests.factories import CLOCK_START, make_bank, make_card, make_class, make_question, make_quiz


def login(client, auth, user):
    auth.logout()
    assert auth.login(user).status_code == 302


def reviewed(user, question, *, stability, lapses=0):
    make_card(
        user.id,
        question,
        due=CLOCK_START + timedelta(days=1),
        state=2,
        stability=stability,
        difficulty=5.0,
        last_review=CLOCK_START - timedelta(days=2),
        lapses=lapses,
    )


def build(make_user, opted_out: int):
    owner = make_user(Role.TEACHER)
    co_teacher = make_user(Role.TEACHER)
    students = [make_user(Role.STUDENT, display_name=f"S{i}") for i in range(6)]
    for student in students[:opted_out]:
        student.share_reviews_with_classes = False
    shared = make_bank("Shared", topics=("Rome",))
    in_quiz = make_question(
        make_bank("Quiz bank"),
        "true_false",
        topic="Carthage",
        content={"prompt": "The sky is green.", "answer": False},
    )
    klass = make_class(owner, co_teachers=[co_teacher], students=students, banks=[shared])
    make_quiz(klass, questions=[in_quiz])
    rome = make_question(
        shared, "flashcard", topic="Rome", content={"prompt": "Founded?", "back": "753 BC"}
    )
    private = make_question(
        make_bank("Elsewhere", topics=("Private",)), "flashcard", topic="Private"
    )
    for student in students:
        reviewed(student, rome, stability=1.0, lapses=2)  # forgotten fast
        reviewed(student, in_quiz, stability=100.0)
        reviewed(student, private, stability=1.0)
    db.session.commit()
    return owner, co_teacher, students, klass


def test_teachers_see_topics_and_the_most_forgotten_questions(client, auth, make_user):
    owner, co_teacher, students, klass = build(make_user, opted_out=1)
    for teacher in (owner, co_teacher):
        login(client, auth, teacher)
        page = client.get(f"/quizzes/classes/{klass.id}/memory")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert "5 students share their review data; 1 opted out." in html
        topics = html.split('id="topics"')[1].split("</table>")[0]
        assert "Rome" in topics and "Carthage" in topics
        assert "Private" not in html  # not a question of the class
        forgotten = html.split('id="most-forgotten"')[1].split("</ol>")[0]
        assert forgotten.index("Founded?") < forgotten.index("The sky")  # lower recall first
        assert "10 lapses" in forgotten  # 2 lapses × 5 sharing students


def test_fewer_than_five_sharing_shows_nothing_per_topic(client, auth, make_user):
    owner, _, students, klass = build(make_user, opted_out=2)
    login(client, auth, owner)
    html = client.get(f"/quizzes/classes/{klass.id}/memory").get_data(as_text=True)
    assert "4 students share their review data; 2 opted out." in html
    assert 'id="too-few"' in html
    assert "Rome" not in html and 'id="topics"' not in html


def test_the_memory_is_for_the_class_teachers_only(client, auth, make_user):
    owner, _, students, klass = build(make_user, opted_out=0)
    login(client, auth, students[0])
    assert client.get(f"/quizzes/classes/{klass.id}/memory").status_code == 403
    login(client, auth, make_user(Role.TEACHER))
    assert client.get(f"/quizzes/classes/{klass.id}/memory").status_code == 404


def test_a_student_opts_out_on_their_profile(client, auth, make_user):
    student = make_user(Role.STUDENT)
    login(client, auth, student)
    page = client.get("/auth/profile").get_data(as_text=True)
    assert 'name="share_reviews_with_classes"' in page and "checked" in page
    response = client.post("/auth/profile", data={"display_name": "Still me", "time_zone": "UTC"})
    assert response.status_code == 302
    db.session.refresh(student)
    assert student.share_reviews_with_classes is False
