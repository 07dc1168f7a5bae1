from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import QuizAttempt
from tests.factories import PASSWORD, make_bank, make_class, make_question

TF = {"prompt": "This happened in 1962.", "answer": False}


def log_in(page, live_url, user) -> None:
    page.goto(f"{live_url}/auth/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def answer_false_to_every_question(phone) -> None:
    while True:
        phone.get_by_label("False").check()
        finishing = phone.get_by_role("button", name="Save and finish")
        if finishing.count():
            finishing.click()
            return
        phone.get_by_role("button", name="Save and continue").click()


def test_teacher_sets_a_timed_random_quiz_a_student_takes_it_on_a_phone_and_runs_out_of_time(
    app, live_url, browser, teacher, student, clock, check_accessibility
):
    klass = make_class(teacher, students=[student], name="History 9B")
    bank = make_bank("Cold War", topics=("Cuba",))
    for n in range(5):
        make_question(bank, "true_false", content={**TF, "prompt": f"Claim {n}"}, topic="Cuba")
    errors: list[str] = []

    desk = browser.new_page()
    desk.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    log_in(desk, live_url, teacher)
    desk.goto(f"{live_url}/classes/{klass.id}")
    desk.get_by_role("link", name="New quiz").click()
    desk.get_by_label("Title").fill("Missile crisis")
    desk.get_by_label("Time limit (minutes)").fill("10")
    desk.get_by_label("Attempts allowed").fill("2")
    desk.get_by_label("When time runs out").select_option("autosubmit")
    check_accessibility(desk)
    desk.get_by_role("button", name="Create quiz").click()
    expect(desk.get_by_text("Quiz created.")).to_be_visible()
    desk.get_by_label("Topic").select_option(label="Cold War: Cuba")
    desk.get_by_label("How many").fill("3")
    desk.get_by_role("button", name="Add random draw").click()
    expect(desk.get_by_text("Random: 3 from Cold War, topic Cuba")).to_be_visible()
    check_accessibility(desk)
    desk.get_by_role("link", name="Done").click()
    desk.get_by_role("button", name="Publish to the class").click()
    expect(desk.get_by_text("Published: the class's students can see it.")).to_be_visible()

    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    phone = context.new_page()
    phone.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    log_in(phone, live_url, student)
    expect(phone.get_by_text("Open: 2 attempts left")).to_be_visible()
    phone.get_by_role("link", name="Missile crisis").click()
    phone.get_by_role("button", name="Start the quiz").click()
    expect(phone.get_by_role("timer")).to_contain_text("Time left")
    check_accessibility(phone)
    # One request per answer: each answer's response is the next question, whose own
    # address replaces the POST in the history.
    documents: list[tuple[str, str]] = []

    def seen(request) -> None:  # noqa: ANN001
        if request.resource_type == "document":
            documents.append((request.method, request.url))

    phone.on("request", seen)
    phone.get_by_label("False").check()
    phone.get_by_role("button", name="Save and continue").click()
    expect(phone.get_by_role("heading", name="Missile crisis: question 2 of 3")).to_be_visible()
    expect(phone).to_have_url(re.compile(r"/quizzes/attempts/\d+/2$"))
    assert [method for method, _ in documents] == ["POST"]
    phone.remove_listener("request", seen)
    answer_false_to_every_question(phone)
    expect(phone.get_by_text("Every question is answered.")).to_be_visible()
    phone.get_by_role("button", name="Submit all and finish").click()
    expect(phone.locator("#score")).to_contain_text("3 / 3")
    check_accessibility(phone)

    # The second attempt: one answer, then the time runs out while the student waits.
    phone.get_by_role("link", name="Back to the quiz").click()
    phone.get_by_role("button", name="Start a new attempt").click()
    phone.get_by_label("True").check()
    phone.get_by_role("button", name="Save and continue").click()
    expect(phone).to_have_url(re.compile(r"/quizzes/attempts/\d+/2$"))  # the answer is saved
    clock.advance(minutes=11)
    phone.reload()
    expect(phone.get_by_text("This attempt is submitted.")).to_be_visible()
    expect(phone.locator("#score")).to_contain_text("0 / 3")
    with app.app_context():
        attempts = db.session.scalars(select(QuizAttempt).order_by(QuizAttempt.number)).all()
        assert [a.state for a in attempts] == ["finished", "finished"]
        assert attempts[1].finished_at == attempts[1].deadline

    desk.get_by_role("link", name="Results").click()
    row = desk.get_by_role("row", name=student.display_name)
    expect(row).to_contain_text("100%")  # the highest of 100% and 0%
    check_accessibility(desk)
    assert errors == []
