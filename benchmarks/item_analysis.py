"""Item analysis of a large quiz: 500 attempts × 40 questions, figures and chart.

    python -m benchmarks.item_analysis

Marks follow each student's ability (seeded), so that the covariances are realistic;
every question has four options and a chosen one per attempt. Printed: the median and
the slowest of 20 runs of `select_attempts`, `item_analysis` and `item_analysis_chart`
together, which the results page needs well within its second.
"""

from __future__ import annotations

import random
import statistics
import time

from app.analytics.item_analysis import (
    AttemptMarks,
    ItemQuestion,
    item_analysis,
    item_analysis_chart,
    select_attempts,
)

STUDENTS, QUESTIONS, RUNS = 500, 40, 20
KINDS = ("multiple_choice", "true_false", "short_answer", "multiple_response")


def build(rng: random.Random) -> tuple[list[ItemQuestion], list[AttemptMarks]]:
    questions = [
        ItemQuestion(f"q{i}", KINDS[i % len(KINDS)], f"Q{i + 1}", ("A", "B", "C", "D"))
        for i in range(QUESTIONS)
    ]
    attempts = []
    for student in range(STUDENTS):
        ability = rng.random()
        marks, responses = {}, {}
        for q in questions:
            right = rng.random() < 0.2 + 0.7 * ability
            marks[q.key] = (1.0 if right else 0.0, 1.0)
            responses[q.key] = "A" if right else rng.choice("BCD")
        attempts.append(AttemptMarks(student, 1, marks, responses))
    return questions, attempts


def main() -> None:
    questions, attempts = build(random.Random(14))
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        analysis = item_analysis(questions, select_attempts(attempts, "first"))
        item_analysis_chart(analysis)
        timings.append(time.perf_counter() - start)
    print(
        f"{STUDENTS} attempts × {QUESTIONS} questions: median "
        f"{statistics.median(timings) * 1000:.0f} ms, slowest {max(timings) * 1000:.0f} ms "
        f"(alpha {analysis.quiz.cronbach_alpha:.2f})"
    )


if __name__ == "__main__":
    main()
