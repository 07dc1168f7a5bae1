"""An admin imports a GIFT file in the browser: upload, preview, confirm, then the bank."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.factories import PASSWORD

GIFT = """$CATEGORY: $course$/top/Capitals

::cap-fr:: What is the capital of France? {=Paris ~Lyon ~Nice}

::cap-it:: Rome is the capital of Italy.{T}
"""


def test_admin_imports_a_gift_file_with_preview_and_confirm(
    live_url, page, admin, check_accessibility, console_errors, tmp_path
):
    path = tmp_path / "capitals.gift"
    path.write_text(GIFT, encoding="utf-8")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_url}/auth/login")
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("link", name="Import", exact=True).click()
    expect(page.get_by_role("heading", name="Import questions")).to_be_visible()
    check_accessibility(page)
    page.get_by_label("File").set_input_files(str(path))
    page.get_by_label("Into bank").select_option(label="A new bank (name it below)")
    page.get_by_label("Name of the new bank").fill("Capitals")
    page.get_by_role("button", name="Preview the import").click()

    expect(page.get_by_role("heading", name="Preview: capitals.gift")).to_be_visible()
    expect(page.get_by_role("link", name="2 to create")).to_be_visible()
    expect(page.get_by_role("cell", name="What is the capital of France?")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("button", name="Confirm the import").click()

    expect(page.get_by_role("heading", name="Capitals")).to_be_visible()
    expect(page.get_by_text("Imported into “Capitals”: 2 created")).to_be_visible()
    expect(page.get_by_role("link", name="What is the capital of France?")).to_be_visible()
    expect(page.get_by_role("link", name="Rome is the capital of Italy.")).to_be_visible()
    expect(page.get_by_label("Download as")).to_be_visible()
    check_accessibility(page)
    assert console_errors == []
