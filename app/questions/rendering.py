"""Markdown to safe HTML for question text written by teachers."""

from __future__ import annotations

import html

import nh3
from markdown_it import MarkdownIt

# Raw HTML is disabled at the parser, so "<b>" in a question shows up as text; nh3 then
# guarantees the output holds nothing but ordinary formatting, whatever the parser emits.
_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])

_TAGS = {
    *("p", "br", "hr", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6"),
    *("em", "strong", "s", "del", "code", "sub", "sup", "a", "img"),
    *("ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td"),
}
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    # Table column alignment arrives as style="text-align:..."; other properties are dropped.
    "th": {"style"},
    "td": {"style"},
}
_URL_SCHEMES = {"http", "https", "mailto"}


def _sanitize(fragment: str) -> str:
    return nh3.clean(
        fragment,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel="noopener noreferrer",
        filter_style_properties={"text-align"},
    )


def render_markdown(text: str) -> str:
    """Render block Markdown (paragraphs, lists, tables) to sanitized HTML."""
    return _sanitize(_MARKDOWN.render(text or "")).strip()


def render_inline(text: str) -> str:
    """Render one line of Markdown (emphasis, code, links) without a wrapping paragraph.

    Surrounding spaces are kept: cloze text is rendered in pieces around its gaps.
    """
    return _sanitize(_MARKDOWN.renderInline(text or ""))


def render_plain(text: str) -> str:
    """Markdown reduced to plain text, for answer summaries and feedback labels."""
    stripped = nh3.clean(_MARKDOWN.renderInline(text or ""), tags=set())
    return " ".join(html.unescape(stripped).split())
