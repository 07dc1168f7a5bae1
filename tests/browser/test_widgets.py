"""Every question type answered by keyboard on a desktop and by touch on a phone, checked by axe.

Phone screenshots of each type are saved under test-results/widgets/.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import Question
from tests.factories import PASSWORD, make_bank, make_card, make_question

KINDS = [
    "multiple_choice",
    "true_false",
    "multiple_response",
    "short_answer",
    "numerical",
    "cloze",
    "matching",
    "ordering",
    "flashcard",
    "essay",
]
SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "widgets"
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}


@pytest.fixture
def questions(app):
    bank = make_bank("Widgets")
    return bank, {kind: make_question(bank, kind) for kind in KINDS}


def _login(page, live_url, student) -> None:
    page.goto(f"{live_url}/auth/login")
    page.get_by_label("Email").fill(student.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Logged in as")).to_be_visible()


def _focused(page) -> str:
    return page.evaluate(
        "() => { const e = document.activeElement; return e.name || e.className || e.tagName; }"
    )


def _answer_by_keyboard(page, kind: str) -> None:
    key = page.keyboard
    if kind in ("multiple_choice", "true_false"):
        key.press("2")
        expect(page.locator("[data-option-key='2']")).to_be_checked()
        key.press("1")
        expect(page.locator("[data-option-key='1']")).to_be_checked()
        key.press("Enter")
    elif kind == "multiple_response":
        assert _focused(page) == "choices"
        key.press("1")
        key.press("2")
        expect(page.locator("[data-option-key='2']")).to_be_checked()
        key.press("Enter")
    elif kind in ("short_answer", "numerical"):
        key.type("1956")
        key.press("Enter")
    elif kind == "cloze":
        assert _focused(page) == "gap-1"
        key.type("Stalin")
        key.press("Enter")
    elif kind == "matching":
        assert "matching-slot" in _focused(page)
        # The first item is chosen; Tab on to the answers and press Enter on two of them.
        for _ in range(2):
            key.press("Tab")
        assert "matching-right" in _focused(page)
        key.press("Enter")
        key.press("Tab")
        key.press("Enter")
        expect(page.locator("[data-matching-status]")).to_contain_text("Every item has an answer")
        assert all(
            v
            for v in page.locator("select.matching-select").evaluate_all(
                "els => els.map(e => e.value)"
            )
        )
        page.get_by_role("button", name="Check answer").focus()
        key.press("Enter")
    elif kind == "ordering":
        assert _focused(page) == "btn btn-sm btn-outline-dark ordering-move"
        first = page.locator(".ordering-item").first.inner_text().split("\n")[0]
        key.press("Tab")  # Down, for the first item
        key.press("Enter")
        status = page.locator("[data-ordering-status]")
        expect(status).to_contain_text("position 2 of 3")
        values = page.locator("select.ordering-position").evaluate_all(
            "els => els.map(e => e.value).sort()"
        )
        assert values == ["1", "2", "3"], (first, values)
        page.get_by_role("button", name="Check answer").focus()
        key.press("Enter")
    elif kind == "flashcard":
        page.get_by_role("button", name="Show answer").focus()
        key.press("Enter")
    elif kind == "essay":
        page.get_by_label("Your answer").focus()
        key.type("He broke with the terror.")
        key.press("Tab")
        key.press("Enter")


def _answer_by_touch(page, kind: str) -> None:
    if kind in ("multiple_choice", "true_false", "multiple_response"):
        page.locator(".form-check-label").first.tap()
    elif kind in ("short_answer", "numerical", "essay"):
        page.locator("input[name], textarea[name]").last.fill("1956")
    elif kind == "cloze":
        page.locator("[name=gap-1]").fill("Stalin")
    elif kind == "matching":
        slots = page.locator(".matching-slot")
        rights = page.locator(".matching-right")
        slots.nth(1).tap()
        rights.nth(0).tap()
        slots.nth(0).tap()
        rights.nth(1).tap()
        values = page.locator("select.matching-select").evaluate_all("els => els.map(e => e.value)")
        assert all(values) and len(set(values)) == len(values)
    elif kind == "ordering":
        page.get_by_role("button", name="Move down").first.tap()
        expect(page.locator("[data-ordering-status]")).to_contain_text("position 2 of 3")


def _no_overflow(page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    wide = page.evaluate(
        "() => [...document.querySelectorAll('main *')].filter("
        "e => e.getBoundingClientRect().right > window.innerWidth).slice(0, 5)"
        ".map(e => e.tagName + ' ' + Math.round(e.getBoundingClientRect().right))"
    )
    assert width <= page.viewport_size["width"], f"{page.url} is {width} px wide: {wide}"


def test_every_type_by_keyboard_on_a_desktop(
    live_url, page, student, questions, check_accessibility, console_errors
):
    bank, by_kind = questions
    _login(page, live_url, student)
    for kind, question in by_kind.items():
        page.goto(f"{live_url}/banks/{bank.id}/questions/{question.id}")
        assert console_errors == [], kind
        check_accessibility(page)
        _answer_by_keyboard(page, kind)
        if kind in ("flashcard", "essay"):
            expect(page.locator("main")).to_contain_text(
                "Answer" if kind == "flashcard" else "Model answer"
            )
        else:
            expect(page.get_by_role("status").filter(has_text="score")).to_be_visible()
        check_accessibility(page)
    assert console_errors == []


def test_every_type_by_touch_on_a_phone(browser, live_url, student, questions, check_accessibility):
    bank, by_kind = questions
    context = browser.new_context(**PHONE)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _login(page, live_url, student)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for kind, question in by_kind.items():
        page.goto(f"{live_url}/banks/{bank.id}/questions/{question.id}")
        for hint in page.locator(".kbd-hint").all():
            expect(hint).to_be_hidden()
        _answer_by_touch(page, kind)
        _no_overflow(page)
        check_accessibility(page)
        page.screenshot(path=str(SHOTS / f"{kind}.png"), full_page=True)
        button = page.get_by_role("button", name="Show answer").or_(
            page.get_by_role("button", name="Check answer")
        )
        with page.expect_navigation():
            button.tap()
        _no_overflow(page)
        check_accessibility(page)
    context.close()
    assert errors == []


def test_study_keys_enter_help_undo_and_phone_ratings(
    browser, live_url, page, student, check_accessibility, console_errors
):
    from app.models import StudySettings

    bank = make_bank("Keys")
    make_question(
        bank,
        "multiple_choice",
        content={
            "prompt": "Who gave the Secret Speech?",
            "options": [
                {"text": "Khrushchev", "correct": True},
                {"text": "Stalin", "correct": False},
            ],
        },
    )
    flashcard = make_question(bank, "flashcard")
    due = datetime.now(UTC) - timedelta(minutes=1)
    make_card(student.id, db.session.get(Question, flashcard.id - 1), due=due)
    make_card(student.id, flashcard, due=due)
    db.session.add(StudySettings(user_id=student.id, new_per_day=5))
    db.session.commit()
    _login(page, live_url, student)
    page.goto(f"{live_url}/study/")
    key = page.keyboard
    key.press("?")
    expect(page.locator("#study-keys")).to_be_visible()
    expect(page.locator("#study-keys")).to_contain_text("Suspend the card")
    check_accessibility(page)
    key.press("?")
    expect(page.locator("#study-keys")).to_be_hidden()
    for _ in range(2):
        if page.locator("[data-option-key]").count():
            page.locator("main").click(position={"x": 5, "y": 5})
            key.press("1")
            key.press("Enter")
        else:
            key.press("Space")
        expect(page.locator("[data-ratings]")).to_be_visible()
        check_accessibility(page)
        # Enter accepts the suggested rating (or the focused one on a revealed flashcard).
        with page.expect_navigation():
            key.press("Enter")
    expect(page.locator("[data-key='undo']")).to_be_visible()
    with page.expect_navigation():
        key.press("u")
    expect(page.get_by_text("undone")).to_be_visible()
    with page.expect_navigation():
        key.press("-")
    expect(page.get_by_text("Card buried until tomorrow.")).to_be_visible()
    with page.expect_navigation():
        key.press("Control+z")
    expect(page.get_by_text("undone")).to_be_visible()
    assert console_errors == []

    phone = browser.new_context(**PHONE)
    mobile = phone.new_page()
    _login(mobile, live_url, student)
    mobile.goto(f"{live_url}/study/")
    if mobile.locator("[data-option-key]").count():
        mobile.locator(".form-check-label").first.tap()
        with mobile.expect_navigation():
            mobile.get_by_role("button", name="Check answer").tap()
    else:
        # The back is in the page: revealing it sends no request.
        mobile.get_by_role("button", name="Show answer").tap()
        expect(mobile.locator("[data-ratings]")).to_be_visible()
    boxes = [b.bounding_box() for b in mobile.locator(".rating-button").all()]
    assert len(boxes) == 4 and len({round(b["y"]) for b in boxes}) == 1, boxes
    assert all(b["x"] >= 0 and b["x"] + b["width"] <= 390 for b in boxes), boxes
    assert all(b["y"] + b["height"] <= 844 for b in boxes), boxes
    for hint in mobile.locator(".kbd-hint").all():
        expect(hint).to_be_hidden()
    _no_overflow(mobile)
    check_accessibility(mobile)
    mobile.screenshot(path=str(SHOTS / "study-ratings.png"), full_page=False)
    mobile.goto(f"{live_url}/progress/")
    check_accessibility(mobile)
    mobile.screenshot(path=str(SHOTS / "progress.png"), full_page=True)
    phone.close()


def test_matching_by_touch_wraps_long_text_and_uses_each_answer_once(browser, live_url, student):
    long_right = (
        "The Secret Speech to a closed session of the Twentieth Congress of the Communist "
        "Party, denouncing the cult of personality"
    )
    bank = make_bank("Matching")
    question = make_question(
        bank,
        "matching",
        content={
            "prompt": "Match each event to what happened.",
            "pairs": [
                {"left": "February 1956, in Moscow, before the delegates", "right": long_right},
                {"left": "March 1953", "right": "Stalin dies"},
                {"left": "October 1964", "right": "Khrushchev is removed"},
            ],
        },
    )
    context = browser.new_context(**PHONE)
    page = context.new_page()
    _login(page, live_url, student)
    page.goto(f"{live_url}/banks/{bank.id}/questions/{question.id}")
    slots, rights = page.locator(".matching-slot"), page.locator(".matching-right")
    selects = page.locator("select.matching-select")
    values = lambda: selects.evaluate_all("els => els.map(e => e.value)")  # noqa: E731
    longest = rights.filter(has_text="Secret Speech")
    # The long answer wraps inside the phone's width instead of being cut or widening the page.
    box = longest.bounding_box()
    line = float(longest.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)"))
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["height"] > 2 * line, box
    assert longest.evaluate("e => e.scrollWidth <= e.clientWidth")
    # Tap an item, then its partner.
    slots.nth(0).tap()
    longest.tap()
    chosen = values()
    assert chosen[0] and not any(chosen[1:])
    expect(slots.nth(0)).to_contain_text("Secret Speech")
    # The same answer tapped for another item moves there: each answer is used once.
    slots.nth(1).tap()
    longest.tap()
    assert values()[0] == "" and values()[1] == chosen[0]
    expect(slots.nth(1)).to_contain_text("Secret Speech")
    expect(slots.nth(0)).to_contain_text("Choose a match")
    _no_overflow(page)
    page.screenshot(path=str(SHOTS / "matching-long.png"), full_page=True)
    context.close()
