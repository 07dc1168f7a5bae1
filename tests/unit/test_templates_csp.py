"""The Content-Security-Policy allows no inline script or style: templates carry none."""

from __future__ import annotations

import re
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
TEMPLATES = sorted(APP.rglob("*.html"))


def test_templates_are_found():
    assert len(TEMPLATES) > 20


def test_no_inline_style_attribute_or_script():
    offenders = []
    for path in TEMPLATES:
        text = path.read_text(encoding="utf-8")
        inline_style = re.search(r"<[a-zA-Z][^>]*\sstyle\s*=\s*[\"']", text)
        inline_script = re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text)
        if inline_style or inline_script:
            offenders.append(str(path.relative_to(APP)))
        if re.search(r"<[a-zA-Z][^>]*\son[a-z]+\s*=\s*[\"']", text):
            offenders.append(f"{path.relative_to(APP)} (event handler)")
    assert offenders == []
