"""The support clock end to end on a small site: working-day targets on the pages, in `due` and in
`validate`; the promises report's figures, computed by hand, in its HTML, CSV and JSON; rating links.

The site is sitekit's working-time variant (business hours 09:00-18:00 Monday to Friday, Paris;
Monday 2026-11-23 a holiday; critical: 2 working days, an update every 4 working hours, a report
within 5 days; incidents outside business hours are problems), with these entries:

    A  critical incident, Tue 2026-10-06 10:00 -> 12:00 -> 15:00 resolved, root cause given
    B  critical incident, Thu 2026-10-08 16:00 -> Fri 12:00 -> Mon 12 Oct 17:00 resolved, no report
    C  low ticket, Tue 2026-10-13 09:00 submitted, 10:00 waiting on the customer, Thu 15 11:00 still
       waiting with a reminder recorded (the 2-working-day one, due Thu 10:00), Wed 21 11:00 submitted again (the
       5-working-day reminder, due Tue 20 10:00, was never sent), Thu 22 09:00 closed
    D  high incident, Saturday 2026-10-17 02:00 -> 03:00 resolved: outside business hours
    F  critical incident, Friday 2026-11-20 17:00, still open
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import html as lxml_html

from unit.sitekit import WORKING_DEFINITIONS, t, timeline
from statusgen.cli import main

NOW = "2026-11-25T12:00:00+01:00"  # a Wednesday; Monday 23 was a holiday
FEEDBACK = """\
feedback:
  good: "https://rate.tiny.example/{lang}/{id}?good"
  bad: "https://rate.tiny.example/{lang}/{id}?bad"
"""

ENTRIES = {
    "2026-10-06-a": ("incident", "critical", "[api]", [("2026-10-06 10:00", "investigating"),
                                                      ("2026-10-06 12:00", "identified"),
                                                      ("2026-10-06 15:00", "resolved")], "root_cause: A full disk.\n"),
    "2026-10-08-b": ("incident", "critical", "[api]", [("2026-10-08 16:00", "investigating"),
                                                      ("2026-10-09 12:00", "identified"),
                                                      ("2026-10-12 17:00", "resolved")], ""),
    "2026-10-13-c": ("ticket", "low", "[web]", [("2026-10-13 09:00", "submitted"),
                                               ("2026-10-13 10:00", "waiting_customer"),
                                               ("2026-10-15 11:00", "waiting_customer"),
                                               ("2026-10-21 11:00", "submitted"),
                                               ("2026-10-22 09:00", "closed")], ""),
    "2026-10-17-d": ("incident", "high", "{mail: major_outage}", [("2026-10-17 02:00", "investigating"),
                                                                  ("2026-10-17 03:00", "resolved")], ""),
    "2026-11-20-f": ("incident", "critical", "[api]", [("2026-11-20 17:00", "investigating")], ""),
}


def make_site(root: Path, holiday: bool = True, feedback: bool = True) -> Path:
    for rel, text in WORKING_DEFINITIONS.items():
        if rel == "content/site.yaml":
            text = text if holiday else text.replace("  - 2026-11-23\n", "")
            text += FEEDBACK if feedback else ""
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    (root / "incidents").mkdir()
    for name, (lifecycle, priority, components, updates, extra) in ENTRIES.items():
        front = (f"title: Entry {name[-1].upper()}\nlifecycle: {lifecycle}\npriority: {priority}\n"
                 f"components: {components}\n{extra}{timeline(*updates)}")
        # C's second waiting update is the reminder, recorded as `statusgen remind` writes it.
        front = front.replace(f"  - at: {t('2026-10-15 11:00').isoformat()}\n    status: waiting_customer\n"
                              "    message: Text.", f"  - at: {t('2026-10-15 11:00').isoformat()}\n"
                              "    status: waiting_customer\n    message: Text.\n    reminder: true")
        (root / "incidents" / f"{name}.md").write_text(f"---\n{front}\n---\n", encoding="utf-8")
    return root


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = make_site(tmp_path_factory.mktemp("clock-site"))
    out = root.parent / "out"
    result = run("build", "--root", str(root), "--out", str(out), "--now", NOW)
    assert result.exit_code == 0, result.output
    return out


def page(out: Path, rel: str):
    return lxml_html.fromstring((out / rel / "index.html").read_bytes())


def words(node) -> str:
    return " ".join(node.text_content().split())


# --- the done-when example: 2 working days from Friday 17:00 ------------------------------------

@pytest.mark.parametrize("holiday, deadline, page_text", [
    (False, "2026-11-24T17:00:00+01:00", "In progress, due by Nov 24, 2026, 5:00 PM"),
    (True, "2026-11-25T17:00:00+01:00", "In progress, due by Nov 25, 2026, 5:00 PM"),
])
def test_two_working_days_from_friday_evening_everywhere(tmp_path, holiday, deadline, page_text):
    root = make_site(tmp_path / "site", holiday=holiday)
    monday = "2026-11-23T10:00:00+01:00"
    out = tmp_path / "out"
    assert run("build", "--root", str(root), "--out", str(out), "--now", monday).exit_code == 0
    target = page(out, "incidents/2026-11-20-f").xpath("//span[contains(@class, 'target')]")[0]
    assert words(target).replace("\u202f", " ") == page_text
    api = json.loads((out / "api/v2/incidents/unresolved.json").read_text(encoding="utf-8"))
    assert [i["id"] for i in api["incidents"]] == ["2026-11-20-f"]
    due_at = lambda at: json.loads(run("due", "--root", str(root), "--now", at, "--format", "json").output)  # noqa: E731
    validate_at = lambda at: run("validate", "--root", str(root), "--now", at).output  # noqa: E731
    before = deadline.replace("T17:00", "T16:59")
    after = deadline.replace("T17:00", "T17:01")
    assert "target-breached" not in validate_at(before)
    assert "target_breached" not in [i["kind"] for i in due_at(before)["items"]]
    assert "2026-11-20-f.md:4: warning [target-breached] priority: open for 18 h; priority 'critical' targets " \
           "resolution within 2 working days" in validate_at(after)
    [breach] = [i for i in due_at(after)["items"] if i["kind"] == "target_breached"]
    assert (breach["since"], breach["detail"]) == (deadline, "open for 18 h; target 2 working days")


# --- the report's figures, computed by hand ---------------------------------------------------------

def test_report_json(built):
    data = json.loads((built / "reports/promises.json").read_text(encoding="utf-8"))
    assert data["months"][0] == "2025-12" and data["months"][-1] == "2026-11" and len(data["months"]) == 12
    critical = data["priorities"]["critical"]["2026-10"]
    assert critical == {
        "opened": 2, "resolved": 2, "target_met": 1, "target_breached": 1, "outside_hours": 0,
        # A: 5 working hours, 5 calendar hours; B: 2 + 9 + 8 = 19 working hours (over 18), 97 calendar hours.
        "resolve_median_working_h": 12.0, "resolve_p90_working_h": 19.0,
        "resolve_median_calendar_h": 51.0, "resolve_p90_calendar_h": 97.0,
        # A's two updates came within 4 working hours; B's came at Fri 12:00 (due 11:00) and Mon 17:00 (due Fri 16:00).
        "updates_on_time": 2, "updates_late": 2, "reminders_due": 0, "reminders_on_time": 0,
        # Reports fell due 5 days after each resolution: A has a root cause, B has none.
        "reports_due": 2, "reports_published": 1,
    }
    low = data["priorities"]["low"]["2026-10"]
    # C: the 2-working-day reminder (due Thu 10:00) sent at 11:00; the 5-working-day one (Tue 20 10:00) never.
    assert (low["reminders_due"], low["reminders_on_time"]) == (2, 1)
    # C took 7 business days (63 working hours), 9 calendar days.
    assert (low["resolved"], low["resolve_median_working_h"], low["resolve_median_calendar_h"]) == (1, 63.0, 216.0)
    high = data["priorities"]["high"]["2026-10"]
    assert (high["resolved"], high["target_met"], high["outside_hours"], high["resolve_median_working_h"]) == \
        (1, 1, 1, 0.0)
    assert data["priorities"]["critical"]["2026-11"]["opened"] == 1
    assert data["outside_business_hours"] == ["2026-10-17-d"]
    # The API lost 5 + 97 hours of October's 745 (the clocks went back on the 25th), and 115 of November's
    # first 588 hours to F, still open; the e-mail service one hour to D.
    api, mail = data["components"]["api"], data["components"]["mail"]
    assert (api["monthly_uptime_percent"]["2026-10"], api["monthly_uptime_percent"]["2026-11"]) == (86.309, 80.442)
    assert api["uptime_percent"]["30d"] == 84.028 and api["incidents_365d"] == 3
    assert api["mean_time_to_resolve_hours"] == 51.0  # A and B; F is still open
    assert mail["monthly_uptime_percent"]["2026-10"] == 99.866
    assert data["root_causes"] == {"not_recorded": 2, "recorded": 1}


def test_report_csv_is_one_row_per_month_priority_and_measure(built):
    raw = (built / "reports/promises.csv").read_bytes()
    assert raw.startswith("\ufeff".encode()) and b"\r\n" in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["month", "priority", "measure", "value"]
    assert len(rows) == 1 + 12 * 3 * 15  # months, priorities, measures
    found = {(m, p, k): v for m, p, k, v in rows[1:]}
    assert found[("2026-10", "critical", "resolve_p90_working_h")] == "19.0"
    assert found[("2026-10", "critical", "updates_late")] == "2"
    assert found[("2026-09", "critical", "resolve_median_working_h")] == ""  # nothing resolved: no figure


def test_report_page_in_both_languages(built):
    for root, month, title in (("fr/", "octobre 2026", "Rapport des engagements"),
                               ("", "October 2026", "Promises report")):
        tree = page(built, f"{root}reports")
        assert words(tree.xpath("//h1")[0]) == title
        row = tree.xpath(f"//section[h3[@id='priority-critical']]//tr[th[.='{month}']]")[0]
        cells = [words(td) for td in row.xpath("td")]
        assert cells == ["2", "2", "1", "1", "0", "12", "19", "51", "97", "2", "2", "0", "0", "2", "1"]
        chart = tree.xpath("//section[h3[@id='priority-critical']]//svg")[0]
        assert chart.get("role") == "img" and chart.xpath("./title") and chart.xpath("./desc")
        # October's median, 12 h, is under the 18-hour target line: no bar is marked as over it.
        assert chart.xpath(".//rect[contains(@class, 'over')]") == []
        link = tree.xpath("//footer//a[contains(@href, 'reports/')]")[0]
        assert link.get("href") == f"/{root}reports/"
    index = page(built, "help")
    assert index.xpath("//main//a[@href='/reports/']")


# --- outside business hours and the rating links ----------------------------------------------------

def test_outside_business_hours_is_labelled(built):
    tree = page(built, "incidents/2026-10-17-d")
    assert "Outside business hours" in [words(s) for s in tree.xpath("//span[@class='tag']")]
    assert "entirely outside business hours" in words(tree.xpath("//main")[0])
    assert "Outside business hours" not in words(page(built, "incidents/2026-10-06-a").xpath("//main")[0])


def test_resolved_entries_ask_for_a_rating(built):
    tree = page(built, "incidents/2026-10-06-a")
    section = tree.xpath("//section[@class='feedback']")[0]
    assert words(section.xpath("h2")[0]) == "Was this handled well?"
    assert [(words(a), a.get("href")) for a in section.xpath(".//a")] == [
        ("Yes", "https://rate.tiny.example/en/2026-10-06-a?good"),
        ("No", "https://rate.tiny.example/en/2026-10-06-a?bad")]
    french = page(built, "fr/incidents/2026-10-06-a").xpath("//section[@class='feedback']//a/@href")
    assert french == ["https://rate.tiny.example/fr/2026-10-06-a?good", "https://rate.tiny.example/fr/2026-10-06-a?bad"]
    assert not page(built, "incidents/2026-11-20-f").xpath("//section[@class='feedback']")  # still open


def test_without_feedback_no_page_offers_a_rating(tmp_path):
    root = make_site(tmp_path / "site", feedback=False)
    out = tmp_path / "out"
    assert run("build", "--root", str(root), "--out", str(out), "--now", NOW).exit_code == 0
    assert not page(out, "incidents/2026-10-06-a").xpath("//section[@class='feedback']")
