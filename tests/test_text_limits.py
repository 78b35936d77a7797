"""The limits on texts (model.limits), rendering that stays safe without validation, and diagnostics that
never let file content steer a terminal or break a CI annotation."""

from __future__ import annotations

import time

import pytest

from statusgen.errors import Diagnostic
from statusgen.loading.config import check_base_url
from statusgen.model.limits import MAX_NESTING, first_forbidden, forbidden_characters, markdown_problem
from statusgen.model.text import language_parts
from statusgen.render.markup import Markup

# Texts python-markdown would recurse into or scan in quadratic time, and a limit for each on the
# reference machine (a loaded 2-core one): far above the half second the budget aims at.
PATHOLOGICAL = {
    "open-brackets": "[" * 50_000,
    "closed-brackets": "[" * 5000 + "]" * 5000,
    "open-images": "![" * 5000,
    "open-links": "[x](" * 5000,
    "open-tags": "<http://a" * 10_000,
    "open-attributes": "<a b=" * 10_000,
    "nested-lists": "".join("  " * i + "- x\n" for i in range(500)),
    "nested-quotes": ">" * 2000 + " x",
    "nested-quote-lines": "".join("> " * i + "x\n\n" for i in range(300)),
    "one-line-lists": "- " * 1000 + "x",
    "headings": "".join(f"# Titre {i}\n\n" for i in range(30_000)),
    "same-headings": "# Titre\n\n" * 20_000,
    "entities": "&amp;" * 50_000,
    "escapes": "\\[" * 50_000,
    "unclosed-fences": "\n".join("`" * n for n in range(3, 2000)),
    "table-cells": "|" + "a|" * 5000 + "\n|" + "-|" * 5000 + "\n" + ("|" + "a|" * 5000 + "\n") * 20,
}
SECONDS = 3.0


@pytest.mark.parametrize("text", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_markdown_is_refused_quickly(text):
    started = time.perf_counter()
    assert markdown_problem(text) is not None
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize("text", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_rendering_stays_safe_without_validation(text):
    markup = Markup()
    started = time.perf_counter()
    for render in (markup.field, markup.report, markup):
        html = render(text + "\n<script>alert(1)</script>")
        assert "<script>" not in html
    assert time.perf_counter() - started < SECONDS


@pytest.mark.parametrize("text", [
    "Un message simple.",
    "".join("    " * i + "- niveau\n" for i in range(MAX_NESTING)),
    "> citation\n>\n> > imbriquée\n",
    " ".join(f"[lien {i}](https://example.com/{i})" for i in range(300)),
    "```\n" + "[[[[ {{{{ <<<< ````\n" * 2000 + "```\n",
    "".join(f"## Partie {i}\n\nUn paragraphe avec du *gras* et du `code`.\n\n" for i in range(500)),
    "| a | b |\n|---|---|\n" + "| x | y |\n" * 1000,
])
def test_ordinary_markdown_is_accepted(text):
    assert markdown_problem(text) is None


def test_nesting_reports_the_line():
    text = "Intro\n\n" + "".join("    " * i + "- x\n" for i in range(MAX_NESTING + 3))
    line, message = markdown_problem(text)
    assert line == 2 + MAX_NESTING
    assert f"more than {MAX_NESTING} levels" in message


def test_the_check_is_linear_on_large_texts():
    for text in ("Une phrase. " * 170_000, "[a] (b) `c` <d> & " * 100_000, "x\n" * 1_000_000):
        started = time.perf_counter()
        markdown_problem(text)
        assert time.perf_counter() - started < 1.5


def test_thousands_of_equal_headings_get_numbered_ids_in_linear_time():
    started = time.perf_counter()
    html = Markup()("# Titre\n\n" * 3000)
    assert time.perf_counter() - started < SECONDS
    assert 'id="titre"' in html and 'id="titre_1"' in html and 'id="titre_2999"' in html


def test_forbidden_characters_are_found_and_stripped():
    text = "ok\nbad \x1b[31m\nnon \ufffe and \U0010ffff\nsurrogate \ud800\n\ttab is fine"
    assert forbidden_characters(text) == [(1, "the control character U+001B"), (2, "the noncharacter U+FFFE"),
                                          (3, "the lone surrogate U+D800")]
    html = Markup().field("a \ufdd0 b \x07 c \U0002fffe d \U00020000")
    assert first_forbidden(html) is None and "\U00020000" in html
    assert first_forbidden("CJK \U00020000 and emoji \U0001f600 are fine") is None


def test_language_parts_keep_their_lines():
    body = "Rapport.\n<!-- lang: en -->\nReport.\n\n<!-- lang: de -->\nBericht."
    assert language_parts(body) == [("", 0, "Rapport."), ("en", 2, "Report.\n"), ("de", 5, "Bericht.")]


def test_terminal_output_shows_escapes_instead_of_obeying_them():
    d = Diagnostic(path="incidents/2026-11-20-\x1b[2Jx.md", line=3, rule="file-name", level="error",
                   field="title.\u202efr", message="bad \x1b]0;owned\x07 name\nnext", hint="\x9b31m")
    line = d.format()
    assert line == ("incidents/2026-11-20-\\x1b[2Jx.md:3: error [file-name] title.\\u202efr: "
                    "bad \\x1b]0;owned\\x07 name\\x0anext (\\x9b31m)")
    assert line.isprintable()


def test_github_annotations_escape_properties_and_data():
    d = Diagnostic(path="incidents/a,b:c%d.md", line=7, rule="invalid-value", level="error", field="title",
                   message="100% sure, really: no\r\nline break")
    annotation = d.github("site/")
    assert annotation == ("::error file=site/incidents/a%2Cb%3Ac%25d.md,line=7,title=invalid-value::"
                          "error [invalid-value] title: 100%25 sure, really: no\\x0d\\x0aline break")
    assert "\n" not in annotation and "\r" not in annotation


@pytest.mark.parametrize("url", [
    "https://status.example.com", "https://status.example.com/", "http://127.0.0.1:8000",
    "https://example.com/status/", "https://[2001:db8::1]:8443/a", "https://deploy-preview-12--site.example.app",
])
def test_base_urls_that_work(url):
    assert check_base_url(url) is None


@pytest.mark.parametrize("url,problem", [
    ("status.example.com", "starting with https://"),
    ("javascript:alert(1)", "starting with https://"),
    ("ftp://example.com", "starting with https://"),
    ("https://status example.com", "spaces"),
    ("https://exämple.com", "non-ASCII"),
    ("https://example.com:0", "port '0'"),
    ("https://example.com:65536", "port '65536'"),
    ("https://example.com:", "port ''"),
    ("https://example.com/?a=1", "query"),
    ("https://example.com/#top", "fragment"),
    ("https://user:pw@example.com", "user name"),
    ("https://example.com/a//b", "'//'"),
    ("https://example.com/a/../b", "'/../'"),
    ("https://", "host ''"),
    ("https://-bad-.com", "host '-bad-.com'"),
    ("https://[nope]/", "well-formed"),
    ("https://example.com/<x>", "characters"),
])
def test_base_urls_that_cannot_work(url, problem):
    found = check_base_url(url)
    assert found is not None and problem in found, found
