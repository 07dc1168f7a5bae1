from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import func, select

from app.extensions import db
from app.models import Question, QuestionBank, ReviewLog
from tests.factories import PASSWORD


def test_student_makes_a_deck_writes_two_cards_and_studies_them(
    live_url, browser, page, student, check_accessibility, console_errors
):
    page.goto(f"{live_url}/auth/login")
    page.get_by_label("Email").fill(student.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My decks").click()
    check_accessibility(page)
    page.get_by_label("Title").fill("Spanish verbs")
    page.get_by_role("button", name="Create deck").click()
    expect(page.get_by_text("Deck “Spanish verbs” created")).to_be_visible()

    page.get_by_role("link", name="Flashcard").click()
    page.get_by_label("Prompt").fill("ser")
    page.get_by_label("Back").fill("to be")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Question saved.")).to_be_visible()

    deck = db.session.scalars(select(QuestionBank)).one()
    page.goto(f"{live_url}/banks/{deck.id}/questions/new?type=cloze")
    page.get_by_label("Prompt").fill("Fill in the gap.")
    page.get_by_label("Text with gaps").fill("Yo {{1}} estudiante.")
    page.get_by_label("Gap {{1}}").fill("soy")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Question saved.")).to_be_visible()
    assert db.session.scalar(select(func.count()).select_from(Question)) == 2

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My decks").click()
    page.get_by_role("button", name="Add deck to my reviews").click()
    expect(page.get_by_text("Added 2 cards to your reviews.")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Study").click()
    page.get_by_role("button", name="Show answer").click()
    expect(page.locator("[data-ratings]")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("button", name="Good").first.click()
    page.wait_for_load_state()
    gap = page.get_by_label("Gap 1")
    gap.fill("soy")
    gap.press("Enter")
    expect(page.locator("[data-ratings]")).to_be_visible()
    check_accessibility(page)
    page.locator("[data-ratings] button").nth(2).click()
    page.wait_for_load_state()
    assert db.session.scalar(select(func.count()).select_from(ReviewLog)) == 2

    phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone.context.add_cookies(page.context.cookies())
    for path in ("/decks/", f"/banks/{deck.id}"):
        phone.goto(f"{live_url}{path}")
        expect(phone.get_by_text("Spanish verbs").first).to_be_visible()
        check_accessibility(phone)
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (path, width)
    phone.close()
    assert console_errors == []
