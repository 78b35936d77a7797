"""The promises report's shortcuts give the figures the long way gives."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from statusgen.commands.validate import check
from statusgen.model.state import Impact
from statusgen.render.facts import compute_facts
from statusgen.render.promises import _by_month, promises_report

REPO = Path(__file__).resolve().parents[2]
DEMO_NOW = datetime.fromisoformat("2026-11-20T15:00:00+01:00")
UTC = timezone.utc


def overlaps(impact: Impact, start: datetime, end: datetime, now: datetime) -> bool:
    return impact.start < end and (impact.end or now) > start


def test_each_month_gets_every_span_that_reaches_into_it_in_order():
    rng = random.Random(4)
    now = datetime(2026, 11, 20, 15, tzinfo=UTC)
    bounds = [datetime(2025 + (11 + m) // 12, (11 + m) % 12 + 1, 1, tzinfo=UTC) for m in range(12)] + [now]
    spans = []
    for n in range(400):
        start = bounds[0] - timedelta(days=40) + timedelta(minutes=rng.randint(0, 60 * 24 * 420))
        start = rng.choice([start, bounds[rng.randrange(12)]])  # some start exactly on a month's first instant
        end = None if rng.random() < 0.05 else start + timedelta(minutes=rng.choice([1, 90, 60 * 24 * 45]))
        spans.append((Impact("api", "major_outage", start, end), f"e{n}"))
    by_month = _by_month(spans, bounds, now)
    for month in range(12):
        start, end = bounds[month], min(bounds[month + 1], now)
        wanted = [span for span in spans if overlaps(span[0], start, end, now)]
        assert [span for span in by_month[month] if overlaps(span[0], start, end, now)] == wanted


def test_a_report_on_other_business_hours_is_not_served_from_the_entries_memo():
    site = check(REPO, DEMO_NOW).site
    facts = compute_facts(site, DEMO_NOW)
    original = promises_report(site, facts.entries, facts.states, DEMO_NOW)  # fills each entry's memo
    hours = replace(site.settings.business_hours, start="11:00", end="12:00")
    tokyo = replace(site, settings=replace(site.settings, timezone="Pacific/Kiritimati", business_hours=hours))
    facts = compute_facts(tokyo, DEMO_NOW)
    again = promises_report(tokyo, facts.entries, facts.states, DEMO_NOW)
    fresh_site = check(REPO, DEMO_NOW).site  # new entry objects: no memo
    fresh_site = replace(fresh_site, settings=tokyo.settings)
    fresh_facts = compute_facts(fresh_site, DEMO_NOW)
    assert again == promises_report(fresh_site, fresh_facts.entries, fresh_facts.states, DEMO_NOW)
    assert again.rows != original.rows  # the hours change the working time to resolve
