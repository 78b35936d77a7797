"""statusgen/rules/promises.py and rules/targets.py: what validate and due say about an entry at a moment,
to the exact line.  Entries come from sitekit, whose files read:

    1 ---            5 components: [api]      7 + 3 n  - at: (update n)
    2 title: Test    6 updates:
    3 lifecycle: ...
    4 priority: ...
"""

from __future__ import annotations

import pytest

from sitekit import base_site, d, incident, t
from statusgen.commands.due import dues_of
from statusgen.model.debts import reminders_reached
from statusgen.rules.promises import check_report, check_update_cadence
from statusgen.rules.targets import check_target, check_waiting

PATH = "incidents/2026-11-20-test.md"


def formatted(diagnostics) -> list[str]:
    return [diagnostic.format() for diagnostic in diagnostics]


# --- update cadence -------------------------------------------------------------------------------

OVERDUE = (f"{PATH}:7: warning [update-overdue] updates[0]: the last update is {{age}} old; priority 'critical' "
           "promises an update every 4 h (post an update, even to say the investigation continues)")


@pytest.mark.parametrize("now, age", [
    ("2026-11-20 11:12", None),  # open 3 h, cadence 4 h: the next update is due at 12:12
    ("2026-11-20 12:12", None),  # due now is not late yet
    ("2026-11-20 12:13", "4 h"),
    ("2026-11-20 16:13", "8 h"),
    ("2026-11-20 10:08", None),
])
def test_update_overdue(now, age):
    entry = incident(("2026-11-20 08:12", "investigating"))
    found = formatted(check_update_cadence(entry, t(now), base_site()))
    assert found == ([OVERDUE.format(age=age)] if age else [])


def test_a_later_update_moves_the_line_and_the_clock():
    entry = incident(("2026-11-20 08:12", "investigating"), ("2026-11-20 09:00", "identified"))
    assert check_update_cadence(entry, t("2026-11-20 13:00"), base_site()) == []
    found = check_update_cadence(entry, t("2026-11-20 13:01"), base_site())
    assert [(f.line, f.field, f.message[:31]) for f in found] == [(10, "updates[1]", "the last update is 4 h old; pri")]


# --- resolution target ----------------------------------------------------------------------------

@pytest.mark.parametrize("now, expected", [
    ("2026-11-18 09:00", None),  # 48 h: reached, not missed
    ("2026-11-19 10:00", "open for 3 days; priority 'critical' targets resolution within 2 days"),
    ("2026-11-23 09:00", "open for 1 week; priority 'critical' targets resolution within 2 days"),
])
def test_target_breached_while_open(now, expected):
    entry = incident(("2026-11-16 09:00", "investigating"))
    found = formatted(check_target(entry, t(now), base_site()))
    assert found == ([f"{PATH}:4: warning [target-breached] priority: {expected} "
                      "(resolve it, or raise the priority if the impact grew)"] if expected else [])


def test_target_breached_one_minute_past_it():
    # Only the rule is asserted: span() rounds down, so the message reads "open for 2 days; ... within 2 days".
    entry = incident(("2026-11-16 09:00", "investigating"))
    assert [f.rule for f in check_target(entry, t("2026-11-18 09:01"), base_site())] == ["target-breached"]


def test_a_resolved_entry_past_its_target_is_no_longer_reported():
    entry = incident(("2026-11-16 09:00", "investigating"), ("2026-11-19 09:00", "resolved"))
    assert check_target(entry, t("2026-11-20 09:00"), base_site()) == []


def test_high_target_reads_in_weeks():
    entry = incident(("2026-11-01 09:00", "investigating"), priority="high")
    [found] = check_target(entry, t("2026-11-10 09:00"), base_site())
    assert found.message == "open for 9 days; priority 'high' targets resolution within 1 week"


# --- reminders and auto-resolution ----------------------------------------------------------------

WAITING = [("2026-11-10 08:00", "submitted"), ("2026-11-10 09:00", "waiting_customer")]


@pytest.mark.parametrize("now, reached", [
    ("2026-11-12 08:59", []),
    ("2026-11-12 09:00", ["2d"]),
    ("2026-11-15 12:00", ["2d", "5d"]),  # the loader sorts reminders written [5d, 2d]
])
def test_reminders_reached(now, reached):
    entry = incident(*WAITING, lifecycle="ticket")
    found = reminders_reached(entry, t(now))
    assert [(r.length, at) for r, at in found] == [(d(r), t("2026-11-10 09:00") + d(r)) for r in reached]


@pytest.mark.parametrize("updates, now", [
    ([("2026-11-10 08:00", "submitted")], "2026-11-30 08:00"),  # not waiting
    ([("2026-11-10 08:00", "submitted"), ("2026-11-10 09:00", "waiting_internal")], "2026-11-30 08:00"),  # no reminders
    (WAITING, "2026-11-20 09:00"),  # auto-resolved: no longer waiting
])
def test_no_reminders_outside_a_waiting_status_that_declares_them(updates, now):
    assert reminders_reached(incident(*updates, lifecycle="ticket"), t(now)) == []


@pytest.mark.parametrize("now, expected", [
    ("2026-11-12 08:59", None),
    ("2026-11-12 09:00", "warning [reminder-due] updates[1]: waiting on the customer for 2 days: the day-2 reminder "
                         "is due (send the reminder; without an answer the entry resolves automatically)"),
    ("2026-11-16 09:00", "warning [reminder-due] updates[1]: waiting on the customer for 6 days: the day-5 reminder "
                         "is due (send the reminder; without an answer the entry resolves automatically)"),
    ("2026-11-20 08:59", "warning [reminder-due] updates[1]: waiting on the customer for 9 days: the day-5 reminder "
                         "is due (send the reminder; without an answer the entry resolves automatically)"),
    ("2026-11-20 09:00", "warning [auto-resolved] updates[1]: no answer after 10 days: the entry counts as 'closed' "
                         "(record the resolution in its timeline: statusgen close-stale)"),
])
def test_check_waiting(now, expected):
    entry = incident(*WAITING, lifecycle="ticket")
    found = formatted(check_waiting(entry, t(now), base_site()))
    assert found == ([f"{PATH}:10: {expected}"] if expected else [])


# --- post-incident report -------------------------------------------------------------------------

@pytest.mark.parametrize("resolved, now, extra, expected", [
    ("2026-11-10 09:00", "2026-11-15 08:59", "", None),
    ("2026-11-10 09:00", "2026-11-15 09:00", "", "resolved 5 days ago without a root cause or report; "
                                                 "priority 'critical' expects one within 5 days"),
    ("2026-11-10 09:00", "2026-11-20 09:00", "root_cause: A full disk.\n", None),
])
def test_report_missing(resolved, now, extra, expected):
    entry = incident(("2026-11-10 08:00", "investigating"), (resolved, "resolved"), extra=extra)
    found = check_report(entry, t(now), base_site())
    assert [f.message for f in found] == ([expected] if expected else [])


def test_no_report_expected_without_report_due_after():
    entry = incident(("2026-11-01 08:00", "investigating"), ("2026-11-01 09:00", "resolved"), priority="high")
    assert check_report(entry, t("2026-11-30 09:00"), base_site()) == []


# --- statusgen due: the same facts, as debts ------------------------------------------------------

def test_due_lists_each_debt_once_with_when_it_started():
    entry = incident(("2026-11-16 09:00", "investigating"))
    debts = dues_of(entry, t("2026-11-19 10:00"))
    assert [(debt.kind, debt.detail, debt.since) for debt in debts] == [
        ("update_overdue", "last update 3 days ago; one is due every 4 h", "2026-11-16T13:00:00+01:00"),
        ("target_breached", "open for 3 days; target 2 days", "2026-11-18T09:00:00+01:00"),
    ]


def test_due_warns_of_a_target_at_risk_with_its_deadline():
    entry = incident(("2026-11-16 09:00", "investigating"), ("2026-11-17 23:00", "identified"))
    debts = dues_of(entry, t("2026-11-18 00:00"))
    assert [(debt.kind, debt.detail, debt.overdue) for debt in debts] == [
        ("target_at_risk", "39 h of 2 days used; due by 2026-11-18T09:00:00+01:00", False),
    ]


def test_due_reports_reminders_and_auto_resolution():
    entry = incident(*WAITING, lifecycle="ticket")
    assert [(x.kind, x.since) for x in dues_of(entry, t("2026-11-16 09:00"))] == [
        ("reminder_due", "2026-11-15T09:00:00+01:00")]
    assert [(x.kind, x.detail) for x in dues_of(entry, t("2026-11-21 09:00"))] == [
        ("auto_resolved", "no answer: counts as 'closed'; record it with statusgen close-stale")]
