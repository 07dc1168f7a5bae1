"""The benchmarks never drop a database they did not create."""

from __future__ import annotations

from pathlib import Path

from benchmarks import large_decks, quiz_load, results_pages, scratch, study_loop


def test_study_loop_takes_its_database_from_a_flag_or_the_environment(monkeypatch):
    monkeypatch.setenv("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1/mine")
    args = study_loop.parse_args([])
    assert args.database_url.endswith("/mine") and args.database_kind == "postgresql"
    args = study_loop.parse_args(["--database-url", "sqlite:////tmp/x.db"])
    assert args.database_kind == "sqlite"


def test_no_benchmark_drops_a_database_by_a_fixed_name():
    sources = [Path(module.__file__).read_text() for module in (study_loop, large_decks)]
    history = Path(study_loop.__file__).with_name("history.py").read_text()
    assert '"bench"' not in sources[0] and "recreate_database" not in history
    # The only DROP DATABASE is drop_database, called on the run's own names.
    assert history.count("DROP DATABASE") == 1
    assert "for name in created" in sources[0]
    # The large-deck and results benchmarks build through scratch_database, whose one
    # DROP DATABASE is of the name it has just created.
    for module in (large_decks, results_pages):
        text = Path(module.__file__).read_text()
        assert "scratch_database(" in text and "DROP DATABASE" not in text
    own = Path(scratch.__file__).read_text()
    assert own.count("DROP DATABASE") == 1 and 'DROP DATABASE IF EXISTS "{created}"' in own
    # The quiz load refuses a database that exists, so the one it drops is its own.
    quiz = Path(quiz_load.__file__).read_text()
    assert quiz.count("DROP DATABASE") == 1 and "exists: name a new one" in quiz
