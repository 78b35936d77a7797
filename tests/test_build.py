"""statusgen build: deterministic, atomic, safe about where it writes, and never lets a script through."""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import DEMO_NOW, build_site
from statusgen.cli import main
from statusgen.output import WORK_PREFIX
from statusgen.commands.build import build
from statusgen.errors import StatusgenError
from statusgen.render import engine

OPEN = "incidents/2026-11-20-intermittent-terminal-payment-declines.md"


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_input_and_time_give_identical_bytes(demo_root, tmp_path, site_out):
    again = build_site(demo_root, tmp_path / "again", DEMO_NOW)
    assert tree(again) == tree(site_out)


def test_source_date_epoch_gives_the_same_site_as_now(demo_root, tmp_path, site_out):
    epoch = str(int(DEMO_NOW.timestamp()))
    result = CliRunner().invoke(main, ["build", "--root", str(demo_root), "--out", str(tmp_path / "epoch")],
                                env={"SOURCE_DATE_EPOCH": epoch})
    assert result.exit_code == 0, result.output
    assert tree(tmp_path / "epoch") == tree(site_out)


def test_summary_line_counts_pages(demo_root, tmp_path):
    result = CliRunner().invoke(main, ["build", "--root", str(demo_root), "--out", str(tmp_path / "o"),
                                       "--now", DEMO_NOW.isoformat()])
    assert re.match(r"built \d+ pages and \d+ other files into .* in \d+\.\d s", result.output)


@pytest.fixture
def previous(scratch_site, tmp_path):
    out = build_site(scratch_site, tmp_path / "out", DEMO_NOW)
    return scratch_site, out, tree(out)


def leftovers(out: Path) -> list[str]:
    """Stages or moved-aside copies of the output left beside it."""
    return [p.name for p in out.parent.iterdir() if p.name.startswith((f".{out.name}.", WORK_PREFIX))]


def test_validation_error_leaves_the_previous_output(previous):
    site, out, before = previous
    path = site / OPEN
    path.write_text(path.read_text(encoding="utf-8").replace("status: identified", "status: identifed", 1),
                    encoding="utf-8")
    result = build(site, out, DEMO_NOW)
    assert not result.ok and result.report.errors == 1
    assert tree(out) == before and leftovers(out) == []


@pytest.mark.parametrize("failure", [RuntimeError("disk on fire"), KeyboardInterrupt()])
def test_failure_midway_leaves_the_previous_output(previous, monkeypatch, failure):
    site, out, before = previous
    path = site / OPEN
    path.write_text(path.read_text(encoding="utf-8").replace("refusés par", "refusés (édité) par"),
                    encoding="utf-8")
    rendered = []
    real = engine.render_recorded

    def failing(state, job):
        rendered.append(job)
        if len(rendered) == 10:
            raise failure
        return real(state, job)

    monkeypatch.setattr(engine, "render_recorded", failing)
    with pytest.raises(type(failure)):
        build(site, out, DEMO_NOW)
    assert len(rendered) == 10  # it did fail midway, with pages already written to the stage
    assert tree(out) == before and leftovers(out) == []


def test_refuses_to_write_over_the_site_or_a_foreign_folder(scratch_site, tmp_path):
    for out in (scratch_site, scratch_site / "incidents" / "out", scratch_site / "content" / "x"):
        with pytest.raises(StatusgenError, match="refusing"):
            build(scratch_site, out, DEMO_NOW)
    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "holiday.jpg").write_bytes(b"\xff\xd8")
    with pytest.raises(StatusgenError, match="not a previous statusgen build"):
        build(scratch_site, foreign, DEMO_NOW)
    assert (foreign / "holiday.jpg").read_bytes() == b"\xff\xd8"
    sources = tmp_path / "another-site"
    (sources / "incidents").mkdir(parents=True)
    with pytest.raises(StatusgenError, match="like a site's sources"):
        build(scratch_site, sources, DEMO_NOW)
    result = CliRunner().invoke(main, ["build", "--root", str(scratch_site), "--out", str(scratch_site)])
    assert result.exit_code == 1 and "Traceback" not in result.output


def test_a_previous_build_is_replaced_entirely(previous):
    site, out, before = previous
    (out / "stale.html").write_text("old", encoding="utf-8")
    (site / "incidents/2026-09-21-delayed-webhooks-overnight.md").unlink()
    assert build(site, out, DEMO_NOW).ok
    after = tree(out)
    assert "stale.html" not in after
    assert "incidents/2026-09-21-delayed-webhooks-overnight/index.html" in before
    assert "incidents/2026-09-21-delayed-webhooks-overnight/index.html" not in after


HOSTILE = """---
title: "Panne <script>alert('title')</script>"
priority: low
components: [dashboard]
impact: '<img src=x onerror="alert(1)"> impact'
updates:
  - at: 2026-11-20T09:00:00+01:00
    status: investigating
    message: |
      Voir [ici](javascript:alert(1)) <script>alert(2)</script>
      <a href="https://ok.example" onclick="alert(3)">lien</a> <iframe src="https://evil.example"></iframe>
      <svg onload="alert(4)"></svg> <style>body{display:none}</style>
---
<script>alert(5)</script>

# Rapport <b onmouseover="alert(6)">gras</b>

[x](JaVaScRiPt:alert(7))
"""


def test_no_script_reaches_any_page_or_feed(scratch_site, tmp_path):
    (scratch_site / "incidents/2026-11-20-hostile.md").write_text(HOSTILE, encoding="utf-8")
    out = build_site(scratch_site, tmp_path / "out", DEMO_NOW)
    page = (out / "incidents/2026-11-20-hostile/index.html").read_text(encoding="utf-8")
    assert "Panne &lt;script&gt;" in page  # the title is shown, escaped
    assert 'href="https://ok.example"' in page  # harmless links survive
    for path in out.rglob("*.html"):
        lowered = path.read_text(encoding="utf-8").lower()
        assert "<script" not in lowered and "<iframe" not in lowered and "<style>body" not in lowered, path
        assert not re.search(r"\son\w+=", lowered), path
        assert "javascript:" not in lowered, path
    for path in list(out.rglob("*.atom")) + list(out.rglob("*.rss")):
        # The HTML a feed reader shows, read without feedparser's own sanitiser.
        for element in ET.parse(path).iter():
            if element.tag.split("}")[-1] in ("content", "description") and element.text:
                assert "<script" not in element.text and "javascript:" not in element.text.lower(), path
    for path in out.rglob("*.json"):
        for body in re.findall(r'"body": ("(?:[^"\\]|\\.)*")', path.read_text(encoding="utf-8")):
            assert "<script" not in json.loads(body) and "javascript:" not in json.loads(body).lower(), path


def test_history_is_paginated_month_by_month(scratch_site, tmp_path):
    settings = scratch_site / "content/site.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("history_per_page: 6", "history_per_page: 1"),
                        encoding="utf-8")
    out = build_site(scratch_site, tmp_path / "out", DEMO_NOW)
    first = (out / "history/index.html").read_text(encoding="utf-8")
    assert "novembre 2026" in first.lower() and "octobre 2026" not in first.lower()
    assert 'href="/history/page/2/"' in first and 'rel="next"' in first
    second = (out / "history/page/2/index.html").read_text(encoding="utf-8")
    assert "octobre 2026" in second.lower() and 'rel="prev"' in second
    pages = sorted(p.parent.name for p in (out / "history/page").glob("*/index.html"))
    assert pages == sorted(str(n) for n in range(2, 13))  # November 2026 back to December 2025
    assert (out / "en/history/page/12/index.html").is_file()


def test_incident_page_has_an_anchor_and_a_time_per_update(site_out, demo_site):
    entry = next(e for e in demo_site.entries if e.path == OPEN)
    page = (site_out / f"incidents/{entry.id}/index.html").read_text(encoding="utf-8")
    for n, update in enumerate(entry.updates, 1):
        assert f'id="update-{n}"' in page
        assert f'datetime="{update.at.isoformat()}"' in page
    assert os.path.getsize(site_out / f"incidents/{entry.id}/index.html") < 60_000


def test_help_centre_states_business_hours(site_out):
    assert "du lundi au vendredi, de 09:00 à 18:00 (heure de Paris)" in (site_out / "help/index.html").read_text(
        encoding="utf-8")
    assert "Monday to Friday, 09:00–18:00 (Paris time)" in (site_out / "en/help/index.html").read_text(
        encoding="utf-8")


def test_priority_without_cadence_takes_the_site_default(scratch_site):
    from statusgen.loading import load_site

    path = scratch_site / "content/lifecycles.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  - id: medium")
    cadence = text.index("update_cadence:", start)
    end = text.index("\n", cadence) + 1
    path.write_text(text[: text.rindex("\n", 0, cadence) + 1]
                    + text[end:], encoding="utf-8")
    settings = scratch_site / "content/site.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("default_update_cadence: 1d",
                                                                     "default_update_cadence: 6h"), encoding="utf-8")
    site, diagnostics = load_site(scratch_site)
    assert [d for d in diagnostics if d.level == "error"] == []
    assert site.priorities["medium"].update_cadence.length.total_seconds() == 6 * 3600
    assert site.priorities["high"].update_cadence.length.total_seconds() == 12 * 3600
