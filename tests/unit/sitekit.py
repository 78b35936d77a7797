"""A tiny site written as YAML strings and read through the public loaders, for the unit tests.

Its definitions are loaded once per session (from a temporary folder, deleted right after); entries
are read from strings with `entry()`, through the same code as an entry file, and combined into a
Site with `site_with()`.  Nothing here depends on the demo site, so its edits never move a unit test.

Times in the tests are written as "2026-11-20 09:12" (Europe/Paris, the site's zone: +01:00 in
November, +02:00 in summer) with `t()`; durations as "4h", "2d 3h" with `d()`.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from statusgen.loading import load_site
from statusgen.loading.entries import EntryContext, entry_from_source
from statusgen.loading.source import Source
from statusgen.model import Entry, Site

ZONE = ZoneInfo("Europe/Paris")

SITE_YAML = """\
title: Tiny status
base_url: https://status.tiny.example
languages: [en, fr]
timezone: Europe/Paris
default_update_cadence: 2d   # low has no cadence of its own: it gets this one
"""

COMPONENTS_YAML = """\
components:
  - id: api
    name: API
  - id: web
    name: Web app
  - id: mail
    name: E-mail
"""

# Three lifecycles shaped like the demo's, small enough to reason about by hand:
#   incident     components take the state the priority implies; cadence and target enforced;
#   maintenance  no target, no cadence; only in_progress puts components under maintenance;
#   ticket       no cadence; waiting_customer pauses the target, reminds at 2d and 5d and
#                auto-resolves at 10d; waiting_internal waits without pausing; while open, a
#                ticket degrades its components (unlike the demo's), so auto-resolution has an impact to end.
LIFECYCLES_YAML = """\
lifecycles:
  incident:
    label: Incident
    kind: incident
    component_state: from_priority
    statuses:
      - {id: investigating, label: Investigating, phase: open, api_status: investigating}
      - {id: identified, label: Identified, phase: open, api_status: identified}
      - {id: monitoring, label: Monitoring, phase: open, api_status: monitoring}
      - {id: resolved, label: Resolved, phase: resolved, api_status: resolved}
    initial: [investigating, identified]
    transitions:
      investigating: [identified, monitoring, resolved]
      identified: [investigating, monitoring, resolved]
      monitoring: [investigating, identified, resolved]
    terminal: [resolved]
  maintenance:
    label: Maintenance
    kind: maintenance
    api: scheduled_maintenances
    enforce_target: false
    enforce_cadence: false
    component_state: none
    default_priority: low
    statuses:
      - {id: scheduled, label: Scheduled, phase: open, api_status: scheduled}
      - {id: in_progress, label: In progress, phase: open, api_status: in_progress,
         component_state: under_maintenance}
      - {id: verifying, label: Verifying, phase: open, api_status: verifying}
      - {id: completed, label: Completed, phase: resolved, api_status: completed}
    initial: [scheduled, in_progress]
    transitions:
      scheduled: [in_progress, verifying, completed]
      in_progress: [verifying, completed]
      verifying: [completed]
    terminal: [completed]
  ticket:
    label: Known issue
    kind: known_issue
    enforce_cadence: false
    component_state: degraded_performance
    statuses:
      - {id: submitted, label: Submitted, phase: open, api_status: investigating}
      - id: waiting_customer
        label: Waiting for your reply
        phase: waiting
        api_status: identified
        pauses_target: true
        reminders: [5d, 2d]
        auto_resolve_after: 10d
        auto_resolve_to: closed
      - {id: waiting_internal, label: Waiting on another team, phase: waiting, api_status: identified}
      - {id: closed, label: Closed, phase: resolved, api_status: resolved}
    initial: [submitted]
    transitions:
      submitted: [waiting_customer, waiting_internal, closed]
      waiting_customer: [submitted, waiting_internal, closed]
      waiting_internal: [submitted, waiting_customer, closed]
    terminal: [closed]
priorities:
  - {id: critical, label: Critical, resolution_target: 48h, update_cadence: 4h,
     component_state: major_outage, report_due_after: 5d}
  - {id: high, label: High, resolution_target: 1w, update_cadence: 12h, component_state: partial_outage}
  - {id: low, label: Low, resolution_target: 4w, component_state: degraded_performance}
"""

DEFINITIONS = {
    "content/site.yaml": SITE_YAML,
    "content/components.yaml": COMPONENTS_YAML,
    "content/lifecycles.yaml": LIFECYCLES_YAML,
}


# The same site counting in working time: business hours 09:00-18:00 Monday to Friday, Monday
# 2026-11-23 a holiday; critical promises resolution in 2 working days and an update every 4 working
# hours; the ticket's waiting status reminds after 2 working days and closes after 10; an incident
# entirely outside business hours is not an incident for its targets.
WORKING_DEFINITIONS = {
    "content/site.yaml": SITE_YAML + """\
business_hours: {days: [mon, tue, wed, thu, fri], start: "09:00", end: "18:00"}
holidays:
  - 2026-11-23
  - {date: 2026-12-25, name: {en: Christmas Day, fr: Noël}}
""",
    "content/components.yaml": COMPONENTS_YAML,
    "content/lifecycles.yaml": LIFECYCLES_YAML
    .replace("resolution_target: 48h, update_cadence: 4h", "resolution_target: 2 working days, update_cadence: 4wh")
    .replace("reminders: [5d, 2d]", "reminders: [5 working days, 2wd]")
    .replace("auto_resolve_after: 10d", "auto_resolve_after: 10 working days")
    .replace("    kind: incident\n", "    kind: incident\n    outside_hours_not_incident: true\n"),
}


@cache
def base_site(working: bool = False) -> Site:
    """The tiny site's definitions, without entries (loaded once); working: its working-time variant."""
    with tempfile.TemporaryDirectory(prefix="statusgen-unit-") as folder:
        root = Path(folder)
        for rel, text in (WORKING_DEFINITIONS if working else DEFINITIONS).items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text, encoding="utf-8")
        site, problems = load_site(root)
    assert site is not None and problems == [], [p.format() for p in problems]
    return site


def context(working: bool = False) -> EntryContext:
    site = base_site(working)
    return EntryContext(site.settings.languages, dict(site.components), dict(site.lifecycles),
                        dict(site.priorities))


def entry_text(front_matter: str, body: str = "") -> str:
    return f"---\n{front_matter.strip(chr(10))}\n---\n{body}"


def entry(front_matter: str, entry_id: str = "2026-11-20-test", body: str = "", working: bool = False) -> Entry:
    """The entry an incidents/<entry_id>.md file with this front matter holds; fails on any diagnostic."""
    found, problems = read_entry(entry_text(front_matter, body), entry_id, working)
    assert found is not None and problems == [], [p.format() for p in problems]
    return found


def read_entry(text: str, entry_id: str = "2026-11-20-test", working: bool = False):
    """(entry or None, diagnostics) for a whole file's text.

    The tiny site has two languages and its files write plain English texts: the warning that such
    a text is one language for every reader is left out here (tests/test_bad_input.py checks it).
    """
    source = Source(f"incidents/{entry_id}.md", text.replace("\r\n", "\n").removeprefix("\ufeff"),
                    text.encode("utf-8"))
    found, problems = entry_from_source(source, entry_id, context(working))
    return found, [p for p in problems if not p.message.startswith("one text for every language")]


def site_with(*entries: Entry) -> Site:
    """The tiny site holding these entries, sorted by start like load_site sorts them."""
    return replace(base_site(), entries=tuple(sorted(entries, key=lambda e: e.order)))


def t(text: str) -> datetime:
    """'2026-11-20 09:12' in the site's zone (Europe/Paris), with a fixed offset like every time statusgen reads
    (files and --now): aware datetimes sharing one ZoneInfo subtract as wall-clock times across DST."""
    local = datetime.fromisoformat(text).replace(tzinfo=ZONE)
    return local.replace(tzinfo=timezone(local.utcoffset()))


_PART = re.compile(r"(\d+)([wdhm])")
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes"}


def d(text: str) -> timedelta:
    """'2d 3h 5m' as a timedelta."""
    parts = _PART.findall(text)
    assert parts and "".join(n + u for n, u in parts) == text.replace(" ", ""), text
    return sum((timedelta(**{_UNITS[u]: int(n)}) for n, u in parts), timedelta())


def timeline(*updates: tuple) -> str:
    """An updates: block from (time, status) or (time, status, {component: state}) tuples."""
    lines = ["updates:"]
    for update in updates:
        at, status = update[0], update[1]
        lines += [f"  - at: {t(at).isoformat()}", f"    status: {status}", "    message: Text."]
        if len(update) > 2:
            states = ", ".join(f"{c}: {s}" for c, s in update[2].items())
            lines.append(f"    components: {{{states}}}")
    return "\n".join(lines)


def incident(*updates: tuple, priority: str | None = "critical", components: str = "[api]",
             entry_id: str = "2026-11-20-test", lifecycle: str = "incident", extra: str = "",
             working: bool = False) -> Entry:
    """An entry of the tiny site from its updates; the other fields are short defaults."""
    chosen = f"priority: {priority}\n" if priority else ""
    front = f"title: Test\nlifecycle: {lifecycle}\n{chosen}components: {components}\n{extra}{timeline(*updates)}"
    return entry(front, entry_id, working=working)
