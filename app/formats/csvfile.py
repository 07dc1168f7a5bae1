"""CSV and TSV: Quizlet's export (flashcards) and a multi-column file for every type.

Quizlet exports term and definition separated by a tab, a comma or a custom separator, and
cards separated by a newline or a semicolon; both are detected, or given. A file whose
first row names the columns `type` and `prompt` is the multi-column format:

The columns are listed in COLUMNS and explained in the README ("Import and export").
Inside a cell, `\\|` is a literal bar and `\\\\` a backslash.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from typing import Any

from ..questions import QUESTION_TYPES, ValidationError, validate_content
from .common import ReadResult, WriteResult, decode, number_text, parse_number
from .pipeline import FormatError, Location, QuestionDraft

NAME = "csv"
SUFFIXES = (".csv", ".tsv")
COLUMNS = (
    "id",
    "type",
    "topic",
    "difficulty",
    "prompt",
    "answer",
    "options",
    "correct",
    "text",
    "explanation",
    "tags",
    "content",
)
MAX_FIELD = 1_000_000


def split_cell(cell: str, sep: str = "|") -> list[str]:
    items, current, chars = [], [], iter(cell)
    for char in chars:
        if char == "\\":
            nxt = next(chars, "")
            if nxt in (sep, "\\"):
                current.append(nxt)
            else:
                current.append(char + nxt)
        elif char == sep:
            items.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    items.append("".join(current).strip())
    return [item for item in items if item]


def join_cell(items: Iterable[str], sep: str = "|") -> str:
    return sep.join(str(i).replace("\\", "\\\\").replace(sep, "\\" + sep) for i in items)


def is_multi_column(text: str) -> bool:
    first = text.lstrip().split("\n", 1)[0].lower()
    names = {n.strip().strip('"') for n in re.split(r"[,\t;]", first)}
    return {"type", "prompt"} <= names


def read(
    data: bytes | str,
    file: str | None = None,
    *,
    term_separator: str | None = None,
    card_separator: str | None = None,
) -> ReadResult:
    text = decode(data, file)
    if is_multi_column(text) and term_separator is None and card_separator is None:
        return read_columns(text, file)
    return read_quizlet(text, file, term_separator=term_separator, card_separator=card_separator)


# -- Quizlet ---------------------------------------------------------------------------------


def read_quizlet(
    text: str,
    file: str | None = None,
    *,
    term_separator: str | None = None,
    card_separator: str | None = None,
) -> ReadResult:
    result = ReadResult(NAME)
    body = text.strip("\n")
    if card_separator is None:
        card_separator = "\n" if "\n" in body or ";" not in body else ";"
    card_separator = {"newline": "\n", "semicolon": ";", "\\n": "\n"}.get(
        card_separator, card_separator
    )
    if term_separator is None:
        term_separator = "\t" if "\t" in body else ","
    term_separator = {"tab": "\t", "comma": ",", "\\t": "\t"}.get(term_separator, term_separator)
    if not term_separator or not card_separator:
        raise FormatError("the separators must not be empty.", location=Location(file))
    position = 0
    number = 0
    for card in body.split(card_separator):
        line = body.count("\n", 0, position) + 1
        position += len(card) + len(card_separator)
        if not card.strip():
            continue
        number += 1
        location = Location(
            file, line + card[: len(card) - len(card.lstrip())].count("\n"), label=f"card {number}"
        )
        term, found, definition = card.partition(term_separator)
        if not found:
            shown = "tab" if term_separator == "\t" else f"separator {term_separator!r}"
            result.drafts.append(
                FormatError(f"no {shown} between the term and its definition.", location=location)
            )
            continue
        result.drafts.append(
            QuestionDraft(
                kind="flashcard",
                content={"prompt": term.strip(), "back": definition.strip()},
                location=location,
            )
        )
    return result


# -- multi-column ----------------------------------------------------------------------------


def read_columns(text: str, file: str | None = None) -> ReadResult:
    result = ReadResult(NAME)
    first = text.lstrip().split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    csv.field_size_limit(MAX_FIELD)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (csv.Error, StopIteration) as exc:
        raise FormatError(
            f"the header row cannot be read ({exc}).", location=Location(file, 1)
        ) from exc
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown:
        raise FormatError(
            f"unknown column {unknown[0]!r} (the columns are: {', '.join(COLUMNS)}).",
            location=Location(file, 1),
        )
    line = reader.line_num + 1
    number = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            result.drafts.append(
                FormatError(f"the row cannot be read ({exc}).", location=Location(file, line))
            )
            break
        start, line = line, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        number += 1
        location = Location(file, start, label=f"row {number}")
        if len(row) > len(header):
            result.drafts.append(
                FormatError(
                    f"the row has {len(row)} cells but the header names {len(header)}.",
                    location=location,
                )
            )
            continue
        cells = {h: c.strip() for h, c in zip(header, row, strict=False) if h}
        try:
            result.drafts.append(row_draft(cells, location))
        except FormatError as exc:
            result.drafts.append(exc)
    return result


def row_draft(cells: dict[str, str], location: Location) -> QuestionDraft:
    kind = cells.get("type", "").strip().lower()
    if not kind:
        raise FormatError("the row names no type.", location=location)
    difficulty: int | None = None
    if cells.get("difficulty"):
        if cells["difficulty"] not in ("1", "2", "3"):
            raise FormatError("difficulty must be 1, 2 or 3.", location=location)
        difficulty = int(cells["difficulty"])
    return QuestionDraft(
        kind=kind,
        content=row_content(kind, cells, location),
        external_id=cells.get("id") or None,
        topic_path=cells.get("topic") or None,
        explanation=cells.get("explanation") or None,
        difficulty=difficulty,
        # Space-separated, as Anki writes them; a `tags` column that is there but empty clears them.
        tags=cells["tags"].split() if "tags" in cells else None,
        location=location,
    )


def _numbers(cell: str, count: int, location: Location) -> set[int]:
    chosen = set()
    for part in split_cell(cell):
        if len(part) == 1 and part.isalpha():
            n = ord(part.upper()) - ord("A") + 1
        elif part.isdigit():
            n = int(part)
        else:
            raise FormatError(f"{part!r} in `correct` is not an option number.", location=location)
        if not 1 <= n <= count:
            raise FormatError(
                f"`correct` names option {part} but there are {count}.", location=location
            )
        chosen.add(n - 1)
    return chosen


def row_content(kind: str, cells: dict[str, str], location: Location) -> dict[str, Any]:
    prompt = cells.get("prompt", "")
    if cells.get("content"):
        try:
            extra = json.loads(cells["content"])
        except json.JSONDecodeError as exc:
            raise FormatError(
                f"the `content` cell is not valid JSON ({exc.msg}).", location=location
            ) from exc
        if not isinstance(extra, dict):
            raise FormatError("the `content` cell must be a JSON object.", location=location)
        return {"prompt": prompt, **extra}
    answer, options = cells.get("answer", ""), split_cell(cells.get("options", ""))
    if kind == "flashcard":
        return {"prompt": prompt, "back": answer}
    if kind in ("multiple_choice", "multiple_response"):
        correct = _numbers(cells.get("correct", ""), len(options), location)
        return {
            "prompt": prompt,
            "options": [{"text": o, "correct": i in correct} for i, o in enumerate(options)],
        }
    if kind == "true_false":
        value = {"true": True, "t": True, "yes": True, "false": False, "f": False, "no": False}.get(
            answer.lower()
        )
        if value is None:
            raise FormatError("a true/false answer must be true or false.", location=location)
        return {"prompt": prompt, "answer": value}
    if kind == "short_answer":
        return {"prompt": prompt, "answers": [{"text": a} for a in split_cell(answer)]}
    if kind == "numerical":
        answers = []
        for part in split_cell(answer):
            try:
                if ".." in part:
                    low, high = part.split("..", 1)
                    answers.append({"min": parse_number(low), "max": parse_number(high)})
                elif ":" in part:
                    value, tolerance = part.split(":", 1)
                    answers.append(
                        {"value": parse_number(value), "tolerance": parse_number(tolerance)}
                    )
                else:
                    answers.append({"value": parse_number(part)})
            except ValueError:
                raise FormatError(
                    f"{part!r} is not a number, number:tolerance or min..max.", location=location
                ) from None
        return {"prompt": prompt, "answers": answers}
    if kind == "matching":
        pairs = []
        for part in options:
            left, found, right = part.partition("->")
            if not found:
                raise FormatError(f"the pair {part!r} has no ->.", location=location)
            pairs.append({"left": left.strip(), "right": right.strip()})
        return {"prompt": prompt, "pairs": pairs}
    if kind == "ordering":
        return {"prompt": prompt, "items": options}
    if kind == "essay":
        return {"prompt": prompt, "model_answer": answer}
    if kind == "cloze":
        gaps = [{"answers": split_cell(gap, "/")} for gap in split_cell(answer)]
        return {"prompt": prompt, "text": cells.get("text", ""), "gaps": gaps}
    known = ", ".join(sorted(QUESTION_TYPES))
    raise FormatError(
        f"unknown question type {kind!r} (expected one of: {known}).", location=location
    )


def _simple_cells(kind: str, c: dict[str, Any]) -> dict[str, str] | None:
    if kind == "flashcard":
        return {"answer": c["back"]}
    if kind in ("multiple_choice", "multiple_response"):
        return {
            "options": join_cell(o["text"] for o in c["options"]),
            "correct": join_cell(str(i + 1) for i, o in enumerate(c["options"]) if o["correct"]),
        }
    if kind == "true_false":
        return {"answer": "true" if c["answer"] else "false"}
    if kind == "short_answer":
        return {"answer": join_cell(a["text"] for a in c["answers"])}
    if kind == "numerical":
        parts = []
        for a in c["answers"]:
            if "min" in a:
                parts.append(f"{number_text(a['min'])}..{number_text(a['max'])}")
            elif a.get("tolerance"):
                parts.append(f"{number_text(a['value'])}:{number_text(a['tolerance'])}")
            else:
                parts.append(number_text(a["value"]))
        return {"answer": join_cell(parts)}
    if kind == "matching":
        return {"options": join_cell(f"{p['left']} -> {p['right']}" for p in c["pairs"])}
    if kind == "ordering":
        return {"options": join_cell(c["items"])}
    if kind == "essay":
        return {"answer": c["model_answer"]}
    if kind == "cloze":
        if any("answers" not in g for g in c["gaps"]):
            return None
        return {
            "text": c["text"],
            "answer": join_cell(join_cell(g["answers"], "/") for g in c["gaps"]),
        }
    return None


def write(drafts: Iterable[QuestionDraft]) -> WriteResult:
    result = WriteResult(NAME, b"")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for draft in drafts:
        content = dict(draft.content)
        row = {
            "id": draft.external_id or "",
            "type": draft.kind,
            "topic": draft.topic_path or "",
            "difficulty": str(draft.difficulty) if draft.difficulty is not None else "",
            "prompt": content.get("prompt", ""),
            "explanation": draft.explanation or "",
            "tags": " ".join(draft.tags or ()),
        }
        simple = _simple_cells(draft.kind, content)
        if simple is not None and _same(draft.kind, {**row, **simple}, content):
            row.update(simple)
        else:
            row["content"] = json.dumps(
                {k: v for k, v in content.items() if k != "prompt"}, ensure_ascii=False
            )
        if draft.citation is not None and draft.citation.document:
            result.notes.append(
                f"{draft.external_id} ({draft.kind}): CSV has no citation; use JSON."
            )
        writer.writerow([row.get(column, "") for column in COLUMNS])
        result.count(draft.kind)
    result.data = out.getvalue().encode("utf-8")
    return result


def _same(kind: str, cells: dict[str, str], content: dict[str, Any]) -> bool:
    """Whether the simple columns read back to the same content."""
    try:
        stripped = {k: v.strip() for k, v in cells.items()}
        again = validate_content(kind, row_content(kind, stripped, Location()))
        return again == validate_content(kind, content)
    except (FormatError, ValidationError):
        return False
