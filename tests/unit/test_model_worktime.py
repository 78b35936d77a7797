"""statusgen/model/worktime.py: working time on business hours and holidays, and every promise that runs
on it, in validate and in due alike.  Times are Europe/Paris (sitekit's t()); the working calendar is
09:00-18:00 Monday to Friday.  2026-11-20 is a Friday; DST starts on 2026-03-29 and ends on 2026-10-25.
"""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from sitekit import base_site, d, incident, t
from statusgen.commands.due import dues_of
from statusgen.model.state import entry_state
from statusgen.model.worktime import Duration, WorkCalendar
from statusgen.rules import _ENTRY_RULES

PARIS = WorkCalendar("Europe/Paris", (0, 1, 2, 3, 4), time(9), time(18))
MONDAY_OFF = WorkCalendar("Europe/Paris", (0, 1, 2, 3, 4), time(9), time(18), frozenset({date(2026, 11, 23)}))


def iso(text: str) -> str:
    return t(text).isoformat()


@pytest.mark.parametrize("calendar, start, amount, expected", [
    # The done-when example: 2 working days (18 h) from Friday 17:00 come due on Tuesday 17:00...
    (PARIS, "2026-11-20 17:00", "18h", "2026-11-24 17:00"),
    # ... and a day later when Monday is a holiday.
    (MONDAY_OFF, "2026-11-20 17:00", "18h", "2026-11-25 17:00"),
    # A night: 4 working hours from Tuesday 16:00 end on Wednesday 11:00.
    (PARIS, "2026-11-24 16:00", "4h", "2026-11-25 11:00"),
    # Starts outside business hours: the clock starts at the next opening.
    (PARIS, "2026-11-24 20:00", "4h", "2026-11-25 13:00"),
    (PARIS, "2026-11-24 07:00", "4h", "2026-11-24 13:00"),
    (PARIS, "2026-11-21 04:52", "0m", "2026-11-23 09:00"),  # Saturday night: Monday morning
    (MONDAY_OFF, "2026-11-21 04:52", "0m", "2026-11-24 09:00"),
    (PARIS, "2026-11-24 10:00", "0m", "2026-11-24 10:00"),  # during business hours: now
    # Exactly the rest of the day ends at closing time, a minute more spills over to the next morning.
    (PARIS, "2026-11-24 10:00", "8h", "2026-11-24 18:00"),
    (PARIS, "2026-11-24 10:00", "8h 1m", "2026-11-25 09:01"),
    # A week of working days from Monday morning ends on Friday at closing time.
    (PARIS, "2026-11-30 09:00", "45h", "2026-12-04 18:00"),
    # DST starts on Sunday 29 March: Friday 17:00 (+01:00) + 2 working hours is Monday 10:00 (+02:00).
    (PARIS, "2026-03-27 17:00", "2h", "2026-03-30 10:00"),
    # DST ends on Sunday 25 October: Friday 17:00 (+02:00) + 2 working hours is Monday 10:00 (+01:00).
    (PARIS, "2026-10-23 17:00", "2h", "2026-10-26 10:00"),
])
def test_add_working_time(calendar, start, amount, expected):
    assert calendar.add(t(start), d(amount)) == t(expected)  # the same instant (offsets may differ across DST)


@pytest.mark.parametrize("calendar, start, end, expected", [
    (PARIS, "2026-11-20 17:00", "2026-11-24 17:00", "18h"),
    (MONDAY_OFF, "2026-11-20 17:00", "2026-11-24 17:00", "9h"),
    (PARIS, "2026-11-20 17:00", "2026-11-23 09:00", "1h"),
    (PARIS, "2026-11-21 04:52", "2026-11-23 05:00", "0m"),  # a weekend night: no working time at all
    (PARIS, "2026-11-24 19:00", "2026-11-25 08:00", "0m"),
    (PARIS, "2026-11-24 12:00", "2026-11-24 11:00", "0m"),  # end before start
    (PARIS, "2026-03-27 09:00", "2026-03-30 18:00", "18h"),  # across both DST changes the days keep 9 h
    (PARIS, "2026-10-23 09:00", "2026-10-26 18:00", "18h"),
])
def test_working_time_between(calendar, start, end, expected):
    assert calendar.between(t(start), t(end)) == d(expected)


@pytest.mark.parametrize("moment, expected", [
    ("2026-11-24 08:59", False), ("2026-11-24 09:00", True), ("2026-11-24 17:59", True),
    ("2026-11-24 18:00", False), ("2026-11-21 12:00", False), ("2026-11-23 12:00", False),
])
def test_is_business_time(moment, expected):
    assert MONDAY_OFF.is_business_time(t(moment)) is expected


def test_calendar_durations_keep_their_meaning_across_dst():
    # 48h is elapsed time: from Friday noon (+01:00) it ends Sunday 13:00 (+02:00), wall clock one hour later.
    assert Duration(d("48h")).after(t("2026-03-27 12:00")) == t("2026-03-29 13:00")
    assert Duration(d("48h")).measure(t("2026-03-27 12:00"), t("2026-03-29 13:00")) == d("48h")


def test_loaded_durations():
    site = base_site(True)
    critical = site.priorities["critical"]
    assert (critical.resolution_target.length, critical.resolution_target.unit) == (d("18h"), "working_day")
    assert (critical.update_cadence.length, critical.update_cadence.unit) == (d("4h"), "working_hour")
    assert site.priorities["high"].resolution_target == Duration(d("1w"))
    waiting = site.lifecycles["ticket"].statuses["waiting_customer"]
    assert [r.length for r in waiting.reminders] == [d("18h"), d("45h")]
    assert site.settings.holidays[1].name.get("fr", "en") == "Noël"


# --- every promise on the working clock, in validate and due alike ---------------------------------

def said(entry, now):
    """(validate's rules, due's kinds with their start) for the entry at now, on the working-time site."""
    rules = [diag.rule for rule in _ENTRY_RULES for diag in rule(entry, t(now), base_site(True))
             if diag.rule not in ("file-date",)]
    return rules, [(due.kind, due.since) for due in dues_of(entry, t(now))]


FRIDAY = [("2026-11-20 17:00", "investigating")]


@pytest.mark.parametrize("now, rules, dues", [
    # Friday 17:00 + 4 working hours: the next update is due Monday... a holiday, so Tuesday 12:00.
    ("2026-11-24 12:00", [], []),
    ("2026-11-24 12:01", ["update-overdue"], [("update_overdue", iso("2026-11-24 12:00"))]),
    # 80 % of the 18 working hours (14 h 24) are used on Wednesday at 13:24: at risk, for due only.
    ("2026-11-25 13:23", ["update-overdue"], [("update_overdue", iso("2026-11-24 12:00"))]),
    ("2026-11-25 14:24", ["update-overdue"], [("update_overdue", iso("2026-11-24 12:00")),
                                              ("target_at_risk", iso("2026-11-25 14:24"))]),
    # The target runs out on Wednesday 17:00 (Monday is a holiday).
    ("2026-11-25 17:00", ["update-overdue"], [("update_overdue", iso("2026-11-24 12:00")),
                                              ("target_at_risk", iso("2026-11-25 17:00"))]),
    ("2026-11-25 17:01", ["update-overdue", "target-breached"],
     [("update_overdue", iso("2026-11-24 12:00")), ("target_breached", iso("2026-11-25 17:00"))]),
])
def test_friday_evening_incident(now, rules, dues):
    entry = incident(*FRIDAY, working=True)
    assert said(entry, now) == (rules, dues)


def test_the_deadline_shown_is_the_working_one():
    state = entry_state(incident(*FRIDAY, working=True), t("2026-11-24 10:00"))
    assert (state.elapsed, state.target_outcome, state.target_deadline) == (d("2h"), "open", t("2026-11-25 17:00"))
    assert state.next_update_due == t("2026-11-24 12:00")


def test_a_pause_stops_the_working_clock():
    # Submitted Tuesday 09:00, waiting on the customer from 12:00 (paused) to Wednesday 12:00, then open again.
    entry = incident(("2026-11-24 09:00", "submitted"), ("2026-11-24 12:00", "waiting_customer"),
                     ("2026-11-25 12:00", "submitted"), lifecycle="ticket", working=True)
    state = entry_state(entry, t("2026-11-26 12:00"))
    assert state.elapsed == d("3h") + d("6h") + d("3h")
    assert state.target_deadline == t("2026-11-26 18:00")  # the 6 h left: Thursday afternoon


WAITING = [("2026-11-20 08:00", "submitted"), ("2026-11-20 09:00", "waiting_customer")]


@pytest.mark.parametrize("now, rules, dues", [
    # Waiting from Friday 09:00: 2 working days (18 h) are Friday and Tuesday (Monday is a holiday).
    ("2026-11-24 17:59", [], []),
    ("2026-11-24 18:00", ["reminder-due"], [("reminder_due", iso("2026-11-24 18:00"))]),
    ("2026-11-27 17:59", ["reminder-due"], [("reminder_due", iso("2026-11-24 18:00"))]),
    # 5 working days (45 h): Friday, then Tuesday to Friday 27th at closing time.
    ("2026-11-27 18:00", ["reminder-due"], [("reminder_due", iso("2026-11-27 18:00"))]),
])
def test_reminders_on_working_days(now, rules, dues):
    entry = incident(*WAITING, lifecycle="ticket", working=True)
    assert said(entry, now) == (rules, dues)


def test_auto_resolution_on_working_days():
    entry = incident(*WAITING, lifecycle="ticket", working=True)
    # 10 working days (90 h) from Friday 20th 09:00, Monday 23rd off: Friday 4 December 18:00.
    assert entry_state(entry, t("2026-12-04 17:59")).auto_resolved_at is None
    assert entry_state(entry, t("2026-12-04 18:00")).auto_resolved_at == t("2026-12-04 18:00")
    assert said(entry, "2026-12-05 09:00") == (["auto-resolved"], [("auto_resolved", iso("2026-12-04 18:00"))])


def test_report_due_in_calendar_time_after_a_working_resolution():
    entry = incident(("2026-11-24 09:00", "investigating"), ("2026-11-24 10:00", "resolved"), working=True)
    assert said(entry, "2026-11-29 09:59") == ([], [])
    assert said(entry, "2026-11-29 10:00") == (["report-missing"], [("report_missing", iso("2026-11-29 10:00"))])


# --- an interruption outside business hours -------------------------------------------------------

def test_an_incident_entirely_outside_business_hours():
    entry = incident(("2026-11-21 04:52", "investigating"), ("2026-11-21 07:00", "resolved"), working=True)
    state = entry_state(entry, t("2026-11-30 12:00"))
    assert (state.outside_hours, state.elapsed, state.target_outcome) == (True, timedelta(), "met")


def test_outside_hours_targets_start_at_the_next_business_hour():
    # Opened on Saturday 04:52, with calendar targets this would be breached on Monday 05:00: here the target
    # starts on Tuesday 09:00 (Monday is a holiday) and is not breached before Wednesday 18:00.
    entry = incident(("2026-11-21 04:52", "investigating"), working=True)
    assert entry_state(entry, t("2026-11-24 08:00")).outside_hours is True
    state = entry_state(entry, t("2026-11-24 10:00"))
    assert (state.outside_hours, state.elapsed, state.target_deadline) == (False, d("1h"), t("2026-11-25 18:00"))
    assert "target-breached" not in said(entry, "2026-11-25 18:00")[0]
    # The working clock stands still overnight, but the target was used up at closing time.
    assert said(entry, "2026-11-25 18:01")[1][1] == ("target_breached", iso("2026-11-25 18:00"))
