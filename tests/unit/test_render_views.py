"""statusgen/render/views.py: what the pages show of components, made once and shared."""

from __future__ import annotations

from datetime import date

from sitekit import incident, site_with, t
from statusgen.render.engine import prepare

NOW = t("2026-11-20 15:00")


def views_of(*entries, lang: str = "en"):
    state, _ = prepare(site_with(*entries), NOW)
    return state.views[lang]


def test_bars_of_components_share_the_cells_of_the_same_day_and_state():
    # Thousands of components times 90 days: each (day, state) cell is made once.
    v = views_of(incident(("2026-11-19 10:00", "investigating"), ("2026-11-19 12:00", "resolved"),
                          priority="critical", components="[api]"))
    api, web, mail = (v.component(v.site.components[cid]) for cid in ("api", "web", "mail"))
    assert all(a is b for a, b in zip(web.cells, mail.cells))
    outage_day = v.facts.days.index(date(2026, 11, 19))
    assert api.cells[outage_day] is not web.cells[outage_day]
    assert api.cells[outage_day].state == "major_outage" and web.cells[outage_day].state == "operational"
    assert api.cells[outage_day].label == "Nov 19, 2026: Major outage"
    assert all(api.cells[n] is web.cells[n] for n in range(len(v.facts.days)) if n != outage_day)


def test_percentages_read_the_same_when_formatted_from_memory():
    for lang, expected in (("en", "99.50%"), ("fr", "99,50\u00a0%")):
        v = views_of(lang=lang)
        assert v.percent(99.5) == expected
        assert v.percent(99.5) == expected  # the second time from memory
        assert v.percent(100.0) != expected
