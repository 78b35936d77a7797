"""The command line, through Click's CliRunner and as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from statusgen import __version__
from statusgen.cli import main

DEMO_NOW = "2026-11-20T15:00:00+01:00"


def run(*args, env=None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert __version__ in result.output


def test_demo_site_validates_clean_at_demo_date(demo_root):
    result = run("validate", "--root", str(demo_root), "--now", DEMO_NOW, "--strict")
    assert result.exit_code == 0, result.output
    assert "0 errors, 0 warnings" in result.output


def test_json_format(demo_root):
    result = run("validate", "--root", str(demo_root), "--now", DEMO_NOW, "--format", "json")
    data = json.loads(result.output)
    assert data["ok"] is True and data["errors"] == 0 and data["diagnostics"] == []


def test_github_format_annotates_errors(scratch_site, monkeypatch):
    monkeypatch.chdir(scratch_site)
    path = scratch_site / "incidents/2026-11-20-intermittent-terminal-payment-declines.md"
    path.write_text(path.read_text(encoding="utf-8").replace("status: identified", "status: identifed", 1),
                    encoding="utf-8")
    result = run("validate", "--root", str(scratch_site), "--now", DEMO_NOW, "--format", "github")
    assert result.exit_code == 1
    line = next(line for line in result.output.splitlines() if line.startswith("::error"))
    assert line.startswith("::error file=incidents/2026-11-20-intermittent-terminal-payment-declines.md,line=")
    assert "title=unknown-status::" in line and "did you mean 'identified'?" in line


def test_warnings_fail_only_under_strict(scratch_site):
    late = "2026-11-23T15:00:00+01:00"  # the open demo incident is now overdue for an update
    relaxed = run("validate", "--root", str(scratch_site), "--now", late)
    strict = run("validate", "--root", str(scratch_site), "--now", late, "--strict")
    assert relaxed.exit_code == 0
    assert "warning [update-overdue]" in relaxed.output
    assert strict.exit_code == 1


def test_usage_errors_exit_2(demo_root):
    assert run("validate", "--format", "xml").exit_code == 2
    bad_now = run("validate", "--root", str(demo_root), "--now", "yesterday")
    assert bad_now.exit_code == 2
    assert "--now" in bad_now.output and "Traceback" not in bad_now.output
    assert run("validate", "--root", str(demo_root), "--now", "2026-11-20T15:00:00").exit_code == 2


def test_source_date_epoch_is_honoured(demo_root):
    # 2026-11-23: three days after the demo date, the open incident is overdue.
    result = run("validate", "--root", str(demo_root), env={"SOURCE_DATE_EPOCH": "1795435200"})
    assert "update-overdue" in result.output


def test_not_a_site(tmp_path):
    result = run("validate", "--root", str(tmp_path))
    assert result.exit_code == 1
    assert "content/site.yaml:1: error" in result.output and "not a statusgen site" in result.output


def test_subprocess_reports_without_traceback(scratch_site):
    (scratch_site / "incidents/2026-11-20-broken.md").write_bytes(b"---\ntitle: [unclosed\n---\n")
    proc = subprocess.run([sys.executable, "-m", "statusgen", "validate", "--now", DEMO_NOW],
                          cwd=scratch_site, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert proc.returncode == 1
    assert "incidents/2026-11-20-broken.md:" in proc.stdout and "[yaml-syntax]" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


def test_console_script_works_in_current_directory(demo_root):
    exe = Path(sys.executable).with_name("statusgen")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "statusgen"]
    proc = subprocess.run(command + ["validate", "--now", DEMO_NOW], cwd=demo_root, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=60, env={**os.environ, "CI": "true"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("ok: 25 entries checked")


def test_strict_failure_is_not_summarised_as_ok(scratch_site):
    late = "2026-11-23T15:00:00+01:00"
    strict = run("validate", "--root", str(scratch_site), "--now", late, "--strict")
    assert strict.exit_code == 1
    assert strict.output.splitlines()[-1].startswith("failed: 25 entries checked, 0 errors")
    ignored = run("validate", "--root", str(scratch_site), "--now", late, "--strict",
                  "--ignore", "update-overdue", "--ignore", "reminder-due")
    assert ignored.exit_code == 0, ignored.output
    assert run("validate", "--ignore", "no-such-rule").exit_code == 2


def test_github_annotations_are_relative_to_the_current_folder(scratch_site, monkeypatch):
    path = scratch_site / "incidents/2026-11-20-intermittent-terminal-payment-declines.md"
    path.write_text(path.read_text(encoding="utf-8").replace("priority: high", "priority: hihg"), encoding="utf-8")
    monkeypatch.chdir(scratch_site.parent)
    result = run("validate", "--root", "site", "--now", DEMO_NOW, "--format", "github")
    assert result.output.startswith(
        "::error file=site/incidents/2026-11-20-intermittent-terminal-payment-declines.md,line=")


def test_build_under_another_base_url(demo_root, tmp_path):
    result = run("build", "--root", str(demo_root), "--now", DEMO_NOW, "--out", str(tmp_path / "out"),
                 "--base-url", "https://preview.example/pr-12/")
    assert result.exit_code == 0, result.output
    page = (tmp_path / "out/index.html").read_text(encoding="utf-8")
    assert 'href="/pr-12/history/"' in page and "https://preview.example/pr-12/" in page
    assert run("build", "--root", str(demo_root), "--base-url", "preview").exit_code == 2
