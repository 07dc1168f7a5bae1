"""Moodle's quiz statistics, checked against figures worked out by hand below."""

from __future__ import annotations

import math

import defusedxml.ElementTree as ET
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.analytics.item_analysis import (
    NEGATIVE_DISCRIMINATION,
    TOO_EASY,
    TOO_HARD,
    WEAK_DISCRIMINATION,
    AttemptMarks,
    ItemQuestion,
    item_analysis,
    item_analysis_chart,
    select_attempts,
    shown,
)
from app.errors import Invalid

approx = pytest.approx

QUESTIONS = [
    ItemQuestion("q1", "multiple_choice", "Q1", ("A", "B", "C", "D")),
    ItemQuestion("q2", "true_false", "Q2", ("True", "False")),
    ItemQuestion("q3", "short_answer", "Q3"),
    ItemQuestion("q4", "multiple_choice", "Q4", ("X", "Y", "Z")),
]
MAX = {"q1": 1, "q2": 1, "q3": 2, "q4": 1}
# Six students, one attempt each. Q4 everyone got right; totals 4, 4 and 1, 1 tie.
#          q1  q2  q3  q4   T
ROWS = [
    ((1, 1, 2, 1), ("B", "True", "Paris", "X")),  # 5
    ((1, 0, 2, 1), ("B", "False", " paris ", "X")),  # 4
    ((1, 1, 1, 1), ("B", "True", "Lyon", "X")),  # 4
    ((0, 1, 1, 1), ("A", "True", "lyon", "X")),  # 3
    ((0, 0, 0, 1), ("C", "False", "Marseille", "X")),  # 1
    ((0, 0, 0, 1), (None, "False", "", "X")),  # 1
]


def attempts() -> list[AttemptMarks]:
    keys = list(MAX)
    return [
        AttemptMarks(
            student_id=n,
            number=1,
            marks={k: (float(m), float(MAX[k])) for k, m in zip(keys, marks, strict=True)},
            responses=dict(zip(keys, answers, strict=True)),
        )
        for n, (marks, answers) in enumerate(ROWS, start=1)
    ]


@pytest.fixture
def analysis():
    return item_analysis(QUESTIONS, attempts())


def by_key(analysis):
    return {q.key: q for q in analysis.questions}


def test_quiz_figures_match_the_hand_computation(analysis):
    quiz = analysis.quiz
    # T = 5, 4, 4, 3, 1, 1; S = 6; max total 1 + 1 + 2 + 1 = 5.
    assert quiz.attempts == 6
    assert quiz.max_total == 5
    assert quiz.mean == approx(3.0)  # 18 / 6
    assert quiz.median == approx(3.5)  # sorted 1 1 3 4 4 5: (3 + 4) / 2
    # Deviations 2, 1, 1, 0, −2, −2: squares sum to 14, V(T) = 14 / 5 = 2.8.
    assert quiz.sd == approx(math.sqrt(2.8))  # 1.673320
    # m2 = 14/6, m3 = (8 + 1 + 1 + 0 − 8 − 8)/6 = −1, m4 = (16 + 1 + 1 + 0 + 16 + 16)/6 = 50/6.
    # k3 = S² m3 / ((S−1)(S−2)) = 36 × −1 / 20 = −1.8; skewness = k3 / k2^1.5 = −1.8 / 2.8^1.5.
    assert quiz.skewness == approx(-0.384181, abs=1e-6)
    # k4 = S² ((S+1) m4 − 3 (S−1) m2²) / ((S−1)(S−2)(S−3))
    #    = 36 (7 × 50/6 − 15 × 196/36) / 60 = 36 (175/3 − 245/3) / 60 = −14;
    # kurtosis = k4 / k2² = −14 / 7.84.
    assert quiz.kurtosis == approx(-1.785714, abs=1e-6)
    # Item variances 0.3 + 0.3 + 0.8 + 0 = 1.4; alpha = 4/3 × (1 − 1.4/2.8) = 2/3.
    assert quiz.cronbach_alpha == approx(2 / 3)
    # Error ratio √(1 − alpha) = √(1/3); standard error = ER × SD = 0.577350 × 1.673320.
    assert quiz.error_ratio == approx(0.577350, abs=1e-6)
    assert quiz.standard_error == approx(0.966092, abs=1e-6)


def test_question_figures_match_the_hand_computation(analysis):
    q = by_key(analysis)
    # Facility: mean mark / max. q1 3/6, q2 3/6, q3 (6/6)/2, q4 1.
    assert [q[k].facility for k in MAX] == approx([0.5, 0.5, 0.5, 1.0])
    # q1, q2: Σ(x − 0.5)² = 6 × 0.25 = 1.5, V = 1.5/5 = 0.3. q3: Σ(x − 1)² = 4, V = 0.8,
    # SD as a fraction of its max: √0.8 / 2. q4: no spread.
    assert [q[k].sd for k in MAX] == approx([math.sqrt(0.3), math.sqrt(0.3), 0.447214, 0.0])
    # One option of 4; true/false; typed answers; one option of 3.
    assert [q[k].random_guess_score for k in MAX] == approx([0.25, 0.5, 0.0, 1 / 3])
    assert [q[k].intended_weight for k in MAX] == approx([20, 20, 40, 20])  # max / 5
    # Cov(x, T) with T deviations 2, 1, 1, 0, −2, −2:
    # q1 (1 + .5 + .5 + 0 + 1 + 1)/5 = 0.8; q2 (1 − .5 + .5 + 0 + 1 + 1)/5 = 0.6;
    # q3 (2 + 1 + 0 + 0 + 2 + 2)/5 = 1.4; q4 0. (They add up to V(T) = 2.8.)
    # Effective weight = 100 √C / (√0.8 + √0.6 + √1.4 + 0) = 100 √C / 2.852240.
    assert [q[k].effective_weight for k in MAX] == approx(
        [31.358765, 27.157487, 41.483747, 0.0], abs=1e-5
    )
    assert not any(q[k].negative_covariance for k in MAX)


def test_discrimination_uses_the_rest_of_the_test(analysis):
    q = by_key(analysis)
    # q1: X = T − x = 4 3 3 3 1 1, V(X) = 7.5/5 = 1.5, Cov(x, X) = Cov(x, T) − V(x) = 0.5;
    #     r = 0.5 / √(0.3 × 1.5) = 0.745356.
    # q2: X = 4 4 3 2 1 1, V(X) = 9.5/5 = 1.9, Cov = 0.6 − 0.3 = 0.3; r = 0.3 / √0.57.
    # q3: X = 3 2 3 2 1 1, V(X) = 4/5 = 0.8, Cov = 1.4 − 0.8 = 0.6; r = 0.6 / 0.8.
    assert q["q1"].discrimination_index == approx(74.5356, abs=1e-4)
    assert q["q2"].discrimination_index == approx(39.7360, abs=1e-4)
    assert q["q3"].discrimination_index == approx(75.0)
    # Everyone right: no spread, so no correlation; shown as a dash.
    assert q["q4"].discrimination_index is None
    assert shown(q["q4"].discrimination_index) == "—"


def test_discriminative_efficiency_sorts_both_marks(analysis):
    q = by_key(analysis)
    # q1: sorted x 0 0 0 1 1 1 against sorted X 1 1 3 3 3 4 (the order it already has):
    #     Cov_max = (.75 + .75 − .25 + .25 + .25 + .75)/5 = 0.5 = Cov; 100 %.
    # q2: sorted X 1 1 2 3 4 4 (mean 2.5): Cov_max = (.75+.75+.25+.25+.75+.75)/5 = 0.7;
    #     0.3 / 0.7. Ties in X (1 1, 4 4) sort either way to the same figure.
    # q3: sorted x 0 0 1 1 2 2, sorted X 1 1 2 2 3 3: Cov_max = 4/5 = 0.8; 0.6 / 0.8.
    assert q["q1"].discriminative_efficiency == approx(100.0)
    assert q["q2"].discriminative_efficiency == approx(300 / 7)
    assert q["q3"].discriminative_efficiency == approx(75.0)
    assert q["q4"].discriminative_efficiency is None


def test_options_are_counted_and_wrong_answers_grouped(analysis):
    q = by_key(analysis)
    assert q["q1"].option_counts == (("A", 1), ("B", 3), ("C", 1), ("D", 0))
    assert q["q1"].unanswered == 1
    assert q["q2"].option_counts == (("True", 3), ("False", 3))
    # Below full marks: "Lyon" twice (case and spaces aside), "Marseille" once.
    assert q["q3"].common_wrong_answers == (("Lyon", 2), ("Marseille", 1))
    assert q["q3"].unanswered == 1
    assert q["q4"].option_counts == (("X", 6), ("Y", 0), ("Z", 0))


def test_flags(analysis):
    assert by_key(analysis)["q4"].flags == (TOO_EASY,)
    assert by_key(analysis)["q1"].flags == ()
    # Two questions where the weaker students do better on q2, and q3 barely tells apart.
    questions = [ItemQuestion(k, "numerical") for k in ("q1", "q2", "q3")]
    rows = [(1, 0, 0), (1, 0, 1), (1, 1, 0), (0, 1, 0), (0, 1, 0)]
    keys = ("q1", "q2", "q3")
    marks = [
        AttemptMarks(n, 1, {k: (float(m), 1.0) for k, m in zip(keys, row, strict=True)})
        for n, row in enumerate(rows)
    ]
    q = {s.key: s for s in item_analysis(questions, marks).questions}
    assert NEGATIVE_DISCRIMINATION in q["q2"].flags
    assert q["q3"].facility == approx(0.2) and TOO_HARD not in q["q3"].flags
    low = item_analysis(questions[:1], [AttemptMarks(1, 1, {"q1": (0.0, 1.0)})])
    assert low.questions[0].flags == (TOO_HARD,)
    # x = 1 1 0 0 against the rest X = 2 0 1 1 (mean 1, deviations 1 −1 0 0):
    # Cov ∝ 0.5 × 1 + 0.5 × −1 = 0, so r = 0: weak, not negative.
    weak = item_analysis(
        [ItemQuestion("w", "essay"), ItemQuestion("rest", "numerical")],
        [
            AttemptMarks(n, 1, {"w": (x, 1.0), "rest": (r, 2.0)})
            for n, (x, r) in enumerate([(1.0, 2.0), (1.0, 0.0), (0.0, 1.0), (0.0, 1.0)])
        ],
    )
    assert weak.questions[0].discrimination_index == approx(0.0, abs=1e-9)
    assert weak.questions[0].flags == (WEAK_DISCRIMINATION,)


def test_a_quiz_of_one_question():
    questions = [ItemQuestion("only", "true_false", "Only", ("True", "False"))]
    marks = [AttemptMarks(n, 1, {"only": (m, 1.0)}) for n, m in enumerate([1.0, 0.0, 1.0])]
    result = item_analysis(questions, marks)
    only = result.questions[0]
    # x = 1 0 1: facility 2/3, V = ((1/3)² × 2 + (2/3)²)/2 = 1/3.
    assert only.facility == approx(2 / 3)
    assert only.sd == approx(math.sqrt(1 / 3))
    # The rest of the test is empty (all 0): no correlation and no efficiency.
    assert only.discrimination_index is None
    assert only.discriminative_efficiency is None
    assert only.intended_weight == approx(100.0)
    assert only.effective_weight == approx(100.0)  # √V / √V
    # Alpha needs two questions; skewness is defined from 3 attempts, kurtosis from 4.
    assert result.quiz.cronbach_alpha is None
    assert result.quiz.error_ratio is None and result.quiz.standard_error is None
    # T = 1 0 1: m3 = ((1/3)³ × 2 − (2/3)³)/3 = −2/27; k3 = 9 × (−2/27)/2 = −1/3;
    # skewness = −(1/3) / (1/3)^1.5 = −√3.
    assert result.quiz.skewness == approx(-math.sqrt(3))
    assert result.quiz.kurtosis is None


def test_one_attempt_or_none_defines_no_spread():
    one = item_analysis(QUESTIONS, attempts()[:1])
    assert one.quiz.attempts == 1
    assert one.quiz.mean == approx(5.0) and one.quiz.median == approx(5.0)
    assert one.quiz.sd is None and one.quiz.skewness is None and one.quiz.cronbach_alpha is None
    for q in one.questions:
        assert q.sd is None and q.discrimination_index is None
        assert q.effective_weight is None
    none = item_analysis(QUESTIONS, [])
    assert none.quiz.attempts == 0 and none.quiz.mean is None and none.quiz.median is None
    assert all(q.facility is None for q in none.questions)
    assert shown(none.quiz.mean) == "—"
    assert shown(0.12345) == "0.12"


def test_a_question_missing_from_an_attempt_scored_zero():
    marks = [
        AttemptMarks(1, 1, {"a": (1.0, 1.0), "b": (2.0, 2.0)}),
        AttemptMarks(2, 1, {"a": (1.0, 1.0)}),
    ]
    result = item_analysis([ItemQuestion("a", "essay"), ItemQuestion("b", "essay")], marks)
    assert [q.facility for q in result.questions] == approx([1.0, 0.5])  # b: (2 + 0)/2/2
    assert result.quiz.max_total == 3


def test_negative_covariance_leaves_effective_weight_undefined():
    # b is answered right by the students who score low elsewhere.
    rows = [(1, 0, 1), (1, 0, 1), (0, 1, 0), (0, 1, 0), (1, 1, 1)]
    keys = ("a", "b", "c")
    marks = [
        AttemptMarks(n, 1, {k: (float(m), 1.0) for k, m in zip(keys, row, strict=True)})
        for n, row in enumerate(rows)
    ]
    # T = 2 2 1 1 3 (mean 1.8); b deviations −.6 −.6 .4 .4 .4 against T's .2 .2 −.8 −.8 1.2:
    # Σ = −.12 − .12 − .32 − .32 + .48 = −0.4 < 0.
    b = item_analysis([ItemQuestion(k, "essay") for k in keys], marks).questions[1]
    assert b.negative_covariance and b.effective_weight is None


@pytest.mark.parametrize(
    ("choice", "numbers"),
    [("first", [1, 1]), ("last", [3, 1]), ("highest", [2, 1]), ("all", [1, 2, 3, 1])],
)
def test_attempt_selection(choice, numbers):
    def attempt(student, number, mark):
        return AttemptMarks(student, number, {"q": (mark, 5.0)})

    # Student 1 scores 2, 5, 5: the highest is the earlier of the two fives.
    given_ = [attempt(1, 3, 5.0), attempt(2, 1, 1.0), attempt(1, 1, 2.0), attempt(1, 2, 5.0)]
    assert [a.number for a in select_attempts(given_, choice)] == numbers


def test_bad_input_is_refused_with_a_message():
    with pytest.raises(Invalid, match="first, all, highest or last"):
        select_attempts([], "best")  # type: ignore[arg-type]
    with pytest.raises(Invalid, match="only once"):
        item_analysis([ItemQuestion("a", "essay")] * 2, [])
    with pytest.raises(Invalid, match="numbers"):
        item_analysis([ItemQuestion("a", "essay")], [AttemptMarks(1, 1, {"a": (math.nan, 1.0)})])


def test_chart_shows_both_figures_per_question(analysis):
    root = ET.fromstring(item_analysis_chart(analysis))
    ns = "{http://www.w3.org/2000/svg}"
    tips = [
        g.find(f"{ns}title").text for g in root.iter(f"{ns}g") if g.find(f"{ns}title") is not None
    ]
    assert "Q1, Facility index: 50%" in tips
    assert "Q3, Discrimination index: 75%" in tips
    assert "Q4, Discrimination index: —" in tips
    assert "without a discrimination index" in root.find(f"{ns}desc").text


MARKS = st.sampled_from([0.0, 0.25, 0.5, 1.0])


@st.composite
def quizzes(draw):
    count = draw(st.integers(1, 5))
    maxima = draw(st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.0]), min_size=count, max_size=count))
    questions = [
        ItemQuestion(f"q{i}", draw(st.sampled_from(["multiple_choice", "short_answer"])))
        for i in range(count)
    ]
    rows = draw(st.lists(st.lists(MARKS, min_size=count, max_size=count), max_size=8))
    marks = [
        AttemptMarks(n, 1, {f"q{i}": (f * maxima[i], maxima[i]) for i, f in enumerate(row)})
        for n, row in enumerate(rows)
    ]
    return questions, marks


@given(quizzes())
def test_any_quiz_gives_bounded_figures_and_no_nan(quiz):
    result = item_analysis(*quiz)
    figures = [v for v in vars(result.quiz).values() if isinstance(v, float)]
    for q in result.questions:
        figures += [v for v in vars(q).values() if isinstance(v, float)]
        assert q.facility is None or 0 <= q.facility <= 1
        assert q.discrimination_index is None or -100 <= q.discrimination_index <= 100
    assert not any(math.isnan(v) or math.isinf(v) for v in figures)
    assert result.quiz.cronbach_alpha is None or result.quiz.cronbach_alpha <= 1
    item_analysis_chart(result)
