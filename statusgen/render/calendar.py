"""maintenance.ics: every announced maintenance window as an iCalendar event, in the default language."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from icalendar import Calendar, Event, vDuration

from statusgen.model.entry import Entry
from statusgen.render.markup import plain_text
from statusgen.render.state import RenderState
from statusgen.render.urls import entry_page

REFRESH = timedelta(hours=1)  # how often subscribed calendars should fetch the file again
PAST_WINDOWS = timedelta(days=90)  # older windows interest no subscriber and only slow calendars down


def was_cancelled(entry: Entry, resolved_at: datetime | None) -> bool:
    """A window closed before its end without the work ever starting was called off.

    The Statuspage mapping gives cancelled and completed the same api_status, so the timeline tells them
    apart: work that happened went through in_progress (or verifying) first.
    """
    if resolved_at is None or entry.scheduled_end is None or resolved_at >= entry.scheduled_end:
        return False
    return entry.work_started_at is None


def _utc(moment: datetime) -> datetime:
    # UTC times need no VTIMEZONE block; calendar applications show them in the reader's own zone.
    return moment.astimezone(timezone.utc)


def maintenance_calendar(state: RenderState, lang: str | None = None) -> bytes:
    """Upcoming windows and those of the last 90 days, in one language (default: the site's first);
    unchanged windows give unchanged bytes."""
    lang = lang or state.site.settings.default_language
    facts = state.facts
    since = facts.now - PAST_WINDOWS
    windows = [e for e in facts.entries
               if e.lifecycle.kind == "maintenance" and e.scheduled_start and e.scheduled_end
               and e.scheduled_end >= since]
    windows.sort(key=lambda e: (e.scheduled_start, e.id))
    signature = tuple((e.id, e.source_hash) for e in windows)
    cached = state.memo.get(("calendar", lang))
    if cached is None or cached[0] != signature:
        cached = state.memo[("calendar", lang)] = (signature, _calendar(state, windows, lang))
    return cached[1]


def _calendar(state: RenderState, windows: list[Entry], lang: str) -> bytes:
    site = state.site
    settings = site.settings
    v = state.views[lang]
    host = urlsplit(settings.base_url).hostname or "statusgen"
    cal = Calendar()
    cal.add("prodid", f"-//statusgen//{host}//{lang.upper()}")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{v.text(settings.title)} — {v.t['calendar']}")
    cal.add("x-wr-caldesc", v.text(settings.description) or v.text(settings.title))
    cal.add("x-wr-timezone", settings.timezone)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))
    for entry in windows:
        cal.add_component(_event(state, entry, host, lang))
    return cal.to_ical()


def _event(state: RenderState, entry: Entry, host: str, lang: str) -> Event:
    # Built from the model, not from the full entry view: a calendar needs none of the older messages.
    v = state.views[lang]
    entry_status = state.facts.states[entry.id]
    cancelled = was_cancelled(entry, entry_status.resolved_at)
    url = v.urls.absolute(entry_page(entry.id))
    summary = v.text(entry.title)
    if cancelled:
        # Applications that ignore STATUS still show the window as called off.
        summary = f"{v.text(entry_status.status.label)}{v.t['colon']}{summary}"
    description = [plain_text(v.html(entry.last_update.message))]
    if entry.impact:
        description.append(f"{v.t['impact']}{v.t['colon']}{plain_text(v.html(entry.impact))}")
    description.append(url)
    event = Event()
    event.add("uid", f"{entry.id}@{host}")
    # DTSTAMP is the last change of the entry, never the build time: unchanged content gives unchanged bytes.
    event.add("dtstamp", _utc(entry.last_update.at))
    event.add("created", _utc(entry.started_at))
    event.add("last-modified", _utc(entry.last_update.at))
    event.add("sequence", entry.last_update.index)
    event.add("dtstart", _utc(entry.scheduled_start))
    event.add("dtend", _utc(entry.scheduled_end))
    event.add("summary", summary)
    event.add("description", "\n\n".join(description))
    event.add("url", url)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT")  # a window on the status page does not make the subscriber busy
    names = [v.text(state.site.components[cid].name) for cid in entry.components if cid in state.site.components]
    if names:
        event.add("categories", names)
    return event
