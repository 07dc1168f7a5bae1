from __future__ import annotations

import pytest

from app.questions import render_inline, render_markdown, render_plain, rendering


def test_block_markdown() -> None:
    assert render_markdown("Some *text*") == "<p>Some <em>text</em></p>"
    assert render_markdown("- a\n- b") == "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"
    assert render_markdown("`code`") == "<p><code>code</code></p>"
    assert render_markdown("") == ""


def test_inline_markdown_has_no_paragraph() -> None:
    assert render_inline("**1956**") == "<strong>1956</strong>"
    assert render_inline(" around ") == " around "


def test_tables_and_strikethrough() -> None:
    html = render_markdown("| a | b |\n|--:|---|\n| 1 | ~~2~~ |")
    assert "<table>" in html and "<td><s>2</s></td>" in html
    assert '<th style="text-align:right">a</th>' in html


def test_links_get_a_safe_rel() -> None:
    html = render_inline("[source](https://example.org/a)")
    assert html == '<a href="https://example.org/a" rel="noopener noreferrer">source</a>'


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        "<style>body{}</style>",
        "<iframe src='https://evil.example'></iframe>",
        '<p onclick="alert(1)">x</p>',
    ],
)
def test_raw_html_is_never_live(text: str) -> None:
    for html in (render_markdown(text), render_inline(text)):
        assert "<script" not in html
        assert "<style" not in html
        assert "<iframe" not in html
        assert "<img" not in html
        assert "<a " not in html
        assert "<p onclick" not in html
        assert "&lt;" in html


@pytest.mark.parametrize(
    "text",
    [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "![x](javascript:alert(1))",
        "[x](vbscript:msgbox)",
        "[x](<javascript:alert(1)>)",
        "<javascript:alert(1)>",
        "[x](java&#115;cript:alert(1))",
    ],
)
def test_dangerous_urls_are_not_links(text: str) -> None:
    for html in (render_markdown(text), render_inline(text)):
        assert "<a" not in html and "<img" not in html


def test_sanitizer_strips_what_the_parser_might_let_through() -> None:
    # The second line of defence, exercised directly since the parser already escapes HTML.
    html = rendering._sanitize(
        '<p onclick="x()" style="color:red">a <a href="javascript:x()">b</a>'
        '<script>c()</script><iframe></iframe><td style="text-align:left;color:red">d</td></p>'
    )
    assert "onclick" not in html and "color" not in html and "javascript" not in html
    assert "<script" not in html and "c()" not in html and "<iframe" not in html
    assert '<a rel="noopener noreferrer">b</a>' in html


def test_images_with_http_sources_are_allowed() -> None:
    html = render_inline("![Khrushchev](https://example.org/k.jpg)")
    assert html == '<img src="https://example.org/k.jpg" alt="Khrushchev">'


def test_plain_text() -> None:
    assert render_plain("**Khrushchev** & *co*") == "Khrushchev & co"
    assert render_plain("a <b>b</b>") == "a <b>b</b>"
    assert render_plain("line\nbreak") == "line break"


def test_short_texts_are_rendered_once_per_process_and_long_ones_every_time(monkeypatch):
    from app.questions import rendering

    calls = []
    real = rendering._sanitize  # noqa: SLF001

    def counting(fragment):
        calls.append(fragment)
        return real(fragment)

    monkeypatch.setattr(rendering, "_sanitize", counting)
    short = "A *rare* prompt seen by a whole class, 7f3a"
    first = rendering.render_markdown(short)
    assert (
        rendering.render_markdown(short)
        == first
        == "<p>A <em>rare</em> prompt seen by a whole class, 7f3a</p>"
    )
    assert len(calls) == 1
    long = "word " * 1000 + "b8c2"  # longer than what is kept
    assert rendering.render_markdown(long) == rendering.render_markdown(long)
    assert len(calls) == 3
