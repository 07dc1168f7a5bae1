"""Aiken, Moodle's plain multiple-choice format: reader and writer.

A question is its text (one line or several), then options `A.` or `A)` one per line, then
`ANSWER: X`. A missing or out-of-range ANSWER, or an option with no question before it, is
an error at its line. Only multiple choice questions can be written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .common import ReadResult, WriteResult, decode
from .pipeline import FormatError, Location, QuestionDraft

NAME = "aiken"
SUFFIXES = (".txt", ".aiken")
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_OPTION = re.compile(r"^([A-Z])[.)]\s+(.*\S)\s*$")
_ANSWER = re.compile(r"^ANSWER:\s*(\S*)\s*$", re.I)


def read(data: bytes | str, file: str | None = None) -> ReadResult:
    result = ReadResult(NAME)
    text = decode(data, file)
    prompt: list[str] = []
    options: list[str] = []
    start = 0
    number = 0

    def location(line: int) -> Location:
        return Location(file, line, label=f"question {number}")

    def reset() -> None:
        nonlocal prompt, options
        prompt, options = [], []

    for line_no, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        answer = _ANSWER.match(line)
        option = _OPTION.match(line)
        if answer:
            if not prompt:
                number += 1
                result.drafts.append(
                    FormatError(
                        "an ANSWER line with no question before it.", location=location(line_no)
                    )
                )
                reset()
                continue
            letter = answer.group(1).upper()
            if not options:
                result.drafts.append(
                    FormatError(
                        "the question has no options (A. ..., B. ...).", location=location(start)
                    )
                )
            elif len(letter) != 1 or letter not in LETTERS[: len(options)]:
                last = LETTERS[len(options) - 1]
                result.drafts.append(
                    FormatError(
                        f"ANSWER: {answer.group(1) or '(nothing)'} is not one of the "
                        f"options A to {last}.",
                        location=location(line_no),
                    )
                )
            else:
                correct = LETTERS.index(letter)
                result.drafts.append(
                    QuestionDraft(
                        kind="multiple_choice",
                        content={
                            "prompt": "\n".join(prompt),
                            "options": [
                                {"text": t, "correct": i == correct} for i, t in enumerate(options)
                            ],
                        },
                        location=location(start),
                    )
                )
            reset()
            continue
        if option and (options or prompt):
            expected = LETTERS[len(options)]
            if option.group(1) != expected:
                result.drafts.append(
                    FormatError(
                        f"option {option.group(1)} where option {expected} was expected.",
                        location=location(line_no),
                    )
                )
                reset()
                continue
            options.append(option.group(2).strip())
            continue
        if option and not prompt:
            number += 1
            result.drafts.append(
                FormatError(
                    "an option line with no question before it.", location=location(line_no)
                )
            )
            continue
        if options:
            # Text after the options: the question before had no ANSWER line.
            result.drafts.append(
                FormatError("the question has no ANSWER line.", location=location(start))
            )
            reset()
        if not prompt:
            number += 1
            start = line_no
        prompt.append(line)
    if prompt:
        result.drafts.append(
            FormatError(
                "the question has no ANSWER line." if options else "a question with no options.",
                location=location(start),
            )
        )
    return result


def _line(text: str) -> str:
    return " ".join(str(text).split())


def write(drafts: Iterable[QuestionDraft]) -> WriteResult:
    result = WriteResult(NAME, b"")
    out: list[str] = []
    for draft in drafts:
        label = f"{draft.external_id or 'a question'} ({draft.kind})"
        if draft.kind != "multiple_choice":
            result.left_out.append(f"{label}: Aiken holds multiple choice questions only.")
            continue
        options = draft.content["options"]
        if len(options) > len(LETTERS):
            result.left_out.append(f"{label}: Aiken holds at most 26 options.")
            continue
        prompt = "\n".join(
            line.strip() for line in draft.content["prompt"].split("\n") if line.strip()
        )
        out.append(prompt)
        for letter, option in zip(LETTERS, options, strict=False):
            out.append(f"{letter}. {_line(option['text'])}")
        correct = next(i for i, o in enumerate(options) if o["correct"])
        out.append(f"ANSWER: {LETTERS[correct]}")
        out.append("")
        result.count(draft.kind)
        if draft.explanation or any(o.get("feedback") for o in options):
            result.notes.append(f"{label}: Aiken has no feedback; it was left out.")
    result.data = "\n".join(out).encode("utf-8")
    return result
