"""statusgen/render/markup.py: Markdown to safe HTML, heading levels and ids, wrapped tables, plain text."""

from __future__ import annotations

import re

import pytest

from statusgen.render import markup
from statusgen.render.markup import Markup, plain_text, sanitize

TABLE = "| a | b |\n|---|---|\n| 1 | 2 |"
TABLE_HTML = ("<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n"
              "<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>")


def wrapped(label: str) -> str:
    return (f'<div class="table-wrap" role="region" tabindex="0" aria-label="{label}">\n'
            f"{TABLE_HTML}\n</div>")


# --- sanitising -----------------------------------------------------------------------------------

@pytest.mark.parametrize("fragment, cleaned", [
    ("<script>alert(1)</script>ok", "ok"),
    ('<a href="javascript:alert(1)">x</a>', '<a rel="noopener noreferrer nofollow">x</a>'),
    ('<a href="data:text/html,x">x</a>', '<a rel="noopener noreferrer nofollow">x</a>'),
    ('<a href="https://e.example/" onclick="steal()" id="main">x</a>',
     '<a href="https://e.example/" rel="noopener noreferrer nofollow">x</a>'),
    ('<a href="mailto:help@e.example">m</a>', '<a href="mailto:help@e.example" rel="noopener noreferrer nofollow">m</a>'),
    ('<p id="top" style="color:red" class="x">t</p>', "<p>t</p>"),  # authors cannot set ids or styles
    ('<img src="a.png">', '<img alt="" src="a.png">'),  # an image without alt is decorative
    ('<img src="a.png" alt="Graph">', '<img src="a.png" alt="Graph">'),
    ('<iframe src="https://e.example/"></iframe>', ""),
    ("<svg onload=alert(1)>", ""),
    ("<!-- note -->t", "t"),
    ('<code class="language-py">x</code>', '<code class="language-py">x</code>'),
    ('<table><tr><td onclick="x()">1</td></tr></table>', "<table><tbody><tr><td>1</td></tr></tbody></table>"),
])
def test_sanitize(fragment, cleaned):
    assert sanitize(fragment) == cleaned


@pytest.mark.parametrize("text, html", [
    ("**Bold** <script>x()</script>", "<p><strong>Bold</strong> </p>"),
    ("[link](javascript:alert(1))", '<p><a rel="noopener noreferrer nofollow">link</a></p>'),
    ("<div onmouseover=x()>raw HTML</div>", "raw HTML"),
    ("- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
    ("Tom & Jerry's <3 *fine*", "<p>Tom &amp; Jerry's &lt;3 <em>fine</em></p>"),
])
def test_markdown_texts_are_rendered_then_sanitised(text, html):
    assert Markup().field(text) == html


# --- headings and tables --------------------------------------------------------------------------

@pytest.mark.parametrize("text, field, report, article", [
    ("# Title\n\ntext",
     "<h3>Title</h3>\n<p>text</p>",
     '<h3 id="report-title">Title</h3>\n<p>text</p>',
     '<h2 id="title">Title</h2>\n<p>text</p>'),
    # levels keep their differences from the highest one
    ("## A\n\n### B\n\n#### C",
     "<h3>A</h3>\n<h4>B</h4>\n<h5>C</h5>",
     '<h3 id="report-a">A</h3>\n<h4 id="report-b">B</h4>\n<h5 id="report-c">C</h5>',
     '<h2 id="a">A</h2>\n<h3 id="b">B</h3>\n<h4 id="c">C</h4>'),
    # and stop at h6
    ("# A\n\n###### F",
     "<h3>A</h3>\n<h6>F</h6>",
     '<h3 id="report-a">A</h3>\n<h6 id="report-f">F</h6>',
     '<h2 id="a">A</h2>\n<h6 id="f">F</h6>'),
    # repeated headings are numbered like Markdown's toc
    ("## A\n\n## A\n\n## A",
     "<h3>A</h3>\n<h3>A</h3>\n<h3>A</h3>",
     '<h3 id="report-a">A</h3>\n<h3 id="report-a_1">A</h3>\n<h3 id="report-a_2">A</h3>',
     '<h2 id="a">A</h2>\n<h2 id="a_1">A</h2>\n<h2 id="a_2">A</h2>'),
    # "main" is the page's own id: an article heading never takes it
    ("## Main\n\n## main",
     "<h3>Main</h3>\n<h3>main</h3>",
     '<h3 id="report-main">Main</h3>\n<h3 id="report-main_1">main</h3>',
     '<h2 id="main_1">Main</h2>\n<h2 id="main_2">main</h2>'),
    # ids from the heading's text, without its markup or accents
    ("## *Émphasis* & co\n\nx",
     "<h3><em>Émphasis</em> &amp; co</h3>\n<p>x</p>",
     '<h3 id="report-emphasis-co"><em>Émphasis</em> &amp; co</h3>\n<p>x</p>',
     '<h2 id="emphasis-co"><em>Émphasis</em> &amp; co</h2>\n<p>x</p>'),
])
def test_heading_levels_and_ids(text, field, report, article):
    m = Markup()
    assert (m.field(text), m.report(text), m(text)) == (field, report, article)


@pytest.mark.parametrize("label, text, html", [
    ("Table", TABLE, wrapped("Table")),
    ("Tableau", TABLE, wrapped("Tableau")),
    # a table is named after the heading before it
    ("Table", f"## Fees\n\n{TABLE}\n\n## Other & more\n\n{TABLE}",
     f'<h2 id="fees">Fees</h2>\n{wrapped("Fees")}\n<h2 id="other-more">Other &amp; more</h2>\n'
     f'{wrapped("Other &amp; more")}'),
])
def test_tables_are_wrapped_in_named_scrollable_regions(label, text, html):
    assert Markup(label)(text) == html


# --- plain sentences skip Markdown, with the same result ------------------------------------------

PLAIN_SENTENCES = [
    "Nous enquêtons sur des échecs de paiement.",
    "We're investigating: 5 % of card payments fail (Visa, Mastercard).",
    "Le service fonctionne normalement depuis 14h32.",
    "\"Quoted\", 'single', « guillemets » and “curly” quotes",
    "Version 1.2.3 ships today; 100% of traffic moved.",
    "Emoji 🚀 and CJK 支付 work",
    "Dashes in-word, a -- b --- c",
    "Price: $5 + tax - discount? Yes.",
    "e-mail support@example.com or see https://example.com/status",
    "Curly {braces}, (parens), a/b, 50^2 and 1+1",
    "Sentence... with an ellipsis",
]


def through_markdown(text: str) -> str:
    """The field as the Markdown path renders it, the fast path switched off."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(markup, "_PLAIN", re.compile(r"(?!)"))
        return Markup().field(text)


@pytest.mark.parametrize("text", PLAIN_SENTENCES)
def test_plain_fast_path_equals_the_markdown_path(text, monkeypatch):
    expected = through_markdown(text)
    fast = Markup()
    monkeypatch.setattr(fast._md, "convert", lambda _: pytest.fail("a plain sentence went through Markdown"))
    assert fast.field(text) == expected


@pytest.mark.parametrize("text", ["1986. A fine year", "2) second", "- item", "+ item", "> quote",
                                  "a * b", "a_b_c", "[x]", "a <b> c", "# x", "a | b", "x\ny", "&amp;", "`c`"])
def test_texts_that_may_be_markdown_never_take_the_fast_path(text, monkeypatch):
    m = Markup()
    seen = []
    real = m._md.convert
    monkeypatch.setattr(m._md, "convert", lambda source: seen.append(source) or real(source))
    m.field(text)
    assert seen == [text]


def test_the_fast_path_escapes():
    assert Markup().field("Paiements refusés > 5 %") == "<p>Paiements refusés &gt; 5 %</p>"
    assert Markup().field("  Trimmed.  ") == "<p>Trimmed.</p>"
    assert Markup().field("") == ""


# --- plain text -----------------------------------------------------------------------------------

@pytest.mark.parametrize("fragment, text", [
    ("<p>One</p><p>Two</p>", "One\n\nTwo"),
    ("<p>One</p>\n\n\n<p>Two</p>", "One\n\nTwo"),
    ("<ul><li>a</li><li>b</li></ul>", "- a\n- b"),
    ("<p>a &amp; b &lt;c&gt; &eacute;</p>", "a & b <c> é"),
    ("<p>line<br>break</p>", "line\nbreak"),
    ("<h3>Title</h3><p>x</p>", "Title\n\nx"),
    ("<p><strong>Bold</strong> and <a href='https://e.example/'>link</a></p>", "Bold and link"),
    ("  <p> padded </p>  ", "padded"),
])
def test_plain_text(fragment, text):
    assert plain_text(fragment) == text


def test_the_cache_of_converted_texts_is_bounded(monkeypatch):
    monkeypatch.setattr(markup, "TEXTS_KEPT", 5)
    converter = Markup()
    texts = [f"Update **{n}**: the queue is draining." for n in range(12)]
    first = [converter.field(text) for text in texts]
    assert len(converter._fields) <= 5
    assert first[7] == "<p>Update <strong>7</strong>: the queue is draining.</p>"
    assert [converter.field(text) for text in texts] == first  # converted again when forgotten: the same
