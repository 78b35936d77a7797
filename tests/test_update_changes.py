"""Updates that change an entry's priority, components, impact, workaround and title: the history,
not the last value, is what every page, feed and API file tells."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import pytest

from conftest import build_site, copy_site
from statusgen.commands.validate import check
from statusgen.model.changes import update_changes
from statusgen.model.state import entry_state, impacts
from statusgen.render.facts import compute_facts

NOW = datetime.fromisoformat("2026-11-20T15:00:00+01:00")
ENTRY_ID = "2026-11-10-widget-outage"
WIDGET = """\
  - id: widget
    name: {fr: Widget, en: Widget}
    group: {fr: Essais, en: Trials}
"""
# High (partial outage) for an hour, raised to critical (major outage) for an hour, then set back
# to partial outage by hand until the resolution the next morning.
CHANGING = """\
---
title: {fr: Panne du widget, en: Widget outage}
priority: high
components: [widget]
impact: {fr: Le widget répond mal., en: The widget responds badly.}
updates:
  - at: 2026-11-10T09:00:00+01:00
    status: investigating
    message: {fr: Nous enquêtons., en: We are investigating.}
  - at: 2026-11-10T10:00:00+01:00
    status: identified
    priority: critical
    message: {fr: La panne s'étend., en: The outage is spreading.}
  - at: 2026-11-10T11:00:00+01:00
    status: identified
    components: {widget: partial_outage, dashboard: degraded_performance}
    workaround: {fr: Rechargez la page., en: Reload the page.}
  - at: 2026-11-10T12:00:00+01:00
    status: monitoring
    title: {en: Widget outage in Europe}
    message: {fr: Correctif déployé., en: Fix deployed.}
  - at: 2026-11-11T09:00:00+01:00
    status: resolved
    message: {fr: Tout fonctionne., en: All is well.}
root_cause: {fr: Un cache saturé., en: A full cache.}
root_cause_kind: isolated
---
"""


def widget_site(tmp_path: Path, entry: str = CHANGING) -> Path:
    root = copy_site(tmp_path / "site")
    with (root / "content" / "components.yaml").open("a", encoding="utf-8") as stream:
        stream.write(WIDGET)
    (root / "incidents" / f"{ENTRY_ID}.md").write_text(entry, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def site_root(tmp_path_factory) -> Path:
    return widget_site(tmp_path_factory.mktemp("changes"))


@pytest.fixture(scope="module")
def site(site_root):
    report = check(site_root, NOW)
    assert not [d for d in report.diagnostics if d.level == "error"], [d.format() for d in report.diagnostics]
    return report.site


@pytest.fixture(scope="module")
def out(site_root, tmp_path_factory) -> Path:
    return build_site(site_root, tmp_path_factory.mktemp("out") / "out", NOW)


def the_entry(site):
    return next(e for e in site.entries if e.id == ENTRY_ID)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


# -- model ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("moment, priority, title_en, workaround_en", [
    ("2026-11-10T09:30:00+01:00", "high", "Widget outage", ""),
    ("2026-11-10T10:00:00+01:00", "critical", "Widget outage", ""),
    ("2026-11-10T11:30:00+01:00", "critical", "Widget outage", "Reload the page."),
    ("2026-11-10T12:30:00+01:00", "critical", "Widget outage in Europe", "Reload the page."),
])
def test_the_value_at_a_moment_is_the_one_set_by_the_latest_update_before_it(site, moment, priority, title_en,
                                                                                 workaround_en):
    facets = the_entry(site).facets_at(at(moment))
    assert facets.priority.id == priority
    assert facets.title.get("en", "fr") == title_en
    assert facets.workaround.get("en", "fr") == workaround_en


def test_front_matter_values_hold_before_the_first_change_and_current_values_after_the_last(site):
    entry = the_entry(site)
    assert entry.opening.priority.id == "high" and entry.priority.id == "critical"
    assert entry.title.get("fr", "fr") == "Panne du widget"  # a title change in English keeps the French one
    assert entry.title.get("en", "fr") == "Widget outage in Europe"
    assert [p.id for p in entry.priorities_held] == ["high", "critical"]
    assert entry.all_components == ("widget", "dashboard")


def test_component_states_follow_each_change_over_time(site):
    stretches = [(i.component, i.state, i.start.isoformat(), i.end.isoformat() if i.end else None)
                 for i in impacts(the_entry(site), NOW)]
    assert stretches == [
        ("widget", "partial_outage", "2026-11-10T09:00:00+01:00", "2026-11-10T10:00:00+01:00"),
        ("widget", "major_outage", "2026-11-10T10:00:00+01:00", "2026-11-10T11:00:00+01:00"),
        ("widget", "partial_outage", "2026-11-10T11:00:00+01:00", "2026-11-11T09:00:00+01:00"),
        ("dashboard", "degraded_performance", "2026-11-10T11:00:00+01:00", "2026-11-11T09:00:00+01:00"),
    ]


def test_day_bars_and_uptime_count_each_state_over_the_time_it_was_held(site):
    facts = compute_facts(site, NOW)
    cells = dict(zip(facts.days, facts.day_states["widget"]))
    assert cells[at("2026-11-10T12:00:00+01:00").date()] == "major_outage"
    assert cells[at("2026-11-11T12:00:00+01:00").date()] == "partial_outage"
    assert cells[at("2026-11-12T12:00:00+01:00").date()] == "operational"
    zone = ZoneInfo(site.settings.timezone)
    window = (NOW - datetime.combine(facts.days[0], datetime.min.time(), zone)).total_seconds()
    # One hour of major outage in full, 23 hours of partial outage at 30 %: not 24 hours of major outage.
    lost = 3600 + 0.3 * 23 * 3600
    assert facts.uptime["widget"] == pytest.approx(100 * (1 - lost / window))


def test_the_resolution_target_is_the_current_prioritys_counted_from_the_start(site):
    entry = the_entry(site)
    state = entry_state(entry, NOW)
    assert entry.priority.id == "critical"
    assert state.target_outcome == "met"  # 24 h against critical's 2 days


def test_each_update_knows_what_it_changed(site):
    changes = update_changes(the_entry(site))
    assert changes[1].priority.before.id == "high" and changes[1].priority.raised
    assert [(c.component, c.before, c.after) for c in changes[1].components] == [
        ("widget", "partial_outage", "major_outage")]
    assert [(c.component, c.before, c.after) for c in changes[2].components] == [
        ("widget", "major_outage", "partial_outage"), ("dashboard", "operational", "degraded_performance")]
    assert [(t.facet, t.kind) for t in changes[2].texts] == [("workaround", "added")]
    assert [(t.facet, t.kind) for t in changes[3].texts] == [("title", "changed")]
    assert [(c.component, c.after) for c in changes[4].components] == [
        ("widget", "operational"), ("dashboard", "operational")]


# -- pages, feeds, API ------------------------------------------------------------------------------------
def test_the_report_page_tells_each_change_in_words(out):
    en = (out / "en" / "incidents" / ENTRY_ID / "index.html").read_text(encoding="utf-8")
    assert "<li>Priority raised from High to Critical</li>" in en
    assert "<li>Widget: Partial outage → Major outage</li>" in en
    assert "<li>Widget: Major outage → Partial outage</li><li>Dashboard: Operational → Degraded performance</li>" in en
    assert "<li>Workaround added: Reload the page.</li>" in en
    assert "(within 2\u00a0working days: the target of the current priority, Critical, counted from the start)" in en
    assert "<li>Title changed to “Widget outage in Europe”</li>" in en
    fr = (out / "incidents" / ENTRY_ID / "index.html").read_text(encoding="utf-8")
    assert "<li>Priorité relevée\u202f: Élevée → Critique</li>" in fr
    assert "<li>Titre en anglais modifié</li>" in fr  # the French title did not change
    assert "Dashboard" in en.split('id="entry-timeline"')[0]  # a component added by an update is listed


def test_an_update_that_only_changes_something_is_a_feed_item_of_its_own(out):
    feed = feedparser.parse((out / "en" / "incidents" / ENTRY_ID / "feed.atom").read_bytes())
    assert len(feed.entries) == 5
    # Each item keeps the title the entry had at its update: the past stays as it was.
    assert [e.title.split(" — ")[0] for e in feed.entries] == ["Widget outage in Europe"] * 2 + ["Widget outage"] * 3
    only_changes = next(e for e in feed.entries if e.id.endswith("#update-3"))
    assert "<li>Workaround added: Reload the page.</li>" in only_changes.content[0].value


def test_the_api_lists_affected_components_per_update_and_the_highest_impact(out):
    incidents = json.loads((out / "api" / "v2" / "incidents.json").read_text(encoding="utf-8"))["incidents"]
    incident = next(i for i in incidents if i["id"] == ENTRY_ID)
    assert incident["impact"] == "critical"
    updates = incident["incident_updates"][::-1]  # oldest first
    assert updates[0]["affected_components"] == [
        {"code": "widget", "name": "Widget", "old_status": "operational", "new_status": "partial_outage"}]
    assert updates[1]["affected_components"] == [
        {"code": "widget", "name": "Widget", "old_status": "partial_outage", "new_status": "major_outage"}]
    assert updates[2]["affected_components"] == [
        {"code": "widget", "name": "Widget", "old_status": "major_outage", "new_status": "partial_outage"},
        {"code": "dashboard", "name": "Tableau de bord", "old_status": "operational",
         "new_status": "degraded_performance"}]
    assert updates[2]["body"] == ("Solution de contournement ajoutée\u202f: Rechargez la page.\nWidget\u202f: Panne majeure → Panne partielle\n"
                                  "Tableau de bord\u202f: Opérationnel → Performances dégradées")
    assert [c["id"] for c in incident["components"]] == ["widget", "dashboard"]


def test_a_lowered_priority_keeps_the_highest_impact_reached(tmp_path):
    lowered = CHANGING.replace("    priority: critical\n", "    priority: medium\n")
    root = widget_site(tmp_path, lowered)
    out = build_site(root, tmp_path / "out", NOW)
    incidents = json.loads((out / "api" / "v2" / "incidents.json").read_text(encoding="utf-8"))["incidents"]
    assert next(i for i in incidents if i["id"] == ENTRY_ID)["impact"] == "major"  # high's, not medium's
    en = (out / "en" / "incidents" / ENTRY_ID / "index.html").read_text(encoding="utf-8")
    assert "<li>Priority lowered from High to Medium</li>" in en


# -- the format's errors ------------------------------------------------------------------------------
def diagnostics_of(tmp_path: Path, entry: str) -> list[str]:
    root = widget_site(tmp_path, entry)
    return [d.format() for d in check(root, NOW).diagnostics if d.path.endswith(f"{ENTRY_ID}.md")]


@pytest.mark.parametrize("old, new, expected", [
    ("    priority: critical\n", "    priority: critcal\n",
     f"incidents/{ENTRY_ID}.md:12: error [unknown-priority] updates[1].priority: unknown priority 'critcal'"),
    ("    priority: critical\n", "    priority: high\n",
     f"incidents/{ENTRY_ID}.md:12: warning [no-change] updates[1].priority: the priority is already 'high'"),
    ("    components: {widget: partial_outage, dashboard: degraded_performance}\n",
     "    components: {widget: down}\n",
     f"incidents/{ENTRY_ID}.md:16: error [unknown-state] updates[2].components.widget: unknown component state 'down'"),
    ("    title: {en: Widget outage in Europe}\n", "    title: \"\"\n",
     f"incidents/{ENTRY_ID}.md:20: error [missing-field] updates[3].title: the text is blank"),
    ("    title: {en: Widget outage in Europe}\n", "    reminder: true\n",
     f"incidents/{ENTRY_ID}.md:20: error [reminder] updates[3].reminder: a reminder is recorded while the entry "
     "waits on the customer; 'monitoring' does not wait"),
    ("    components: {widget: partial_outage, dashboard: degraded_performance}\n"
     "    workaround: {fr: Rechargez la page., en: Reload the page.}\n", "",
     f"incidents/{ENTRY_ID}.md:14: error [missing-field] updates[2].message: required field is missing"),
])
def test_each_kind_of_change_is_checked_with_its_line(tmp_path, old, new, expected):
    assert old in CHANGING
    found = diagnostics_of(tmp_path, CHANGING.replace(old, new))
    assert any(line.startswith(expected) for line in found), found


def test_existing_files_stay_valid_and_a_change_without_message_is_accepted(tmp_path):
    found = diagnostics_of(tmp_path, CHANGING)
    assert found == []


def test_a_component_an_update_added_has_the_entry_in_its_feed_and_on_its_page(out):
    feed = feedparser.parse((out / "en" / "components" / "dashboard" / "feed.atom").read_bytes())
    assert any(ENTRY_ID in e.id for e in feed.entries)
    page = (out / "en" / "components" / "dashboard" / "index.html").read_text(encoding="utf-8")
    assert f"/en/incidents/{ENTRY_ID}/" in page
