"""statusgen/render/facts.py: the 90-day bars, uptime, current states and lists every page is made from.

now is 2026-11-20 15:00 in Paris, so the 90 days run from 23 August to 20 November, and the uptime
window from 2026-08-23 00:00+02:00 to now: 89 days and 15 hours of wall clock, plus the hour that the
end of summer time (25 October) gave back.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from sitekit import entry, incident, site_with, t
from statusgen.render.facts import compute_facts

NOW = t("2026-11-20 15:00")
WINDOW_SECONDS = (89 * 24 + 16) * 3600


def facts_of(*entries, since: date | None = date(2026, 1, 1)):
    """The facts of the tiny site; it has recorded since before the window unless since says otherwise."""
    site = site_with(*entries)
    return compute_facts(replace(site, settings=replace(site.settings, since=since)), NOW)


def outage(start: str, end: str | None, priority: str = "critical", components: str = "[api]", entry_id=None):
    """An incident from start to end (None: still open) putting components in its priority's state."""
    updates = [(start, "investigating")] + ([(end, "resolved")] if end else [])
    return incident(*updates, priority=priority, components=components,
                    entry_id=entry_id or f"{start[:10]}-{priority}-{start[11:13]}{start[14:]}")


def test_the_window_is_the_90_local_days_up_to_today():
    facts = facts_of()
    assert (facts.today, facts.days[0], facts.days[-1], len(facts.days)) == (
        date(2026, 11, 20), date(2026, 8, 23), date(2026, 11, 20), 90)
    assert facts.uptime == {"api": 100.0, "web": 100.0, "mail": 100.0}
    assert facts.day_states["api"] == ["operational"] * 90
    assert facts.overall_state == "operational"


def test_before_the_page_recorded_anything_every_day_is_no_data():
    facts = facts_of(since=None)
    assert facts.uptime == {"api": None, "web": None, "mail": None}
    assert facts.day_states["api"] == ["no_data"] * 90


def test_the_record_starts_at_since_or_else_at_the_first_entry():
    facts = facts_of(outage("2026-11-19 10:00", "2026-11-19 12:00"), since=None)
    assert facts.recording_since == date(2026, 11, 19)
    assert facts.day_states["api"][-3:] == ["no_data", "major_outage", "operational"]
    window = (t("2026-11-20 15:00") - t("2026-11-19 00:00")).total_seconds()
    assert facts.uptime["api"] == pytest.approx(100 * (1 - 7200 / window), abs=1e-9)
    assert facts_of(since=date(2026, 11, 1)).day_states["web"].count("no_data") == 70


# --- uptime ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("entries, lost_seconds", [
    # a major outage of 2 h counts in full
    ([("2026-11-19 10:00", "2026-11-19 12:00", "critical")], 7200),
    # a partial outage counts for 30 %
    ([("2026-11-19 10:00", "2026-11-19 12:00", "high")], 0.3 * 7200),
    # degraded performance costs no uptime
    ([("2026-11-19 10:00", "2026-11-19 12:00", "low")], 0),
    # overlapping outages count once, at the worst weight: 2 h major, then 1 h partial
    ([("2026-11-19 10:00", "2026-11-19 12:00", "critical"), ("2026-11-19 11:00", "2026-11-19 13:00", "high")],
     7200 + 0.3 * 3600),
    # a partial outage inside a major one adds nothing
    ([("2026-11-19 10:00", "2026-11-19 14:00", "critical"), ("2026-11-19 11:00", "2026-11-19 12:00", "high")],
     4 * 3600),
    # only the part inside the window counts (summer time: the window opens at 00:00+02:00)
    ([("2026-08-22 23:00", "2026-08-23 01:00", "critical")], 3600),
    ([("2026-08-20 10:00", "2026-08-20 12:00", "critical")], 0),
    # an outage still going on counts until now
    ([("2026-11-20 13:00", None, "critical")], 7200),
])
def test_uptime(entries, lost_seconds):
    facts = facts_of(*(outage(start, end, priority) for start, end, priority in entries))
    assert facts.uptime["api"] == pytest.approx(100 * (1 - lost_seconds / WINDOW_SECONDS), abs=1e-9)
    assert facts.uptime["web"] == 100.0


def test_uptime_is_per_component():
    facts = facts_of(outage("2026-11-19 10:00", "2026-11-19 12:00", components="[api, web]"),
                     outage("2026-11-18 10:00", "2026-11-18 11:00", components="[web]"))
    assert facts.uptime["api"] == pytest.approx(100 * (1 - 7200 / WINDOW_SECONDS), abs=1e-9)
    assert facts.uptime["web"] == pytest.approx(100 * (1 - 10800 / WINDOW_SECONDS), abs=1e-9)
    assert facts.uptime["mail"] == 100.0


# --- day bars -------------------------------------------------------------------------------------

def bar(facts, component: str) -> dict[date, tuple[str, list[str]]]:
    """The days of a component's bar that are not plain operational: day -> (state, entry ids)."""
    ids = facts.day_entries[component]
    return {day: (state, ids.get(day, [])) for day, state in zip(facts.days, facts.day_states[component])
            if state != "operational" or day in ids}


def test_an_outage_across_midnight_marks_both_local_days():
    facts = facts_of(outage("2026-11-18 23:30", "2026-11-19 00:30", entry_id="2026-11-18-night"))
    assert bar(facts, "api") == {date(2026, 11, 18): ("major_outage", ["2026-11-18-night"]),
                                 date(2026, 11, 19): ("major_outage", ["2026-11-18-night"])}


def test_days_are_local_days_not_utc_days():
    # 23:30 and 23:50 UTC on the 18th are 00:30 and 00:50 in Paris on the 19th
    late = entry("title: Late\npriority: critical\ncomponents: [api]\nupdates:\n"
                 "  - {at: 2026-11-18T23:30:00Z, status: investigating, message: x}\n"
                 "  - {at: 2026-11-18T23:50:00Z, status: resolved, message: y}\n", "2026-11-19-late")
    assert bar(facts_of(late), "api") == {date(2026, 11, 19): ("major_outage", ["2026-11-19-late"])}


def test_a_day_shows_its_worst_state_and_every_entry_behind_it():
    facts = facts_of(outage("2026-11-17 09:00", "2026-11-17 10:00", "low", entry_id="2026-11-17-slow"),
                     outage("2026-11-17 11:00", "2026-11-17 12:00", "critical", entry_id="2026-11-17-down"),
                     outage("2026-11-17 13:00", "2026-11-17 14:00", "high", entry_id="2026-11-17-partial"))
    # newest first, like every list of the site
    assert bar(facts, "api") == {
        date(2026, 11, 17): ("major_outage", ["2026-11-17-partial", "2026-11-17-down", "2026-11-17-slow"])}


def test_an_ongoing_outage_marks_every_day_up_to_today():
    facts = facts_of(outage("2026-11-18 22:00", None, "high", entry_id="2026-11-18-open"))
    assert bar(facts, "api") == {day: ("partial_outage", ["2026-11-18-open"])
                                 for day in (date(2026, 11, 18), date(2026, 11, 19), date(2026, 11, 20))}


def test_maintenance_in_progress_is_shown_but_costs_no_uptime():
    window = incident(("2026-11-18 10:00", "scheduled"), ("2026-11-20 09:00", "in_progress"), priority=None,
                      lifecycle="maintenance", components="[mail]", entry_id="2026-11-18-work",
                      extra="scheduled: {start: 2026-11-20T09:00:00+01:00, end: 2026-11-20T18:00:00+01:00}\n")
    facts = facts_of(window)
    assert bar(facts, "mail") == {date(2026, 11, 20): ("under_maintenance", ["2026-11-18-work"])}
    assert facts.uptime["mail"] == 100.0
    assert facts.component_state["mail"] == "under_maintenance"
    assert facts.active_maintenance == [window] and facts.upcoming_maintenance == []


# --- current states and lists ---------------------------------------------------------------------

def test_current_component_states_take_the_worst_open_entry():
    facts = facts_of(outage("2026-11-20 10:00", None, "high", components="[api, web]"),
                     outage("2026-11-20 11:00", None, "critical", components="[web]"),
                     outage("2026-11-20 08:00", "2026-11-20 09:00", "critical", components="[mail]"))
    assert facts.component_state == {"api": "partial_outage", "web": "major_outage", "mail": "operational"}
    assert facts.overall_state == "major_outage"


def test_lists_of_the_status_page():
    open_incident = outage("2026-11-20 10:00", None, entry_id="2026-11-20-open")
    closed_incident = outage("2026-11-19 10:00", "2026-11-19 11:00", entry_id="2026-11-19-closed")
    old_incident = outage("2026-10-01 10:00", "2026-10-01 11:00", entry_id="2026-10-01-old")
    upcoming = incident(("2026-11-18 10:00", "scheduled"), priority=None, lifecycle="maintenance",
                        entry_id="2026-11-18-upcoming",
                        extra="scheduled: {start: 2026-11-26T22:00:00+01:00, end: 2026-11-27T01:00:00+01:00}\n")
    ticket = incident(("2026-11-02 10:00", "submitted"), lifecycle="ticket", components="[web]",
                      entry_id="2026-11-02-ticket")
    closed_ticket = incident(("2026-11-02 10:00", "submitted"), ("2026-11-03 10:00", "closed"), lifecycle="ticket",
                             components="[web]", entry_id="2026-11-02-closed-ticket")
    draft = incident(("2026-11-20 12:00", "investigating"), entry_id="2026-11-20-draft", extra="draft: true\n")
    facts = facts_of(open_incident, closed_incident, old_incident, upcoming, ticket, closed_ticket, draft)
    assert [e.id for e in facts.entries] == ["2026-11-18-upcoming", "2026-11-20-open", "2026-11-19-closed",
                                             "2026-11-02-ticket", "2026-11-02-closed-ticket", "2026-10-01-old"]
    assert [e.id for e in facts.active_incidents] == ["2026-11-20-open"]
    assert [e.id for e in facts.upcoming_maintenance] == ["2026-11-18-upcoming"]
    assert facts.active_maintenance == []
    assert [e.id for e in facts.open_known_issues] == ["2026-11-02-ticket"]
    assert [(day, [e.id for e in entries]) for day, entries in facts.recent_days if entries] == [
        (date(2026, 11, 20), ["2026-11-20-open"]), (date(2026, 11, 19), ["2026-11-19-closed"])]
    assert [day for day, _ in facts.recent_days] == [date(2026, 11, 20) - timedelta(days=n) for n in range(14)]
    assert "2026-11-20-draft" not in facts.states
