"""Maintenance that follows its window: auto_start and auto_complete, with no commit at the window's
start or end; its duration counts from the window, and it is not listed among past incidents."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import feedparser
import pytest
from icalendar import Calendar

from conftest import build_site, copy_site
from statusgen.commands.due import list_due
from statusgen.commands.validate import check

ENTRY_ID = "2026-11-18-widget-upgrade"
WINDOW = """\
---
title: {fr: Mise à niveau du tableau de bord, en: Dashboard upgrade}
lifecycle: maintenance
components: [dashboard]
scheduled: {start: 2026-11-20T22:00:00+01:00, end: 2026-11-20T23:00:00+01:00}
auto_start: true
auto_complete: true
updates:
  - at: 2026-11-18T10:00:00+01:00
    status: scheduled
    message: {fr: Mise à niveau prévue., en: Upgrade planned.}
---
"""
BEFORE = datetime.fromisoformat("2026-11-20T21:59:00+01:00")
DURING = datetime.fromisoformat("2026-11-20T22:30:00+01:00")
AFTER = datetime.fromisoformat("2026-11-20T23:30:00+01:00")


def window_site(tmp_path: Path, text: str = WINDOW) -> Path:
    root = copy_site(tmp_path / "site")
    (root / "incidents" / f"{ENTRY_ID}.md").write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return window_site(tmp_path_factory.mktemp("window"))


@pytest.fixture(scope="module")
def builds(root, tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("builds")
    return {name: build_site(root, base / name, moment)
            for name, moment in (("before", BEFORE), ("during", DURING), ("after", AFTER))}


def the_entry(root: Path, now: datetime):
    site = check(root, now).site
    return next(e for e in site.entries if e.id == ENTRY_ID)


def api_maintenance(out: Path) -> dict:
    doc = json.loads((out / "api/v2/scheduled-maintenances.json").read_text(encoding="utf-8"))
    return next(m for m in doc["scheduled_maintenances"] if m["id"] == ENTRY_ID)


def test_the_window_moves_the_entry_without_any_update(root):
    assert [u.status for u in the_entry(root, BEFORE).updates] == ["scheduled"]
    during = the_entry(root, DURING)
    assert [(u.status, u.at.isoformat(), u.automatic) for u in during.updates] == [
        ("scheduled", "2026-11-18T10:00:00+01:00", ""),
        ("in_progress", "2026-11-20T22:00:00+01:00", "started")]
    after = the_entry(root, AFTER)
    assert [(u.status, u.automatic) for u in after.updates][1:] == [("in_progress", "started"),
                                                                    ("completed", "completed")]


def test_pages_api_feed_and_calendar_follow_the_window(builds):
    assert api_maintenance(builds["before"])["status"] == "scheduled"
    assert api_maintenance(builds["during"])["status"] == "in_progress"
    active = json.loads((builds["during"] / "api/v2/scheduled-maintenances/active.json").read_text(encoding="utf-8"))
    assert [m["id"] for m in active["scheduled_maintenances"]] == [ENTRY_ID]
    components = json.loads((builds["during"] / "api/v2/components.json").read_text(encoding="utf-8"))
    assert next(c for c in components["components"] if c["id"] == "dashboard")["status"] == "under_maintenance"
    after = api_maintenance(builds["after"])
    assert after["status"] == "completed" and after["resolved_at"] == "2026-11-20T23:00:00.000+01:00"
    assert [u["id"] for u in after["incident_updates"]] == [
        f"{ENTRY_ID}-update-completed", f"{ENTRY_ID}-update-started", f"{ENTRY_ID}-update-1"]

    page = (builds["during"] / "en" / "incidents" / ENTRY_ID / "index.html").read_text(encoding="utf-8")
    assert '<li id="update-started">' in page
    assert "<li>Started as scheduled, at the start of the window</li>" in page
    feed = feedparser.parse((builds["after"] / "en" / "incidents" / ENTRY_ID / "feed.atom").read_bytes())
    assert [e.id.rsplit("#", 1)[1] for e in feed.entries] == ["update-completed", "update-started", "update-1"]

    calendar = Calendar.from_ical((builds["after"] / "maintenance.ics").read_bytes())
    event = next(e for e in calendar.walk("VEVENT") if ENTRY_ID in str(e.get("uid")))
    assert str(event.get("status")) == "CONFIRMED"


def test_its_duration_counts_from_the_window_and_it_is_not_a_past_incident(builds):
    index = (builds["after"] / "en" / "index.html").read_text(encoding="utf-8")
    past, _, rest = index.partition('id="past-title"')[2].partition('id="past-maintenance-title"')
    assert ENTRY_ID not in past
    assert ENTRY_ID in rest.partition("</section>")[0]
    history = (builds["after"] / "en" / "history" / "index.html").read_text(encoding="utf-8")
    line = history[history.index(f"incidents/{ENTRY_ID}/"):].partition("</li>")[0]
    assert "<span>Duration: 1\u00a0h</span>" in line  # from the window's start, not from the announcement


def test_no_rule_and_no_debt_while_the_window_runs_itself(root):
    for moment in (DURING, AFTER):
        found = [d.format() for d in check(root, moment).diagnostics if ENTRY_ID in d.path]
        assert found == []
        assert [d for d in list_due(root, moment) if d.entry == ENTRY_ID] == []


def test_an_update_written_after_the_start_takes_over_from_the_clock(tmp_path):
    written = WINDOW.replace("---\n", "", 1).rsplit("---\n", 1)[0]
    text = "---\n" + written + ("  - at: 2026-11-20T22:10:00+01:00\n    status: in_progress\n"
                                "    message: {fr: Travaux en cours., en: Work under way.}\n---\n")
    root = window_site(tmp_path, text)
    during = the_entry(root, DURING)
    assert [(u.status, u.automatic) for u in during.updates] == [("scheduled", ""), ("in_progress", "")]
    after = the_entry(root, AFTER)
    assert [(u.status, u.automatic) for u in after.updates][-1] == ("completed", "completed")


def test_automatic_steps_need_a_window(tmp_path):
    text = WINDOW.replace("scheduled: {start: 2026-11-20T22:00:00+01:00, end: 2026-11-20T23:00:00+01:00}\n", "")
    root = window_site(tmp_path, text)
    found = [d.format() for d in check(root, BEFORE).diagnostics if ENTRY_ID in d.path]
    assert f"incidents/{ENTRY_ID}.md:5: error [schedule] auto_start: auto_start follows the window, and there " \
           "is none (add scheduled: {start: ..., end: ...}, or remove the line)" in found
