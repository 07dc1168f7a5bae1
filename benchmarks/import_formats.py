"""Import benchmark: a generated 10,000-question file per format, read, planned, applied.

For each format (GIFT, Aiken, Moodle XML, CSV, JSON, Anki .apkg) the script writes a file of
N questions with the app's own writer (a mix of every type the format holds; Aiken: multiple
choice; .apkg: flashcards and cloze),
then times reading it, planning and applying it into an empty bank and committing, and
prints questions per second and the peak memory of the import (tracemalloc, in a second
run so it does not slow the timed one). Targets: >= 2,000 questions/s for GIFT, Aiken,
CSV and JSON, >= 500 for Moodle XML and .apkg, peak under 300 MB.

    python -m benchmarks.import_formats [--count 10000] [--database URL]

The database defaults to a fresh SQLite file; pass BENCH_DATABASE_URL or --database for
PostgreSQL (its tables are dropped and created).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from benchmarks.bench_app import bench_app, sqlalchemy_url

TARGETS = {
    "gift": 2000,
    "aiken": 2000,
    "csv": 2000,
    "json": 2000,
    "moodlexml": 500,
    "apkg": 500,
}
KINDS = {
    "gift": ("multiple_choice", "multiple_response", "true_false", "short_answer", "numerical",
             "matching", "essay"),
    "aiken": ("multiple_choice",),
    "moodlexml": ("multiple_choice", "multiple_response", "true_false", "short_answer",
                  "numerical", "matching", "essay", "ordering", "cloze"),
    "csv": ("flashcard", "multiple_choice", "true_false", "short_answer", "numerical",
            "matching", "ordering", "essay", "cloze"),
    "json": ("flashcard", "multiple_choice", "multiple_response", "true_false", "short_answer",
             "numerical", "matching", "ordering", "essay", "cloze"),
    "apkg": ("flashcard", "cloze"),
}  # fmt: skip


def content(kind: str, n: int, rng: random.Random) -> dict:
    prompt = f"Question {n}: which of these is about topic {rng.randint(1, 500)}?"
    words = [f"answer {n}-{i}" for i in range(4)]
    if kind in ("multiple_choice", "multiple_response"):
        right = rng.randrange(4)
        return {
            "prompt": prompt,
            "options": [
                {"text": w, "correct": i == right or (kind == "multiple_response" and i == 0)}
                for i, w in enumerate(words)
            ],
        }
    if kind == "true_false":
        return {"prompt": prompt, "answer": bool(n % 2)}
    if kind == "short_answer":
        return {"prompt": prompt, "answers": [{"text": words[0]}, {"text": words[1]}]}
    if kind == "numerical":
        return {"prompt": prompt, "answers": [{"value": 1900 + n % 100, "tolerance": 1}]}
    if kind == "matching":
        return {"prompt": prompt, "pairs": [{"left": w, "right": f"right {w}"} for w in words[:3]]}
    if kind == "ordering":
        return {"prompt": prompt, "items": words}
    if kind == "essay":
        return {"prompt": prompt, "model_answer": f"A model answer for {n}."}
    if kind == "cloze":
        return {"prompt": "Fill in the gap.", "text": f"In {{{{1}}}} question {n} was set.",
                "gaps": [{"answers": ["1956"]}]}  # fmt: skip
    return {"prompt": prompt, "back": f"The back of card {n}."}


def generate(fmt: str, count: int) -> bytes:
    from app.formats import QuestionDraft
    from app.formats.registry import FORMATS
    from app.questions import validate_content

    rng = random.Random(12)
    kinds = KINDS[fmt]
    drafts = []
    for n in range(count):
        kind = kinds[n % len(kinds)]
        drafts.append(
            QuestionDraft(
                kind=kind,
                content=validate_content(kind, content(kind, n, rng)),
                external_id=f"bench-{n}",
                topic_path=f"Unit {n % 20}/Part {n % 3}",
                explanation=f"Because of reason {n}.",
            )
        )
    result = FORMATS[fmt].write(drafts)
    assert not result.left_out, result.left_out[:3]
    return result.data


def import_once(app, fmt: str, data: bytes, bank: str) -> tuple[float, int]:
    from app.extensions import db
    from app.formats.registry import import_drafts, read_file

    start = time.perf_counter()
    result = read_file(data, None, fmt)
    report = import_drafts(db.session, bank, result)
    db.session.commit()
    elapsed = time.perf_counter() - start
    assert not report.errors, report.errors[:3]
    return elapsed, report.created


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--formats", default=",".join(TARGETS))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite:///{Path(tmp) / 'bench.db'}"
        if url.startswith("postgresql://"):
            url = sqlalchemy_url(url)
        app = bench_app(url)
        rows = []
        missed = False
        with app.app_context():
            from app.extensions import db

            db.drop_all()
            db.create_all()
            for fmt in args.formats.split(","):
                data = generate(fmt, args.count)
                # A running server has its mappers configured and its statements compiled:
                # a small import of the same format first keeps that one-off cost out.
                import_once(app, fmt, generate(fmt, 50), f"warm-up {fmt}")
                elapsed, created = import_once(app, fmt, data, f"bench {fmt}")
                tracemalloc.start()
                import_once(app, fmt, data, f"bench {fmt} (memory)")
                peak = tracemalloc.get_traced_memory()[1] / 2**20
                tracemalloc.stop()
                rate = created / elapsed
                ok = rate >= TARGETS[fmt] and peak < 300
                missed = missed or not ok
                rows.append(
                    (fmt, len(data) / 2**20, created, elapsed, rate, TARGETS[fmt], peak, ok)
                )
                print(f"{fmt}: {rate:.0f} questions/s, peak {peak:.1f} MB", flush=True)
            db.session.remove()
            # Every pooled connection closed first: one left reading would hold the drop.
            db.engine.dispose()
            db.drop_all()
    engine = url.split(":", 1)[0]
    print(f"Import of {args.count} questions per format ({engine})")
    print(f"{'format':<10} {'file MB':>8} {'created':>8} {'seconds':>8} {'q/s':>8} "
          f"{'target':>7} {'peak MB':>8}  ok")  # fmt: skip
    for fmt, size, created, elapsed, rate, target, peak, ok in rows:
        print(f"{fmt:<10} {size:>8.2f} {created:>8} {elapsed:>8.2f} {rate:>8.0f} "
              f"{target:>7} {peak:>8.1f}  {'yes' if ok else 'NO'}")  # fmt: skip
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
