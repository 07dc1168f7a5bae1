"""Practice on a phone, by touch: flag, skip, the question map, going back, finishing early
after the confirmation page; and the Progress page fitting a 390 px phone.

Phone screenshots are saved under test-results/practice/.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.attempts.practice import start_session
from app.extensions import db
from app.models import ExamDate, PracticeSession
from tests.factories import PASSWORD, make_bank, make_card, make_log, make_question

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "practice"
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
TRUE = {"prompt": "Khrushchev gave the Secret Speech in 1956.", "answer": True}


@pytest.fixture
def phone(browser, live_url, student):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{live_url}/auth/login")
    page.get_by_label("Email").fill(student.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").tap()
    expect(page.get_by_text("Logged in as")).to_be_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield page
    context.close()
    assert errors == []


def fits(page) -> None:
    """Nothing wider than the phone: the page never scrolls sideways."""
    width = page.evaluate("() => document.scrollingElement.scrollWidth")
    wide = page.evaluate(
        "() => [...document.querySelectorAll('body *')].filter(e => {"
        "  if (e.getBoundingClientRect().right <= window.innerWidth + 0.5) return false;"
        "  for (let a = e.parentElement; a; a = a.parentElement)"
        "    if (getComputedStyle(a).overflowX !== 'visible') return false;"
        "  return true; }).slice(0, 8)"
        ".map(e => e.tagName + '.' + e.getAttribute('class') + ' '"
        " + Math.round(e.getBoundingClientRect().right))"
    )
    assert width <= 390, f"{page.url} is {width} px wide: {wide}"


def test_progress_fits_a_phone_with_chart_text_of_12_px(
    phone, live_url, student, check_accessibility
):
    bank = make_bank("The Khrushchev Thaw", topics=("Thaw",))
    now = datetime.now(UTC)
    for n in range(6):
        question = make_question(bank, "true_false", topic="Thaw", commit=False)
        card = make_card(
            student.id,
            question,
            due=now + timedelta(days=n),
            reps=3,
            state=2,
            stability=5.0,
            difficulty=5.0,
            last_review=now - timedelta(days=2),
            commit=False,
        )
        for days in range(0, 80, 7):
            make_log(
                card, now - timedelta(days=days + n), rating=3 if days % 3 else 1, commit=False
            )
    # A topic of new cards only: its mastery row says "none answered yet" to screen readers.
    fresh = make_bank("New cards", topics=("Stagnation",))
    make_card(student.id, make_question(fresh, "true_false", topic="Stagnation"), due=now)
    for n in range(4):
        db.session.add(
            PracticeSession(
                user_id=student.id,
                created_at=now - timedelta(days=n + 1),
                finished_at=now - timedelta(days=n + 1),
                score=0.25 * n,
            )
        )
    db.session.add(
        ExamDate(user_id=student.id, bank_id=bank.id, exam_on=(now + timedelta(days=20)).date())
    )
    db.session.commit()
    phone.goto(f"{live_url}/progress/")
    expect(phone.get_by_role("heading", name="Your progress")).to_be_visible()
    phone.screenshot(path=str(SHOTS / "progress.png"), full_page=True)
    fits(phone)
    phone.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    fits(phone)
    sizes = phone.evaluate(
        "() => [...document.querySelectorAll('svg text')]"
        ".filter(t => t.getBoundingClientRect().width > 0).map("
        "t => { const m = t.getScreenCTM(); "
        "return parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b); })"
    )
    assert sizes and min(sizes) >= 12, sorted(sizes)[:5]
    check_accessibility(phone)


def test_practice_by_touch_flag_skip_map_back_and_finish_early(
    phone, live_url, student, check_accessibility
):
    bank = make_bank("Thaw", topics=("1950s",))
    for n in range(3):
        make_question(bank, "true_false", topic="1950s", external_id=f"t{n}", content=TRUE)
    practice = start_session(
        db.session,
        student.id,
        bank_ids=[bank.id],
        kinds=["true_false"],
        count=3,
        feedback="end",
        now=datetime.now(UTC),
    )
    db.session.commit()
    url = f"{live_url}/practice/{practice.id}"
    phone.goto(f"{url}/1")
    question_map = phone.get_by_role("navigation", name="Questions")
    phone.get_by_role("button", name="Flag for later").tap()
    expect(phone.get_by_text("Flagged for later", exact=False).first).to_be_visible()
    expect(
        question_map.get_by_role("link", name="Question 1: not answered, flagged")
    ).to_be_visible()
    fits(phone)
    check_accessibility(phone)
    phone.screenshot(path=str(SHOTS / "item-flagged.png"), full_page=True)

    phone.get_by_role("link", name="Skip", exact=True).tap()
    expect(phone).to_have_url(f"{url}/2")
    phone.locator(".form-check-label").first.tap()
    phone.get_by_role("button", name="Next").tap()
    expect(phone).to_have_url(f"{url}/3")
    # Back to 2: answered once, its answer shown read-only until the end.
    phone.get_by_role("link", name="Back").tap()
    expect(phone.locator("[data-saved-answer]")).to_contain_text("True")
    expect(phone.locator("[data-answer-form]")).to_have_count(0)
    expect(question_map.get_by_role("link", name="Question 2: answered")).to_have_attribute(
        "aria-current", "page"
    )
    fits(phone)
    check_accessibility(phone)
    phone.screenshot(path=str(SHOTS / "item-answered.png"), full_page=True)

    phone.get_by_role("link", name="Finish the session").tap()
    unanswered = phone.locator("[data-unanswered]")
    expect(unanswered).to_contain_text("Question 1 (flagged for later)")
    expect(unanswered).to_contain_text("Question 3")
    fits(phone)
    check_accessibility(phone)
    phone.screenshot(path=str(SHOTS / "finish.png"), full_page=True)
    phone.get_by_role("button", name="Finish now and see my score").tap()
    expect(phone.locator("#score")).to_have_text("1 / 3 · 33%")
    fits(phone)
    check_accessibility(phone)
    phone.screenshot(path=str(SHOTS / "results.png"), full_page=True)
