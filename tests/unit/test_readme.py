from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def readme_command(label: str) -> str:
    block = (ROOT / "README.md").read_text().split(f"**{label}**", 1)[1]
    return re.search(r"```sh\n(.+?)\n```", block, re.S).group(1).strip()


def test_ci_runs_the_readme_test_command():
    assert readme_command("Test") in (ROOT / ".ci" / "run").read_text()


def test_run_command_migrates_seeds_and_serves():
    command = readme_command("Run")
    steps = ["venv", "pip install", "db upgrade", "seed", "flask --app app run"]
    positions = [command.index(step) for step in steps]
    assert positions == sorted(positions)
