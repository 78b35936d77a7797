"""new / update / resolve / due: edits are checked first, refused edits leave the file byte-for-byte."""

from __future__ import annotations

import difflib
import hashlib
import json
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from statusgen.cli import main
from statusgen.commands.validate import check
from statusgen.editing import TextFile, append_update
from statusgen.loading import load_site

NOW = "2026-11-20T15:00:00+01:00"
OPEN = "2026-11-20-intermittent-terminal-payment-declines"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def entry_path(site: Path, entry_id: str) -> Path:
    return next(site.glob(f"incidents/**/{entry_id}.md"))


def test_new_writes_a_valid_entry_and_prints_its_url(scratch_site):
    result = run("new", "incident", "--root", scratch_site, "--title", "Lenteurs du tableau de bord",
                 "-p", "medium", "-c", "dashboard", "-c", "invoicing", "-m", "Nous analysons des lenteurs.",
                 "--title-in", "en", "Slow dashboard", "--now", "2026-11-20T15:10:00+01:00", "--no-input")
    assert result.exit_code == 0, result.output
    path = scratch_site / "incidents/2026-11-20-lenteurs-du-tableau-de-bord.md"
    assert path.is_file()
    assert "https://status.orbeline.example/incidents/2026-11-20-lenteurs-du-tableau-de-bord/" in result.output
    site, _ = load_site(scratch_site)
    entry = next(e for e in site.entries if e.id == path.stem)
    assert entry.title.get("en", "fr") == "Slow dashboard"
    assert list(entry.components) == ["dashboard", "invoicing"]
    assert entry.updates[0].status == "investigating"
    assert check(scratch_site, datetime.fromisoformat("2026-11-20T15:20:00+01:00")).errors == 0


def test_new_makes_the_slug_unique(scratch_site):
    args = ["new", "incident", "--root", scratch_site, "-t", "Panne", "-p", "low", "-c", "dashboard", "-m", "x",
            "--now", NOW, "--no-input"]
    assert run(*args).exit_code == 0
    assert run(*args).exit_code == 0
    assert (scratch_site / "incidents/2026-11-20-panne.md").is_file()
    assert (scratch_site / "incidents/2026-11-20-panne-2.md").is_file()


def test_new_maintenance_needs_its_window(scratch_site):
    result = run("new", "maintenance", "--root", scratch_site, "-t", "Mise à jour", "-c", "invoicing",
                 "-m", "Prévue.", "--start", "2026-11-30T22:00:00+01:00", "--end", "2026-11-30T23:00:00+01:00",
                 "--now", NOW, "--no-input")
    assert result.exit_code == 0, result.output
    text = (scratch_site / "incidents/2026-11-20-mise-a-jour.md").read_text(encoding="utf-8")
    assert "scheduled: {start: 2026-11-30T22:00:00+01:00, end: 2026-11-30T23:00:00+01:00}" in text
    assert "status: scheduled" in text


def test_new_without_a_terminal_fails_clearly_and_writes_nothing(scratch_site):
    before = sorted(p.name for p in (scratch_site / "incidents").iterdir())
    proc = subprocess.run([sys.executable, "-m", "statusgen", "new", "incident", "--title", "x", "--now", NOW],
                          cwd=scratch_site, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert proc.returncode == 2
    assert "missing --priority, --component, --message" in proc.stderr
    assert sorted(p.name for p in (scratch_site / "incidents").iterdir()) == before


def test_new_refuses_an_unknown_priority_without_writing(scratch_site):
    before = sorted(p.name for p in (scratch_site / "incidents").iterdir())
    result = CliRunner().invoke(main, ["new", "incident", "--root", str(scratch_site), "-t", "x", "-p", "urgent",
                                       "-c", "dashboard", "-m", "x", "--now", NOW, "--no-input"])
    assert result.exit_code == 1
    assert "[unknown-priority]" in result.output
    assert sorted(p.name for p in (scratch_site / "incidents").iterdir()) == before


def test_update_appends_only_the_new_lines(scratch_site):
    path = entry_path(scratch_site, OPEN)
    before = path.read_text(encoding="utf-8")
    result = run("update", OPEN, "--root", scratch_site, "-s", "monitoring", "-m", "Le correctif tient.",
                 "--message-in", "en", "The fix holds.", "--now", "2026-11-20T15:30:00+01:00")
    assert result.exit_code == 0, result.output
    after = path.read_text(encoding="utf-8")
    added = [line for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line[:1] in "+-"]
    assert all(line.startswith("+ ") for line in added)
    assert "+   - at: 2026-11-20T15:30:00+01:00" in added
    assert check(scratch_site, datetime.fromisoformat("2026-11-20T15:31:00+01:00")).errors == 0


@pytest.mark.parametrize("args,rule", [
    (["-s", "identifed", "-m", "x"], "[unknown-status]"),
    (["-s", "monitoring", "-m", "x", "--at", "2026-11-20T10:00:00+01:00"], "[timestamp-order]"),
    (["-s", "monitoring", "-m", "x", "--at", "2026-11-21T10:00:00+01:00"], "[timestamp-future]"),
])
def test_refused_update_leaves_the_file_unchanged(scratch_site, args, rule):
    path = entry_path(scratch_site, OPEN)
    before = digest(path)
    result = CliRunner().invoke(main, ["update", OPEN, "--root", str(scratch_site), "--now", NOW, *args])
    assert result.exit_code == 1
    assert rule in result.output and "refused, the file is unchanged" in result.output
    assert digest(path) == before


def test_illegal_transition_is_refused(scratch_site):
    entry_id = "2026-11-19-email-infrastructure-migration-rescheduled"  # maintenance, scheduled
    path = entry_path(scratch_site, entry_id)
    before = digest(path)
    result = CliRunner().invoke(main, ["update", entry_id, "--root", str(scratch_site), "--now", NOW,
                                       "-s", "completed", "-m", "Fini."])
    assert result.exit_code == 1 and "[transition]" in result.output
    assert digest(path) == before


def test_edits_read_the_definitions_and_only_the_entry_they_touch(scratch_site, monkeypatch):
    import statusgen.loading

    def whole_site(*args, **kwargs):
        raise AssertionError("an edit read every entry or help page of the site")

    monkeypatch.setattr(statusgen.loading, "load_entry", whole_site)
    monkeypatch.setattr(statusgen.loading, "load_pages", whole_site)
    assert run("update", OPEN, "--root", scratch_site, "-s", "monitoring", "-m", "Correctif déployé.",
               "--now", "2026-11-20T15:30:00+01:00").exit_code == 0
    assert run("resolve", OPEN, "--root", scratch_site, "-m", "Tout fonctionne.",
               "--now", "2026-11-20T15:40:00+01:00").exit_code == 0
    assert run("new", "incident", "--root", scratch_site, "-t", "Panne", "-p", "low", "-c", "dashboard", "-m", "x",
               "--now", NOW, "--no-input").exit_code == 0


def test_resolve_uses_the_lifecycle_resolving_status(scratch_site):
    result = run("resolve", OPEN, "--root", scratch_site, "-m", "Tout fonctionne.", "--now", "2026-11-20T15:40:00+01:00")
    assert result.exit_code == 0, result.output
    site, _ = load_site(scratch_site)
    entry = next(e for e in site.entries if e.id == OPEN)
    assert entry.last_update.status == "resolved"
    again = CliRunner().invoke(main, ["resolve", OPEN, "--root", str(scratch_site), "-m", "x",
                                      "--now", "2026-11-20T15:50:00+01:00"])
    assert again.exit_code == 1 and "[after-terminal]" in again.output


def test_crlf_and_bom_are_kept(scratch_site):
    path = entry_path(scratch_site, OPEN)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    assert run("update", OPEN, "--root", scratch_site, "-s", "identified", "-m", "Suite.",
               "--now", "2026-11-20T15:30:00+01:00").exit_code == 0
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf---\r\n")
    assert data.count(b"\n") == data.count(b"\r\n")
    assert b"    message: Suite.\r\n" in data


def test_round_trip_over_every_demo_file(demo_root):
    """Appending to any demo file adds lines and changes none of the existing ones."""
    site, _ = load_site(demo_root)
    for entry in site.entries:
        raw = (demo_root / entry.path).read_bytes()
        original = TextFile.decode(raw)
        at = (entry.last_update.at + timedelta(minutes=1)).isoformat()
        edited = append_update(original.text, at, entry.last_update.status, {"fr": "Suivi.", "en": "Follow-up."})
        diff = [line for line in difflib.ndiff(original.text.splitlines(), edited.splitlines()) if line[:1] in "+-?"]
        assert diff and all(line.startswith("+ ") for line in diff), entry.path
        assert len(diff) == 5, entry.path  # - at, status, message:, fr:, en:
        reparsed = original.encode(edited)
        assert reparsed.startswith(raw[: len(raw) // 2])


def test_concurrent_updates_are_never_lost(scratch_site):
    """Two processes update one file at once: both land, or one is refused clearly."""
    path = entry_path(scratch_site, OPEN)
    command = [sys.executable, "-m", "statusgen", "update", OPEN, "-s", "identified", "--now",
               "2026-11-20T15:30:00+01:00"]
    for round_ in range(3):
        procs = [subprocess.Popen(command + ["-m", f"Point {round_}-{n}.", "--at",
                                             f"2026-11-20T14:{10 * round_ + 2 * n + 1:02d}:00+01:00"],
                                  cwd=scratch_site, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  stdin=subprocess.DEVNULL) for n in (0, 1)]
        outcomes = [(p.wait(timeout=60), p.stderr.read()) for p in procs]
        text = path.read_text(encoding="utf-8")
        for n, (code, err) in enumerate(outcomes):
            if code == 0:
                assert f"Point {round_}-{n}." in text
            else:
                assert code == 1 and "refused, the file is unchanged" in err and "Traceback" not in err
        assert any(code == 0 for code, _ in outcomes)
    assert check(scratch_site, datetime.fromisoformat("2026-11-20T15:30:00+01:00")).errors == 0


DUE_SITE_ENTRIES = {
    "2026-11-10-overdue.md": """---
title: Lenteurs
priority: high
components: [dashboard]
updates:
  - at: 2026-11-18T09:00:00+01:00
    status: investigating
    message: Nous analysons.
---
""",
    "2026-11-01-waiting.md": """---
title: Logo
lifecycle: ticket
priority: low
components: [invoicing]
updates:
  - at: 2026-11-01T09:00:00+01:00
    status: submitted
    message: Reçu.
  - at: 2026-11-17T09:00:00+01:00
    status: waiting_customer
    message: Pouvez-vous préciser ?
---
""",
    "2026-11-02-silent.md": """---
title: Export
lifecycle: ticket
priority: low
components: [invoicing]
updates:
  - at: 2026-11-02T09:00:00+01:00
    status: submitted
    message: Reçu.
  - at: 2026-11-05T09:00:00+01:00
    status: waiting_customer
    message: Pouvez-vous préciser ?
---
""",
    "2026-11-03-critical.md": """---
title: Panne
priority: critical
components: [payments-api]
updates:
  - at: 2026-11-03T09:00:00+01:00
    status: investigating
    message: Panne.
  - at: 2026-11-03T10:00:00+01:00
    status: resolved
    message: Rétabli.
---
""",
    "2026-10-27-risky.md": """---
title: Format de date
lifecycle: ticket
priority: low
components: [mobile-app]
updates:
  - at: 2026-10-27T09:00:00+01:00
    status: in_engineering
    message: Pris en charge.
---
""",
}


@pytest.fixture
def due_site(tmp_path, demo_root):
    from conftest import copy_site

    site = copy_site(tmp_path / "due")
    for path in (site / "incidents").iterdir():
        path.unlink()
    for name, text in DUE_SITE_ENTRIES.items():
        (site / "incidents" / name).write_text(text, encoding="utf-8")
    return site


def test_due_reports_each_kind_of_debt(due_site):
    result = CliRunner().invoke(main, ["due", "--root", str(due_site), "--now", NOW, "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    kinds = {(item["kind"], item["entry"]) for item in data["items"]}
    assert kinds == {
        ("update_overdue", "2026-11-10-overdue"),
        ("reminder_due", "2026-11-01-waiting"),
        ("auto_resolved", "2026-11-02-silent"),
        ("report_missing", "2026-11-03-critical"),
        ("target_at_risk", "2026-10-27-risky"),
    }
    table = CliRunner().invoke(main, ["due", "--root", str(due_site), "--now", NOW])
    assert table.output.splitlines()[0].split() == ["what", "entry", "priority", "detail"]
    assert "update overdue" in table.output


def test_due_target_breached_and_clean_exit(due_site):
    later = "2026-11-26T10:00:00+01:00"  # the low-priority ticket passed its 4-week target
    data = json.loads(CliRunner().invoke(main, ["due", "--root", str(due_site), "--now", later,
                                                "--format", "json"]).output)
    assert ("target_breached", "2026-10-27-risky") in {(i["kind"], i["entry"]) for i in data["items"]}
    for path in (due_site / "incidents").iterdir():
        path.unlink()
    clean = CliRunner().invoke(main, ["due", "--root", str(due_site), "--now", NOW])
    assert clean.exit_code == 0 and "nothing due" in clean.output


def test_slugs_fold_accents_and_ligatures():
    from statusgen.commands.author import slugify

    assert slugify("Ünïcödé Çafé ŒUVRE ß") == "unicode-cafe-oeuvre-ss"
    assert slugify("Paiements refusés : « carte »") == "paiements-refuses-carte"
    assert slugify("🔥") == "entry"
