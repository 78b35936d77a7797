"""new / update / resolve / due under bad input and bad luck: typos, injected YAML, nasty texts,
read-only files, full disks and killed processes. Refusals print validate's lines; files keep their bytes."""

from __future__ import annotations

import errno
import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from statusgen.cli import main
from statusgen.commands.author import context_of
from statusgen.commands.prompts import complete_new
from statusgen.commands.validate import check
from statusgen.editing import WORK_PREFIX, TextFile, append_update
from statusgen.loading import load_site
from statusgen.loading.entries import entry_file_names, entry_from_source
from statusgen.loading.source import Source

NOW = "2026-11-20T15:00:00+01:00"
OPEN = "2026-11-20-intermittent-terminal-payment-declines"
STATUSGEN = Path(sys.executable).parent / "statusgen"  # the installed console script


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file under folder (hidden ones too) and its hash: 'nothing written' made checkable."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(folder.rglob("*"))}


def entry_file(site: Path, entry_id: str = OPEN) -> Path:
    return next(site.glob(f"incidents/**/{entry_id}.md"))


def last_message(site_root: Path, path: Path):
    """The last update's message as the loader reads it from the file."""
    site, _ = load_site(site_root)
    source = Source(path.name, path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n"), path.read_bytes())
    entry, found = entry_from_source(source, path.stem, context_of(site))
    assert entry is not None, [d.format() for d in found]
    return dict(entry.last_update.message.values)


# -- Outside a site, every command says what validate says ---------------------------------------

@pytest.mark.parametrize("command", [
    ["update", OPEN, "-s", "identified", "-m", "x"],
    ["resolve", OPEN, "-m", "x"],
    ["new", "incident", "-t", "x", "-p", "high", "-c", "dashboard", "-m", "x", "--no-input"],
    ["new", "incident", "--no-input"],
    ["due"],
    ["serve", "--port", "0"],
    ["build"],
])
def test_outside_a_site_every_command_says_what_validate_says(tmp_path, command):
    said = invoke("validate", "--root", tmp_path).output.splitlines()[0]
    assert "no content/site.yaml here: this is not a statusgen site" in said
    assert "(run statusgen in the site folder or pass --root DIR)" in said
    result = invoke(*command, "--root", tmp_path, "--now", NOW)
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {said}"
    assert isinstance(result.exception, SystemExit)  # a clean exit, no traceback


def test_outside_a_site_through_the_installed_command(tmp_path):
    proc = subprocess.run([str(STATUSGEN), "update", OPEN, "-s", "identified", "-m", "x"], cwd=tmp_path,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr.strip() == ("Error: content/site.yaml:1: error [missing-field] no content/site.yaml here: "
                                   "this is not a statusgen site (run statusgen in the site folder or pass --root DIR)")
    assert "Traceback" not in proc.stderr and list(tmp_path.iterdir()) == []


# -- Typos get the nearest known name ---------------------------------------------------------

def test_an_unknown_entry_id_names_the_closest(scratch_site):
    created = invoke("new", "incident", "--root", scratch_site, "-t", "Paiements refusés par intermittence",
                     "-p", "high", "-c", "payments-api", "-m", "Nous enquêtons.", "--now", NOW, "--no-input")
    assert created.exit_code == 0, created.output
    for typo in ("2026-11-20-paiemnts", "paiements-refuses-par-intermitence"):
        result = invoke("update", typo, "--root", scratch_site, "-s", "identified", "-m", "x", "--now", NOW)
        assert result.exit_code == 1
        assert result.output.strip() == (f"Error: no entry '{typo}' in incidents/ "
                                          "(did you mean '2026-11-20-paiements-refuses-par-intermittence'?)")


def test_an_unknown_component_is_refused_before_anything_is_written(scratch_site):
    before = tree_digest(scratch_site)
    result = invoke("new", "incident", "--root", scratch_site, "-t", "Panne", "-p", "high", "-c", "paymnets-api",
                    "-m", "x", "--now", NOW, "--no-input")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "Error: refused, nothing was written:",
        "incidents/2026-11-20-panne.md:5: error [unknown-component] components[0]: unknown component "
        "'paymnets-api' (did you mean 'payments-api'?)",
    ]
    assert tree_digest(scratch_site) == before


def test_without_incidents_folder_a_refused_entry_leaves_no_folder(scratch_site):
    for path in (scratch_site / "incidents").iterdir():
        path.unlink()
    (scratch_site / "incidents").rmdir()
    result = invoke("new", "incident", "--root", scratch_site, "-t", "x", "-p", "urgnet", "-c", "dashboard",
                    "-m", "x", "--now", NOW, "--no-input")
    assert result.exit_code == 1 and "[unknown-priority] priority: unknown priority 'urgnet'" in result.output
    assert not (scratch_site / "incidents").exists()


# -- No value can inject YAML -------------------------------------------------------------------

NEW = ["new", "incident", "-t", "Panne", "-m", "x", "--now", NOW, "--no-input"]
UPDATE = ["update", OPEN, "-m", "x", "--now", NOW]


@pytest.mark.parametrize("args,rule", [
    (NEW + ["-p", "high\nlifecycle: maintenance", "-c", "dashboard"], "[unknown-priority]"),
    (NEW + ["-p", "high\nretroactive: true", "-c", "dashboard"], "[unknown-priority]"),
    (NEW + ["-p", "high", "-c", "a, b]"], "[unknown-component]"),
    (NEW + ["-p", "high", "-c", "dashboard]\ndraft: true\nx: [y"], "[unknown-component]"),
    (NEW + ["-p", "high", "-c", "dashboard", "-s", "investigating\n    evil: 1"], "[unknown-status]"),
    (NEW + ["-p", "high", "-c", "dashboard", "--title-in", "en: x\n  draft", "y"], "[unknown-language]"),
    (UPDATE + ["-s", "resolved}"], "[unknown-status]"),
    (UPDATE + ["-s", "monitoring\n  - at: 2026-11-20T14:59:00+01:00"], "[unknown-status]"),
    (UPDATE + ["-s", "monitoring", "--message-in", "fr: x\n  evil", "y"], "[unknown-language]"),
    (UPDATE + ["-s", "monitoring", "--message-in", "de", "Hallo"], "[unknown-language]"),
    (UPDATE + ["-s", "monitoring", "--message-in", "fr", "encore"], "[duplicate-key]"),
])
def test_values_are_checked_and_cannot_inject_yaml(scratch_site, args, rule):
    before = tree_digest(scratch_site)
    result = invoke(*args, "--root", scratch_site)
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: refused, ")
    assert rule in result.output and "Traceback" not in result.output
    assert tree_digest(scratch_site) == before


# -- Any text is written so that it reads back exactly ----------------------------------------

NASTY = [
    "plain", "  leading spaces", "trailing spaces  ", "\tleading tab", "a\tb", "two\nlines", "---", "...",
    "a\n---\nb", "a\n...\nb", "---\n---", "a\n--- \nb", "|", ">", "|-", "- item", "# not a comment",
    "key: value", "a #b", "'single'", '"double"', "back\\slash", "{flow}", "[list]", "&anchor", "*alias",
    "!tag", "%directive", "@at", "`tick`", "yes", "no", "null", "~", "123", "1e3", "0x1f", "2026-11-20",
    "line\u2028separator", "paragraph\u2029separator", "\u2028x", "\ufeffbom", "\u00a0nbsp", "é ü 漢字 🔥",
    "\nleading newline", "trailing newline\n", "two trailing\n\n", "a\n\n\nb", "a\n  indented\nb",
    "  x\ny", "x\n  ", "\n  x\ny", "a\n\tb", "|\n|", "a\n#b", "last\n---", "---\nfirst", "\\u2028 as text",
]


def test_nasty_messages_read_back_exactly_and_later_updates_still_work(scratch_site):
    path = entry_file(scratch_site)
    assert len(NASTY) < 60
    for minute, message in enumerate(NASTY):
        at = f"2026-11-20T14:{minute:02d}:00+01:00"
        result = invoke("update", OPEN, "--root", scratch_site, "-s", "identified", "-m", message,
                        "--message-in", "en", message, "--at", at, "--now", NOW)
        assert result.exit_code == 0, (message, result.output)
        assert last_message(scratch_site, path) == {"fr": message, "en": message}, message
    final = invoke("resolve", OPEN, "--root", scratch_site, "-m", "Rétabli.", "--now", NOW)
    assert final.exit_code == 0, final.output
    report = check(scratch_site, datetime.fromisoformat(NOW))
    assert report.errors == 0, [d.format() for d in report.diagnostics]
    assert "\u2028" not in path.read_text(encoding="utf-8")  # escaped: every tool sees the same lines


def test_a_single_language_nasty_title_reads_back(scratch_site):
    title = "Paiements\n---\nrefusés"
    result = invoke("new", "incident", "--root", scratch_site, "-t", title, "-p", "high", "-c", "dashboard",
                    "-m", "...", "--impact", "|", "--now", NOW, "--no-input")
    assert result.exit_code == 0, result.output
    site, _ = load_site(scratch_site)
    entry = next(e for e in site.entries if e.id == "2026-11-20-paiements-refuses")
    assert entry.title.values == {"*": title} and entry.impact.values == {"*": "|"}
    assert entry.updates[0].message.values == {"*": "..."}


@pytest.mark.parametrize("message,rule", [
    ("a\x1b[31mred", "[invalid-value]"), ("nel\x85here", "[invalid-value]"), ("  ", "[missing-field]"),
])
def test_texts_the_rules_refuse_leave_the_file_unchanged(scratch_site, message, rule):
    path = entry_file(scratch_site)
    before = path.read_bytes()
    result = invoke("update", OPEN, "--root", scratch_site, "-s", "identified", "-m", message, "--now", NOW)
    assert result.exit_code == 1 and rule in result.output
    assert path.read_bytes() == before


PIECES = ["\n", "\n\n", " ", "  ", "\t", "-", "---", "...", "#", ": ", "'", '"', "|", ">", "\\", "{", "[", "&",
          "*", "!", "%", "@", "a", "é", "\u2028", "\u2029", "\u00a0", "x", "\r\n", "0", "true", "~"]


def test_random_texts_round_trip_through_an_appended_update():
    """Property: whatever the text, appending it and reading the file back gives it exactly."""
    base = ("---\ntitle: T\ncomponents: [dashboard]\npriority: high\nupdates:\n"
            "  - at: 2026-11-20T14:00:00+01:00\n    status: investigating\n    message: x\n---\nReport.\n")
    generator = random.Random(8)
    site = load_site(Path(__file__).resolve().parents[1])[0]
    for _ in range(400):
        message = "".join(generator.choice(PIECES) for _ in range(generator.randint(1, 12))).replace("\r", "")
        if not message.strip():
            continue
        text = append_update(base, "2026-11-20T14:10:00+01:00", "identified", message)
        text = append_update(text, "2026-11-20T14:20:00+01:00", "identified", [("fr", message), ("en", "b")])
        raw = TextFile(text, False, False).encode(text)
        entry, found = entry_from_source(Source("x.md", text, raw), "2026-11-20-x", context_of(site))
        assert entry is not None, (message, [d.format() for d in found])
        assert entry.updates[1].message.values == {"*": message}, repr(message)
        assert entry.updates[2].message.values == {"fr": message, "en": "b"}, repr(message)
        assert entry.report == "Report."


# -- Read-only files and file system failures --------------------------------------------------

def test_a_read_only_entry_is_refused_not_replaced(scratch_site):
    path = entry_file(scratch_site)
    before = path.read_bytes()
    path.chmod(0o444)
    try:
        result = invoke("update", OPEN, "--root", scratch_site, "-s", "monitoring", "-m", "x", "--now", NOW)
        assert result.exit_code == 1
        rel = f"incidents/{OPEN}.md"
        assert result.output.strip() == (f"Error: {rel} is read-only; the file is unchanged (if it is meant to "
                                         f"change, make it writable: chmod u+w {rel})")
        assert path.read_bytes() == before
        assert [p.name for p in path.parent.iterdir() if p.name.startswith(".")] == []
    finally:
        path.chmod(0o644)


def test_a_read_only_incidents_folder_is_refused(scratch_site):
    folder = scratch_site / "incidents"
    before = tree_digest(scratch_site)
    folder.chmod(0o555)
    try:
        result = invoke("new", "incident", "--root", scratch_site, "-t", "x", "-p", "high", "-c", "dashboard",
                        "-m", "x", "--now", NOW, "--no-input")
    finally:
        folder.chmod(0o755)
    assert result.exit_code == 1
    assert result.output.strip() == ("Error: incidents/ is read-only; nothing was written (if it is meant to change, "
                                     "make it writable: chmod u+w incidents)")
    assert tree_digest(scratch_site) == before


@pytest.mark.parametrize("failure,said", [
    (OSError(errno.ENOSPC, "No space left on device"),
     "No space left on device (free some disk space and run the command again); the file is unchanged"),
    (PermissionError(errno.EACCES, "Permission denied"),
     "Permission denied (check the permissions of that path, or run from a folder you may write to); "
     "the file is unchanged"),
])
def test_file_system_failures_are_one_line_and_change_nothing(scratch_site, monkeypatch, failure, said):
    path = entry_file(scratch_site)
    before = tree_digest(scratch_site)

    def fail(fd):
        failure.filename = str(path)
        raise failure

    monkeypatch.setattr("statusgen.editing.os.fsync", fail)
    result = invoke("update", OPEN, "--root", scratch_site, "-s", "monitoring", "-m", "x", "--now", NOW)
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: incidents/{OPEN}.md: {said}"
    assert tree_digest(scratch_site) == before  # the temporary file and its folder are gone too


def test_an_entry_outside_incidents_is_not_edited(scratch_site):
    outside = scratch_site / "content" / "x.md"
    outside.write_bytes(entry_file(scratch_site).read_bytes())
    result = invoke("update", "content/x.md", "--root", scratch_site, "-s", "monitoring", "-m", "x", "--now", NOW)
    assert result.exit_code == 1 and "is not under incidents/" in result.output


def test_an_entry_with_errors_is_refused_with_its_diagnostics(scratch_site):
    path = entry_file(scratch_site)
    path.write_bytes(path.read_bytes().replace(b"priority: high", b"priority: hihg"))
    before = path.read_bytes()
    result = invoke("resolve", OPEN, "--root", scratch_site, "-m", "Rétabli.", "--now", NOW)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == f"Error: refused, incidents/{OPEN}.md has errors to fix first; it is unchanged:"
    assert lines[1].startswith(f"incidents/{OPEN}.md:") and "[unknown-priority] priority: unknown priority 'hihg' " \
        "(did you mean 'high'?)" in lines[1]
    assert lines[1:] == [d.format() for d in check(scratch_site, datetime.fromisoformat(NOW)).diagnostics
                         if d.path == f"incidents/{OPEN}.md" and d.level == "error"]
    assert path.read_bytes() == before


# -- Killed edits leave nothing behind -----------------------------------------------------------

def _git(site: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    return subprocess.run(["git", *args], cwd=site, env=env, check=True, capture_output=True, text=True).stdout


# An `update` that stops right before its rename, so that the test can kill it there.
STALLED_UPDATE = """
import os, sys, time
ready = sys.argv[1]
def stall(*args, **kwargs):
    open(ready, "w").close()
    time.sleep(120)
os.replace = stall
sys.argv = ["statusgen"] + sys.argv[2:]
from statusgen.cli import main
main()
"""


def test_a_killed_update_leaves_nothing_git_sees_and_the_next_one_cleans_up(scratch_site, tmp_path):
    _git(scratch_site, "init", "-q", ".")
    _git(scratch_site, "add", ".")
    _git(scratch_site, "commit", "-q", "-m", "site")
    path = entry_file(scratch_site)
    before = path.read_bytes()
    ready = tmp_path / "ready"
    proc = subprocess.Popen([sys.executable, "-c", STALLED_UPDATE, str(ready), "update", OPEN, "-s", "monitoring",
                             "-m", "Killed.", "--now", NOW], cwd=scratch_site, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.02)
        left = [p for p in path.parent.iterdir() if p.name.startswith(WORK_PREFIX)]
        assert len(left) == 1 and any(left[0].iterdir())  # its temporary file, about to be renamed
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert path.read_bytes() == before
    assert _git(scratch_site, "status", "--porcelain", "--untracked-files=all") == ""
    assert len(entry_file_names(scratch_site)) == 25  # the loader does not see the leftover
    assert invoke("validate", "--root", scratch_site, "--now", NOW).exit_code == 0

    # The next edit, by the installed command, removes the leftover of the dead process.
    done = subprocess.run([str(STATUSGEN), "update", OPEN, "-s", "monitoring", "-m", "Suite.", "--now", NOW],
                          cwd=scratch_site, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert done.returncode == 0, done.stderr
    assert [p for p in path.parent.iterdir() if p.name.startswith(".")] == []
    assert _git(scratch_site, "status", "--porcelain", "--untracked-files=all").split() == ["M", f"incidents/{OPEN}.md"]


def test_temporary_files_of_earlier_versions_are_removed_once_stale(scratch_site):
    folder = scratch_site / "incidents"
    stale = folder / f".{OPEN}.md.k3j9x2ab.tmp"
    fresh = folder / f".{OPEN}.md.q8w7e6rt.tmp"
    for leftover in (stale, fresh):
        leftover.write_text("---\ntitle: half\n", encoding="utf-8")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    assert len(entry_file_names(scratch_site)) == 25
    result = invoke("update", OPEN, "--root", scratch_site, "-s", "monitoring", "-m", "x", "--now", NOW)
    assert result.exit_code == 0, result.output
    assert not stale.exists() and fresh.exists()


def test_a_work_folder_of_a_live_process_is_left_alone(scratch_site):
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        busy = scratch_site / "incidents" / f"{WORK_PREFIX}{live.pid}-0a1b2c3d"
        dead = scratch_site / "incidents" / f"{WORK_PREFIX}999999999-0a1b2c3d"
        for folder in (busy, dead):
            folder.mkdir()
            (folder / ".gitignore").write_text("*\n", encoding="utf-8")
        assert invoke("update", OPEN, "--root", scratch_site, "-s", "monitoring", "-m", "x", "--now", NOW
                      ).exit_code == 0
        assert busy.is_dir() and not dead.exists()
    finally:
        live.kill()
        live.wait()


# -- The prompt asks again ---------------------------------------------------------------------

def test_the_prompt_asks_again_with_a_suggestion(demo_site):
    given = dict(title="Panne", priority="urgnet", components=[], status=None, message=None, impact=None,
                 start=None, end=None)
    typed = "hihg\nhigh\npaymnets-api\npayments-api, dashboard\nNous enquêtons.\n\n\n\n"  # Enter skips the rest
    with CliRunner().isolation(input=typed) as io:
        answers = complete_new(demo_site, "incident", given, interactive=True)
    shown = io[0].getvalue().decode() + io[1].getvalue().decode()
    assert answers["components"] == ["payments-api", "dashboard"]
    assert answers["priority"] == "high" and answers["message"] == "Nous enquêtons."
    assert "unknown priority 'urgnet'" in shown
    assert "unknown component 'paymnets-api' (did you mean 'payments-api'?)" in shown
    assert "unknown priority 'hihg' (did you mean 'high'?)" in shown


def test_the_prompt_asks_again_for_a_time_it_cannot_read_and_takes_local_times(demo_site):
    given = dict(title="Travaux", priority=None, components=["invoicing"], status=None, message="Prévu.",
                 impact="Facturation indisponible.", start=None, end=None)
    typed = "demain 22h\n2026-11-30 22:00\n2026-11-30 21:00\n2026-11-30T23:30:00+01:00\n\n\n\n"
    with CliRunner().isolation(input=typed) as io:
        answers = complete_new(demo_site, "maintenance", given, interactive=True,
                               now=datetime.fromisoformat(NOW))
    assert answers["start"] == "2026-11-30T22:00:00+01:00"  # no offset: Paris time
    assert answers["end"] == "2026-11-30T23:30:00+01:00"
    shown = io[0].getvalue().decode() + io[1].getvalue().decode()
    assert "Window start, Europe/Paris time (e.g. 2026-11-21 22:00)" in shown  # an example in the future
    assert "Window end, Europe/Paris time (e.g. 2026-12-01 00:00)" in shown
    assert "'demain 22h' is not a time" in shown
    assert "the window must end after it starts (2026-11-30T22:00:00+01:00)" in shown


def test_the_prompt_asks_for_the_impact_and_each_language(demo_site):
    given = dict(title="Panne", priority="high", components=["dashboard"], status=None, message="Nous enquêtons.",
                 impact=None, start=None, end=None)
    typed = "Le tableau de bord est lent.\nDashboard slow\nWe are investigating.\n\n"
    with CliRunner().isolation(input=typed):
        answers = complete_new(demo_site, "incident", given, interactive=True)
    assert answers["impact"] == "Le tableau de bord est lent."
    assert answers["translations"] == {"title": [("en", "Dashboard slow")],
                                       "message": [("en", "We are investigating.")], "impact": []}


def test_a_ticket_needs_no_component(demo_site):
    given = dict(title="Bogue", priority="low", components=[], status=None, message="Signalé.", impact="x",
                 start=None, end=None)
    assert complete_new(demo_site, "ticket", given, interactive=False)["components"] == []


def test_yaml_of_the_written_file_is_plain_where_it_can_be(scratch_site):
    """Readable output: ids stay bare, one-line texts plain, multi-line ones literal blocks."""
    result = invoke("new", "incident", "--root", scratch_site, "-t", "Lenteurs", "-p", "high", "-c", "dashboard",
                    "-c", "invoicing", "-m", "Ligne 1\nLigne 2", "--now", NOW, "--no-input")
    assert result.exit_code == 0, result.output
    text = (scratch_site / "incidents/2026-11-20-lenteurs.md").read_text(encoding="utf-8")
    assert text == ("---\ntitle: Lenteurs\nlifecycle: incident\npriority: high\ncomponents: [dashboard, invoicing]\n"
                    "updates:\n  - at: 2026-11-20T15:00:00+01:00\n    status: investigating\n"
                    "    message: |-\n      Ligne 1\n      Ligne 2\n---\n")
    assert yaml.safe_load(text.split("---\n")[1])["updates"][0]["message"] == "Ligne 1\nLigne 2"


@pytest.mark.parametrize("status,at", [("identifed", None), ("monitoring", "2026-11-20T10:00:00+01:00")])
def test_a_refused_update_prints_the_lines_validate_would_print_for_it(scratch_site, status, at):
    path = entry_file(scratch_site)
    before = path.read_bytes()
    when = ["--at", at] if at else []
    result = invoke("update", OPEN, "--root", scratch_site, "-s", status, "-m", "Suite.", "--now", NOW, *when)
    assert result.exit_code == 1 and path.read_bytes() == before
    said = result.output.splitlines()
    assert said[0] == "Error: refused, the file is unchanged:"
    # The same edit, forced into the file: validate reports exactly the refused lines.
    original = TextFile.decode(before)
    path.write_bytes(original.encode(append_update(original.text, at or NOW, status, "Suite.")))
    report = check(scratch_site, datetime.fromisoformat(NOW))
    assert said[1:] == [d.format() for d in report.diagnostics if d.level == "error"]
