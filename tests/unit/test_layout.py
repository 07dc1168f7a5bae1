"""Feature packages follow one convention, and pure helpers load without their views."""

from __future__ import annotations

import subprocess
import sys

import pytest

FEATURES = ["core", "auth", "study", "practice", "progress", "banks", "classes", "sources", "admin"]


@pytest.mark.parametrize("name", FEATURES)
def test_each_feature_exposes_the_blueprint_its_views_define(name):
    import importlib

    feature = importlib.import_module(f"app.{name}")
    views = importlib.import_module(f"app.{name}.views")
    assert feature.bp is views.bp
    assert feature.bp.name == name and feature.bp.template_folder == "templates"


def test_source_documents_load_without_the_sources_views():
    code = (
        "import sys, app.sources.documents; "
        "assert 'app.sources.views' not in sys.modules, 'views loaded'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
