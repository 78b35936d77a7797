"""Which HTML pages the site has, and the context each template receives."""

from __future__ import annotations

import html
import re
from typing import Any, Callable, NamedTuple

from statusgen.render.facts import Facts
from statusgen.render.report import MEMO_KEY, REPORT_PAGE, ReportView
from statusgen.render.urls import (
    NOT_FOUND_FILE,
    Urls,
    component_page,
    entry_page,
    help_page,
    history_page,
)
from statusgen.render.views import LanguageViews


class PageJob(NamedTuple):
    """One page to render: picklable, so jobs can be shared out between processes (and cheap to make)."""

    kind: str  # index | entry | history | component | help | article | statuses | priorities | not_found | report
    lang: str
    key: str = ""  # entry id, component id, page number or article slug


def plan_pages(site, facts: Facts) -> list[PageJob]:
    """Every page of the site, in every language (computed once per build)."""
    jobs = facts.memo.get("jobs")
    if jobs is None:
        jobs = facts.memo["jobs"] = _plan(site, facts)
    return jobs


def _plan(site, facts: Facts) -> list[PageJob]:
    jobs: list[PageJob] = []
    for lang in site.settings.languages:
        jobs.append(PageJob("index", lang))
        jobs += [PageJob("entry", lang, e.id) for e in facts.entries]
        jobs += [PageJob("history", lang, str(n)) for n in range(1, facts.history_pages + 1)]
        jobs += [PageJob("component", lang, cid) for cid in site.components]
        jobs.append(PageJob("help", lang))
        jobs += [PageJob("article", lang, slug) for slug in sorted({p.slug for p in site.pages if p.lang == lang})]
        jobs += [PageJob("statuses", lang), PageJob("priorities", lang), PageJob("not_found", lang)]
        jobs.append(PageJob("report", lang))
    return jobs


_FIXED_PAGES = {
    "index": "",
    "help": help_page(),
    "statuses": help_page("statuses"),
    "priorities": help_page("priorities"),
    "report": REPORT_PAGE,
}
_KEYED_PAGES = {
    "entry": entry_page,
    "history": lambda key: history_page(int(key or 1)),
    "component": component_page,
    "article": help_page,
}


def page_link(job: PageJob) -> str | None:
    """The page's path below the language root, for links and the language switch (None: not linkable)."""
    if job.kind in _FIXED_PAGES:
        return _FIXED_PAGES[job.kind]
    if job.kind in _KEYED_PAGES:
        return _KEYED_PAGES[job.kind](job.key)
    return None


def page_path(job: PageJob, urls: Urls) -> str:
    """The output file of a job, relative to the output folder."""
    link = page_link(job)
    return urls.file(NOT_FOUND_FILE if link is None else link)


class Contexts:
    """Builds the template context of each page kind in one language."""

    def __init__(self, views: LanguageViews, common: Callable[[PageJob, str], dict[str, Any]]):
        self.v = views
        self.common = common

    def build(self, job: PageJob) -> tuple[str, dict[str, Any]]:
        return getattr(self, f"_{job.kind}")(job)

    def _index(self, job):
        v, f = self.v, self.v.facts
        ctx = self.common(job, "")
        ctx.update(
            overall=v.state(f.overall_state),
            affected=[v.component(v.site.components[c]).name for c, s in f.component_state.items()
                      if s != "operational"],
            groups=v.groups(),
            active=[v.entry(e) for e in f.active_incidents],
            maintenance_active=[v.entry(e) for e in f.active_maintenance],
            maintenance_upcoming=[v.entry(e) for e in f.upcoming_maintenance],
            known_issues=[v.summary(e) for e in f.open_known_issues],
            recent=[(v.dates.day(day), [v.summary(e) for e in entries]) for day, entries in f.recent_days],
            recent_maintenance=[v.summary(e) for e in f.recent_maintenance],
            as_of=v.dates.when(f.now),
        )
        return "index.html", ctx

    def _entry(self, job):
        entry = self.v.facts.by_id[job.key]
        view = self.v.entry(entry)
        ctx = self.common(job, view.title)
        ctx.update(entry=view, description=_plain(view.latest.message_html) or "; ".join(view.latest.changes))
        return "entry.html", ctx

    def _history(self, job):
        v = self.v
        number = int(job.key or 1)
        total = v.facts.history_pages
        chunk = v.facts.history[number]
        ctx = self.common(job, v.t["history"] + (f" · {v.t['page'].format(n=number)}" if number > 1 else ""))
        causes = v.facts.root_causes if number == 1 else {}
        ctx.update(
            root_causes=v.t["root_cause_counts"].format(systemic=causes.get("systemic", 0),
                                                        isolated=causes.get("isolated", 0)) if causes else "",
            months=[(v.dates.month(month), [v.line(e) for e in entries]) for month, entries in chunk],
            page_number=number,
            page_count=total,
            pages=[(n, v.urls.link(history_page(n))) for n in range(1, total + 1)],
            newer=v.urls.link(history_page(number - 1)) if number > 1 else None,
            older=v.urls.link(history_page(number + 1)) if number < total else None,
        )
        return "history.html", ctx

    def _component(self, job):
        v = self.v
        component = v.component(v.site.components[job.key])
        ctx = self.common(job, component.name)
        entries = v.facts.component_entries[job.key]
        ctx.update(component=component, lines=[v.line(e) for e in entries])
        return "component.html", ctx

    def _help(self, job):
        v = self.v
        pages = sorted((p for p in v.site.pages if p.lang == v.lang), key=lambda p: (p.order, p.slug))
        ctx = self.common(job, v.t["help"])
        ctx.update(business_hours=v.business_hours(), articles=[{"title": p.title, "summary": p.summary, "url": v.urls.link(help_page(p.slug))}
                             for p in pages] + [
            {"title": v.t["statuses_title"], "summary": v.t["statuses_summary"],
             "url": v.urls.link(help_page("statuses"))},
            {"title": v.t["priorities_title"], "summary": v.t["priorities_summary"],
             "url": v.urls.link(help_page("priorities"))},
        ])
        return "help.html", ctx

    def _article(self, job):
        v = self.v
        page = next(p for p in v.site.pages if p.lang == v.lang and p.slug == job.key)
        ctx = self.common(job, page.title)
        ctx.update(article={"title": page.title, "summary": page.summary, "body_html": v.markup(page.body)})
        return "article.html", ctx

    def _statuses(self, job):
        v = self.v
        ctx = self.common(job, v.t["statuses_title"])
        lifecycles = []
        for lc in v.site.lifecycles.values():
            statuses = []
            for status in lc.statuses.values():
                notes = []
                if status.reminders and status.auto_resolve_after:
                    notes.append(v.t["reminders"].format(
                        days=", ".join(v.span(r) for r in status.reminders), auto=v.span(status.auto_resolve_after)))
                if status.pauses_target:
                    notes.append(v.t["pauses_target"])
                statuses.append({"view": v.status(status), "phase": v.t[f"phase.{status.phase}"], "notes": notes})
            lifecycles.append({"id": lc.id, "label": v.text(lc.label), "statuses": statuses})
        ctx.update(summary=v.t["statuses_summary"], lifecycles=lifecycles)
        return "statuses.html", ctx

    def _priorities(self, job):
        v = self.v
        ctx = self.common(job, v.t["priorities_title"])
        ctx.update(summary=v.t["priorities_summary"],
                   priorities=[v.priority(p) for p in v.site.priorities.values()])
        return "priorities.html", ctx

    def _report(self, job):
        v = self.v
        ctx = self.common(job, v.t["report_title"])
        ctx.update(report=ReportView(v, v.facts.memo[MEMO_KEY]).context(), as_of=v.dates.when(v.facts.now))
        return "report.html", ctx

    def _not_found(self, job):
        ctx = self.common(job, self.v.t["not_found_title"])
        return "404.html", ctx


def _plain(fragment: str, limit: int = 200) -> str:
    """A short plain-text description from an HTML fragment, for <meta name=description>."""
    text = re.sub(r"<[^>]+>", "", fragment)
    text = html.unescape(" ".join(text.split()))
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
