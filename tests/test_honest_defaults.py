"""Honest defaults: days before the page recorded anything are "no data", not green, and the uptime
figure covers the days its bar shows, at every width."""

from __future__ import annotations

import re
import shutil
from datetime import datetime

from conftest import DEMO_NOW, build_site, copy_site
from statusgen.commands.validate import check
from statusgen.render.facts import compute_facts


def with_since(root, value: str | None):
    path = root / "content/site.yaml"
    text = re.sub(r"\nsince: .*\n", "\n", path.read_text(encoding="utf-8"))
    if value:
        text += f"since: {value}\n"
    path.write_text(text, encoding="utf-8")


def legend(page: str, component: str) -> str:
    start = page.index(f'href="/en/components/{component}/"')
    return re.search(r'<p class="bar-legend".*?</p>', page[start:]).group(0)


def test_days_before_since_are_no_data_and_the_uptime_says_since_when(tmp_path):
    root = copy_site(tmp_path / "site")
    with_since(root, "2026-11-01")
    site = check(root, DEMO_NOW).site
    facts = compute_facts(site, DEMO_NOW)
    cells = dict(zip(facts.days, facts.day_states["payments-api"]))
    assert cells[datetime(2026, 10, 31).date()] == "no_data"
    assert cells[datetime(2026, 11, 1).date()] == "operational"
    assert cells[datetime(2026, 11, 20).date()] == "partial_outage"  # the open incident
    out = build_site(root, tmp_path / "out", DEMO_NOW)
    page = (out / "en" / "index.html").read_text(encoding="utf-8")
    assert 'uptime since Nov 1, 2026</span>' in legend(page, "payments-api")
    assert 'class="d-no_data" title="Oct 31, 2026: No data"' in page
    assert "This page has recorded since Nov 1, 2026." in page


def test_a_site_without_entries_shows_no_data_rather_than_a_green_hundred_percent(tmp_path):
    root = copy_site(tmp_path / "site")
    with_since(root, None)
    shutil.rmtree(root / "incidents")
    (root / "incidents").mkdir()
    out = build_site(root, tmp_path / "out", DEMO_NOW)
    page = (out / "en" / "index.html").read_text(encoding="utf-8")
    assert "100.00%" not in page
    assert '<span class="l-90">No data </span>' in legend(page, "payments-api")
    assert "No data yet: this page has recorded nothing." in page
    assert page.count('class="d-no_data"') >= 90


def test_without_since_the_first_entry_starts_the_record(tmp_path):
    root = copy_site(tmp_path / "site")
    with_since(root, None)
    facts = compute_facts(check(root, DEMO_NOW).site, DEMO_NOW)
    first = min(e.started_at for e in facts.entries).astimezone(facts.now.tzinfo).date()
    assert facts.recording_since == first


def test_the_narrow_bar_has_the_uptime_of_its_own_thirty_days(tmp_path):
    root = copy_site(tmp_path / "site")
    site = check(root, DEMO_NOW).site
    facts = compute_facts(site, DEMO_NOW)
    # The bank connection's outages are all older than 30 days at the demo date.
    assert facts.uptime["bank-sync"] < 100.0
    assert facts.uptime_recent["bank-sync"] == 100.0
    out = build_site(root, tmp_path / "out", DEMO_NOW)
    page = (out / "en" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<span class="l-90">99\.\d\d% uptime</span><span class="l-30">100\.00% uptime</span>',
                     legend(page, "bank-sync"))


def test_the_help_centre_states_business_hours_only_when_site_yaml_sets_them(tmp_path):
    root = copy_site(tmp_path / "site")
    out = build_site(root, tmp_path / "with", DEMO_NOW)
    assert "Our support team works Monday to Friday" in (out / "en/help/index.html").read_text(encoding="utf-8")
    path = root / "content/site.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("business_hours:")
    end = text.index("\n", text.index("end:", start)) + 1
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    out = build_site(root, tmp_path / "without", DEMO_NOW)
    assert "Our support team works" not in (out / "en/help/index.html").read_text(encoding="utf-8")
