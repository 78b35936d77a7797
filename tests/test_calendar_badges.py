"""maintenance.ics and the SVG status badges of the demo site."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

from conftest import build_site
from icalendar import Calendar
from support.checkers import require_tool_or_skip, vnu_errors

HOST = "status.orbeline.example"
UPCOMING = "2026-11-19-email-infrastructure-migration-rescheduled"
CANCELLED = "2026-10-13-email-infrastructure-migration"
COMPLETED = "2026-09-01-billing-database-upgrade"
OLD_WINDOW = "2026-04-08-dashboard-search-upgrade"
SVG = "{http://www.w3.org/2000/svg}"


def calendar_of(out: Path) -> Calendar:
    return Calendar.from_ical((out / "maintenance.ics").read_bytes())


def events_of(out: Path) -> dict[str, object]:
    return {str(e["UID"]): e for e in calendar_of(out).walk("VEVENT")}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# -- calendar ------------------------------------------------------------------

def test_calendar_events_match_the_maintenance_files(site_out, demo_site):
    maintenance = [e for e in demo_site.entries if e.lifecycle.kind == "maintenance" and not e.draft]
    assert {e.id for e in maintenance} == {UPCOMING, CANCELLED, COMPLETED, OLD_WINDOW}
    maintenance = [e for e in maintenance if e.id != OLD_WINDOW]  # ended over 90 days ago: not in the calendar
    events = events_of(site_out)
    assert set(events) == {f"{e.id}@{HOST}" for e in maintenance}
    for entry in maintenance:
        event = events[f"{entry.id}@{HOST}"]
        assert event.decoded("DTSTART") == entry.scheduled_start
        assert event.decoded("DTEND") == entry.scheduled_end
        assert event.decoded("DTSTAMP") == entry.last_update.at  # never the build time
        assert event.decoded("LAST-MODIFIED") == entry.last_update.at
        assert int(event["SEQUENCE"]) == len(entry.updates) - 1
        assert str(event["URL"]) == f"https://{HOST}/incidents/{entry.id}/"
        assert (site_out / f"incidents/{entry.id}/index.html").is_file()
        title = entry.title.get("fr", "fr")
        assert str(event["SUMMARY"]).endswith(title)
        description = str(event["DESCRIPTION"])
        assert "<" not in description and "**" not in description
        assert description.endswith(str(event["URL"]))


def test_cancelled_window_is_cancelled_and_others_confirmed(site_out):
    events = events_of(site_out)
    assert str(events[f"{CANCELLED}@{HOST}"]["STATUS"]) == "CANCELLED"
    assert str(events[f"{CANCELLED}@{HOST}"]["SUMMARY"]).startswith("Annulée\u202f: ")
    assert str(events[f"{UPCOMING}@{HOST}"]["STATUS"]) == "CONFIRMED"
    assert str(events[f"{COMPLETED}@{HOST}"]["STATUS"]) == "CONFIRMED"  # the work happened: not cancelled


def test_calendar_properties_and_line_folding(site_out):
    raw = (site_out / "maintenance.ics").read_bytes()
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    lines = raw.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines), "RFC 5545 3.1: lines of at most 75 octets"
    assert b"\n" not in raw.replace(b"\r\n", b"")
    cal = calendar_of(site_out)
    assert str(cal["VERSION"]) == "2.0" and str(cal["PRODID"])
    assert str(cal["X-WR-CALNAME"]) == "État des services Orbeline — Calendrier des maintenances"
    upcoming = events_of(site_out)[f"{UPCOMING}@{HOST}"]
    assert "jeudi 26 novembre, de 22 h à 0 h 30" in str(upcoming["DESCRIPTION"])
    assert str(upcoming["TRANSP"]) == "TRANSPARENT"


def test_maintenance_reported_after_the_fact_is_not_cancelled(scratch_site, demo_now, tmp_path):
    # Completed without ever being "in progress" on the page, like a cancellation, but after its window.
    (scratch_site / "incidents/2026-11-16-webhook-queue-restart.md").write_text("""---
title: Redémarrage de la file des webhooks
lifecycle: maintenance
components: [webhooks]
retroactive: true
scheduled:
  start: 2026-11-15T22:00:00+01:00
  end: 2026-11-15T22:30:00+01:00
updates:
  - at: 2026-11-16T09:00:00+01:00
    status: completed
    message: La file des webhooks a été redémarrée hier soir, sans perte de notification.
---
""", encoding="utf-8")
    events = events_of(build_site(scratch_site, tmp_path / "out", demo_now))
    assert str(events[f"2026-11-16-webhook-queue-restart@{HOST}"]["STATUS"]) == "CONFIRMED"
    assert str(events[f"{CANCELLED}@{HOST}"]["STATUS"]) == "CANCELLED"


def test_rescheduling_keeps_the_uid_and_moves_the_window(scratch_site, demo_now, tmp_path):
    path = scratch_site / f"incidents/{UPCOMING}.md"
    edit(path, "end: 2026-11-27T00:30:00+01:00", "end: 2026-11-27T01:30:00+01:00")
    edit(path, "\n---\n", """
  - at: 2026-11-20T14:00:00+01:00
    status: scheduled
    message: "La fenêtre se prolonge jusqu'à 1 h 30."
---
""")
    event = events_of(build_site(scratch_site, tmp_path / "out", demo_now))[f"{UPCOMING}@{HOST}"]
    assert event.decoded("DTEND") == datetime.fromisoformat("2026-11-27T01:30:00+01:00")
    assert event.decoded("DTSTAMP") == datetime.fromisoformat("2026-11-20T14:00:00+01:00")
    assert int(event["SEQUENCE"]) == 1
    assert str(event["DESCRIPTION"]).startswith("La fenêtre se prolonge jusqu'à 1 h 30.")


# -- badges --------------------------------------------------------------------

def badge(out: Path, name: str) -> ET.Element:
    return ET.parse(out / f"badges/{name}.svg").getroot()


def describe(svg: ET.Element) -> tuple[str, str, list[str], str]:
    """(title, aria-label, visible texts, fill of the state part)."""
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    fills = [r.get("fill") for r in svg.iter(f"{SVG}rect")]
    return svg.find(f"{SVG}title").text, svg.get("aria-label"), texts, fills[-1]


def test_badges_exist_for_the_site_and_every_component(site_out, demo_site):
    names = {p.stem for p in (site_out / "badges").glob("*.svg")}
    assert names == {"status"} | set(demo_site.components)


def test_badges_are_accessible_and_say_the_state_in_words(site_out, demo_site):
    for name in ["status", *demo_site.components]:
        svg = badge(site_out, name)
        assert svg.tag == f"{SVG}svg" and svg.get("role") == "img"
        title, label, texts, _ = describe(svg)
        assert title == label and title == "\u202f: ".join(texts)
    assert describe(badge(site_out, "status"))[:3] == (
        "Orbeline\u202f: Panne partielle", "Orbeline\u202f: Panne partielle", ["Orbeline", "Panne partielle"])
    assert describe(badge(site_out, "payments-api"))[2] == ["API de paiement", "Panne partielle"]
    assert describe(badge(site_out, "dashboard"))[2] == ["Tableau de bord", "Opérationnel"]
    assert describe(badge(site_out, "payments-api"))[3] != describe(badge(site_out, "dashboard"))[3]


def test_badges_follow_the_state(scratch_site, demo_now, tmp_path):
    edit(scratch_site / "incidents/2026-11-20-intermittent-terminal-payment-declines.md",
         "lifecycle: incident", "lifecycle: incident\ndraft: true")
    out = build_site(scratch_site, tmp_path / "out", demo_now)
    assert describe(badge(out, "status"))[2] == ["Orbeline", "Opérationnel"]
    assert describe(badge(out, "payments-api"))[2] == ["API de paiement", "Opérationnel"]


def test_badges_are_valid_svg(site_out):
    require_tool_or_skip("java", "vnu")
    assert vnu_errors(sorted((site_out / "badges").glob("*.svg"))) == []
