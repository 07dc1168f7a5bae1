"""The domain packages stand on their own: no Flask, no views, no import cycle."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_PACKAGES = [
    "app.questions",
    "app.scheduling",
    "app.analytics",
    "app.attempts",
    "app.formats",
    "app.drafting",
    "app.curation",
]
WEB_MODULES = ("flask", "flask_wtf", "flask_login", "flask_sqlalchemy")


def _modules(package: str) -> list[str]:
    path = ROOT / package.replace(".", "/")
    names = [package]
    for info in pkgutil.walk_packages([str(path)], prefix=f"{package}."):
        names.append(info.name)
    return names


@pytest.mark.parametrize("package", DOMAIN_PACKAGES)
def test_every_module_imports_alone_without_flask(package):
    # Each module first, in a fresh interpreter: a cycle shows up as an ImportError for
    # whichever module happens to be imported first.
    script = (
        "import importlib, sys\n"
        f"for name in {_modules(package)!r}:\n"
        "    for key in [k for k in sys.modules if k == 'app' or k.startswith('app.')]:\n"
        "        del sys.modules[key]\n"
        "    importlib.import_module(name)\n"
        f"    loaded = sorted(m for m in {WEB_MODULES!r} if m in sys.modules)\n"
        "    assert not loaded, (name, loaded)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
