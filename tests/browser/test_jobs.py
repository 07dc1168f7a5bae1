"""A job's status page follows the job without a reload by hand, and passes axe-core."""

from __future__ import annotations

import threading

from playwright.sync_api import expect

from app.extensions import db
from app.jobs import enqueue, register_job, wait_for_threads
from tests.factories import PASSWORD


def test_the_status_page_polls_until_the_job_is_done(
    app, live_url, page, student, check_accessibility, console_errors
):
    halfway, release = threading.Event(), threading.Event()

    def slow(session, params, progress, now):
        progress(0.4, "Fitting parameters to 900 earlier answers.")
        halfway.set()
        assert release.wait(120)
        return {"message": "Optimal retention for you: 0.85."}

    register_job("test_slow", slow)
    job = enqueue("test_slow", user_id=student.id)
    job_id = job.id
    db.session.commit()
    assert halfway.wait(10)

    page.goto(f"{live_url}/auth/login")
    page.get_by_label("Email").fill(student.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_url}/study/jobs/{job_id}")
    expect(page.get_by_text("Fitting parameters to 900 earlier answers.")).to_be_visible()
    expect(page.locator("progress[data-job-progress]")).to_have_attribute("value", "40")
    expect(page.get_by_role("link", name="refresh")).to_be_visible()
    check_accessibility(page)

    release.set()
    # The page notices by itself that the job finished and shows the result.
    expect(page.get_by_text("Optimal retention for you: 0.85.")).to_be_visible(timeout=15000)
    expect(page.get_by_role("link", name="refresh")).to_have_count(0)
    check_accessibility(page)
    assert wait_for_threads()

    # The settings page offers the optimizer with its rescheduling choice.
    page.goto(f"{live_url}/study/settings")
    expect(page.get_by_role("heading", name="Personal parameters")).to_be_visible()
    check_accessibility(page)
    assert console_errors == []
