from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Question
from app.seeding import load_seed_data
from tests.factories import PASSWORD


def test_student_answers_a_question_and_opens_the_highlighted_passage(
    app, live_url, page, student, check_accessibility, console_errors, tmp_path
):
    load_seed_data(db.session, Path(app.config["SEED_DATA_DIR"]))
    db.session.commit()
    question = db.session.scalars(
        select(Question).where(Question.kind == "multiple_choice").order_by(Question.id)
    ).first()
    correct = next(o["text"] for o in question.content["options"] if o["correct"])

    page.goto(f"{live_url}/auth/login")
    page.get_by_label("Email").fill(student.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("link", name="Banks", exact=True).click()
    expect(page.get_by_role("heading", name="Question banks")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("link", name=question.bank.title).click()
    check_accessibility(page)

    page.goto(f"{live_url}/banks/{question.bank_id}/questions/{question.id}")
    check_accessibility(page)
    page.get_by_label(correct, exact=False).first.check()
    page.get_by_role("button", name="Check answer").click()
    expect(page.get_by_text("Correct", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Explanation")).to_be_visible()
    check_accessibility(page)
    page.screenshot(path=str(tmp_path / "answered.png"), full_page=True)

    page.get_by_role("link", name="Read the passage in context").click()
    mark = page.locator("mark#cited")
    expect(mark).to_be_visible()
    expect(mark).to_be_in_viewport()
    assert " ".join(mark.inner_text().split()) == question.source_excerpt
    check_accessibility(page)
    page.screenshot(path=str(tmp_path / "passage.png"))
    assert console_errors == []
