"""A command for each step of an incident: update with changes, report, remind, close-stale;
time recorded to the second; every refused edit leaves the file byte for byte as it was."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from statusgen.cli import main
from statusgen.commands.validate import check

from conftest import DEMO_NOW

OPEN = "2026-11-20-intermittent-terminal-payment-declines"
OPEN_FILE = f"incidents/{OPEN}.md"
WAITING = "2026-11-18-logo-missing-on-emailed-invoices"  # waiting on the customer since 2026-11-19 16:30
WAITING_FILE = f"incidents/{WAITING}.md"


def run(root: Path, *args: str):
    return CliRunner().invoke(main, [*args, "--root", str(root)], catch_exceptions=False)


def entry(root: Path, entry_id: str):
    site = check(root, DEMO_NOW.replace(year=2027)).site
    assert site is not None
    return next(e for e in site.entries if e.id == entry_id)


def test_update_records_every_kind_of_change_in_one_update(scratch_site):
    result = run(scratch_site, "update", OPEN, "--now", "2026-11-20T15:00:00+01:00", "--priority", "critical",
                 "--component", "payments-api=major_outage", "--component", "dashboard=degraded_performance",
                 "--impact", "Tous les paiements échouent.", "--impact-in", "en", "All payments fail.",
                 "--workaround", "Envoyez un lien de paiement.", "--title-in", "en", "Card payments failing",
                 "-m", "La panne s'étend.")
    assert result.exit_code == 0, result.output
    text = (scratch_site / OPEN_FILE).read_text(encoding="utf-8")
    assert text.endswith(
        "  - at: 2026-11-20T15:00:00+01:00\n"
        "    status: identified\n"
        "    message: La panne s'étend.\n"
        "    priority: critical\n"
        "    components:\n"
        "      payments-api: major_outage\n"
        "      dashboard: degraded_performance\n"
        "    title:\n"
        "      en: Card payments failing\n"
        "    impact:\n"
        "      fr: Tous les paiements échouent.\n"
        "      en: All payments fail.\n"
        "    workaround: Envoyez un lien de paiement.\n"
        "---\n")
    e = entry(scratch_site, OPEN)
    assert e.priority.id == "critical" and e.opening.priority.id == "high"
    assert e.title.get("en", "fr") == "Card payments failing"
    assert e.all_components == ("payments-api", "dashboard")


def test_update_without_a_message_changes_and_keeps_the_status(scratch_site):
    result = run(scratch_site, "update", OPEN, "--now", "2026-11-20T15:00:00+01:00",
                 "--component", "payments-api=operational")
    assert result.exit_code == 0, result.output
    last = entry(scratch_site, OPEN).last_update
    assert last.status == "identified" and not last.message and last.components == {"payments-api": "operational"}


def test_update_asks_for_at_least_one_change(scratch_site):
    before = (scratch_site / OPEN_FILE).read_bytes()
    result = run(scratch_site, "update", OPEN, "--now", "2026-11-20T15:00:00+01:00")
    assert result.exit_code == 2 and "say what changed" in result.output
    assert (scratch_site / OPEN_FILE).read_bytes() == before


@pytest.mark.parametrize("args, message", [
    (("--priority", "urgent"), "error [unknown-priority] updates[3].priority: unknown priority 'urgent'"),
    (("--priority", "high"), None),  # a warning only: the edit lands
    (("--component", "payments=major_outage"), "error [unknown-component] updates[3].components.payments"),
    (("--component", "payments-api=down"), "error [unknown-state] updates[3].components.payments-api"),
    (("--component", "payments-api"), "'payments-api' is not ID=STATE"),
    (("--title-in", "de", "Kartenzahlungen"), "error [unknown-language] updates[3].title.de"),
    (("--status", "resolved", "-m", ""), "error [resolution-message]"),
])
def test_a_change_that_breaks_a_rule_is_refused_and_the_file_is_untouched(scratch_site, args, message):
    before = (scratch_site / OPEN_FILE).read_bytes()
    result = run(scratch_site, "update", OPEN, "--now", "2026-11-20T15:00:00+01:00", *args)
    if message is None:
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code != 0
    assert message in result.output, result.output
    assert (scratch_site / OPEN_FILE).read_bytes() == before


def test_two_updates_within_one_minute_both_land_and_an_equal_time_is_refused(scratch_site):
    first = run(scratch_site, "update", OPEN, "--now", "2026-11-20T15:00:10+01:00", "-m", "Premier point.")
    second = run(scratch_site, "update", OPEN, "--now", "2026-11-20T15:00:40+01:00", "-m", "Second point.")
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    text = (scratch_site / OPEN_FILE).read_text(encoding="utf-8")
    assert "- at: 2026-11-20T15:00:10+01:00" in text and "- at: 2026-11-20T15:00:40+01:00" in text
    before = (scratch_site / OPEN_FILE).read_bytes()
    third = run(scratch_site, "update", OPEN, "--now", "2026-11-20T15:00:40+01:00", "-m", "Même seconde.")
    assert third.exit_code == 1
    assert "[timestamp-order]" in third.output and "two updates cannot share one time; give this one a later time (with statusgen update: --at 2026-11-20T15:00:41+01:00)" in third.output
    assert (scratch_site / OPEN_FILE).read_bytes() == before


def test_report_records_the_root_cause_its_kind_and_the_report(scratch_site, tmp_path):
    report = tmp_path / "report.md"
    report.write_text("## Ce qui s'est passé\n\nUne connexion instable.\n", encoding="utf-8")
    result = run(scratch_site, "report", OPEN, "--now", "2026-11-20T15:00:00+01:00",
                 "--root-cause", "Une connexion défaillante chez la banque.", "--root-cause-in", "en",
                 "A faulty link at the bank.", "--root-cause-kind", "systemic", "--report-file", str(report))
    assert result.exit_code == 0, result.output
    e = entry(scratch_site, OPEN)
    assert e.root_cause.get("en", "fr") == "A faulty link at the bank."
    assert e.root_cause_kind == "systemic"
    assert e.report == "## Ce qui s'est passé\n\nUne connexion instable."
    text = (scratch_site / OPEN_FILE).read_text(encoding="utf-8")
    assert "root_cause_kind: systemic\n---\n## Ce qui s'est passé" in text

    before = (scratch_site / OPEN_FILE).read_bytes()
    again = run(scratch_site, "report", OPEN, "--now", "2026-11-20T15:00:00+01:00", "--root-cause", "Autre.",
                "--root-cause-kind", "isolated")
    assert again.exit_code == 1 and "already has a root cause" in again.output and "--replace" in again.output
    assert (scratch_site / OPEN_FILE).read_bytes() == before

    replaced = run(scratch_site, "report", OPEN, "--now", "2026-11-20T15:00:00+01:00", "--root-cause", "Autre.",
                   "--root-cause-kind", "isolated", "--replace")
    assert replaced.exit_code == 0, replaced.output
    text = (scratch_site / OPEN_FILE).read_text(encoding="utf-8")
    assert text.count("root_cause:") == 1 and "root_cause: Autre.\nroot_cause_kind: isolated\n" in text
    assert "Une connexion instable." in text  # the report was not asked to change


def test_the_root_cause_kind_is_shown_on_the_report_page_and_counted_in_the_history(scratch_site, tmp_path):
    run(scratch_site, "report", OPEN, "--now", "2026-11-20T15:00:00+01:00", "--root-cause", "Un lien.",
        "--root-cause-kind", "systemic")
    from conftest import build_site

    out = build_site(scratch_site, tmp_path / "out", DEMO_NOW)
    page = (out / "en" / "incidents" / OPEN / "index.html").read_text(encoding="utf-8")
    assert "Systemic: it can happen again until it is fixed at the source" in page
    history = (out / "en" / "history" / "index.html").read_text(encoding="utf-8")
    assert "Root causes found: 1 systemic" in history


def test_remind_records_the_reminder_and_due_no_longer_lists_it(scratch_site):
    day3 = "2026-11-22T17:00:00+01:00"
    due = run(scratch_site, "due", "--now", day3, "--format", "json")
    assert [i["kind"] for i in json.loads(due.output)["items"] if i["entry"] == WAITING] == ["reminder_due"]
    result = run(scratch_site, "remind", WAITING, "--now", day3)
    assert result.exit_code == 0, result.output
    last = entry(scratch_site, WAITING).last_update
    assert last.reminder and last.status == "waiting_customer" and not last.message
    due = run(scratch_site, "due", "--now", "2026-11-22T18:00:00+01:00", "--format", "json")
    assert [i for i in json.loads(due.output)["items"] if i["entry"] == WAITING] == []
    # The day-5 reminder comes due in its turn.
    due = run(scratch_site, "due", "--now", "2026-11-24T17:00:00+01:00", "--format", "json")
    assert [i["kind"] for i in json.loads(due.output)["items"] if i["entry"] == WAITING] == ["reminder_due"]


def test_remind_is_refused_when_no_reminder_is_due_or_the_entry_does_not_wait(scratch_site):
    before = (scratch_site / WAITING_FILE).read_bytes()
    early = run(scratch_site, "remind", WAITING, "--now", "2026-11-20T15:00:00+01:00")
    assert early.exit_code == 1 and "no reminder is due" in early.output
    assert "the next one is due on 2026-11-21T16:30:00+01:00" in early.output
    assert (scratch_site / WAITING_FILE).read_bytes() == before
    before = (scratch_site / OPEN_FILE).read_bytes()
    open_one = run(scratch_site, "remind", OPEN, "--now", "2026-11-20T15:00:00+01:00")
    assert open_one.exit_code == 1 and "[reminder]" in open_one.output
    assert (scratch_site / OPEN_FILE).read_bytes() == before


def test_the_reminder_shows_as_reminder_sent_in_the_timeline(scratch_site, tmp_path):
    run(scratch_site, "remind", WAITING, "--now", "2026-11-22T17:00:00+01:00")
    from conftest import build_site

    out = build_site(scratch_site, tmp_path / "out", DEMO_NOW.replace(day=23))
    page = (out / "en" / "incidents" / WAITING / "index.html").read_text(encoding="utf-8")
    assert "<li>Reminder sent</li>" in page


def test_close_stale_writes_the_automatic_resolution_and_due_is_clean(scratch_site):
    day10 = "2026-11-30T09:00:00+01:00"
    due = run(scratch_site, "due", "--now", day10, "--format", "json")
    assert "auto_resolved" in [i["kind"] for i in json.loads(due.output)["items"] if i["entry"] == WAITING]
    result = run(scratch_site, "close-stale", "--now", day10)
    assert result.exit_code == 0, result.output
    assert f"resolved {scratch_site / WAITING_FILE} (resolved_deployed)" in result.output
    text = (scratch_site / WAITING_FILE).read_text(encoding="utf-8")
    assert text.endswith(
        "  - at: 2026-11-29T16:30:00+01:00\n"
        "    status: resolved_deployed\n"
        "    message:\n"
        "      fr: Résolu automatiquement après 10\u00a0jours sans réponse.\n"
        "      en: Resolved automatically after 10 days without an answer.\n"
        "---\n")
    due = run(scratch_site, "due", "--now", day10, "--format", "json")
    assert [i for i in json.loads(due.output)["items"] if i["entry"] == WAITING] == []
    again = run(scratch_site, "close-stale", "--now", day10)
    assert again.exit_code == 0 and "nothing to close" in again.output


def test_the_commands_work_through_the_installed_program(scratch_site):
    def program(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "statusgen", *args], cwd=scratch_site, capture_output=True,
                              text=True, stdin=subprocess.DEVNULL, timeout=120)

    steps = [
        ("update", OPEN, "--now", "2026-11-20T15:00:00+01:00", "--priority", "critical",
         "--component", "payments-api=major_outage", "-m", "Plus aucun paiement ne passe."),
        ("update", OPEN, "--now", "2026-11-20T15:20:00+01:00", "--component", "payments-api=partial_outage",
         "--workaround", "Envoyez un lien de paiement."),
        ("update", OPEN, "--now", "2026-11-20T16:00:00+01:00", "--status", "monitoring",
         "--component", "payments-api=operational", "-m", "Correctif en place."),
        ("resolve", OPEN, "--now", "2026-11-20T17:00:00+01:00", "-m", "Tout fonctionne."),
        ("report", OPEN, "--now", "2026-11-20T17:30:00+01:00", "--root-cause", "Un lien défaillant.",
         "--root-cause-kind", "isolated"),
        ("validate", "--now", "2026-11-20T17:30:00+01:00", "--strict"),
    ]
    for step in steps:
        proc = program(*step)
        assert proc.returncode == 0, (step, proc.stdout, proc.stderr)
    e = entry(scratch_site, OPEN)
    assert [u.status for u in e.updates][-4:] == ["identified", "identified", "monitoring", "resolved"]
    assert e.priority.id == "critical" and e.root_cause_kind == "isolated"
