"""Renders every output of a site, sharing the pages out between processes."""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import os
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any, Callable, Iterator

import jinja2

from statusgen.model.site import Site
from statusgen.render.api import api_files
from statusgen.render.badges import badge_files
from statusgen.render.calendar import maintenance_calendar
from statusgen.render.dates import Dates
from statusgen.render.deps import Record, RecordedFacts, Recorder
from statusgen.render.facts import compute_facts
from statusgen.render.feeds import feed_files, newest_updates
from statusgen.render.markup import Markup
from statusgen.render.pages import Contexts, PageJob, page_link, page_path, plan_pages
from statusgen.render.processes import in_fresh_processes
from statusgen.render.promises import promises_report
from statusgen.render.report import MEMO_KEY, REPORT_PAGE, report_files
from statusgen.render.sitemap import robots_txt, sitemap_xml
from statusgen.render.state import RenderCache, RenderState
from statusgen.render.strings import strings_for
from statusgen.render.theme import make_environment, stylesheet
from statusgen.render.urls import (
    CALENDAR,
    ROBOTS,
    SITEMAP,
    Urls,
    api_file,
    component_page,
    entry_page,
    feed,
    help_page,
    history_page,
)
from statusgen.render.views import LanguageViews

# Below this many pages, starting processes costs more than it saves.
PARALLEL_THRESHOLD = 400


def prepare(site: Site, now: datetime, cache: RenderCache | None = None
            ) -> tuple[RenderState, list[tuple[str, bytes]]]:
    cache = cache or RenderCache()
    facts = compute_facts(site, now, cache.facts)
    facts.memo[MEMO_KEY] = promises_report(site, facts.entries, facts.states, now)
    if cache.env is None:
        cache.env = make_environment(Path(site.root))
    env = cache.env
    css_path, css = stylesheet(env)
    line_macro = env.get_template("macros.html").module.entry_line
    settings = site.settings
    css_url = Urls.shared(settings.base_url, css_path)
    views, contexts = {}, {}
    recorder = Recorder(facts)
    seen = RecordedFacts(facts, recorder)  # pages see the facts through it: every read is recorded
    for lang in settings.languages:
        urls = Urls(settings.base_url, lang, settings.default_language)
        views[lang] = LanguageViews(site, seen, lang, strings_for(lang), Dates(lang, settings.timezone), urls,
                                    cache.markup.setdefault(lang, Markup()),
                                    cache.entries.setdefault(lang, {}), cache.summaries.setdefault(lang, {}),
                                    cache.lines.setdefault(lang, {}), line_macro=line_macro, recorder=recorder)
    state = RenderState(site, facts, env, css_url, views, {}, cache.extras, recorder)
    for lang, view in views.items():
        contexts[lang] = Contexts(view, _common_context(state, view))
    state.contexts = contexts
    return state, [(css_path, css)]


def _common_context(state: RenderState, v: LanguageViews) -> Callable[[PageJob, str], dict[str, Any]]:
    settings = state.site.settings
    t = v.t
    nav = [
        {"id": "index", "label": t["status_page"], "url": v.urls.link("")},
        {"id": "history", "label": t["history"], "url": v.urls.link(history_page(1))},
        {"id": "help", "label": t["help"], "url": v.urls.link(help_page())},
    ]
    report_link = {"label": t["report_title"], "url": v.urls.link(REPORT_PAGE)}
    site_info = {
        "title": v.text(settings.title),
        "description": v.text(settings.description),
        "company": v.text(settings.company),
        "lang": v.lang,
        "report_url": settings.report_url,
        "timezone": settings.timezone,
        "home": v.urls.link(""),
    }
    feeds = [
        {"type": "application/atom+xml", "title": t["feed_atom"], "url": v.urls.link(feed("", "atom"))},
        {"type": "application/rss+xml", "title": t["feed_rss"], "url": v.urls.link(feed("", "rss"))},
    ]
    languages = [(lang, v.dates.language_name(lang), Urls(settings.base_url, lang, settings.default_language))
                 for lang in settings.languages]
    help_slugs = {lang: {p.slug for p in state.site.pages if p.lang == lang} for lang in settings.languages}

    def common(job: PageJob, title: str) -> dict[str, Any]:
        link = page_link(job)
        alternates = []
        for lang, name, urls in languages:
            target = link
            if job.kind == "article" and job.key not in help_slugs[lang]:
                target = help_page()
            if target is None:
                target = ""
            alternates.append({"lang": lang, "name": name, "url": urls.link(target),
                               "absolute": urls.absolute(target), "current": lang == v.lang})
        return {
            "site": site_info,
            "t": t,
            "nav": nav,
            "current": job.kind,
            "page_title": title,
            "canonical": v.urls.absolute(link) if link is not None else None,
            "alternates": alternates if link is not None else [],
            "languages": alternates,
            "css_url": state.css_url,
            "calendar_url": v.urls.link(CALENDAR),
            "api_url": v.urls.link(api_file("summary.json")),
            "feeds": feeds + _page_feeds(job, v),
            "footer_note": t["footer"].format(tz=settings.timezone),
            "report_link": report_link,
        }

    return common


def _page_feeds(job: PageJob, v: LanguageViews) -> list[dict[str, str]]:
    if job.kind == "component":
        page = component_page(job.key)
    elif job.kind == "entry" and job.key in v.facts.followed:
        return [{"type": "application/atom+xml", "title": v.t["follow_incident"],
                 "url": v.urls.link(feed(entry_page(job.key)))}]
    else:
        return []
    name = v.component(v.site.components[job.key]).name
    return [
        {"type": "application/atom+xml", "title": f"{name} · {v.t['feed_atom']}", "url": v.urls.link(feed(page, "atom"))},
        {"type": "application/rss+xml", "title": f"{name} · {v.t['feed_rss']}", "url": v.urls.link(feed(page, "rss"))},
    ]


def render_job(state: RenderState, job: PageJob) -> tuple[str, bytes]:
    path, data, _ = render_recorded(state, job)
    return path, data


def render_recorded(state: RenderState, job: PageJob) -> tuple[str, bytes, Record]:
    """The page, and what it read of the facts while its context was made and it was rendered."""
    contexts = state.contexts[job.lang]
    with state.recorder.recording() as reads:
        template_name, ctx = contexts.build(job)
        data = _utf8(state.env.get_template(template_name), ctx)
    return page_path(job, contexts.v.urls), data, state.recorder.record(reads)


# Pieces of a page joined at a time (a piece is a tag, a word, a value).
_PIECES = 8192


def _utf8(template: jinja2.Template, ctx: dict[str, Any]) -> bytes:
    """The page as UTF-8, its pieces joined a few thousand at a time: the status page or report of
    a site of thousands of components is millions of pieces, which held all at once would take
    ten times the page's own size. As fast as Template.render."""
    pieces = template.generate(ctx)
    parts = []
    while chunk := list(islice(pieces, _PIECES)):
        parts.append("".join(chunk).encode("utf-8"))
    return b"".join(parts)


# Worker processes inherit the prepared state through fork instead of pickling it.
_WORKER: dict[str, Any] = {}


def _render_share(share: tuple[str, Any, int]) -> tuple[str, list]:
    """One part of the pages, one language's feeds, or the other files: ("pages", [(path, record)]),
    ("feeds", [(path, digest)]) or ("extras", [(path, digest)])."""
    kind, index, count = share
    state, write = _WORKER["state"], _WORKER["write"]
    if kind == "extras":
        return kind, _write_extras(state, write, feeds=False)
    done: list = []
    if kind == "feeds":
        for path, data in feed_files(state, [index], remember=False):
            write(path, data)
            done.append((path, digest(data)))
        return kind, done
    jobs = _WORKER["jobs"]
    # A run of neighbouring pages rather than every count-th one: the fresh process then touches
    # (and copies from its parent) the entries of its run only, not some of every part of the heap.
    for job in jobs[len(jobs) * index // count:len(jobs) * (index + 1) // count]:
        path, data, record = render_recorded(state, job)
        write(path, data)
        done.append((path, record if _WORKER["records"] else ()))
    return kind, done


def render_site(state: RenderState, write: Callable[[str, bytes], None], workers: int | None = None,
                progress: Callable[[int], None] | None = None, records: dict[str, Record] | None = None,
                ) -> tuple[int, list[tuple[str, str]]]:
    """Render every page and every other file through write(path, bytes).

    Worker processes, a fresh fork for each share of the work, render the pages, each language's
    feeds and the other files (API, calendar, badges, sitemap). Returns the number of pages and
    (path, digest) of the other files. With records, fills it with what each page read (for the
    next incremental build), and the files other than pages are made in this process, where the
    next incremental build finds what they read.
    """
    jobs = plan_pages(state.site, state.facts)
    workers = workers or min(2, os.cpu_count() or 1)
    if workers <= 1 or len(jobs) < PARALLEL_THRESHOLD or "fork" not in multiprocessing.get_all_start_methods():
        files = _write_extras(state, write)
        for n, job in enumerate(jobs, 1):
            path, data, record = render_recorded(state, job)
            write(path, data)
            if records is not None:
                records[path] = record
            if progress and n % 200 == 0:
                progress(200)
        if progress:
            progress(len(jobs) % 200)
        return len(jobs), files
    here = records is not None
    newest_updates(state)  # sorted once, before the workers copy the memo
    _WORKER.update(state=state, jobs=jobs, write=write, records=here)
    page_count = workers * 4
    # A site of thousands of components has tens of thousands of feed items, as much work as its
    # pages: the longest shares first.
    shares = [] if here else [("feeds", lang, 1) for lang in state.site.settings.languages] + [("extras", "", 1)]
    shares += [("pages", i, page_count) for i in range(page_count)]
    files = _write_extras(state, write) if here else []
    _learn_before_forking(state)
    # Frozen objects are never visited by the workers' garbage collector, so the memory they
    # share with this process through fork stays shared instead of being copied page by page.
    gc.freeze()
    try:
        for kind, done in in_fresh_processes(_render_share, shares, workers):
            if kind != "pages":
                files.extend(done)
                continue
            if records is not None:
                records.update(done)
            if progress:
                progress(len(done))
    finally:
        gc.unfreeze()
        _WORKER.clear()
    return len(jobs), files


def _learn_before_forking(state: RenderState) -> None:
    """What every share would otherwise work out again in its fresh process: the compiled
    templates and the words of times and days."""
    for name in state.env.list_templates(filter_func=lambda name: name.endswith(".html")):
        try:
            state.env.get_template(name)
        except jinja2.TemplateError:
            pass  # a page that uses it reports it, as in a build done in one process
    moments = [update.at for entry in state.facts.entries for update in entry.updates]
    for views in state.views.values():
        views.dates.learn(moments)


def _write_extras(state: RenderState, write: Callable[[str, bytes], None], feeds: bool = True
                  ) -> list[tuple[str, str]]:
    """Write every non-page file as it is made (feeds of large sites weigh hundreds of megabytes:
    none is kept in memory); returns (path, digest) of each."""
    written = []
    for path, data in render_extras(state, feeds):
        if data is None:
            raise RuntimeError(f"{path}: an unchanged file in a build from scratch")  # a cache kept by mistake
        write(path, data)
        written.append((path, digest(data)))
    return written


def digest(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def render_extras(state: RenderState, feeds: bool = True) -> Iterator[tuple[str, bytes | None]]:
    """The non-page files: sitemap, robots.txt, feeds, JSON API, maintenance calendar, badges and the
    promises report's CSV and JSON.

    None instead of bytes: the same bytes as the previous build of this long-running process.
    """
    yield SITEMAP, sitemap_xml(state, plan_pages(state.site, state.facts))
    yield ROBOTS, robots_txt(state.site.settings.base_url)
    if feeds:
        yield from feed_files(state)
    yield from api_files(state)
    for lang in state.site.settings.languages:
        yield state.views[lang].urls.file(CALENDAR), maintenance_calendar(state, lang)
    yield from badge_files(state)
    yield from report_files(state.facts.memo[MEMO_KEY])
