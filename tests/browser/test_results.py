"""A teacher reads a quiz's results (gradebook, a grade override, the CSV, item analysis)
and what the class is forgetting.

Screenshots are saved under test-results/results/.
"""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import expect

from app.attempts import quizzes as rules
from app.extensions import db
from tests.factories import (
    CLOCK_START,
    PASSWORD,
    make_bank,
    make_class,
    make_question,
    make_quiz,
)
from tests.web.test_class_memory import reviewed

SHOTS = Path("test-results/results")


def log_in(page, live_url, user) -> None:
    page.goto(f"{live_url}/auth/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def take(quiz, student, answers, minutes) -> None:
    """A submitted attempt answering "true"/"false" to each question in turn."""
    attempt = rules.start_attempt(db.session, quiz, student.id, CLOCK_START)
    for position, answer in enumerate(answers, start=1):
        rules.save_answer(db.session, attempt, position, {"answer": answer}, 0, CLOCK_START)
    rules.finish_attempt(db.session, attempt, CLOCK_START + timedelta(minutes=minutes))
    db.session.commit()


def test_teacher_overrides_a_grade_downloads_the_csv_and_reads_the_item_analysis(
    app, live_url, browser, teacher, make_user, clock, check_accessibility, tmp_path
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    ada, bea, cy = (make_user(display_name=name) for name in ("Ada", "Bea", "Cy"))
    klass = make_class(teacher, students=[ada, bea, cy], name="History 9B")
    bank = make_bank("Cold War")
    first = make_question(
        bank, "true_false", content={"prompt": "Berlin wall, 1961.", "answer": True}
    )
    second = make_question(
        bank, "true_false", content={"prompt": "Sputnik, 1950.", "answer": False}
    )
    quiz = make_quiz(klass, questions=[first, second], title="Cold War check")
    take(quiz, ada, ["true", "false"], 12)  # 100%
    take(quiz, bea, ["true", "true"], 7)  # 50%
    take(quiz, cy, ["false", "true"], 3)  # 0%
    clock.set(CLOCK_START + timedelta(hours=1))
    errors: list[str] = []

    desk = browser.new_page()
    desk.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    log_in(desk, live_url, teacher)
    desk.goto(f"{live_url}/classes/{klass.id}")
    desk.get_by_role("link", name="Gradebook").click()
    cell = desk.locator(f'[data-grade="{quiz.id}-{cy.id}"]')
    expect(cell).to_contain_text("0%")
    expect(desk.locator(f'[data-grade="{quiz.id}-{ada.id}"]')).to_contain_text("(12 min)")
    check_accessibility(desk)

    cell.get_by_role("link", name="Override the grade of Cy").click()
    expect(desk.locator("#computed")).to_have_text("0%")
    desk.get_by_label("Grade (%)").fill("40")
    desk.get_by_label("Comment").fill("Sat the retake on paper")
    check_accessibility(desk)
    desk.get_by_role("button", name="Set the grade").click()
    expect(desk.get_by_text("Grade of Cy set.")).to_be_visible()
    expect(cell).to_contain_text("40%")
    expect(cell).to_contain_text("overridden")
    expect(cell).to_contain_text("(computed 0%: Sat the retake on paper)")
    desk.screenshot(path=str(SHOTS / "gradebook-desktop.png"), full_page=True)
    check_accessibility(desk)

    with desk.expect_download() as download_info:
        desk.get_by_role("link", name="Gradebook (CSV)").click()
    download = download_info.value
    assert download.suggested_filename == "History-9B-gradebook.csv"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    with saved.open(newline="", encoding="utf-8-sig") as handle:
        rows = {row["Student"]: row for row in csv.DictReader(handle)}
    assert rows["Cy"]["Cold War check (%)"] == "40.0"
    assert rows["Cy"]["Cold War check: note"] == (
        "overridden (computed 0.0): Sat the retake on paper"
    )
    assert rows["Ada"]["Cold War check (%)"] == "100.0"

    desk.get_by_role("link", name="Item analysis of Cold War check").click()
    # Q1: Ada and Bea right of three; Q2: Ada alone.
    facility = desk.locator("#question-statistics tbody tr[data-question] td:nth-child(3)")
    expect(facility).to_have_text(["66.7%", "33.3%"])
    desk.screenshot(path=str(SHOTS / "item-analysis-desktop.png"), full_page=True)
    check_accessibility(desk)

    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    phone = context.new_page()
    phone.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    log_in(phone, live_url, teacher)
    phone.goto(f"{live_url}/quizzes/classes/{klass.id}/gradebook")
    expect(phone.locator(f'[data-grade="{quiz.id}-{cy.id}"]')).to_contain_text("40%")
    check_accessibility(phone)
    phone.screenshot(path=str(SHOTS / "gradebook-phone.png"), full_page=True)
    phone.get_by_role("link", name="Item analysis of Cold War check").tap()
    expect(phone.locator("#question-statistics")).to_contain_text("66.7%")
    check_accessibility(phone)
    phone.screenshot(path=str(SHOTS / "item-analysis-phone.png"), full_page=True)
    context.close()
    assert errors == []


def test_teacher_reads_what_the_class_is_forgetting(
    app, live_url, browser, teacher, make_user, clock, check_accessibility
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    students = [make_user(display_name=f"Student {n}") for n in range(6)]
    students[0].share_reviews_with_classes = False
    bank = make_bank("Cold War", topics=("Berlin", "Space race"))
    wall = make_question(
        bank,
        "true_false",
        topic="Berlin",
        content={"prompt": "Berlin wall, 1961.", "answer": True},
    )
    sputnik = make_question(
        bank,
        "true_false",
        topic="Space race",
        content={"prompt": "Sputnik, 1950.", "answer": False},
    )
    klass = make_class(teacher, students=students, name="History 9B")
    make_quiz(klass, questions=[wall, sputnik], title="Cold War check")
    for student in students:
        reviewed(student, wall, stability=60.0)
        reviewed(student, sputnik, stability=1.0, lapses=3)
    db.session.commit()

    for size in ({"width": 1280, "height": 900}, {"width": 390, "height": 844}):
        phone = size["width"] == 390
        context = browser.new_context(viewport=size, is_mobile=phone, has_touch=phone)
        page = context.new_page()
        log_in(page, live_url, teacher)
        page.goto(f"{live_url}/classes/{klass.id}")
        link = page.get_by_role("link", name="Class memory")
        link.tap() if phone else link.click()
        expect(page.get_by_text("5 students share their review data; 1 opted out.")).to_be_visible()
        topics = page.locator("#topics")
        expect(topics).to_contain_text("Berlin")
        expect(topics).to_contain_text("Space race")
        forgotten = page.locator("#most-forgotten li")
        expect(forgotten.first).to_contain_text("Sputnik, 1950.")  # forgotten most
        expect(forgotten.first).to_contain_text("15 lapses")  # 3 lapses × 5 sharing
        check_accessibility(page)
        name = "phone" if phone else "desktop"
        page.screenshot(path=str(SHOTS / f"class-memory-{name}.png"), full_page=True)
        context.close()
