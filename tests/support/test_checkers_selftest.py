"""Self-tests of the external checker harness on tiny hand-made fixtures.

Each test feeds a checker both a clean input and a broken one, so a checker that
always answers "no problems" (or always complains) fails here.
"""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest

from . import checkers
from .checkers import (
    AxeBrowser,
    ToolMissing,
    broken_links,
    jing_errors,
    require_tool,
    require_tool_or_skip,
    serve_directory,
    vnu_errors,
)

GOOD_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Good</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1 id="top">Status</h1><p>All systems operational.</p></main></body></html>
"""

BAD_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Bad</title></head>
<body>
<main>
<img src="logo.png">
<p>one</p><b id="d">a</b><i id="d">b</i>
</main>
</body></html>
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- #

def test_require_tool_reports_missing_tool_with_hint(monkeypatch, tmp_path):
    monkeypatch.setattr(checkers, "VNU_JAR", tmp_path / "nope" / "vnu.jar")
    with pytest.raises(ToolMissing, match="npm ci"):
        require_tool("vnu")
    with pytest.raises(ValueError):
        require_tool("no-such-tool")


def test_vnu_errors(tmp_path):
    require_tool_or_skip("java", "vnu")
    good = write(tmp_path / "good.html", GOOD_HTML)
    bad = write(tmp_path / "dir with space" / "bad.html", BAD_HTML)
    css_ok = write(tmp_path / "ok.css", "a { color: red }\n")
    css_bad = write(tmp_path / "bad.css", "a { color: red }\nb { colr: blue }\n")

    # One call (one JVM per file kind): clean files must stay silent, broken ones not.
    problems = vnu_errors([good, bad, css_ok, css_bad])
    text = "\n".join(problems)
    assert all(str(good) not in p for p in problems), text
    assert f"{bad}:5:" in text and "alt" in text, text          # <img> without alt, line 5
    assert f"{bad}:6:" in text and "Duplicate ID" in text, text  # duplicate id, line 6
    assert f"{css_bad}:2:" in text and "colr" in text, text
    assert all(str(css_ok) not in p for p in problems), text

    with pytest.raises(FileNotFoundError):
        vnu_errors([tmp_path / "missing.html"])


def test_broken_links(tmp_path):
    require_tool_or_skip("lychee")
    site = tmp_path / "output"
    page = '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>t</title>{head}</head><body>\n{body}\n</body></html>\n'
    write(site / "index.html", page.format(
        head='<link rel="stylesheet" href="/css/site.css"><script src="/js/app.js" defer></script>',
        body="\n".join([
            '<h1 id="top">Home</h1>',
            '<a href="/en/">root-relative directory</a>',
            '<a href="/en/incidents/a/#details">root-relative with fragment</a>',
            '<a href="en/incidents/a/index.html#legacy">relative, &lt;a name&gt; anchor</a>',
            '<a href="#top">same page</a>',
            '<a href="https://example.com/">external, not checked offline</a>',
        ])))
    write(site / "css" / "site.css", "body{}\n")
    write(site / "js" / "app.js", "\n")
    write(site / "en" / "index.html", page.format(head="", body='<a href="/">home</a>'))
    write(site / "en" / "incidents" / "a" / "index.html", page.format(
        head="", body='<h2 id="details">Details</h2><a name="legacy">old</a>'))

    assert broken_links(site) == []

    (site / "en" / "empty").mkdir()
    write(site / "en" / "broken.html", page.format(
        head='<script src="/js/missing.js"></script>',
        body="\n".join([
            '<a href="/en/incidents/a/#nope">missing fragment, root-relative</a>',
            '<a href="incidents/a/index.html#alsonope">missing fragment, relative</a>',
            '<a href="#not-here">missing fragment, same page</a>',
            '<a href="/en/missing/">missing directory</a>',
            '<a href="/en/empty/">directory without index.html</a>',
            '<a href="/nothere.html">missing file</a>',
        ])))
    problems = broken_links(site)
    text = "\n".join(problems)
    assert all(p.startswith("en/broken.html:") for p in problems), text
    for target in ["/en/incidents/a#nope", "/en/incidents/a/index.html#alsonope",
                   "/en/broken.html#not-here", "/en/missing", "/en/empty",
                   "/nothere.html", "/js/missing.js"]:
        assert any(f" {target} (" in p for p in problems), f"{target} not reported:\n{text}"
    assert len(problems) == 7, text
    assert "en/broken.html:2: /en/incidents/a#nope" in text, text  # line numbers kept


RNG = """<?xml version="1.0" encoding="UTF-8"?>
<grammar xmlns="http://relaxng.org/ns/structure/1.0"
         datatypeLibrary="http://www.w3.org/2001/XMLSchema-datatypes">
  <start>
    <element name="feed">
      <attribute name="n"><data type="integer"/></attribute>
      <oneOrMore><element name="entry"><text/></element></oneOrMore>
    </element>
  </start>
</grammar>
"""


def test_jing_errors(tmp_path):
    require_tool_or_skip("jing")
    rng = write(tmp_path / "feed.rng", RNG)
    good = write(tmp_path / "good.xml", '<feed n="3"><entry>a</entry></feed>\n')
    bad = write(tmp_path / "bad.xml", '<feed n="x"><bogus/></feed>\n')
    malformed = write(tmp_path / "malformed.xml", '<feed n="3"><entry>a</entry>\n')

    assert jing_errors(rng, good) == []
    problems = jing_errors(rng, bad)
    text = "\n".join(problems)
    assert any("bogus" in p for p in problems) and any("integer" in p for p in problems), text
    assert all(p.startswith(f"{bad}:1:") for p in problems), text
    assert jing_errors(rng, malformed)
    together = jing_errors(rng, [good, bad, good])  # one JVM for many files: the bad one is still named
    assert together and all(p.startswith(f"{bad}:1:") for p in together), together

    broken_schema = write(tmp_path / "broken.rng", "not a schema\n")
    with pytest.raises(RuntimeError, match="schema"):
        jing_errors(broken_schema, good)


def test_serve_directory(tmp_path):
    write(tmp_path / "en" / "index.html", GOOD_HTML)
    with serve_directory(tmp_path) as base:
        assert base.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(base + "en/", timeout=10) as resp:
            assert resp.status == 200 and b"All systems operational" in resp.read()
    with pytest.raises(OSError):
        urllib.request.urlopen(base + "en/", timeout=5)


def test_axe_violations(tmp_path):
    require_tool_or_skip("chromium", "axe", "playwright")
    site = tmp_path / "site"
    write(site / "good" / "index.html", GOOD_HTML)
    write(site / "bad" / "index.html", BAD_HTML.replace("<html lang=\"en\">", "<html>"))
    shot = tmp_path / "shots" / "good-320.png"
    with serve_directory(site) as base, AxeBrowser() as axe:
        assert axe.check(base + "good/", 320, shot) == []
        problems = axe.check(base + "bad/", 1280)
        missing = axe.check(base + "nope/", 1280)
    text = "\n".join(problems)
    assert any(p.startswith("image-alt: ") and "(1 node: img)" in p for p in problems), text
    assert any(p.startswith("html-has-lang: ") for p in problems), text
    assert any(p.startswith("HTTP 404") for p in missing), missing
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_axe_violations_one_shot(tmp_path):
    require_tool_or_skip("chromium", "axe", "playwright")
    write(tmp_path / "index.html", BAD_HTML)
    with serve_directory(tmp_path) as base:
        problems = checkers.axe_violations(base, viewport_width=800)
    assert [p.split(":")[0] for p in problems] == ["image-alt"], problems
