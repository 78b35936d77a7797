"""Table-driven: each broken file must produce its rule id at the right line, and nothing else breaks."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from statusgen.commands.validate import check

NOW = datetime.fromisoformat("2026-11-20T15:00:00+01:00")
REL = "incidents/2026-11-20-paiements.md"

BASE = """---
title: Paiements refusés par intermittence
lifecycle: incident
priority: high
components: [payments-api, dashboard]
impact: Une partie des paiements par carte échoue.
workaround: Relancer le paiement après une minute.
updates:
  - at: 2026-11-20T09:12:00+01:00
    status: investigating
    message: Nous enquêtons sur des échecs de paiement.
  - at: 2026-11-20T09:40:00+01:00
    status: identified
    message: |
      Un fournisseur de paiement répond lentement.
  - at: 2026-11-20T11:02:00+01:00
    status: resolved
    message: Les paiements fonctionnent normalement.
root_cause: Expiration d'un certificat chez le fournisseur.
---
Le rapport complet suit.
"""

MAINTENANCE = """---
title: Mise à niveau de la base
lifecycle: maintenance
components: [invoicing]
scheduled: {start: 2026-11-26T22:00:00+01:00, end: 2026-11-27T01:00:00+01:00}
updates:
  - at: 2026-11-19T10:00:00+01:00
    status: scheduled
    message: Maintenance prévue.
  - at: 2026-11-20T10:00:00+01:00
    status: completed
    message: Terminé.
---
"""

TICKET = """---
title: Logo absent
lifecycle: ticket
priority: low
components: [invoicing]
updates:
  - at: 2026-11-10T10:00:00+01:00
    status: submitted
    message: Reçu.
  - at: 2026-11-10T12:00:00+01:00
    status: waiting_customer
    message: Pouvez-vous nous envoyer une facture concernée ?
---
"""


def _sub(old: str, new: str, text: str = BASE) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


BILLION_LAUGHS = "---\na: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8)
) + "title: t\n---\n"

# (case id, file content, rule, line, now)
CASES = [
    ("unknown-key", _sub("priority: high", "priorty: high"), "unknown-key", 4, NOW),
    ("unknown-status", _sub("status: identified", "status: identifed"), "unknown-status", 13, NOW),
    ("unknown-component", _sub("dashboard]", "dashbord]"), "unknown-component", 5, NOW),
    ("unknown-priority", _sub("priority: high", "priority: hihg"), "unknown-priority", 4, NOW),
    ("unknown-lifecycle", _sub("lifecycle: incident", "lifecycle: incidnet"), "unknown-lifecycle", 3, NOW),
    ("wrong-type", _sub("components: [payments-api, dashboard]", "components: 42"), "wrong-type", 5, NOW),
    ("missing-title", _sub("title: Paiements refusés par intermittence\n", ""), "missing-field", 2, NOW),
    ("missing-message", _sub("    message: Nous enquêtons sur des échecs de paiement.\n", ""), "missing-field", 9, NOW),
    ("no-timezone", _sub("at: 2026-11-20T09:40:00+01:00", "at: 2026-11-20T09:40:00"), "timestamp-timezone", 12, NOW),
    ("date-only", _sub("at: 2026-11-20T09:40:00+01:00", "at: 2026-11-20"), "timestamp-timezone", 12, NOW),
    ("order", _sub("at: 2026-11-20T09:40:00+01:00", "at: 2026-11-20T09:00:00+01:00"), "timestamp-order", 12, NOW),
    ("future", _sub("at: 2026-11-20T11:02:00+01:00", "at: 2026-11-20T16:02:00+01:00"), "timestamp-future", 16, NOW),
    ("initial-status", _sub("status: investigating", "status: monitoring"), "initial-status", 10, NOW),
    ("after-terminal", _sub("root_cause:", "  - at: 2026-11-20T12:00:00+01:00\n    status: monitoring\n"
                            "    message: Encore.\nroot_cause:"), "after-terminal", 19, NOW),
    ("transition", MAINTENANCE, "transition", 11, NOW),
    ("window-passed", MAINTENANCE.split("  - at: 2026-11-20T10:00")[0] + "---\n", "window-passed", 5,
     datetime.fromisoformat("2026-11-27T09:00:00+01:00")),
    ("resolution-message", _sub("message: Les paiements fonctionnent normalement.", 'message: ""'),
     "resolution-message", 18, NOW),
    ("duplicate-key", _sub("lifecycle: incident", "priority: low\nlifecycle: incident"), "duplicate-key", 5, NOW),
    ("unknown-language", _sub("title: Paiements refusés par intermittence",
                              "title: {fr: Paiements refusés, de: Zahlungen}"), "unknown-language", 2, NOW),
    ("missing-translation", _sub("title: Paiements refusés par intermittence", "title: {fr: Paiements refusés}"),
     "missing-translation", 2, NOW),
    ("unknown-state", _sub("components: [payments-api, dashboard]", "components: {payments-api: down}"),
     "unknown-state", 5, NOW),
    ("yaml-syntax", _sub("impact: Une partie", "impact: Une: partie"), "yaml-syntax", 6, NOW),
    ("bad-indentation", _sub("    status: identified", "   status: identified"), "yaml-syntax", 13, NOW),
    ("no-closing-fence", BASE.replace("---\nLe rapport", "Le rapport"), "front-matter", 1, NOW),
    ("no-front-matter", BASE[4:], "front-matter", 1, NOW),
    ("empty", "", "empty-file", 1, NOW),
    ("whitespace-only", "\n  \n", "empty-file", 1, NOW),
    ("alias-bomb", BILLION_LAUGHS, "yaml-alias-bomb", 2, NOW),
    ("deep-nesting", "---\ntitle: " + "[" * 5000 + "]" * 5000 + "\n---\n", "yaml-syntax", 2, NOW),
    ("alias-cycle", _sub("workaround: Relancer le paiement après une minute.", "workaround: &w [a, [b, *w]]"),
     "yaml-alias-cycle", 7, NOW),
    ("markdown-nesting", BASE + "".join("    " * i + "- x\n" for i in range(20)), "markdown-limit", 38, NOW),
    ("markdown-brackets", _sub("      Un fournisseur de paiement répond lentement.", "      " + "[" * 3000),
     "markdown-limit", 15, NOW),
    ("component-without-state", _sub("components: [payments-api, dashboard]", "components: {payments-api: }"),
     "missing-field", 5, NOW),
    ("year-one", _sub("at: 2026-11-20T09:12:00+01:00", "at: 0001-01-01T00:00:00+01:00"), "invalid-value", 9, NOW),
    ("report-language", BASE + "<!-- lang: de -->\nBericht.\n", "unknown-language", 22, NOW),
    ("report-noncharacter", BASE + "Suite \uffff.\n", "invalid-value", 22, NOW),
    ("blank-translation", _sub("title: Paiements refusés par intermittence", "title: {fr: ' ', en: Payments}"),
     "missing-field", 2, NOW),
    ("schedule", MAINTENANCE.replace("end: 2026-11-27T01:00", "end: 2026-11-26T21:00"), "schedule", 5, NOW),
    ("maintenance-without-window", MAINTENANCE.replace("scheduled: {start: 2026-11-26T22:00:00+01:00, "
                                                       "end: 2026-11-27T01:00:00+01:00}\n", ""), "schedule", 3, NOW),
    ("update-overdue", BASE.split("  - at: 2026-11-20T11:02")[0] + "---\n", "update-overdue", 12,
     datetime.fromisoformat("2026-11-21T09:00:00+01:00")),
    ("target-breached", BASE.split("  - at: 2026-11-20T11:02")[0] + "---\n", "target-breached", 4,
     NOW + timedelta(days=8)),
    ("report-missing", _sub("priority: high", "priority: critical").replace(
        "root_cause: Expiration d'un certificat chez le fournisseur.\n---\nLe rapport complet suit.\n", "---\n"),
     "report-missing", 4, NOW + timedelta(days=6)),
    ("reminder-due", TICKET, "reminder-due", 10, datetime.fromisoformat("2026-11-12T13:00:00+01:00")),
    ("auto-resolved", TICKET, "auto-resolved", 10, datetime.fromisoformat("2026-11-20T13:00:00+01:00")),
]


def _write(site: Path, rel: str, content: str | bytes) -> Path:
    path = site / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def _edit(path: Path, old: str, new: str) -> None:
    """Replace the first occurrence of old (which must be there) in a site file."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


ONE_LANGUAGE = "one text for every language"  # BASE writes plain French texts on a French-English site


def _found(site: Path, now: datetime, rel: str = REL):
    """The diagnostics of one file, but for the warnings of its plain French texts (tested on their own)."""
    report = check(site, now)
    return [d for d in report.diagnostics if d.path == rel and not d.message.startswith(ONE_LANGUAGE)], report


def test_plain_texts_on_a_site_of_two_languages_are_warned_of_as_one_language(scratch_site):
    _write(scratch_site, REL, BASE)
    warned = [(d.line, d.field) for d in check(scratch_site, NOW).diagnostics
              if d.path == REL and d.rule == "missing-translation"]
    assert warned == [(2, "title"), (6, "impact"), (7, "workaround"), (11, "updates[0].message"),
                      (14, "updates[1].message"), (18, "updates[2].message"), (19, "root_cause")]


@pytest.mark.parametrize("content,rule,line,now", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_broken_file_yields_rule_and_line(scratch_site, content, rule, line, now):
    _write(scratch_site, REL, content)
    found, _ = _found(scratch_site, now)
    assert (rule, line) in [(d.rule, d.line) for d in found], [d.format() for d in found]
    for d in found:
        assert d.format().startswith(f"{REL}:{d.line}: {d.level} [{d.rule}]")


def test_base_file_is_clean(scratch_site):
    _write(scratch_site, REL, BASE)
    found, report = _found(scratch_site, NOW)
    assert found == []
    assert report.errors == 0


def test_typo_gets_a_did_you_mean_hint(scratch_site):
    _write(scratch_site, REL, _sub("status: identified", "status: identifed"))
    found, _ = _found(scratch_site, NOW)
    assert found[0].hint == "did you mean 'identified'?"
    assert found[0].field == "updates[1].status"


def test_bom_and_crlf_simply_work(scratch_site):
    data = ("\ufeff" + BASE).replace("\n", "\r\n").encode("utf-8")
    _write(scratch_site, REL, data)
    found, _ = _found(scratch_site, NOW)
    assert found == []


def test_non_utf8_names_the_line(scratch_site):
    data = BASE.encode("utf-8").replace("Une partie".encode(), b"Une \xe9partie")
    _write(scratch_site, REL, data)
    found, _ = _found(scratch_site, NOW)
    assert [(d.rule, d.line) for d in found] == [("encoding", 6)]


def test_file_of_several_megabytes_is_refused(scratch_site):
    _write(scratch_site, REL, BASE + "x" * (3 * 1024 * 1024))
    found, _ = _found(scratch_site, NOW)
    assert [d.rule for d in found] == ["file-too-large"]


def test_directory_where_a_file_is_expected(scratch_site):
    (scratch_site / REL).mkdir(parents=True)
    found, _ = _found(scratch_site, NOW)
    assert [d.rule for d in found] == ["not-a-file"]


def test_symlink_where_a_file_is_expected(scratch_site, tmp_path):
    target = tmp_path / "elsewhere.md"
    target.write_text(BASE, encoding="utf-8")
    os.symlink(target, scratch_site / REL)
    found, _ = _found(scratch_site, NOW)
    assert [d.rule for d in found] == ["not-a-file"]


def test_file_name_must_be_dated_slug(scratch_site):
    rel = "incidents/Panne paiements.md"
    _write(scratch_site, rel, BASE)
    found, _ = _found(scratch_site, NOW, rel)
    assert [(d.rule, d.line) for d in found] == [("file-name", 1)]


def test_file_name_date_must_match_start(scratch_site):
    rel = "incidents/2026-11-19-paiements.md"
    _write(scratch_site, rel, BASE)
    found, _ = _found(scratch_site, NOW, rel)
    assert [(d.rule, d.line) for d in found] == [("file-date", 9)]


def test_duplicate_ids_across_folders(scratch_site):
    _write(scratch_site, REL, BASE)
    _write(scratch_site, "incidents/2026/2026-11-20-paiements.md", BASE)
    report = check(scratch_site, NOW)
    assert "duplicate-id" in [d.rule for d in report.diagnostics]


def test_unsafe_component_id(scratch_site):
    path = scratch_site / "content/components.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("id: dashboard", "id: Tableau de bord", 1),
                    encoding="utf-8")
    report = check(scratch_site, NOW)
    assert "unsafe-id" in [d.rule for d in report.diagnostics if d.path == "content/components.yaml"]


def test_lifecycle_definition_errors_are_reported(scratch_site):
    path = scratch_site / "content/lifecycles.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("investigating: [identified, monitoring, resolved]",
                                 "investigating: [identified, monitoring, fixed]", 1), encoding="utf-8")
    report = check(scratch_site, NOW)
    found = [d for d in report.diagnostics if d.rule == "lifecycle-definition"]
    assert found and found[0].path == "content/lifecycles.yaml"
    assert "'fixed' is not a status of this lifecycle" in found[0].message


def test_validate_writes_nothing(scratch_site):
    _write(scratch_site, REL, _sub("priority: high", "priorty: high"))
    before = sorted(p.relative_to(scratch_site) for p in scratch_site.rglob("*"))
    check(scratch_site, NOW)
    after = sorted(p.relative_to(scratch_site) for p in scratch_site.rglob("*"))
    assert before == after


def test_every_rule_is_exercised_and_documented():
    from statusgen.catalog import RULES

    tested = {case[2] for case in CASES} | {
        "encoding", "file-too-large", "not-a-file", "file-name", "file-date", "duplicate-id", "unsafe-id",
        "lifecycle-definition", "template-syntax",
        "template-runtime",  # tests/test_failures.py
        "no-change", "reminder",  # tests/test_update_changes.py
        "missing-variable",  # tests/test_notify_channels.py
    }
    untested = set(RULES) - tested - {"invalid-value", "duplicate-definition"}
    assert untested == set()
    docs = (Path(__file__).resolve().parents[1] / "docs/format.md").read_text(encoding="utf-8")
    for rule in RULES.values():
        assert f"| `{rule.id}` | {rule.level} |" in docs, rule.id


def test_invalid_setting_values(scratch_site):
    path = scratch_site / "content/site.yaml"
    text = path.read_text(encoding="utf-8").replace("timezone: Europe/Paris", "timezone: Europe/Pari")
    path.write_text(text.replace("default_update_cadence: 1d", "default_update_cadence: daily"), encoding="utf-8")
    found = [d for d in check(scratch_site, NOW).diagnostics if d.path == "content/site.yaml"]
    assert [(d.rule, d.field) for d in found] == [("invalid-value", "timezone"),
                                                  ("invalid-value", "default_update_cadence")]
    assert found[0].hint == "did you mean 'Europe/Paris'?"


def test_duplicate_component_definition(scratch_site):
    path = scratch_site / "content/components.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("id: dashboard", "id: payments-api", 1), encoding="utf-8")
    found = [d for d in check(scratch_site, NOW).diagnostics if d.path == "content/components.yaml"]
    assert [d.rule for d in found] == ["duplicate-definition"]


@pytest.mark.parametrize("old,new,message", [
    ("api_status: identified", "api_status: in_progress", "'in_progress' is not a status of the Statuspage incidents API"),
    ("api_status: identified", "api_status: resolved", "phase 'open' cannot map to 'resolved'"),
])
def test_api_mapping_must_fit_the_lifecycle(scratch_site, old, new, message):
    path = scratch_site / "content/lifecycles.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    line = text[: text.index(old)].count("\n") + 1
    found = [d for d in check(scratch_site, NOW).diagnostics if d.rule == "lifecycle-definition"]
    assert [(d.path, d.message) for d in found] == [("content/lifecycles.yaml", message)]
    assert found[0].line <= line  # the line of the status the mapping belongs to


def test_component_id_status_is_reserved(scratch_site):
    path = scratch_site / "content/components.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("id: dashboard", "id: status", 1), encoding="utf-8")
    found = [d for d in check(scratch_site, NOW).diagnostics if d.path == "content/components.yaml"]
    assert [(d.rule, d.field) for d in found] == [("unsafe-id", "components[1].id")]


def test_lifecycle_ids_must_be_safe(scratch_site):
    path = scratch_site / "content/lifecycles.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\n  ticket:\n", "\n  \"<b>ticket</b>\":\n", 1), encoding="utf-8")
    line = text[: text.index("\n  ticket:\n")].count("\n") + 2
    found = [d for d in check(scratch_site, NOW).diagnostics if d.path == "content/lifecycles.yaml"]
    assert [(d.rule, d.line) for d in found] == [("unsafe-id", line)]


def test_shared_definitions_may_hold_other_languages(scratch_site):
    """A bilingual lifecycles.yaml works on an English-only site; an entry in German is still an error."""
    settings = scratch_site / "content/site.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("languages: [fr, en]", "languages: [en]"),
                        encoding="utf-8")
    found = [d for d in check(scratch_site, NOW).diagnostics if d.path.startswith("content/")]
    assert found == []
    _write(scratch_site, REL, _sub("title: Paiements refusés par intermittence", "title: {en: Payments, de: Zahlungen}"))
    entry = [d.rule for d in check(scratch_site, NOW).diagnostics if d.path == REL]
    assert entry == ["unknown-language"]


def test_template_syntax_errors_name_the_line(tmp_path):
    from conftest import copy_site

    site = copy_site(tmp_path / "site", with_templates=True)
    path = site / "templates/404.html"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(3, "{% if t.not_found_title %}")  # never closed
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = [d for d in check(site, NOW).diagnostics if d.rule == "template-syntax"]
    assert [(d.path, d.level) for d in found] == [("templates/404.html", "error")]
    assert found[0].line >= 4


def test_ignored_rules_are_not_reported(scratch_site):
    late = datetime.fromisoformat("2026-11-23T15:00:00+01:00")
    assert "update-overdue" in [d.rule for d in check(scratch_site, late).diagnostics]
    assert "update-overdue" not in [d.rule for d in check(scratch_site, late, ignore=("update-overdue",)).diagnostics]


def test_empty_update_message_is_refused(scratch_site):
    _write(scratch_site, REL, _sub("message: Nous enquêtons sur des échecs de paiement.", 'message: "  "'))
    found, _ = _found(scratch_site, NOW)
    assert [(d.rule, d.line, d.field) for d in found] == [("missing-field", 11, "updates[0].message")]


def test_control_characters_are_refused_with_their_line(scratch_site):
    _write(scratch_site, REL, _sub("message: Nous enquêtons sur des échecs de paiement.",
                                   'message: "Voir \\e[31mERREUR\\e[0m"'))
    found, _ = _found(scratch_site, NOW)
    assert [(d.rule, d.line) for d in found] == [("invalid-value", 11)]
    assert "U+001B" in found[0].message
    _write(scratch_site, REL, _sub("impact: Une partie", "impact: Une\x01 partie"))
    found, _ = _found(scratch_site, NOW)
    assert [(d.rule, d.line) for d in found] == [("yaml-syntax", 6)]


def test_duplicate_language_in_a_flow_mapping(scratch_site):
    _write(scratch_site, REL, _sub("title: Paiements refusés par intermittence", "title: {fr: a, fr: b, en: c}"))
    found, _ = _found(scratch_site, NOW)
    assert [(d.rule, d.field) for d in found] == [("duplicate-key", "title.fr")]


@pytest.mark.parametrize("old,new,field", [
    ("languages: [fr, en]", "languages: [fr, en, xx]", "languages[2]"),
    ("languages: [fr, en]", "languages: []", "languages"),
    ("report_url: https://orbeline.example/support/contact", "report_url: javascript:alert(1)", "report_url"),
    ("base_url: https://status.orbeline.example", "base_url: https://status.orbeline.example/x?a=1", "base_url"),
    ('end: "18:00"', 'end: "08:00"', "business_hours.end"),
    ("default_update_cadence: 1d", "default_update_cadence: 99999999999w", "default_update_cadence"),
    ("  - {date: 2026-07-14,", "  - {date: 2026-07-32,", "holidays[7].date"),
    ('  bad: "https://orbeline', '  bad: "javascript:alert(1)//orbeline', "feedback.bad"),
])
def test_site_settings_that_cannot_work_are_refused(scratch_site, old, new, field):
    _edit(scratch_site / "content/site.yaml", old, new)
    found = [d for d in check(scratch_site, NOW).diagnostics if d.path == "content/site.yaml"]
    assert (("invalid-value", field) in [(d.rule, d.field) for d in found]), [d.format() for d in found]


def test_working_durations_that_cannot_be_read_are_refused(scratch_site):
    _edit(scratch_site / "content/lifecycles.yaml", "resolution_target: 2 working days",
          "resolution_target: 2 working dayz")
    found = [d.format() for d in check(scratch_site, NOW).diagnostics if d.path == "content/lifecycles.yaml"]
    line = (scratch_site / "content/lifecycles.yaml").read_text(encoding="utf-8").split("\n").index(
        "    resolution_target: 2 working dayz") + 1
    assert found == [f"content/lifecycles.yaml:{line}: error [invalid-value] priorities[0].resolution_target: "
                     "'2 working dayz' is not a duration (write a number and a unit: 30m, 4h, 2d or 1w, or working "
                     "time: 4 working hours, 2 working days)"]


@pytest.mark.parametrize("old,new,message", [
    ("auto_resolve_to: resolved_deployed", "auto_resolve_to: in_review", "'in_review' is not a resolved status"),
    ("        auto_resolve_to: resolved_deployed\n", "", "auto_resolve_after and auto_resolve_to go together"),
    ("initial: [investigating, identified]", "initial: []", "no status to start with"),
    ("resolve_status: resolved\n", "resolve_status: monitoring\n", "'monitoring' is not a terminal resolved status"),
])
def test_contradictory_lifecycles_are_refused(scratch_site, old, new, message):
    _edit(scratch_site / "content/lifecycles.yaml", old, new)
    found = [d.message for d in check(scratch_site, NOW).diagnostics if d.rule == "lifecycle-definition"]
    assert message in found


def test_help_article_cannot_take_a_generated_name(scratch_site):
    (scratch_site / "content/pages/statuses.en.md").write_text("---\ntitle: Mine\n---\nText\n", encoding="utf-8")
    found = [d for d in check(scratch_site, NOW).diagnostics if d.path == "content/pages/statuses.en.md"]
    assert [d.rule for d in found] == ["file-name"]


def test_linked_folders_are_reported(scratch_site, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    (scratch_site / "incidents").rename(elsewhere)
    os.symlink(elsewhere, scratch_site / "incidents")
    found = [d for d in check(scratch_site, NOW).diagnostics if d.path == "incidents"]
    assert [d.rule for d in found] == ["not-a-file"]
