"""Markdown to safe HTML for question text written by teachers.

A stored image or sound is written `![name](media:<sha256>.<ext>)` (app/media.py): it
renders as an <img>, or for an audio extension an <audio controls>, served from
/media/<sha256> under the app's own origin, so the CSP's img-src and media-src 'self' hold.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from functools import lru_cache, wraps
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

# Raw HTML is disabled at the parser, so "<b>" in a question shows up as text; nh3 then
# guarantees the output holds nothing but ordinary formatting, whatever the parser emits.
_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
# The extensions of app.media.MEDIA_TYPES: an image or a sound, nothing else.
_MEDIA_SOURCE = re.compile(r"media:([0-9a-f]{64})\.(png|jpg|gif|webp|mp3|ogg|wav|m4a)")
_AUDIO_EXTENSIONS = {"mp3", "ogg", "wav", "m4a"}
MEDIA_URL = "/media/{sha256}"


def _image(renderer: Any, tokens: Sequence[Token], index: int, options: Any, env: Any) -> str:
    token = tokens[index]
    match = _MEDIA_SOURCE.fullmatch(str(token.attrGet("src") or ""))
    if match is None:
        return _default_image(tokens, index, options, env)
    url = MEDIA_URL.format(sha256=match[1])
    alt = html.escape(renderer.renderInlineAsText(token.children or [], options, env))
    if match[2] in _AUDIO_EXTENSIONS:
        return f'<audio controls preload="none" src="{url}" title="{alt}"></audio>'
    return f'<img src="{url}" alt="{alt}">'


_default_image = _MARKDOWN.renderer.rules["image"]
_MARKDOWN.add_render_rule("image", _image)

_TAGS = {
    *("p", "br", "hr", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6"),
    *("em", "strong", "s", "del", "code", "sub", "sup", "a", "img"),
    *("ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td", "audio"),
}
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "audio": {"src", "controls", "preload", "title"},
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


# The renderings below are pure functions of the text, and the same question texts are shown
# to every student of a class: each process keeps the most recent short ones (question
# texts, options; at most 4,096 of each, under 2,000 characters: a few MiB in all).
_CACHED_ENTRIES = 4096
_CACHED_LENGTH = 2000


def _remembered(render: Callable[[str], str]) -> Callable[[str], str]:
    cached = lru_cache(maxsize=_CACHED_ENTRIES)(render)

    @wraps(render)
    def rendering(text: str) -> str:
        if isinstance(text, str) and len(text) <= _CACHED_LENGTH:
            return cached(text)
        return render(text)

    return rendering


@_remembered
def render_markdown(text: str) -> str:
    """Render block Markdown (paragraphs, lists, tables) to sanitized HTML."""
    return _sanitize(_MARKDOWN.render(text or "")).strip()


@_remembered
def render_inline(text: str) -> str:
    """Render one line of Markdown (emphasis, code, links) without a wrapping paragraph.

    Surrounding spaces are kept: cloze text is rendered in pieces around its gaps.
    """
    return _sanitize(_MARKDOWN.renderInline(text or ""))


@_remembered
def render_plain(text: str) -> str:
    """Markdown reduced to plain text, for answer summaries and feedback labels."""
    stripped = nh3.clean(_MARKDOWN.renderInline(text or ""), tags=set())
    return " ".join(html.unescape(stripped).split())
