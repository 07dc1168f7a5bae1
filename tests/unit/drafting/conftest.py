from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from app.drafting import draft_document
from app.sources.documents import split_sections

ROOT = Path(__file__).resolve().parents[3]
SEED = ROOT / "seed_data"


def seeded_documents() -> list[dict]:
    manifest = yaml.safe_load((SEED / "sources" / "manifest.yaml").read_text())
    documents = []
    for spec in manifest["documents"]:
        text = (SEED / "sources" / spec["file"]).read_text(encoding="utf-8")
        spec = dict(spec, text=text)
        spec["structure"] = split_sections(text, spec["sections"], spec.get("skip", ()))
        documents.append(spec)
    return documents


@pytest.fixture(scope="session")
def seeded() -> list[dict]:
    return seeded_documents()


@pytest.fixture(scope="session")
def seeded_drafts(seeded) -> dict[str, list]:
    return {d["slug"]: draft_document(d["slug"], d["short_title"], d["structure"]) for d in seeded}
