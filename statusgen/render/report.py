"""The promises report as pages (one per language, charts as inline SVG with their tables) and as
reports/promises.csv and reports/promises.json."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from functools import lru_cache
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal

from statusgen.render.promises import MEASURES, MONTHS, WINDOWS, PromisesReport
from statusgen.render.urls import Urls, entry_page

REPORT_PAGE = "reports/"
CSV_FILE = "reports/promises.csv"
JSON_FILE = "reports/promises.json"
MEMO_KEY = "promises_report"

# Chart geometry, in SVG user units (the SVG scales to its container).
CHART_W, CHART_H, AXIS_H, LEFT = 640, 184, 30, 44
SPARK_W, SPARK_H = 240, 48


def report_files(report: PromisesReport) -> list[tuple[str, bytes]]:
    """The CSV (one row per month, priority and measure) and the JSON of every figure."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["month", "priority", "measure", "value"])
    for row in report.rows:
        for measure, value in zip(MEASURES, row.values):
            writer.writerow([row.month.strftime("%Y-%m"), row.priority, measure, "" if value is None else value])
    # UTF-8 with a byte order mark: spreadsheets then read the file as UTF-8 without asking.
    data = {
        "months": [m.strftime("%Y-%m") for m in report.months],
        "measures": list(MEASURES),
        "priorities": {pid: {r.month.strftime("%Y-%m"): dict(zip(MEASURES, r.values))
                             for r in report.rows if r.priority == pid} for pid in report.priorities},
        "components": {c.id: {"monthly_uptime_percent": dict(zip((m.strftime("%Y-%m") for m in report.months),
                                                                  c.monthly_uptime)),
                              "monthly_maintenance_hours": dict(zip((m.strftime("%Y-%m") for m in report.months),
                                                                    c.monthly_maintenance_h)),
                              "uptime_percent": {f"{d}d": u for d, u in zip(WINDOWS, c.window_uptime)},
                              "incidents_365d": c.incidents,
                              "mean_time_to_resolve_hours": c.mean_resolve_h}
                       for c in report.components},
        "root_causes": dict(report.root_causes),
        "outside_business_hours": list(report.outside_hours),
    }
    return [(CSV_FILE, ("\ufeff" + out.getvalue()).encode("utf-8")),
            (JSON_FILE, (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))]


class ReportView:
    """The report's page context in one language: finished labels, numbers, chart geometry."""

    def __init__(self, views, report: PromisesReport):
        self.v = views
        self.report = report
        self.t = views.t
        self.locale = views.dates.locale

    def number(self, value, digits: int = 1) -> str:
        if value is None:
            return "–"
        return _decimal(round(value, digits), self.locale)

    def month(self, value: date, short: bool = False) -> str:
        return format_date(value, "MMM yy" if short else "MMMM y", locale=self.locale)

    def context(self) -> dict[str, Any]:
        v, report, t = self.v, self.report, self.t
        months = [self.month(m) for m in report.months]
        return {
            "intro": t["report_intro"].format(first=months[0], last=months[-1], n=MONTHS),
            "csv_url": Urls.shared(v.site.settings.base_url, CSV_FILE),
            "json_url": Urls.shared(v.site.settings.base_url, JSON_FILE),
            "measure_heads": [t[f"measure.{m}"] for m in MEASURES],
            "priorities": [self._priority(pid) for pid in report.priorities],
            "components": self._components(),
            "window_heads": [t["report_window"].format(n=d) for d in WINDOWS],
            "month_heads": [self.month(m, short=True) for m in report.months],
            "root_causes": [{"label": t[f"root_cause.{kind}"], "count": count} for kind, count in report.root_causes],
            # The title and link only: a full view of each entry would cost as much as its page.
            "outside": [{"title": v.text(v.facts.by_id[eid].title), "url": v.urls.link(entry_page(eid))}
                        for eid in report.outside_hours],
        }

    def _priority(self, pid: str) -> dict[str, Any]:
        v, t = self.v, self.t
        priority = v.site.priorities[pid]
        target = priority.resolution_target
        working = target.is_working
        key = "resolve_median_working_h" if working else "resolve_median_calendar_h"
        rows = [r for r in self.report.rows if r.priority == pid]
        target_h = target.length.total_seconds() / 3600
        values = [r.get(key) for r in rows]
        label = v.text(priority.label)
        chart = _bar_chart(values, target_h, [self.month(r.month, short=True) for r in rows])
        clock = t["report_clock_working" if working else "report_clock_calendar"]
        return {
            "id": pid,
            "label": label,
            "target": v.span(target),
            "chart": chart,
            "chart_title": t["report_ttr_chart"].format(priority=label, target=v.span(target), clock=clock),
            "chart_desc": self._describe_ttr(rows, key, target_h),
            "rows": [{"month": self.month(r.month),
                      "cells": [self.number(x) if isinstance(x, float) else ("–" if x is None else str(x))
                                for x in r.values]} for r in rows],
        }

    def _describe_ttr(self, rows, key: str, target_h: float) -> str:
        measured = [(self.month(r.month), r.get(key)) for r in rows if r.get(key) is not None]
        if not measured:
            return self.t["report_ttr_none"]
        over = [m for m, h in measured if h > target_h]
        parts = "; ".join(f"{m}: {self.number(h)}\u00a0h" for m, h in measured)
        return self.t["report_ttr_desc"].format(months=parts, over=len(over), n=len(measured))

    def _components(self) -> list[dict[str, Any]]:
        v = self.v
        found = []
        for figures in self.report.components:
            name = v.text(v.site.components[figures.id].name)
            lowest = min(figures.monthly_uptime)
            floor = 99.0 if lowest >= 99.0 else max(0.0, float(int(lowest) - 1))
            found.append({
                "id": figures.id,
                "name": name,
                "spark": _spark(figures.monthly_uptime, floor),
                "spark_desc": self.t["report_uptime_desc"].format(
                    name=name, low=self.number(lowest, 3), floor=self.number(floor, 0)),
                "monthly": [self.number(u, 3) for u in figures.monthly_uptime],
                "windows": [self.number(u, 3) for u in figures.window_uptime],
                "maintenance": self.number(sum(figures.monthly_maintenance_h)),
                "incidents": figures.incidents,
                "mttr": self.number(figures.mean_resolve_h),
            })
        return found


@lru_cache(maxsize=65536)
def _decimal(value: float, locale) -> str:
    """A number in the locale's notation; a report repeats the same few (100, 99.9...) thousands of times."""
    return format_decimal(value, locale=locale)


def _bar_chart(values: list[float | None], target: float, labels: list[str]) -> dict[str, Any]:
    """Bars of hours per month with the target as a line: geometry for the template."""
    top = max([target * 1.25] + [x for x in values if x is not None]) or 1.0
    plot_h = CHART_H - AXIS_H
    step = (CHART_W - LEFT) / len(values)
    bars = []
    for i, (value, label) in enumerate(zip(values, labels)):
        x = LEFT + i * step
        height = 0 if value is None else round(plot_h * value / top, 1)
        bars.append({"x": round(x + step * 0.15, 1), "y": round(plot_h - height, 1), "w": round(step * 0.7, 1),
                     "h": height, "over": value is not None and value > target,
                     "label": label, "label_x": round(x + step / 2, 1), "empty": value is None})
    line_y = round(plot_h - plot_h * target / top, 1)
    return {"w": CHART_W, "h": CHART_H, "bars": bars, "target_y": line_y, "left": LEFT,
            "axis_y": plot_h, "label_y": CHART_H - 6, "target_label": f"{target:g} h",
            "top_label": f"{top:.0f} h"}


def _spark(uptimes: tuple[float, ...], floor: float) -> dict[str, Any]:
    """Bars of monthly uptime from floor % (bottom) to 100 % (top)."""
    step = SPARK_W / len(uptimes)
    span = 100.0 - floor
    bars = []
    for i, value in enumerate(uptimes):
        height = round(SPARK_H * max(0.0, value - floor) / span, 1) if span else SPARK_H
        bars.append({"x": round(i * step + 1, 1), "y": round(SPARK_H - height, 1), "w": round(step - 2, 1),
                     "h": height, "full": value >= 100.0})
    return {"w": SPARK_W, "h": SPARK_H, "bars": bars}

