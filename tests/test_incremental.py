"""Incremental rebuilds (statusgen serve) give the same bytes as a full build, after every kind of change."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import DEMO_NOW, copy_site

from statusgen.commands.build import Builder, build

OPEN = "incidents/2026-11-20-intermittent-terminal-payment-declines.md"


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_same_as_full_build(builder: Builder, site: Path, tmp_path: Path) -> None:
    full = tmp_path / "full"
    result = build(site, full, DEMO_NOW)
    assert result.ok
    incremental, reference = tree(builder.out), tree(full)
    assert sorted(incremental) == sorted(reference)
    differing = [path for path in reference if incremental[path] != reference[path]]
    assert differing == []


@pytest.fixture
def warm(tmp_path):
    site = copy_site(tmp_path / "site", with_templates=True)
    builder = Builder(site, tmp_path / "out", fixed_now=DEMO_NOW.isoformat())
    errors, line = builder.rebuild()
    assert errors == [] and line.startswith("built ")
    return site, builder


def rebuild(builder: Builder) -> str:
    errors, line = builder.rebuild()
    assert errors == [], [e.format() for e in errors]
    return line


def test_edited_incident_rerenders_only_what_it_touches(warm, tmp_path):
    site, builder = warm
    path = site / OPEN
    path.write_text(path.read_text(encoding="utf-8").replace(
        "Paiements sur terminal refusés par intermittence", "Paiements sur terminal en partie refusés"),
        encoding="utf-8")
    line = rebuild(builder)
    assert "(incremental)" in line
    pages = int(line.split()[1])
    assert 0 < pages < 20  # its pages, the status page, its history page, its component pages
    assert "en partie refusés" in (builder.out / "index.html").read_text(encoding="utf-8")
    assert_same_as_full_build(builder, site, tmp_path)


def test_new_incident(warm, tmp_path):
    site, builder = warm
    (site / "incidents/2026-11-20-webhooks-delayed.md").write_text("""---
title: {fr: Webhooks en retard, en: Delayed webhooks}
priority: medium
components: [webhooks]
updates:
  - at: 2026-11-20T14:10:00+01:00
    status: investigating
    message: {fr: Les webhooks partent avec du retard., en: Webhooks are sent late.}
---
""", encoding="utf-8")
    assert "(incremental)" in rebuild(builder)
    assert (builder.out / "incidents/2026-11-20-webhooks-delayed/index.html").is_file()
    assert_same_as_full_build(builder, site, tmp_path)


def test_deleted_incident(warm, tmp_path):
    site, builder = warm
    (site / "incidents/2026-09-21-delayed-webhooks-overnight.md").unlink()
    assert "(incremental)" in rebuild(builder)
    assert not (builder.out / "incidents/2026-09-21-delayed-webhooks-overnight").exists()
    assert not (builder.out / "en/incidents/2026-09-21-delayed-webhooks-overnight").exists()
    assert_same_as_full_build(builder, site, tmp_path)


def test_edited_component(warm, tmp_path):
    site, builder = warm
    path = site / "content/components.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("API de paiement", "API des paiements", 1),
                    encoding="utf-8")
    rebuild(builder)
    assert "API des paiements" in (builder.out / "index.html").read_text(encoding="utf-8")
    assert_same_as_full_build(builder, site, tmp_path)


def test_edited_template(warm, tmp_path):
    site, builder = warm
    path = site / "templates/404.html"
    path.write_text(path.read_text(encoding="utf-8").replace("{{ t.not_found_text }}",
                                                             "{{ t.not_found_text }} (404)"), encoding="utf-8")
    rebuild(builder)
    assert "(404)" in (builder.out / "404.html").read_text(encoding="utf-8")
    assert_same_as_full_build(builder, site, tmp_path)


def test_several_edits_in_a_row(warm, tmp_path):
    site, builder = warm
    path = site / OPEN
    for n in range(3):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("---\n", f"---\n# edit {n}\n", 1), encoding="utf-8")
        rebuild(builder)
    (site / "incidents/2026-08-25-slow-invoice-pdf-generation.md").unlink()
    rebuild(builder)
    assert_same_as_full_build(builder, site, tmp_path)


def test_a_broken_edit_keeps_the_last_good_build(warm):
    site, builder = warm
    before = tree(builder.out)
    path = site / OPEN
    path.write_text(path.read_text(encoding="utf-8").replace("priority: high", "priority: urgent"),
                    encoding="utf-8")
    errors, line = builder.rebuild()
    assert [e.rule for e in errors] == ["unknown-priority"]
    assert "previous output is unchanged" in line
    assert tree(builder.out) == before


class _Cycle:
    def __init__(self):
        self.me = self


def test_serve_freezes_what_a_full_build_leaves_and_still_frees_its_cycles(tmp_path, monkeypatch):
    """What the full build leaves is frozen (the collector's full passes skip it); a reference cycle
    among those objects that becomes garbage is freed after RESETTLE_EVERY rebuilds, not kept forever."""
    import gc
    import weakref

    from statusgen.commands import build as build_module

    monkeypatch.setattr(build_module, "RESETTLE_EVERY", 2)
    site = copy_site(tmp_path / "site")
    builder = Builder(site, tmp_path / "out", fixed_now=DEMO_NOW.isoformat())
    held = _Cycle()
    gone = weakref.ref(held)
    try:
        assert builder.rebuild()[0] == []
        assert gc.get_freeze_count() > 0
        del held
        gc.collect()
        assert gone() is not None  # frozen: no pass of the collector looks at it
        rebuild(builder)
        rebuild(builder)
        assert gone() is None
    finally:
        gc.unfreeze()
