"""Item analysis of a quiz with Moodle's statistics, over plain data.

Input: the quiz's questions (their key, kind and options) and its finished attempts, each
a mapping of question key to (mark, max mark) plus what was answered. Output: per
question and per quiz the figures of Moodle's quiz statistics report, as defined in
MoodleDocs "Quiz statistics calculations". Variances divide by n − 1. A figure the data
cannot define (one attempt, one question, marks all alike) is None, never NaN: `shown`
prints it as "—".

Notation as in Moodle: x is a question's mark in each attempt, T the attempt's total,
X = T − x the rest of the test, S the number of attempts, k the number of questions.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import median
from typing import Literal

import numpy as np

from ..errors import Invalid
from ..numbers import format_number
from .charts import grouped_bar_chart

AttemptChoice = Literal["first", "all", "highest", "last"]
ATTEMPT_CHOICES: tuple[AttemptChoice, ...] = ("first", "all", "highest", "last")

# Moodle's report highlights these; facility is a fraction, discrimination Moodle's percent.
TOO_EASY_ABOVE = 0.9
TOO_HARD_BELOW = 0.2
WEAK_DISCRIMINATION_BELOW = 20.0

TOO_EASY = "too easy"
TOO_HARD = "too hard"
NEGATIVE_DISCRIMINATION = "negative discrimination"
WEAK_DISCRIMINATION = "weak discrimination"

CHOICE_KINDS = frozenset({"multiple_choice", "multiple_response", "true_false"})
TEXT_KINDS = frozenset({"short_answer", "numerical"})
COMMON_WRONG_ANSWERS = 5

Response = str | Sequence[str] | None


@dataclass(frozen=True)
class ItemQuestion:
    """One question of the quiz. `options`: for choice kinds the options in the order
    shown (they are counted by that text); for matching the answers to choose from."""

    key: str
    kind: str
    label: str = ""
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class AttemptMarks:
    """A finished attempt. `marks`: question key → (mark, max mark); a question missing
    from it scored 0. `responses`: question key → the chosen option text(s) or the typed
    answer. `number` orders a student's attempts (1 = the first)."""

    student_id: int
    number: int
    marks: Mapping[str, tuple[float, float]]
    responses: Mapping[str, Response] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(mark for mark, _ in self.marks.values())


@dataclass(frozen=True)
class QuestionStatistics:
    key: str
    label: str
    kind: str
    attempts: int
    max_mark: float
    facility: float | None  # mean mark / max mark, 0 to 1
    sd: float | None  # of the mark, as a fraction of the max mark (as Moodle shows it)
    random_guess_score: float | None  # expected fraction of the max mark by guessing
    intended_weight: float | None  # percent of the quiz's max total
    effective_weight: float | None  # percent; None when Cov(x, T) < 0
    negative_covariance: bool
    discrimination_index: float | None  # 100 × r(x, X), −100 to 100
    discriminative_efficiency: float | None  # 100 × Cov(x, X) / Cov_max(x, X)
    option_counts: tuple[tuple[str, int], ...] = ()
    unanswered: int = 0
    common_wrong_answers: tuple[tuple[str, int], ...] = ()
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class QuizStatistics:
    attempts: int
    max_total: float
    mean: float | None  # marks
    median: float | None
    sd: float | None
    skewness: float | None
    kurtosis: float | None
    cronbach_alpha: float | None  # the coefficient of internal consistency, at most 1
    error_ratio: float | None  # √(1 − alpha), a fraction
    standard_error: float | None  # error ratio × SD, in marks


@dataclass(frozen=True)
class ItemAnalysis:
    quiz: QuizStatistics
    questions: tuple[QuestionStatistics, ...]


def select_attempts(
    attempts: Iterable[AttemptMarks], choice: AttemptChoice = "first"
) -> list[AttemptMarks]:
    """The attempts the statistics use: each student's first (Moodle's default: later
    attempts build on earlier ones), last or highest (the earlier of equal totals), or all."""
    if choice not in ATTEMPT_CHOICES:
        raise Invalid("Choose first, all, highest or last attempts.", field="attempts")
    ordered = sorted(attempts, key=lambda a: (a.student_id, a.number))
    if choice == "all":
        return ordered
    by_student: dict[int, list[AttemptMarks]] = {}
    for attempt in ordered:
        by_student.setdefault(attempt.student_id, []).append(attempt)
    if choice == "first":
        return [own[0] for own in by_student.values()]
    if choice == "last":
        return [own[-1] for own in by_student.values()]
    # max() keeps the first of equal totals, and `own` runs from the first attempt.
    return [max(own, key=lambda a: a.total) for own in by_student.values()]


def item_analysis(
    questions: Sequence[ItemQuestion], attempts: Sequence[AttemptMarks]
) -> ItemAnalysis:
    """Every figure of the report for these attempts (already selected)."""
    keys = [q.key for q in questions]
    if len(set(keys)) != len(keys):
        raise Invalid("Each question may appear only once.", field="questions")
    marks, maxima = _matrix(keys, attempts)
    count = marks.shape[0]
    totals = marks.sum(axis=1)
    max_total = float(maxima.sum())
    # Cov(x_i, T) for every question: the effective weights share one denominator.
    with_total = [_cov(marks[:, i], totals) for i in range(len(keys))]
    root_sum = sum(math.sqrt(c) for c in with_total if c is not None and c >= 0)
    stats = []
    for i, question in enumerate(questions):
        x = marks[:, i]
        rest = totals - x
        top = float(maxima[i])
        facility = float(x.mean()) / top if count and top > 0 else None
        sd = _sd(x)
        covariance = with_total[i]
        discrimination = _correlation(x, rest)
        efficiency = _efficiency(x, rest)
        stats.append(
            QuestionStatistics(
                key=question.key,
                label=question.label or question.key,
                kind=question.kind,
                attempts=count,
                max_mark=top,
                facility=facility,
                sd=sd / top if sd is not None and top > 0 else None,
                random_guess_score=random_guess_score(question),
                intended_weight=100 * top / max_total if max_total > 0 else None,
                effective_weight=(
                    100 * math.sqrt(covariance) / root_sum
                    if covariance is not None and covariance >= 0 and root_sum > 0
                    else None
                ),
                negative_covariance=covariance is not None and covariance < 0,
                discrimination_index=None if discrimination is None else 100 * discrimination,
                discriminative_efficiency=None if efficiency is None else 100 * efficiency,
                **_responses(question, attempts, top),
                flags=_flags(facility, discrimination),
            )
        )
    return ItemAnalysis(_quiz_statistics(marks, totals, max_total), tuple(stats))


def random_guess_score(question: ItemQuestion) -> float | None:
    """Moodle's per type: one option of n (multiple choice, matching), a half for
    true/false, 0 for typed answers. Moodle computes none for multiple response."""
    if question.kind == "true_false":
        return 0.5
    if question.kind in ("multiple_choice", "matching"):
        return 1 / len(question.options) if question.options else None
    if question.kind == "multiple_response":
        return None
    return 0.0


def shown(value: float | None, places: int = 2) -> str:
    """A figure for a table: "—" when the data cannot define it."""
    return "—" if value is None else format_number(value, places)


def item_analysis_chart(analysis: ItemAnalysis, chart_id: str = "item-analysis") -> str:
    """Facility and discrimination index per question, both on Moodle's percent scale,
    as an SVG to inline above the table of the same figures."""
    questions = analysis.questions
    facility = [None if q.facility is None else 100 * q.facility for q in questions]
    discrimination = [q.discrimination_index for q in questions]
    undefined = sum(1 for value in discrimination if value is None)
    desc = (
        f"Facility index and discrimination index of {len(questions)} questions, "
        f"in percent; discrimination below 0 means stronger students did worse."
    )
    if undefined:
        desc += f" {undefined} without a discrimination index: their marks do not vary."
    return grouped_bar_chart(
        [q.label for q in questions],
        [("Facility index", facility), ("Discrimination index", discrimination)],
        "Facility and discrimination per question",
        "Question",
        "Percent",
        desc=desc if questions else None,
        value_format=_percent,
        y_max=100,
        chart_id=chart_id,
    )


def _percent(value: float) -> str:
    return f"{format_number(value, 1)}%"


# -- the computations --------------------------------------------------------------


def _matrix(keys: list[str], attempts: Sequence[AttemptMarks]) -> tuple[np.ndarray, np.ndarray]:
    """Marks as an attempts × questions array, and each question's max mark (the largest
    any attempt gives it: a regrade may have raised it)."""
    column = {key: i for i, key in enumerate(keys)}
    marks = np.zeros((len(attempts), len(keys)))
    maxima = np.zeros(len(keys))
    for row, attempt in enumerate(attempts):
        for key, (mark, top) in attempt.marks.items():
            if key not in column:
                continue
            if not (math.isfinite(mark) and math.isfinite(top)) or top < 0:
                raise Invalid(f"Marks must be numbers, and max marks not negative ({key}).")
            marks[row, column[key]] = mark
            maxima[column[key]] = max(maxima[column[key]], top)
    return marks, maxima


def _constant(values: np.ndarray) -> bool:
    # Exactly: a mean of equal floats may differ from them in the last bit, which would
    # give a variance of 1e-34 instead of 0 and a meaningless correlation.
    return values.size == 0 or bool(np.all(values == values[0]))


def _cov(a: np.ndarray, b: np.ndarray) -> float | None:
    if a.size < 2:
        return None
    if _constant(a) or _constant(b):
        return 0.0
    return float(np.dot(a - a.mean(), b - b.mean()) / (a.size - 1))


def _sd(values: np.ndarray) -> float | None:
    variance = _cov(values, values)
    return None if variance is None else math.sqrt(variance)


def _correlation(x: np.ndarray, rest: np.ndarray) -> float | None:
    """Pearson's r; None when either side does not vary (one question: X is all 0)."""
    if x.size < 2 or _constant(x) or _constant(rest):
        return None
    covariance = _cov(x, rest) or 0.0
    r = covariance / math.sqrt(_cov(x, x) * _cov(rest, rest))  # type: ignore[operator]
    return max(-1.0, min(1.0, r))


def _efficiency(x: np.ndarray, rest: np.ndarray) -> float | None:
    """Cov(x, X) over the largest covariance the same marks allow: both sorted alike."""
    if x.size < 2 or _constant(x) or _constant(rest):
        return None
    best = _cov(np.sort(x), np.sort(rest)) or 0.0
    if best <= 0:
        return None
    return (_cov(x, rest) or 0.0) / best


def _quiz_statistics(marks: np.ndarray, totals: np.ndarray, max_total: float) -> QuizStatistics:
    count, items = marks.shape
    if count == 0:
        return QuizStatistics(0, max_total, None, None, None, None, None, None, None, None)
    mean = float(totals.mean())
    variance = _cov(totals, totals)
    sd = None if variance is None else math.sqrt(variance)
    skewness = kurtosis = None
    if variance:
        deviations = totals - mean
        m2 = float(np.mean(deviations**2))
        m3 = float(np.mean(deviations**3))
        m4 = float(np.mean(deviations**4))
        k2 = variance  # = S m2 / (S − 1)
        if count >= 3:
            k3 = count**2 * m3 / ((count - 1) * (count - 2))
            skewness = k3 / k2**1.5
        if count >= 4:
            k4 = (
                count**2
                * ((count + 1) * m4 - 3 * (count - 1) * m2**2)
                / ((count - 1) * (count - 2) * (count - 3))
            )
            kurtosis = k4 / k2**2
    alpha = error_ratio = standard_error = None
    if items >= 2 and variance:
        item_variances = sum(_cov(marks[:, i], marks[:, i]) or 0.0 for i in range(items))
        alpha = items / (items - 1) * (1 - item_variances / variance)
        # Var(T) ≤ k ΣVar(x_i), so alpha ≤ 1; min() only absorbs a rounding error.
        alpha = min(alpha, 1.0)
        error_ratio = math.sqrt(1 - alpha)
        standard_error = error_ratio * sd if sd is not None else None
    return QuizStatistics(
        attempts=count,
        max_total=max_total,
        mean=mean,
        median=float(median(totals.tolist())),
        sd=sd,
        skewness=skewness,
        kurtosis=kurtosis,
        cronbach_alpha=alpha,
        error_ratio=error_ratio,
        standard_error=standard_error,
    )


def _responses(question: ItemQuestion, attempts: Sequence[AttemptMarks], top: float) -> dict:
    """How many chose each option, and the most common wrong typed answers."""
    if question.kind in CHOICE_KINDS:
        counts: Counter[str] = Counter()
        unanswered = 0
        for attempt in attempts:
            chosen = attempt.responses.get(question.key)
            picked = [chosen] if isinstance(chosen, str) else list(chosen or [])
            picked = [p for p in picked if p != ""]
            if not picked:
                unanswered += 1
            counts.update(set(picked))
        # The options in their order, then anything else answered (an option since removed).
        others = sorted(set(counts) - set(question.options))
        options = tuple((option, counts[option]) for option in (*question.options, *others))
        return {"option_counts": options, "unanswered": unanswered}
    if question.kind in TEXT_KINDS:
        wrong: Counter[str] = Counter()
        spelling: dict[str, str] = {}
        unanswered = 0
        for attempt in attempts:
            text = attempt.responses.get(question.key)
            text = " ".join(text.split()) if isinstance(text, str) else ""
            if not text:
                unanswered += 1
                continue
            mark, _ = attempt.marks.get(question.key, (0.0, top))
            if mark < top:
                folded = text.casefold()
                spelling.setdefault(folded, text)
                wrong[folded] += 1
        common = sorted(wrong.items(), key=lambda item: (-item[1], item[0]))
        return {
            "common_wrong_answers": tuple(
                (spelling[text], n) for text, n in common[:COMMON_WRONG_ANSWERS]
            ),
            "unanswered": unanswered,
        }
    return {}


def _flags(facility: float | None, discrimination: float | None) -> tuple[str, ...]:
    flags = []
    if facility is not None and facility > TOO_EASY_ABOVE:
        flags.append(TOO_EASY)
    if facility is not None and facility < TOO_HARD_BELOW:
        flags.append(TOO_HARD)
    if discrimination is not None:
        if discrimination < 0:
            flags.append(NEGATIVE_DISCRIMINATION)
        elif 100 * discrimination < WEAK_DISCRIMINATION_BELOW:
            flags.append(WEAK_DISCRIMINATION)
    return tuple(flags)
