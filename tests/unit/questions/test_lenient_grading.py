"""Grading that accepts right answers: units, separators, years, spelling slips, articles."""

from __future__ import annotations

import pytest

from app.questions import ValidationError, grade, validate_content

GULAG = {
    "prompt": "About how many prisoners did the Gulag hold by 1953? Answer in millions.",
    "unit": "million prisoners",
    "units": [
        {"unit": "million", "multiplier": 1},
        {"unit": "prisoners", "multiplier": 0.000001},
    ],
    "answers": [{"value": 2.5, "tolerance": 0.1}],
}

PEOPLE = {
    "prompt": "How many?",
    "unit": "people",
    "units": [{"unit": "million", "multiplier": 1000000}, {"unit": "thousand", "multiplier": 1000}],
    "answers": [{"value": 2500000}],
}

YEAR = {"prompt": "When did Stalin die?", "year": True, "answers": [{"value": 1953}]}


@pytest.mark.parametrize(
    "typed",
    [
        "2.5",
        "2.5 million",
        "2,5 million",
        "2,500,000",
        "2500000",
        "2 500 000 prisoners",
        "2.5 Million Prisoners",
        "2.5 millions",
    ],
)
def test_scaled_answers_are_graded_by_value(typed: str) -> None:
    assert grade("numerical", GULAG, {"value": typed}).fraction == 1.0


@pytest.mark.parametrize(
    "typed", ["2.5 million", "2,500,000", "2500000", "2500 thousand", "2500000 people"]
)
def test_units_with_multipliers(typed: str) -> None:
    assert grade("numerical", PEOPLE, {"value": typed}).fraction == 1.0


def test_wrong_value_in_a_known_unit_scores_zero_without_a_unit_message() -> None:
    result = grade("numerical", PEOPLE, {"value": "3 million"})
    assert result.fraction == 0.0
    assert "Unit" not in result.feedback[0].message


def test_unknown_unit_says_so() -> None:
    result = grade("numerical", PEOPLE, {"value": "2.5 gazillion"})
    assert result.fraction == 0.0
    message = result.feedback[0].message
    assert message.startswith("Unit not recognised: “gazillion”")
    assert "“million”" in message and "“people”" in message


def test_text_that_is_not_a_number_says_so() -> None:
    result = grade("numerical", PEOPLE, {"value": "lots"})
    assert result.fraction == 0.0
    assert result.feedback[0].message.startswith("Not a number")


def test_decimal_comma_and_thousands_separators() -> None:
    content = {"prompt": "?", "answers": [{"value": 3.5}]}
    assert grade("numerical", content, {"value": "3,5"}).fraction == 1.0
    content = {"prompt": "?", "answers": [{"value": 1234567.5}]}
    assert grade("numerical", content, {"value": "1,234,567.5"}).fraction == 1.0


@pytest.mark.parametrize(
    "typed",
    ["1953", "in 1953", "In 1953", "1953 AD", "1953 A.D.", "1953 CE", "the year 1953", " 1953. "],
)
def test_year_with_words_around_it(typed: str) -> None:
    assert grade("numerical", YEAR, {"value": typed}).fraction == 1.0


@pytest.mark.parametrize("typed", ["1,953", "1.953", "1 953"])
def test_year_refuses_separators(typed: str) -> None:
    result = grade("numerical", YEAR, {"value": typed})
    assert result.fraction == 0.0
    assert "without separators" in result.feedback[0].message


def test_year_wrong_or_unreadable() -> None:
    assert grade("numerical", YEAR, {"value": "in 1956"}).fraction == 0.0
    result = grade("numerical", YEAR, {"value": "the fifties"})
    assert result.fraction == 0.0 and result.feedback[0].message.startswith("Not a year")


def test_plain_number_question_still_reads_separators() -> None:
    content = {"prompt": "How many?", "answers": [{"value": 1956}]}
    assert grade("numerical", content, {"value": "1,956"}).fraction == 1.0


@pytest.mark.parametrize(
    ("content", "field"),
    [
        ({**PEOPLE, "units": [{"unit": "million"}]}, "units[0].multiplier"),
        ({**PEOPLE, "units": [{"unit": "million", "multiplier": 0}]}, "units[0].multiplier"),
        ({**PEOPLE, "units": [{"unit": "people", "multiplier": 2}]}, "units[0].unit"),
        ({**PEOPLE, "units": [{"unit": "5", "multiplier": 2}]}, "units[0].unit"),
        ({**PEOPLE, "units": "million"}, "units"),
        ({**YEAR, "year": "yes"}, "year"),
        ({**YEAR, "unit": "AD"}, "year"),
    ],
)
def test_unit_validation(content: dict, field: str) -> None:
    with pytest.raises(ValidationError) as error:
        validate_content("numerical", content)
    assert error.value.field == field


def test_units_are_normalized() -> None:
    content = validate_content("numerical", PEOPLE)
    assert content["units"][0] == {"unit": "million", "multiplier": 1000000}
    assert validate_content("numerical", YEAR)["year"] is True
    assert validate_content("numerical", {"prompt": "?", "answers": [{"value": 1}]})["units"] == []


# -- typed answers -------------------------------------------------------------------------------

KHRUSHCHEV = {
    "prompt": "Who gave the Secret Speech?",
    "answers": [{"text": "Khrushchev"}, {"text": "Nikita Khrushchev"}],
}


@pytest.mark.parametrize("typed", ["Krushchev", "Khrushchve", "Khruschev", "Nikita Krushchev"])
def test_spelling_slip_gets_full_credit_and_a_note(typed: str) -> None:
    result = grade("short_answer", KHRUSHCHEV, {"text": typed})
    assert result.fraction == 1.0
    assert result.feedback[0].message.startswith("Almost: check the spelling (")


def test_almost_names_the_answer_meant() -> None:
    result = grade("short_answer", KHRUSHCHEV, {"text": "Krushchev"})
    assert result.feedback[0].message == "Almost: check the spelling (Khrushchev)"


def test_long_answer_allows_two_slips_short_one_allows_one() -> None:
    content = {"prompt": "?", "answers": [{"text": "Shostakovich"}]}
    assert grade("short_answer", content, {"text": "Shostakovitch"}).fraction == 1.0
    assert grade("short_answer", content, {"text": "Shostakovitsch"}).fraction == 1.0
    assert grade("short_answer", content, {"text": "Shostakowitsch"}).fraction == 0.0
    content = {"prompt": "?", "answers": [{"text": "Stalin"}]}
    assert grade("short_answer", content, {"text": "Stalni"}).fraction == 1.0
    assert grade("short_answer", content, {"text": "Staline"}).fraction == 1.0
    assert grade("short_answer", content, {"text": "Stolni"}).fraction == 0.0


@pytest.mark.parametrize(
    ("answer", "typed"),
    [
        ("Tito", "Tita"),
        ("1956", "1957"),
        ("20th", "21th"),
        ("KGB", "KGV"),
        ("1953-1964", "1953-1965"),
    ],
)
def test_no_slips_for_short_answers_or_numbers(answer: str, typed: str) -> None:
    content = {"prompt": "?", "answers": [{"text": answer}]}
    assert grade("short_answer", content, {"text": typed}).fraction == 0.0


def test_four_characters_or_fewer_allow_no_slip() -> None:
    content = {"prompt": "?", "answers": [{"text": "Tito"}]}
    assert grade("short_answer", content, {"text": "Tita"}).fraction == 0.0


def test_typo_credit_setting() -> None:
    content = {**KHRUSHCHEV, "typo_credit": 0.5}
    result = grade("short_answer", content, {"text": "Krushchev"})
    assert result.fraction == 0.5
    assert result.feedback[0].message == "Almost: check the spelling (Khrushchev)"
    assert grade("short_answer", content, {"text": "Khrushchev"}).fraction == 1.0
    with pytest.raises(ValidationError):
        validate_content("short_answer", {**KHRUSHCHEV, "typo_credit": 2})
    assert validate_content("short_answer", KHRUSHCHEV)["typo_credit"] == 1.0


def test_slip_never_counts_towards_a_wrong_answer() -> None:
    content = {
        "prompt": "?",
        "answers": [{"text": "Brezhnev"}, {"text": "Breshnev", "credit": 0, "feedback": "No."}],
    }
    assert grade("short_answer", content, {"text": "Breshnev"}).fraction == 0.0
    assert grade("short_answer", content, {"text": "Brezhnew"}).fraction == 1.0


@pytest.mark.parametrize("typed", ["the Thaw", "a Thaw", "Thaw", "The thaw."])
def test_one_extra_article_is_ignored(typed: str) -> None:
    content = {"prompt": "?", "answers": [{"text": "Thaw"}]}
    result = grade("short_answer", content, {"text": typed})
    assert result.fraction == 1.0
    assert result.feedback[0].message == ""


def test_two_extra_articles_are_not_ignored() -> None:
    content = {"prompt": "?", "answers": [{"text": "Thaw"}]}
    assert grade("short_answer", content, {"text": "the thaw"}).fraction == 1.0
    assert grade("short_answer", content, {"text": "the a thaw"}).fraction == 0.0


def test_all_exact_answers_are_shown() -> None:
    result = grade("short_answer", KHRUSHCHEV, {"text": "Brezhnev"})
    assert result.answer_text == "Khrushchev or Nikita Khrushchev"


CLOZE = {
    "prompt": "Fill in.",
    "text": "Khrushchev called for {{1}} principles in {{2}}.",
    "gaps": [{"answers": ["Leninist", "Lenin's"]}, {"answers": ["1956"]}],
}


def test_cloze_gap_slip_and_article() -> None:
    result = grade("cloze", CLOZE, {"gaps": ["Leninst", "1956"]})
    assert result.fraction == 1.0
    assert result.feedback[0].message == "Almost: check the spelling (Leninist)"
    assert grade("cloze", CLOZE, {"gaps": ["the Leninist", "1956"]}).fraction == 1.0
    assert grade("cloze", CLOZE, {"gaps": ["Leninist", "1957"]}).fraction == 0.5


def test_cloze_typo_credit_and_all_answers_shown() -> None:
    result = grade("cloze", {**CLOZE, "typo_credit": 0}, {"gaps": ["Leninst", "1965"]})
    assert result.fraction == 0.0
    assert result.feedback[0].message == "Almost: check the spelling (Leninist)"
    result = grade("cloze", CLOZE, {"gaps": ["Stalinist", ""]})
    assert result.feedback[0].message == "Answer: Leninist or Lenin's"
