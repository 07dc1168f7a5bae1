"""What every reader and writer shares: decoding bytes, HTML text, results and reports."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import nh3

from .pipeline import FormatError, Location, QuestionDraft

# Tags kept from imported HTML before it becomes Markdown; everything else is dropped.
_KEPT_TAGS = {
    "a",
    "b",
    "br",
    "code",
    "div",
    "em",
    "i",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "ul",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "sub",
    "sup",
    "span",
}


@dataclass
class ReadResult:
    """What a reader found: drafts (or errors, in file order) and notices about skipped parts."""

    format: str
    drafts: list[QuestionDraft | FormatError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[FormatError]:
        return [d for d in self.drafts if isinstance(d, FormatError)]


@dataclass
class WriteResult:
    """A written file and the questions it could not hold (each with its reason)."""

    format: str
    data: bytes
    written: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    left_out: list[str] = field(default_factory=list)  # "id (type): reason"
    notes: list[str] = field(default_factory=list)  # fields a format cannot hold

    def count(self, kind: str) -> None:
        self.written += 1
        self.by_type[kind] = self.by_type.get(kind, 0) + 1


def decode(data: bytes | str, file: str | None = None) -> str:
    """Text of a file: UTF-8 with or without a BOM, line ends made \\n."""
    if isinstance(data, str):
        text = data
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise FormatError(
                "the file is not UTF-8 text (save it as UTF-8 and import it again).",
                location=Location(file, line),
            ) from exc
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise FormatError("the file holds binary data, not text.", location=Location(file, line))
    return text.replace("\r\n", "\n").replace("\r", "\n")


def draft_dict(draft: QuestionDraft) -> dict[str, Any]:
    """A draft's content with a copy that writers may change."""
    return dict(draft.content)


def number_text(value: float | int) -> str:
    """A number as short text that reads back to the same value."""
    return repr(value) if isinstance(value, float) else str(value)


def parse_number(text: str) -> int | float:
    text = text.strip().replace(",", ".") if text.count(",") == 1 and "." not in text else text
    text = text.strip()
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    value = float(text)  # ValueError for callers to report
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(text)
    return value


class _ToMarkdown(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.links: list[str] = []
        self.lists: list[list[int]] = []
        self.images = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ("b", "strong"):
            self.out.append("**")
        elif tag in ("i", "em"):
            self.out.append("*")
        elif tag == "code":
            self.out.append("`")
        elif tag == "br":
            self.out.append("\n")
        elif tag in ("p", "div", "pre") or tag.startswith("h"):
            self.out.append("\n\n")
        elif tag in ("ul", "ol"):
            self.lists.append([0 if tag == "ol" else -1])
            self.out.append("\n")
        elif tag == "li":
            marker = "- "
            if self.lists and self.lists[-1][0] >= 0:
                self.lists[-1][0] += 1
                marker = f"{self.lists[-1][0]}. "
            self.out.append("\n" + marker)
        elif tag == "a":
            self.links.append(values.get("href") or "")
            self.out.append("[")
        elif tag == "img":
            self.images += 1
            alt = values.get("alt") or ""
            if alt:
                self.out.append(alt)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("b", "strong"):
            self.out.append("**")
        elif tag in ("i", "em"):
            self.out.append("*")
        elif tag == "code":
            self.out.append("`")
        elif tag in ("p", "div", "pre") or tag.startswith("h"):
            self.out.append("\n\n")
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self.out.append("\n\n")
        elif tag == "a":
            href = self.links.pop() if self.links else ""
            self.out.append(f"]({href})" if href and not href.startswith("@@") else "]")

    def handle_data(self, data: str) -> None:
        self.out.append(re.sub(r"\s+", " ", data))


def html_to_markdown(html: str) -> str:
    """Imported HTML, sanitized with nh3, as Markdown text (formatting kept where simple)."""
    if "<" not in html and "&" not in html:
        return html.strip()
    clean = nh3.clean(html, tags=_KEPT_TAGS, attributes={"a": {"href"}, "img": {"alt", "src"}})
    parser = _ToMarkdown()
    parser.feed(clean)
    parser.close()
    text = "".join(parser.out)
    text = re.sub(r"\[\]\([^)]*\)", "", text)
    lines = [line.strip() for line in text.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return text.strip()


def text_of(content: Mapping[str, Any], key: str) -> str:
    return str(content.get(key) or "")
