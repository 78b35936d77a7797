"""Imported HTML to Markdown: readable, and never live HTML once rendered."""

from __future__ import annotations

import time

import markdown
import pytest

from statusgen.importers.html import MAX_HTML, TooLarge, report_markdown, to_markdown


@pytest.mark.parametrize("html, markdown", [
    ("Line one<br />Line two", "Line one\n\nLine two"),
    ("<p>First.</p><p>Second.</p>", "First.\n\nSecond."),
    ('See <a href="https://x.example/a?b=1&amp;c=2">the page</a>.', "See [the page](<https://x.example/a?b=1&c=2>)."),
    ('<a href="javascript:alert(1)">click</a>', "click"),
    ("<ul><li>one</li><li>two</li></ul>", "- one\n- two"),
    ("<ol><li>one</li><li>two</li></ol>", "1. one\n2. two"),
    ("<b>bold</b> and <em>soft</em>", "**bold** and *soft*"),
    ("Before<script>alert(1)</script>after", "Beforeafter"),
    ("<style>p{}</style>Text &amp; more &lt;b&gt;", "Text & more &lt;b>"),
    ("a*b_c `d` [e]", "a\\*b\\_c \\`d\\` \\[e\\]"),
    ("plain text <not a tag", "plain text &lt;not a tag"),
    ("Written &amp;copy; by us", "Written &amp;copy; by us"),
])
def test_html_becomes_escaped_markdown(html, markdown):
    assert to_markdown(html) == markdown


@pytest.mark.parametrize("text", [
    "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;", "<img src=x onerror=alert(1)>",
    "<<script>script>alert(1)<</script>/script>", '<a href="https://x" onclick="alert(1)">x</a>',
    "plain <script>alert(1)</script> text", "<iframe src=//evil></iframe><svg onload=alert(1)>",
])
def test_no_imported_text_renders_as_live_html(text):
    # python-markdown alone, without the site's sanitiser: the escaping by itself keeps every tag out.
    html = markdown.markdown(to_markdown(text))
    for tag in ("<script", "<img", "<iframe", "<svg", "onclick", "<a href=\"javascript"):
        assert tag not in html, (text, html)


def test_deep_nesting_and_size_are_bounded():
    started = time.monotonic()
    assert to_markdown("<div>" * 15_000 + "deep" + "</div>" * 15_000) == "deep"
    nested = to_markdown("<ul><li>" * 10_000 + "x")
    assert nested.endswith("x") and len(nested) < 2_000  # no deeper than MAX_LIST_DEPTH, whatever the input
    assert time.monotonic() - started < 5
    with pytest.raises(TooLarge):
        to_markdown("x" * (MAX_HTML + 1))


def test_a_markdown_report_stays_markdown():
    assert report_markdown("## Cause\r\n\r\nA *certificate* expired.") == "## Cause\n\nA *certificate* expired."
    assert report_markdown("<h2>Cause</h2><p>A <em>certificate</em>.</p>") == "## Cause\n\nA *certificate*."
