from __future__ import annotations

from playwright.sync_api import expect

from tests.factories import PASSWORD


def test_newcomer_registers_logs_out_logs_in_and_sees_home(
    live_url, page, check_accessibility, console_errors, tmp_path
):
    page.goto(live_url)
    check_accessibility(page)
    page.get_by_role("link", name="Create an account").first.click()
    expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    check_accessibility(page)
    page.get_by_label("Email").fill("newcomer@example.com")
    page.get_by_label("Display name").fill("Newcomer")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    page.get_by_label("Time zone").select_option("Europe/Berlin")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Hello, Newcomer")).to_be_visible()
    check_accessibility(page)

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    check_accessibility(page)
    page.get_by_label("Email").fill("NEWCOMER@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    expect(page.get_by_role("heading", name="Hello, Newcomer")).to_be_visible()
    expect(page.get_by_text("What to do next")).to_be_visible()
    check_accessibility(page)
    page.screenshot(path=str(tmp_path / "home.png"), full_page=True)
    assert (tmp_path / "home.png").stat().st_size > 0
    assert console_errors == []


def test_bad_registration_shows_field_errors(live_url, page, check_accessibility):
    page.goto(f"{live_url}/auth/register")
    page.get_by_label("Email").fill("someone@example.com")
    page.get_by_label("Display name").fill("Someone")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Repeat password").fill("short")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("The password must be at least 10 characters.")).to_be_visible()
    check_accessibility(page)
