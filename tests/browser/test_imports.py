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


QUIZLET = "Thaw\tThe relaxation after Stalin's death\nSputnik\tThe first satellite, 1957\n"


def test_a_student_imports_quizlet_and_anki_into_a_deck_and_studies_it(
    live_url, page, student, check_accessibility, console_errors, tmp_path
):
    from tests.anki_packages import build_package

    quizlet = tmp_path / "cards.txt"
    quizlet.write_text(QUIZLET, encoding="utf-8")
    package = tmp_path / "history.apkg"
    package.write_bytes(build_package(tmp_path))
    page.goto(f"{live_url}/auth/login")
    page.get_by_label("Email").fill(student.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("link", name="Import", exact=True).click()
    page.get_by_label("File").set_input_files(str(quizlet))
    page.get_by_label("Name of the new deck").fill("My history")
    page.get_by_role("button", name="Preview the import").click()
    expect(page.get_by_role("link", name="2 to create")).to_be_visible()
    page.get_by_role("button", name="Confirm the import").click()
    expect(page.get_by_text("Imported into “My history”: 2 created")).to_be_visible()

    page.get_by_role("link", name="Import", exact=True).click()
    page.get_by_label("File").set_input_files(str(package))
    page.get_by_label("Into bank").select_option(label="My history")
    page.get_by_role("button", name="Preview the import").click()
    expect(page.get_by_role("link", name="3 to create")).to_be_visible()
    check_accessibility(page)
    page.get_by_label("Bring my review history along into my reviews").check()
    page.get_by_role("button", name="Confirm the import").click()
    expect(page.get_by_text("Imported into “My history”: 3 created")).to_be_visible()
    page.get_by_role("link", name="The Kremlin").click()
    # The Anki note's picture is served from the media store.
    source = page.locator("main img").first.get_attribute("src")
    assert source.startswith("/media/")
    assert page.request.get(f"{live_url}{source}").status == 200
    page.go_back()

    page.get_by_role("button", name="Add bank to my reviews").click()
    page.get_by_role("link", name="Study", exact=True).click()
    expect(page.locator("[data-study]")).to_be_visible()
    check_accessibility(page)
    assert console_errors == []


def test_admin_imports_aiken_moodle_xml_csv_and_anki_in_the_browser(
    live_url, page, admin, console_errors, tmp_path
):
    from tests.anki_packages import build_package
    from tests.web.test_imports import AIKEN, CSV, MOODLE_XML

    files = {
        "quiz.txt": (AIKEN, 1),
        "quiz.xml": (MOODLE_XML, 2),
        "quiz.csv": (CSV, 2),
        "quiz.apkg": (build_package(tmp_path), 3),
    }
    page.goto(f"{live_url}/auth/login")
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    for name, (data, count) in files.items():
        path = tmp_path / name
        path.write_bytes(data if isinstance(data, bytes) else data.encode())
        page.goto(f"{live_url}/imports/")
        page.get_by_label("File").set_input_files(str(path))
        page.get_by_label("Into bank").select_option(label="A new bank (name it below)")
        page.get_by_label("Name of the new bank").fill(f"From {name}")
        page.get_by_role("button", name="Preview the import").click()
        expect(page.get_by_role("link", name=f"{count} to create")).to_be_visible()
        page.get_by_role("button", name="Confirm the import").click()
        expect(page.get_by_text(f"Imported into “From {name}”: {count} created")).to_be_visible()
    assert console_errors == []
