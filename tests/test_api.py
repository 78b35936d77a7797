"""The Statuspage v2-compatible JSON API of the demo site: schemas, and where each entry shows up."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from conftest import build_site
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

REPO = Path(__file__).resolve().parents[1]
SCHEMAS = REPO / "tests/schemas/statuspage"
ENDPOINTS = {
    "summary.json": "summary",
    "status.json": "status",
    "components.json": "components",
    "incidents.json": "incidents",
    "incidents/unresolved.json": "incidents-unresolved",
    "scheduled-maintenances.json": "scheduled-maintenances",
    "scheduled-maintenances/upcoming.json": "scheduled-maintenances-upcoming",
    "scheduled-maintenances/active.json": "scheduled-maintenances-active",
}
OPEN_INCIDENT = "2026-11-20-intermittent-terminal-payment-declines"
RESOLVED_INCIDENT = "2026-10-27-invoice-emails-delayed"
WITH_REPORT = "2026-09-10-card-payments-declined"
KNOWN_ISSUE = "2026-11-18-logo-missing-on-emailed-invoices"
UPCOMING = "2026-11-19-email-infrastructure-migration-rescheduled"
CANCELLED = "2026-10-13-email-infrastructure-migration"
TIME_FIELDS = {"created_at", "updated_at", "monitoring_at", "resolved_at", "started_at", "display_at",
               "scheduled_for", "scheduled_until"}


def build_api(root: Path, out: Path, now: datetime) -> Path:
    return build_site(root, out, now) / "api/v2"


@pytest.fixture(scope="session")
def api(site_out) -> Path:
    return site_out / "api/v2"


@pytest.fixture(scope="session")
def registry() -> Registry:
    resources = (Resource.from_contents(json.loads(p.read_text(encoding="utf-8")))
                 for p in SCHEMAS.glob("*.schema.json"))
    return Registry().with_resources((r.id(), r) for r in resources)


def load(api: Path, name: str) -> dict:
    return json.loads((api / name).read_text(encoding="utf-8"))


def ids_in(doc: dict, key: str) -> list[str]:
    return [item["id"] for item in doc[key]]


def walk_times(value, where=""):
    if isinstance(value, dict):
        for key, item in value.items():
            if key in TIME_FIELDS and item is not None:
                yield f"{where}.{key}", item
            yield from walk_times(item, f"{where}.{key}")
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from walk_times(item, f"{where}[{n}]")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("name,schema", ENDPOINTS.items())
def test_endpoint_validates_against_its_schema(api, registry, name, schema):
    document = load(api, name)
    validator = Draft202012Validator(json.loads((SCHEMAS / f"{schema}.schema.json").read_text(encoding="utf-8")),
                                     registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert errors == []
    # The schema checks date-time formats only when rfc3339-validator is installed: parse them here.
    times = list(walk_times(document))
    assert times
    for where, text in times:
        assert datetime.fromisoformat(text).tzinfo is not None, where
        # Milliseconds always, as Statuspage writes them: clients parse with a format that needs them.
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}(Z|[+-]\d\d:\d\d)", text), (where, text)
        assert datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")  # the parse that failed on 13:35:00+01:00


def test_every_language_has_its_own_api_badges_and_calendar(site_out):
    french = json.loads((site_out / "api/v2/summary.json").read_text(encoding="utf-8"))
    english = json.loads((site_out / "en/api/v2/summary.json").read_text(encoding="utf-8"))
    assert french["status"]["description"] == "Panne partielle en cours"
    assert english["status"]["description"] == "Partial outage in progress"
    assert [c["name"] for c in english["components"]][:3] != [c["name"] for c in french["components"]][:3]
    assert english["incidents"][0]["shortlink"] == f"https://status.orbeline.example/en/incidents/{OPEN_INCIDENT}/"
    assert sorted(p.relative_to(site_out / "en/api").as_posix() for p in (site_out / "en/api").rglob("*.json")) == \
        sorted(f"v2/{name}" for name in ENDPOINTS)
    assert "Partial outage" in (site_out / "en/badges/status.svg").read_text(encoding="utf-8")
    assert "Panne partielle" in (site_out / "badges/status.svg").read_text(encoding="utf-8")
    calendar = (site_out / "en/maintenance.ics").read_text(encoding="utf-8")
    assert "PRODID:-//statusgen//status.orbeline.example//EN\n" in calendar
    assert "SUMMARY:Cancelled: E-mail delivery infrastructure migration\n" in calendar
    assert "PRODID:-//statusgen//status.orbeline.example//FR\n" in (site_out / "maintenance.ics").read_text(encoding="utf-8")
    english_home = (site_out / "en/index.html").read_text(encoding="utf-8")
    assert 'href="/en/maintenance.ics"' in english_home and 'href="/en/api/v2/summary.json"' in english_home


def test_no_other_files_under_api(api):
    assert sorted(p.relative_to(api).as_posix() for p in api.rglob("*.json")) == sorted(ENDPOINTS)


def test_open_incident_is_unresolved_and_in_the_summary(api):
    summary = load(api, "summary.json")
    unresolved = load(api, "incidents/unresolved.json")
    everything = load(api, "incidents.json")
    assert OPEN_INCIDENT in ids_in(summary, "incidents")
    assert OPEN_INCIDENT in ids_in(unresolved, "incidents")
    assert OPEN_INCIDENT in ids_in(everything, "incidents")
    incident = next(i for i in unresolved["incidents"] if i["id"] == OPEN_INCIDENT)
    assert incident["status"] == "identified"
    assert incident["impact"] == "major"  # priority high: api_impact major
    assert incident["resolved_at"] is None
    assert incident["shortlink"] == f"https://status.orbeline.example/incidents/{OPEN_INCIDENT}/"
    assert incident["started_at"] == incident["created_at"] == "2026-11-20T11:24:00.000+01:00"
    assert incident["updated_at"] == "2026-11-20T13:35:00.000+01:00"
    updates = incident["incident_updates"]
    assert [u["id"] for u in updates] == [f"{OPEN_INCIDENT}-update-{n}" for n in (3, 2, 1)]
    assert [u["status"] for u in updates] == ["identified", "identified", "investigating"]
    assert updates[2]["body"].startswith("Depuis 11 h environ")  # the default language (fr)
    assert updates[2]["affected_components"] == [
        {"code": "payments-api", "name": "API de paiement", "old_status": "operational",
         "new_status": "partial_outage"}]
    assert updates[0]["affected_components"] is None
    assert [(c["id"], c["status"]) for c in incident["components"]] == [("payments-api", "partial_outage")]


def test_resolved_incident_is_only_in_incidents_json(api):
    assert RESOLVED_INCIDENT not in ids_in(load(api, "summary.json"), "incidents")
    assert RESOLVED_INCIDENT not in ids_in(load(api, "incidents/unresolved.json"), "incidents")
    incident = next(i for i in load(api, "incidents.json")["incidents"] if i["id"] == RESOLVED_INCIDENT)
    assert incident["status"] == "resolved"
    assert incident["resolved_at"] == incident["incident_updates"][0]["created_at"]
    assert incident["incident_updates"][0]["status"] == "resolved"


def test_resolved_incident_with_a_report_is_a_postmortem(api):
    incidents = {i["id"]: i for i in load(api, "incidents.json")["incidents"]}
    assert incidents[WITH_REPORT]["status"] == "postmortem"
    assert incidents[WITH_REPORT]["incident_updates"][0]["status"] == "resolved"
    assert WITH_REPORT not in ids_in(load(api, "incidents/unresolved.json"), "incidents")


def test_known_issues_are_incidents_and_maintenance_is_not(api):
    everything = ids_in(load(api, "incidents.json"), "incidents")
    assert KNOWN_ISSUE in everything and KNOWN_ISSUE in ids_in(load(api, "incidents/unresolved.json"), "incidents")
    assert UPCOMING not in everything and CANCELLED not in everything
    assert everything == sorted(everything, reverse=True)  # newest first (ids start with their date)


def test_upcoming_maintenance_is_upcoming_and_in_the_summary(api):
    upcoming = load(api, "scheduled-maintenances/upcoming.json")["scheduled_maintenances"]
    assert [m["id"] for m in upcoming] == [UPCOMING]
    assert upcoming[0]["status"] == "scheduled"
    assert upcoming[0]["scheduled_for"] == "2026-11-26T22:00:00.000+01:00"
    assert upcoming[0]["scheduled_until"] == "2026-11-27T00:30:00.000+01:00"
    assert ids_in(load(api, "summary.json"), "scheduled_maintenances") == [UPCOMING]
    assert load(api, "scheduled-maintenances/active.json")["scheduled_maintenances"] == []
    everything = {m["id"]: m for m in load(api, "scheduled-maintenances.json")["scheduled_maintenances"]}
    assert set(everything) == {UPCOMING, CANCELLED, "2026-09-01-billing-database-upgrade",
                               "2026-04-08-dashboard-search-upgrade"}
    assert everything[CANCELLED]["status"] == "completed"  # lifecycles.yaml: cancelled -> completed


def test_page_status_and_components(api):
    summary = load(api, "summary.json")
    assert summary["page"] == {"id": "status.orbeline.example", "name": "État des services Orbeline",
                               "url": "https://status.orbeline.example", "time_zone": "Europe/Paris",
                               "updated_at": "2026-11-20T13:35:00.000+01:00"}
    assert summary["status"] == {"indicator": "major", "description": "Panne partielle en cours"}
    assert load(api, "status.json") == {"page": summary["page"], "status": summary["status"]}
    components = load(api, "components.json")["components"]
    assert components == summary["components"]
    members = [c for c in components if not c["group"]]
    assert [c["id"] for c in members] == ["payments-api", "dashboard", "invoicing", "webhooks", "bank-sync",
                                          "email-delivery", "mobile-app"]
    assert {c["id"]: c["status"] for c in members if c["status"] != "operational"} == {"payments-api":
                                                                                      "partial_outage"}
    groups = {c["id"]: c for c in components if c["group"]}
    for member in members:
        group = groups[member["group_id"]]
        assert member["id"] in group["components"]
    assert groups["group-plateforme"]["status"] == "partial_outage"
    assert groups["group-integrations"]["status"] == "operational"


def test_mapping_comes_from_lifecycles_yaml(scratch_site, demo_now, tmp_path):
    lifecycles = scratch_site / "content/lifecycles.yaml"
    edit(lifecycles, "    component_state: partial_outage\n    api_impact: major",
         "    component_state: partial_outage\n    api_impact: critical")
    edit(lifecycles, "        phase: open\n        api_status: identified",
         "        phase: open\n        api_status: monitoring")
    api = build_api(scratch_site, tmp_path / "out", demo_now)
    incident = next(i for i in load(api, "summary.json")["incidents"] if i["id"] == OPEN_INCIDENT)
    assert (incident["status"], incident["impact"]) == ("monitoring", "critical")
    assert incident["monitoring_at"] == "2026-11-20T12:10:00.000+01:00"


def test_api_none_lifecycles_and_drafts_are_left_out(scratch_site, demo_now, tmp_path):
    edit(scratch_site / "content/lifecycles.yaml", "    api: incidents\n    kind: known_issue",
         "    api: none\n    kind: known_issue")
    edit(scratch_site / f"incidents/{OPEN_INCIDENT}.md", "lifecycle: incident", "lifecycle: incident\ndraft: true")
    api = build_api(scratch_site, tmp_path / "out", demo_now)
    everything = ids_in(load(api, "incidents.json"), "incidents")
    assert KNOWN_ISSUE not in everything and OPEN_INCIDENT not in everything
    assert RESOLVED_INCIDENT in everything
    assert load(api, "incidents/unresolved.json")["incidents"] == []
    assert load(api, "summary.json")["status"]["indicator"] == "none"


def test_auto_resolved_known_issue_gets_a_closing_update(demo_root, tmp_path):
    # Waiting on the customer since 19 Nov 16:30; the lifecycle closes it after 10 days without an answer.
    api = build_api(demo_root, tmp_path / "out", datetime.fromisoformat("2026-11-30T12:00:00.000+01:00"))
    incident = next(i for i in load(api, "incidents.json")["incidents"] if i["id"] == KNOWN_ISSUE)
    assert incident["status"] == "resolved"
    assert incident["resolved_at"] == incident["updated_at"] == "2026-11-29T16:30:00.000+01:00"
    closing = incident["incident_updates"][0]
    assert (closing["id"], closing["status"]) == (f"{KNOWN_ISSUE}-auto-resolved", "resolved")
    assert closing["created_at"] == "2026-11-29T16:30:00.000+01:00" and closing["body"]
    assert KNOWN_ISSUE not in ids_in(load(api, "incidents/unresolved.json"), "incidents")
