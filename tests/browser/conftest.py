"""Browser tests: headless Debian Chromium driven by Playwright, pages checked by axe-core.

Without /usr/bin/chromium they skip (install it with `apt-get install -y chromium`);
with CI=true they fail instead, so a CI run cannot pass without them.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def pytest_collection_modifyitems(config, items):  # noqa: ARG001
    if Path(CHROMIUM).exists() or shutil.which("chromium"):
        return
    if os.environ.get("CI", "").lower() == "true":
        return  # the launch fails loudly below
    skip = pytest.mark.skip(
        reason=f"Chromium not found at {CHROMIUM}: install it with `apt-get install -y chromium`."
    )
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    }


@pytest.fixture
def live_url(app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def check_accessibility():
    """Run axe-core on the current page; fail on serious or critical violations."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page) -> None:
        # Colours read mid-transition (a button fading after a tap, an item sliding into
        # place) are neither the old nor the new ones: let every animation end first.
        page.evaluate(
            """() => Promise.all(document.getAnimations()
                .filter((a) => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
                .map((a) => a.finished.catch(() => null)))"""
        )
        results = axe.run(page)
        bad = [
            v for v in results.response["violations"] if v.get("impact") in {"serious", "critical"}
        ]
        details = "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']} -> "
            + ", ".join(str(n["target"]) for n in v["nodes"][:3])
            for v in bad
        )
        assert not bad, f"axe-core on {page.url}:\n{details}"

    return check


@pytest.fixture
def console_errors(page) -> list[str]:
    """Console errors, CSP violations included: a page must raise none."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors
