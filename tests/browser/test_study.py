from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import func, select

from app.extensions import db
from app.models import QuestionBank, ReviewLog, StudySettings
from app.seeding import load_seed_data
from tests.factories import PASSWORD


def test_student_adds_a_bank_reviews_with_keys_practises_and_sees_progress(
    app, live_url, page, student, check_accessibility, console_errors, tmp_path
):
    load_seed_data(db.session, Path(app.config["SEED_DATA_DIR"]))
    # Few new cards a day keeps the walk short; flashcards come up through the queue.
    db.session.add(StudySettings(user_id=student.id, new_per_day=6))
    db.session.commit()
    bank = db.session.scalars(select(QuestionBank).order_by(QuestionBank.id)).first()

    page.goto(f"{live_url}/auth/login")
    page.get_by_label("Email").fill(student.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{live_url}/banks/{bank.id}")
    page.get_by_role("button", name="Add bank to my reviews").click()
    expect(page.get_by_text("to your reviews")).to_be_visible()

    page.get_by_role("link", name="Study", exact=True).click()
    check_accessibility(page)
    answered = 0
    for _ in range(6):  # three new cards answered from the keyboard
        if answered == 3:
            break
        expect(page.locator("[data-study]")).to_be_visible()
        first_input = page.locator(
            "[data-study] form input:visible, "
            "[data-study] form select:visible, "
            "[data-study] form textarea:visible"
        ).first
        if page.get_by_role("button", name="Show answer").count():
            # One request per flashcard: the reveal asks nothing, the rating's response
            # is the next card, and its address becomes /study/ again (reload-safe).
            documents: list[str] = []

            def seen(request, into=documents):  # noqa: ANN001
                if request.resource_type in ("document", "fetch", "xhr"):
                    into.append(request.url)

            page.on("request", seen)
            page.keyboard.press("Space")
            expect(page.locator("[data-ratings]")).to_be_visible()
            check_accessibility(page)
            with page.expect_navigation():
                page.keyboard.press("3")
            page.remove_listener("request", seen)
            assert len(documents) == 1 and documents[0].endswith("/answer"), documents
            expect(page).to_have_url(f"{live_url}/study/")
            answered += 1
        elif first_input.count():
            first_input.focus()
            with page.expect_navigation():
                page.keyboard.press("Enter")
            expect(page.locator("[data-ratings]")).to_be_visible()
            check_accessibility(page)
            page.locator("body").click(position={"x": 5, "y": 5})
            with page.expect_navigation():
                page.keyboard.press("1")
            answered += 1
        else:
            # Matching and ordering widgets are driven in test_widgets.py; bury with "-".
            page.locator("body").click(position={"x": 5, "y": 5})
            with page.expect_navigation():
                page.keyboard.press("-")
        # Each key above submitted a form: the next card is read from the page it led to.
    expect(page.get_by_role("heading", name="Study")).to_be_visible()
    assert db.session.scalar(select(func.count()).select_from(ReviewLog)) == 3
    page.screenshot(path=str(tmp_path / "study.png"), full_page=True)

    page.goto(f"{live_url}/practice/")
    check_accessibility(page)
    page.get_by_label(bank.title).check()
    page.get_by_label("Number of questions").fill("2")
    # True/false only, so each question is answered by picking its first option.
    for box in page.locator("input[name=kinds]").all():
        if box.get_attribute("value") != "true_false":
            box.uncheck()
    page.get_by_role("button", name="Start practising").click()
    for _ in range(2):
        expect(page.get_by_text("Question", exact=False).first).to_be_visible()
        check_accessibility(page)
        page.locator("main form input[type=radio]").first.check()
        page.get_by_role("button", name="Check answer").click()
        next_button = page.get_by_role("link", name="Next").or_(
            page.get_by_role("link", name="See your score")
        )
        next_button.first.click()
    expect(page.get_by_text("%", exact=False).first).to_be_visible()
    check_accessibility(page)

    page.get_by_role("link", name="Progress").click()
    expect(page.get_by_role("heading", name="Your progress")).to_be_visible()
    check_accessibility(page)
    page.screenshot(path=str(tmp_path / "progress.png"), full_page=True)
    assert console_errors == []
