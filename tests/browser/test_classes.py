from __future__ import annotations

from playwright.sync_api import expect

from app.extensions import db
from app.models import ClassMember
from tests.factories import PASSWORD, make_bank


def log_in(page, live_url, user) -> None:
    page.goto(f"{live_url}/auth/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_teacher_creates_a_class_and_a_student_joins_on_a_phone_with_the_code(
    app, live_url, browser, teacher, student, check_accessibility, tmp_path
):
    make_bank("Cold War")
    desk = browser.new_page()
    errors: list[str] = []
    desk.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    log_in(desk, live_url, teacher)
    desk.get_by_role("link", name="Classes").click()
    desk.get_by_role("link", name="New class").click()
    check_accessibility(desk)
    desk.get_by_label("Name").fill("History 9B")
    desk.get_by_label("Time zone").select_option("Europe/Paris")
    desk.get_by_role("button", name="Create class").click()
    expect(desk.get_by_role("heading", name="History 9B")).to_be_visible()
    check_accessibility(desk)
    code = desk.locator("[data-join-code]").inner_text().strip()
    desk.get_by_label("Bank", exact=True).select_option(label="Cold War")
    desk.get_by_role("button", name="Share with the class").click()
    expect(desk.get_by_text("Cold War shared with the class.")).to_be_visible()
    desk.get_by_role("link", name="Show on a projector").click()
    qr = desk.get_by_role("img", name="QR code of the join link")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.naturalWidth") > 0
    check_accessibility(desk)

    phone = browser.new_page(viewport={"width": 375, "height": 740}, is_mobile=True)
    phone.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    log_in(phone, live_url, student)
    phone.goto(f"{live_url}/classes/")
    phone.get_by_label("Class code").fill(code.lower())
    phone.get_by_role("button", name="Join", exact=True).click()
    expect(phone.get_by_text("You are in History 9B.")).to_be_visible()
    expect(phone.get_by_role("link", name="Cold War")).to_be_visible()
    check_accessibility(phone)
    phone.screenshot(path=str(tmp_path / "class.png"), full_page=True)

    desk.goto(desk.url.replace("/projector", ""))
    expect(desk.get_by_role("cell", name=student.display_name)).to_be_visible()
    with app.app_context():
        assert db.session.query(ClassMember).filter_by(user_id=student.id).count() == 1
    assert errors == []
