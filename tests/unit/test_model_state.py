"""statusgen/model/state.py: where an entry stands at a moment (status, resolution, target, next update)
and what it does to its components over time.

The tiny site (sitekit) has: critical 48 h target / 4 h cadence / major outage; high 1 week / 12 h /
partial outage; low 4 weeks / the site's 2 d cadence / degraded performance.  At risk = past 80 % of the
target: 38 h 24 min for critical.
"""

from __future__ import annotations

import pytest

from sitekit import d, incident, t
from statusgen.model.state import (
    Impact,
    component_timeline,
    current_component_states,
    entry_state,
    impacts,
    last_status_since,
)

T0 = "2026-11-16 09:00"  # a Monday; most timelines below start here


def at(offset: str) -> str:
    """T0 + offset, in sitekit's 'YYYY-MM-DD HH:MM' form."""
    return (t(T0) + d(offset)).strftime("%Y-%m-%d %H:%M")


# --- next update due -------------------------------------------------------------------------------

@pytest.mark.parametrize("updates, priority, lifecycle, due", [
    # open 3 h at now (11:12), cadence 4 h: due 4 h after the only update
    ([("2026-11-20 08:12", "investigating")], "critical", "incident", "2026-11-20 12:12"),
    # counted from the latest update, whatever its status
    ([("2026-11-20 08:12", "investigating"), ("2026-11-20 10:40", "identified")], "critical", "incident",
     "2026-11-20 14:40"),
    ([("2026-11-20 08:12", "investigating")], "high", "incident", "2026-11-20 20:12"),
    # low declares no cadence: the site's default_update_cadence (2 d) applies
    ([("2026-11-19 08:12", "investigating")], "low", "incident", "2026-11-21 08:12"),
    # nothing is due once resolved, nor where the lifecycle does not enforce a cadence
    ([("2026-11-20 08:12", "investigating"), ("2026-11-20 10:00", "resolved")], "critical", "incident", None),
    ([("2026-11-20 08:12", "submitted")], "critical", "ticket", None),
])
def test_next_update_is_due_one_cadence_after_the_last_update(updates, priority, lifecycle, due):
    entry = incident(*updates, priority=priority, lifecycle=lifecycle)
    state = entry_state(entry, t("2026-11-20 11:12"))
    assert state.next_update_due == (t(due) if due else None)


def test_a_maintenance_window_owes_no_update_cadence():
    entry = incident(("2026-11-18 10:00", "scheduled"), ("2026-11-20 09:00", "in_progress"), priority=None,
                     lifecycle="maintenance",
                     extra="scheduled: {start: 2026-11-20T09:00:00+01:00, end: 2026-11-20T23:00:00+01:00}\n")
    assert entry.priority.id == "low"  # the lifecycle's default_priority
    assert entry_state(entry, t("2026-11-25 09:00")).next_update_due is None


# --- resolution targets ----------------------------------------------------------------------------

@pytest.mark.parametrize("updates, now, outcome, deadline, elapsed", [
    ([(T0, "investigating")], at("10h"), "open", at("48h"), "10h"),
    ([(T0, "investigating")], at("38h 23m"), "open", at("48h"), "38h 23m"),
    ([(T0, "investigating")], at("38h 24m"), "at_risk", at("48h"), "38h 24m"),  # exactly 80 %
    ([(T0, "investigating")], at("48h"), "at_risk", at("48h"), "48h"),  # reaching the target is not missing it
    ([(T0, "investigating")], at("48h 1m"), "breached", None, "48h 1m"),
    # open statuses all count, monitoring included
    ([(T0, "investigating"), (at("1h"), "monitoring")], at("47h"), "at_risk", at("48h"), "47h"),
    # resolved: met or breached, judged on the time until resolution, however late now is
    ([(T0, "investigating"), (at("47h 59m"), "resolved")], at("30d"), "met", None, "47h 59m"),
    ([(T0, "investigating"), (at("48h"), "resolved")], at("30d"), "met", None, "48h"),
    ([(T0, "investigating"), (at("48h 1m"), "resolved")], at("30d"), "breached", None, "48h 1m"),
])
def test_incident_target_outcome(updates, now, outcome, deadline, elapsed):
    state = entry_state(incident(*updates), t(now))
    assert (state.target_outcome, state.target_deadline, state.elapsed) == (
        outcome, t(deadline) if deadline else None, d(elapsed))


@pytest.mark.parametrize("updates, now, outcome, deadline, elapsed", [
    # waiting on the customer pauses the clock: 10 h counted, whatever the wait
    ([(T0, "submitted"), (at("10h"), "waiting_customer")], at("3d"), "paused", None, "10h"),
    # the paused stretch is left out once work resumes: 10 h + 20 h
    ([(T0, "submitted"), (at("10h"), "waiting_customer"), (at("5d"), "submitted")], at("5d 20h"),
     "open", at("6d 14h"), "30h"),
    # waiting on another team is still our time
    ([(T0, "submitted"), (at("10h"), "waiting_internal")], at("40h"), "at_risk", at("48h"), "40h"),
    # a target already missed stays missed while paused
    ([(T0, "submitted"), (at("49h"), "waiting_customer")], at("3d"), "breached", None, "49h"),
])
def test_ticket_target_counts_only_our_time(updates, now, outcome, deadline, elapsed):
    state = entry_state(incident(*updates, lifecycle="ticket"), t(now))
    assert (state.target_outcome, state.target_deadline, state.elapsed) == (
        outcome, t(deadline) if deadline else None, d(elapsed))


def test_maintenance_has_no_target():
    entry = incident(("2026-11-18 10:00", "scheduled"), priority=None, lifecycle="maintenance",
                     extra="scheduled: {start: 2026-11-26T22:00:00+01:00, end: 2026-11-27T01:00:00+01:00}\n")
    state = entry_state(entry, t("2026-12-31 10:00"))
    assert (state.target_outcome, state.target_deadline) == ("none", None)


@pytest.mark.parametrize("updates, started", [
    ([(T0, "scheduled"), (at("1d"), "in_progress"), (at("1d 1h"), "verifying"), (at("1d 2h"), "completed")],
     at("1d")),
    ([(T0, "scheduled"), (at("1d"), "verifying"), (at("1d 2h"), "completed")], at("1d")),  # in_progress unrecorded
    ([(T0, "in_progress"), (at("1h"), "completed")], T0),
    ([(T0, "scheduled"), (at("1d"), "completed")], None),  # called off: the work never started
])
def test_work_started_at_the_first_update_of_work_under_way(updates, started):
    entry = incident(*updates, priority=None, lifecycle="maintenance",
                     extra="scheduled: {start: 2026-11-17T09:00:00+01:00, end: 2026-11-17T12:00:00+01:00}\n")
    assert entry.work_started_at == (t(started) if started else None)


# --- resolution and auto-resolution -----------------------------------------------------------------

def test_resolved_at_is_the_first_update_of_the_final_resolved_stretch():
    entry = incident((T0, "investigating"), (at("2h"), "resolved"), (at("3h"), "resolved"))
    state = entry_state(entry, t(at("1d")))
    assert (state.status.id, state.is_open, state.resolved_at) == ("resolved", False, t(at("2h")))


WAITING = [(T0, "submitted"), (at("10h"), "waiting_customer")]


@pytest.mark.parametrize("updates, now, status, auto_at, waiting_since", [
    (WAITING, at("10d 9h 59m"), "waiting_customer", None, at("10h")),
    (WAITING, at("10d 10h"), "closed", at("10d 10h"), None),
    (WAITING, at("30d"), "closed", at("10d 10h"), None),
    # a second waiting update (a reminder sent) keeps the clock of the first
    (WAITING + [(at("3d"), "waiting_customer")], at("10d 10h"), "closed", at("10d 10h"), None),
    # leaving the waiting status and coming back restarts it
    (WAITING + [(at("1d"), "submitted"), (at("2d"), "waiting_customer")], at("10d 10h"), "waiting_customer",
     None, at("2d")),
    # only statuses that declare auto-resolution resolve by themselves
    ([(T0, "submitted"), (at("10h"), "waiting_internal")], at("60d"), "waiting_internal", None, at("10h")),
])
def test_auto_resolution(updates, now, status, auto_at, waiting_since):
    state = entry_state(incident(*updates, lifecycle="ticket"), t(now))
    assert (state.status.id, state.auto_resolved_at, state.waiting_since) == (
        status, t(auto_at) if auto_at else None, t(waiting_since) if waiting_since else None)
    assert state.is_open is (auto_at is None)
    assert state.resolved_at == (t(auto_at) if auto_at else None)


def test_auto_resolution_counts_towards_the_target_as_met():
    state = entry_state(incident(*WAITING, lifecycle="ticket"), t(at("30d")))
    assert (state.target_outcome, state.elapsed, state.next_update_due) == ("met", d("10h"), None)


@pytest.mark.parametrize("statuses, since", [
    (["submitted"], "0h"),
    (["submitted", "waiting_customer"], "1h"),
    (["submitted", "waiting_customer", "waiting_customer"], "1h"),
    (["submitted", "waiting_customer", "submitted", "submitted"], "2h"),
])
def test_last_status_since(statuses, since):
    entry = incident(*[(at(f"{n}h"), status) for n, status in enumerate(statuses)], lifecycle="ticket")
    assert last_status_since(entry) == t(at(since))


# --- component states over time -------------------------------------------------------------------

INCIDENT_CASES = {
    # critical implies major_outage; an update's components override it from then on
    "override": (
        dict(components="[api]"),
        [("2026-11-20 08:00", "investigating"), ("2026-11-20 09:00", "identified", {"api": "partial_outage"}),
         ("2026-11-20 10:00", "resolved")],
        [("api", "major_outage", "2026-11-20 08:00", "2026-11-20 09:00"),
         ("api", "partial_outage", "2026-11-20 09:00", "2026-11-20 10:00")],
        [{"api": "major_outage"}, {"api": "partial_outage"}, {"api": "operational"}],
    ),
    # the same state through several updates is one stretch
    "merged": (
        dict(components="[api]"),
        [("2026-11-20 08:00", "investigating"), ("2026-11-20 09:00", "identified"),
         ("2026-11-20 10:00", "resolved")],
        [("api", "major_outage", "2026-11-20 08:00", "2026-11-20 10:00")],
        [{"api": "major_outage"}, {"api": "major_outage"}, {"api": "operational"}],
    ),
    # states written on the entry win over the priority's
    "explicit": (
        dict(components="{api: degraded_performance, web: major_outage}", priority="high"),
        [("2026-11-20 08:00", "investigating"), ("2026-11-20 10:00", "resolved")],
        [("api", "degraded_performance", "2026-11-20 08:00", "2026-11-20 10:00"),
         ("web", "major_outage", "2026-11-20 08:00", "2026-11-20 10:00")],
        [{"api": "degraded_performance", "web": "major_outage"}, {"api": "operational", "web": "operational"}],
    ),
    # an update can bring in a component; its state holds through the later updates
    "added": (
        dict(components="[api]"),
        [("2026-11-20 08:00", "investigating"), ("2026-11-20 09:00", "identified", {"web": "partial_outage"}),
         ("2026-11-20 10:00", "monitoring")],
        [("api", "major_outage", "2026-11-20 08:00", None), ("web", "partial_outage", "2026-11-20 09:00", None)],
        [{"api": "major_outage", "web": "operational"}, {"api": "major_outage", "web": "partial_outage"},
         {"api": "major_outage", "web": "partial_outage"}],
    ),
    # a component back to operational while the incident stays open
    "recovered": (
        dict(components="[api]"),
        [("2026-11-20 08:00", "investigating"), ("2026-11-20 09:00", "monitoring", {"api": "operational"})],
        [("api", "major_outage", "2026-11-20 08:00", "2026-11-20 09:00")],
        [{"api": "major_outage"}, {"api": "operational"}],
    ),
    # maintenance: an announced window changes nothing, the work in progress does
    "maintenance": (
        dict(components="[api, mail]", lifecycle="maintenance", priority=None,
             extra="scheduled: {start: 2026-11-20T09:00:00+01:00, end: 2026-11-20T12:00:00+01:00}\n"),
        [("2026-11-18 10:00", "scheduled"), ("2026-11-20 09:00", "in_progress")],
        [("api", "under_maintenance", "2026-11-20 09:00", None),
         ("mail", "under_maintenance", "2026-11-20 09:00", None)],
        [{"api": "operational", "mail": "operational"}, {"api": "under_maintenance", "mail": "under_maintenance"}],
    ),
}


def _impact(component, state, start, end):
    return Impact(component, state, t(start), t(end) if end else None)


@pytest.mark.parametrize("fields, updates, expected, timeline", INCIDENT_CASES.values(), ids=INCIDENT_CASES.keys())
def test_impacts_and_component_timeline(fields, updates, expected, timeline):
    entry = incident(*updates, **fields)
    now = t("2026-11-20 11:00")
    assert impacts(entry, now) == [_impact(*row) for row in expected]
    assert component_timeline(entry, now) == timeline


@pytest.mark.parametrize("case, now, states", [
    ("override", "2026-11-20 11:00", {}),
    ("added", "2026-11-20 11:00", {"api": "major_outage", "web": "partial_outage"}),
    ("recovered", "2026-11-20 11:00", {}),
    ("maintenance", "2026-11-20 11:00", {"api": "under_maintenance", "mail": "under_maintenance"}),
])
def test_current_component_states(case, now, states):
    fields, updates, _, _ = INCIDENT_CASES[case]
    assert current_component_states(incident(*updates, **fields), t(now)) == states


def test_auto_resolution_ends_the_impact_on_components():
    entry = incident(*WAITING, lifecycle="ticket", components="[api]")
    before, after = t(at("10d 9h")), t(at("10d 11h"))
    assert impacts(entry, before) == [Impact("api", "degraded_performance", t(T0), None)]
    assert current_component_states(entry, before) == {"api": "degraded_performance"}
    assert impacts(entry, after) == [Impact("api", "degraded_performance", t(T0), t(at("10d 10h")))]
    assert current_component_states(entry, after) == {}
