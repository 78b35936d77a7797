"""Hostile and broken files, through the command line: `statusgen validate` names the rule at `path:line:`
and exits 1, `statusgen build` refuses; neither hangs, crashes, nor writes anything.

Each case is one row of HOSTILE: the files to write (a text, or a function of the file's current text), the
rule, the file and the line (a number, or a piece of text whose line is meant). Every command runs under a
time limit: a loop that never ends fails the test instead of stalling the suite.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from statusgen.cli import main

NOW = "2026-11-20T15:00:00+01:00"
REL = "incidents/2026-11-20-hostile.md"
PAGE = "content/pages/hostile.fr.md"
SITE = "content/site.yaml"
LIFECYCLES = "content/lifecycles.yaml"
SECONDS = 20  # for one command on a busy 2-core machine; each case takes a second or two alone

ENTRY = """---
title: Paiements refusés
priority: high
components: [payments-api]
impact: Une partie des paiements échoue.
updates:
  - at: 2026-11-20T09:12:00+01:00
    status: investigating
    message: Nous enquêtons.
  - at: 2026-11-20T11:02:00+01:00
    status: resolved
    message: Les paiements fonctionnent.
root_cause: Un certificat expiré.
---
Le rapport.
"""

MAINTENANCE = """---
title: Mise à niveau
lifecycle: maintenance
components: [invoicing]
scheduled: {start: 2026-11-26T22:00:00+01:00, end: 2026-11-27T01:00:00+01:00}
updates:
  - at: 2026-11-19T10:00:00+01:00
    status: scheduled
    message: Maintenance prévue.
---
"""

ARTICLE = "---\ntitle: Article\n---\nUn article.\n"


def entry(old: str, new: str, text: str = ENTRY) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def edit(old: str, new: str):
    """A change to a file of the demo site."""
    def change(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)
    return change


def base_url(url: str):
    return edit("base_url: https://status.orbeline.example", f"base_url: {url}")


def number(key: str, value: str):
    return edit({"feed_items": "feed_items: 50", "history_per_page": "history_per_page: 6"}[key], f"{key}: {value}")


NO_RESOLVED = "\n".join(f"      {s}: [{', '.join(t)}]" for s, t in (
    ("investigating", ("identified", "monitoring")), ("identified", ("investigating", "monitoring")),
    ("monitoring", ("investigating", "identified"))))

# (case id, files, rule, path, line or the text on that line)
HOSTILE = [
    # YAML aliases that contain themselves: every walk over the nodes would never end.
    ("alias-cycle-list", {REL: entry("impact: Une", "x: &a [*a]\nimpact: Une")}, "yaml-alias-cycle", REL, 5),
    ("alias-cycle-mapping", {REL: entry("impact: Une partie des paiements échoue.", "impact: &a {more: *a}")},
     "yaml-alias-cycle", REL, 5),
    ("alias-cycle-deep", {SITE: lambda t: t + "company: &c [[x, [y, *c]]]\n"}, "yaml-alias-cycle", SITE, "company: &c"),
    # Markdown python-markdown would recurse into, or scan in quadratic time.
    ("md-brackets-report", {REL: ENTRY + "[" * 50_000 + "\n"}, "markdown-limit", REL, "Le rapport."),
    ("md-brackets-message", {REL: entry("message: Nous enquêtons.", "message: |\n      " + "[" * 5000)},
     "markdown-limit", REL, 10),
    ("md-nested-list", {REL: ENTRY + "\n" + "".join("    " * i + "- x\n" for i in range(500))},
     "markdown-limit", REL, 17 + 16),
    ("md-nested-quotes", {PAGE: "---\ntitle: T\n---\n" + ">" * 2000 + " deep\n"}, "markdown-limit", PAGE, 4),
    ("md-nested-inline-list", {PAGE: "---\ntitle: T\n---\n\n" + "- " * 300 + "x\n"}, "markdown-limit", PAGE, 5),
    ("md-headings", {PAGE: "---\ntitle: T\n---\n" + "".join(f"# Titre {i}\n\n" for i in range(30_000))},
     "markdown-limit", PAGE, 4),
    ("md-open-tags", {REL: entry("message: Nous enquêtons.", "message: \"" + "<http://a" * 10_000 + "\"")},
     "markdown-limit", REL, 9),
    ("md-open-links", {REL: ENTRY + "[x](" * 5000 + "\n"}, "markdown-limit", REL, "Le rapport."),
    ("md-images", {REL: entry("impact: Une partie des paiements échoue.", "impact: \"" + "![" * 5000 + "\"")},
     "markdown-limit", REL, 5),
    # Language marks of a report must name a language of the site.
    ("lang-mark-unknown", {REL: ENTRY + "<!-- lang: xx-zz -->\nPart.\n"}, "unknown-language", REL, "<!-- lang"),
    ("lang-mark-only-part", {REL: entry("Le rapport.\n", "<!-- lang: zz -->\nPart.\n")},
     "unknown-language", REL, "<!-- lang"),
    ("lang-mark-junk", {REL: ENTRY + "<!-- lang: \"><script>x</script> -->\nPart.\n"},
     "unknown-language", REL, "<!-- lang"),
    # A component listed without a state.
    ("component-null-state", {REL: entry("components: [payments-api]", "components: {payments-api: }")},
     "missing-field", REL, 4),
    ("component-empty-state", {REL: entry("components: [payments-api]", 'components: {payments-api: ""}')},
     "missing-field", REL, 4),
    ("update-component-null-state", {REL: entry("    status: resolved\n", "    status: resolved\n"
                                                "    components: {payments-api: ~}\n")}, "missing-field", REL, 12),
    # Timestamps at the edges of what datetime can hold.
    ("year-1", {REL: entry("at: 2026-11-20T09:12:00+01:00", "at: 0001-01-01T00:00:00+01:00")},
     "invalid-value", REL, 7),
    ("year-9999", {REL: entry("at: 2026-11-20T11:02:00+01:00", "at: 9999-12-31T23:59:00-01:00")},
     "invalid-value", REL, 10),
    ("year-1970", {REL: entry("at: 2026-11-20T09:12:00+01:00", "at: 1970-12-31T23:00:00-01:00")},
     "invalid-value", REL, 7),
    ("window-ends-at-datetime-max", {"incidents/2026-11-19-window.md": MAINTENANCE.replace(
        "end: 2026-11-27T01:00:00+01:00", "end: 9999-12-31T23:59:59-12:00")},
     "invalid-value", "incidents/2026-11-19-window.md", 5),
    # YAML 1.1 numbers where a whole number is expected.
    ("int-sexagesimal", {SITE: number("feed_items", "1:20")}, "invalid-value", SITE, "feed_items"),
    ("int-hex-empty", {SITE: number("feed_items", "0x_")}, "invalid-value", SITE, "feed_items"),
    ("int-binary", {SITE: number("history_per_page", "0b1")}, "invalid-value", SITE, "history_per_page"),
    ("int-octal-1.2", {SITE: number("feed_items", "0o17")}, "invalid-value", SITE, "feed_items"),
    ("int-5000-digits", {PAGE: "---\ntitle: T\norder: " + "9" * 5000 + "\n---\nText.\n"}, "invalid-value", PAGE, 3),
    # Characters XML feeds cannot carry and terminals obey.
    ("noncharacter-escaped", {REL: entry("message: Nous enquêtons.", 'message: "Nous \\uFFFE enquêtons."')},
     "invalid-value", REL, 9),
    ("noncharacter-in-yaml", {REL: entry("Une partie", "Une \uffff partie")}, "yaml-syntax", REL, 5),
    ("noncharacter-in-report", {REL: ENTRY + "Suite \ufdd0.\n"}, "invalid-value", REL, "Suite"),
    ("noncharacter-plane-1-in-article", {PAGE: "---\ntitle: T\n---\nTexte \U0001fffe.\n"},
     "invalid-value", PAGE, 4),
    ("escape-in-report", {REL: ENTRY + "Voir \x1b[31mERREUR\x1b[0m.\n"}, "invalid-value", REL, "Voir"),
    ("escape-in-article", {PAGE: "---\ntitle: T\n---\nTexte\n\x1b]0;titre\x07\n"}, "invalid-value", PAGE, 5),
    # Ids too long to name a folder of the output.
    ("long-entry-id", {"incidents/2026-11-20-" + "x" * 90 + ".md": ENTRY}, "file-name",
     "incidents/2026-11-20-" + "x" * 90 + ".md", 1),
    ("long-component-id", {"content/components.yaml": edit("- id: payments-api", "- id: " + "p" * 65)},
     "unsafe-id", "content/components.yaml", "- id: ppp"),
    ("long-article-slug", {"content/pages/" + "a" * 101 + ".fr.md": ARTICLE}, "file-name",
     "content/pages/" + "a" * 101 + ".fr.md", 1),
    # base_url that cannot be the address of the site.
    ("base-url-javascript", {SITE: base_url("javascript:alert(1)")}, "invalid-value", SITE, "base_url"),
    ("base-url-no-scheme", {SITE: base_url("status.orbeline.example")}, "invalid-value", SITE, "base_url"),
    ("base-url-space", {SITE: base_url('"https://status orbeline.example"')}, "invalid-value", SITE, "base_url"),
    ("base-url-port", {SITE: base_url("https://status.orbeline.example:70000")}, "invalid-value", SITE, "base_url"),
    ("base-url-query", {SITE: base_url("https://status.orbeline.example/?x=1")}, "invalid-value", SITE, "base_url"),
    ("base-url-fragment", {SITE: base_url("https://status.orbeline.example/#top")}, "invalid-value", SITE,
     "base_url"),
    ("base-url-double-slash", {SITE: base_url("https://status.orbeline.example/a//b")}, "invalid-value", SITE,
     "base_url"),
    ("base-url-user", {SITE: base_url("https://admin:secret@status.orbeline.example")}, "invalid-value", SITE,
     "base_url"),
    # Dates in file names written with other digits than 0-9.
    ("arabic-indic-digits", {"incidents/٢٠٢٦-١١-٢٠-x.md": ENTRY}, "file-name", "incidents/٢٠٢٦-١١-٢٠-x.md", 1),
    ("impossible-date", {"incidents/2026-02-30-x.md": ENTRY}, "file-name", "incidents/2026-02-30-x.md", 1),
    # Blank texts.
    ("blank-title", {REL: entry("title: Paiements refusés", 'title: "   "')}, "missing-field", REL, 2),
    ("blank-translation", {REL: entry("title: Paiements refusés", 'title: {fr: "", en: Payments}')},
     "missing-field", REL, 2),
    ("blank-message", {REL: entry("message: Nous enquêtons.", "message: '  '")}, "missing-field", REL, 9),
    ("blank-component-name", {"content/components.yaml": edit("name: {fr: API de paiement, en: Payments API}",
                                                              "name: {fr: API de paiement, en: ' '}")},
     "missing-field", "content/components.yaml", "name: {fr: API de paiement"),
    ("blank-article-title", {PAGE: "---\ntitle: ' '\n---\nTexte.\n"}, "missing-field", PAGE, 2),
    # A lifecycle no entry could ever end.
    ("terminal-unreachable", {LIFECYCLES: edit(
        "      investigating: [identified, monitoring, resolved]\n"
        "      identified: [investigating, monitoring, resolved]\n"
        "      monitoring: [investigating, identified, resolved]", NO_RESOLVED)},
     "lifecycle-definition", LIFECYCLES, "    terminal: [resolved]"),
]

# Edge cases that are valid: they must build, quickly and without a traceback.
VALID = [
    ("int-with-underscores", {SITE: number("feed_items", "1_000")}),
    ("int-leading-zero", {SITE: number("history_per_page", "010")}),
    ("nested-16-levels", {REL: ENTRY + "\n" + "".join("    " * i + "- x\n" for i in range(16))}),
    ("many-closed-links", {REL: ENTRY + "\n" + " ".join(f"[lien {i}](https://x.example/{i})" for i in range(300))}),
    ("report-in-two-languages", {REL: ENTRY + "<!-- lang: en -->\nThe report.\n"}),
    ("base-url-with-port-and-path", {SITE: base_url("https://status.orbeline.example:8443/status")}),
    # Just under the Markdown limits: the build stays within seconds (python-markdown's time is what the budget bounds).
    ("report-of-5000-headings", {REL: ENTRY + "".join(f"# Partie {i}\n\n" for i in range(5000))}),
    ("report-with-600-open-brackets", {REL: ENTRY + "\n" + "[" * 600 + "\n"}),
    ("timestamps-in-1971", {REL: entry("at: 2026-11-20T09:12:00+01:00", "at: 1971-01-01T01:00:00+01:00")
                            .replace("2026-11-20T11:02", "1971-01-01T11:02")}),
]


class TookTooLong(Exception):
    pass


def _interrupt(signum, frame):
    raise TookTooLong(f"more than {SECONDS} s")


def run(*args: str) -> tuple[object, float]:
    """The command's result and its duration; a command still running after SECONDS fails the test."""
    previous = signal.signal(signal.SIGALRM, _interrupt)
    signal.alarm(SECONDS)
    started = time.perf_counter()
    try:
        result = CliRunner().invoke(main, list(args))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert not isinstance(result.exception, TookTooLong), f"statusgen {args[0]} {result.exception}"
    return result, time.perf_counter() - started


def write_files(site: Path, files: dict) -> None:
    for rel, content in files.items():
        path = site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if callable(content):
            content = content(path.read_text(encoding="utf-8"))
        path.write_text(content, encoding="utf-8")


def line_of(site: Path, rel: str, where: int | str) -> int:
    if isinstance(where, int):
        return where
    text = (site / rel).read_text(encoding="utf-8")
    assert where in text, where
    return text[: text.index(where)].count("\n") + 1


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if not p.is_symlink()}


def assert_clean_failure(result, command: str) -> None:
    assert result.exit_code == 1, (command, result.exit_code, result.output[-2000:])
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output[-2000:]


@pytest.mark.parametrize("files,rule,rel,where", [c[1:] for c in HOSTILE], ids=[c[0] for c in HOSTILE])
def test_hostile_file_is_a_diagnostic(tmp_path, scratch_site, files, rule, rel, where):
    write_files(scratch_site, files)
    expected = f"{rel}:{line_of(scratch_site, rel, where)}: error [{rule}]"
    before = snapshot(tmp_path)

    checked, validate_took = run("validate", "--root", str(scratch_site), "--now", NOW)
    assert_clean_failure(checked, "validate")
    assert expected in checked.output, checked.output[-3000:]
    assert snapshot(tmp_path) == before

    out = tmp_path / "out"
    built, build_took = run("build", "--root", str(scratch_site), "--now", NOW, "--out", str(out))
    assert_clean_failure(built, "build")
    assert expected in built.output
    assert snapshot(tmp_path) == before and not out.exists()


@pytest.mark.parametrize("files", [c[1] for c in VALID], ids=[c[0] for c in VALID])
def test_valid_edge_case_builds(tmp_path, scratch_site, files):
    write_files(scratch_site, files)
    out = tmp_path / "out"
    built, _ = run("build", "--root", str(scratch_site), "--now", NOW, "--out", str(out))
    assert built.exit_code == 0, built.output[-3000:]
    assert (out / "index.html").is_file()


def test_rss_channel_description_is_plain_text(tmp_path, scratch_site):
    """Feed readers often take an RSS channel's description as HTML: it holds words only, never markup."""
    import xml.etree.ElementTree as ElementTree

    write_files(scratch_site, {SITE: edit('  fr: "Disponibilité en temps réel',
                                          '  fr: "**Orbeline** & <b>co</b> : <script>x()</script>en temps réel')})
    out = tmp_path / "out"
    built, _ = run("build", "--root", str(scratch_site), "--now", NOW, "--out", str(out))
    assert built.exit_code == 0, built.output[-3000:]
    description = ElementTree.parse(out / "feed.rss").getroot().find("channel/description").text
    assert description.startswith("Orbeline & co : en temps réel"), description
    subtitle = ElementTree.parse(out / "feed.atom").getroot().find("{http://www.w3.org/2005/Atom}subtitle").text
    assert subtitle == description
