"""Reading content/site.yaml, content/components.yaml and content/lifecycles.yaml."""

from __future__ import annotations

import ipaddress
import re
import zoneinfo
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from babel import Locale, UnknownLocaleError
from yaml.nodes import MappingNode

from statusgen.errors import Diagnostic, did_you_mean
from statusgen.loading.source import read_source
from statusgen.loading.yamlnodes import LANGUAGE_CODE, NodeReader, compose
from statusgen.model.site import WEEKDAYS, BusinessHours, Component, Feedback, Holiday, Settings
from statusgen.model.text import LocalText

SAFE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
MAX_ID = 64  # component ids name folders and files of the output (components/<id>/, badges/<id>.svg)
API_SECTIONS = ("incidents", "scheduled_maintenances", "none")
API_STATUSES = ("investigating", "identified", "monitoring", "resolved", "postmortem",
                "scheduled", "in_progress", "verifying", "completed")
API_IMPACTS = ("none", "minor", "major", "critical", "maintenance")
RESERVED_COMPONENT_IDS = ("status",)


def read_yaml(root: Path, rel: str, languages: tuple[str, ...]):
    source, problems = read_source(root / rel, root)
    reader = NodeReader(rel, 1, languages, shared=True)
    reader.diagnostics.extend(problems)
    if source is None:
        return None, reader
    node, problems = compose(source.text, rel, 1)
    reader.diagnostics.extend(problems)
    return node, reader


def load_settings(root: Path) -> tuple[Settings | None, list[Diagnostic]]:
    rel = "content/site.yaml"
    node, r = read_yaml(root, rel, ())
    fields = r.mapping(node, "", ("title", "description", "base_url", "languages", "timezone",
                                  "business_hours", "report_url", "default_update_cadence",
                                  "feed_items", "history_per_page", "company", "holidays", "feedback",
                                  "since"),
                       required=("title", "base_url"))
    if fields is None:
        if node is None and not r.diagnostics:
            r.report("empty-file", 1, "", "the file holds no settings")
        return None, r.diagnostics
    languages = _languages(r, fields.get("languages"))
    r.languages = languages
    title = r.text(fields.get("title"), "title")
    base_url = r.scalar(fields.get("base_url"), "base_url") or ""
    problem = check_base_url(base_url) if base_url else None
    if problem:
        r.report("invalid-value", fields["base_url"], "base_url", f"'{base_url}' {problem}",
                 "write it as https://status.example.com or https://example.com/status")
        base_url = ""
    # Absent or refused values take the defaults of the model's Settings.
    timezone = r.scalar(fields.get("timezone"), "timezone") or Settings.timezone
    if not _is_timezone(timezone):
        r.report("invalid-value", fields["timezone"], "timezone", f"unknown time zone '{timezone}'",
                 did_you_mean(timezone, zoneinfo.available_timezones()))
        timezone = Settings.timezone
    report_url = _address(r, fields.get("report_url"), "report_url", "https://example.com/contact")
    hours = _business_hours(r, fields.get("business_hours"))
    holidays = _holidays(r, fields.get("holidays"))
    r.calendar = Settings(title=LocalText(), base_url="", timezone=timezone, business_hours=hours,
                          holidays=holidays).calendar
    settings = Settings(
        title=title or LocalText.plain("Status"),
        base_url=base_url.rstrip("/"),
        languages=languages,
        timezone=timezone,
        description=r.text(fields.get("description"), "description") or LocalText(),
        company=r.text(fields.get("company"), "company") or LocalText(),
        business_hours=hours,
        business_hours_stated="business_hours" in fields,
        holidays=holidays,
        feedback=_feedback(r, fields.get("feedback")),
        report_url=report_url,
        default_update_cadence=r.duration(fields.get("default_update_cadence"), "default_update_cadence", r.calendar)
        or Settings.default_update_cadence,
        feed_items=r.integer(fields.get("feed_items"), "feed_items") or Settings.feed_items,
        history_per_page=r.integer(fields.get("history_per_page"), "history_per_page") or Settings.history_per_page,
        since=r.day(fields.get("since"), "since"),
    )
    return settings, r.diagnostics


def _address(r: NodeReader, node, field: str, example: str) -> str:
    """An http(s) or mailto: address, or '' when absent or refused."""
    value = r.scalar(node, field) or ""
    if value and not re.match(r"^(https?://[^\s\"'<>]+|mailto:[^\s\"'<>]+)$", value):
        r.report("invalid-value", node, field, f"'{value}' is not an http(s) or mailto: address",
                 f"write it as {example}")
        return ""
    return value


def _holidays(r: NodeReader, node) -> tuple[Holiday, ...]:
    """holidays: a list of ISO dates, each alone or as {date:, name:} with a name per language."""
    found: dict[date, Holiday] = {}
    for index, item in enumerate(r.sequence(node, "holidays") or ()):
        field = f"holidays[{index}]"
        name = LocalText()
        if isinstance(item, MappingNode):
            keys = r.mapping(item, field, ("date", "name"), required=("date",))
            if keys is None:
                continue
            item, field = keys["date"], f"{field}.date"
            name = r.text(keys.get("name"), f"{field[:-5]}.name") or LocalText()
        value = r.scalar(item, field)
        if value is None:
            continue
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            r.report("invalid-value", item, field, f"'{value}' is not a date", "write it as 2026-12-25")
            continue
        if day in found:
            r.report("duplicate-definition", item, field, f"{day.isoformat()} is listed twice")
            continue
        found[day] = Holiday(day, name)
    return tuple(sorted(found.values(), key=lambda h: h.day))


def _feedback(r: NodeReader, node) -> Feedback | None:
    """feedback: where a customer rates a resolved entry, good or bad ({id} and {lang} filled in)."""
    keys = r.mapping(node, "feedback", ("good", "bad"), required=("good", "bad"))
    if not keys:
        return None
    good = _address(r, keys.get("good"), "feedback.good", "https://example.com/rate?entry={id}&lang={lang}&rating=good")
    bad = _address(r, keys.get("bad"), "feedback.bad", "https://example.com/rate?entry={id}&lang={lang}&rating=bad")
    return Feedback(good, bad) if good and bad else None


_HOST_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")
_PORT = re.compile(r"^[0-9]{1,5}$")
_PATH = re.compile(r"^(?:[A-Za-z0-9._~!$&()*+,;=:@/-]|%[0-9A-Fa-f]{2})*$")


def check_base_url(url: str) -> str | None:
    """What keeps url from being the address the site is published at, or None when it can be.

    The one check of site.yaml's base_url and of `build --base-url`: an absolute http(s) URL with an
    ASCII host, a port in range, no user, query or fragment, and a path without empty or dot segments
    (every link and feed id of the site starts with it).
    """
    if not re.match(r"^https?://", url, re.IGNORECASE):
        return "is not an absolute URL starting with https:// or http://"
    if re.search(r"[^\x21-\x7e]", url):
        return "contains spaces, control or non-ASCII characters (percent-encode them; write the host in its xn-- form)"
    if "?" in url or "#" in url:
        return "has a query (?) or a fragment (#); the site's address cannot have one"
    try:
        parts = urlsplit(url)
    except ValueError:  # a malformed [IPv6] host
        return "is not a well-formed URL"
    if "@" in parts.netloc:
        return "holds a user name or password; the site's address cannot have one"
    host, port = parts.netloc, None
    if ":" in host and not host.endswith("]"):
        host, port = host.rsplit(":", 1)
    if port is not None and (not _PORT.match(port) or not 1 <= int(port) <= 65535):
        return f"has the port '{port}'; a port is a number from 1 to 65535"
    if not _is_host(host):
        return f"has the host '{host}', which is not a host name or an IP address"
    if not _PATH.match(parts.path):
        return "has a path with characters a URL cannot hold unencoded"
    segments = parts.path.split("/")[1:]
    if "" in segments[:-1] or any(s in (".", "..") for s in segments):
        return "has '//', '/./' or '/../' in its path"
    return None


def _is_host(host: str) -> bool:
    if host.startswith("[") and host.endswith("]"):
        try:
            ipaddress.IPv6Address(host[1:-1])
            return True
        except ValueError:
            return False
    labels = host.lower().removesuffix(".").split(".")
    return len(host) <= 253 and all(_HOST_LABEL.match(label) for label in labels)


def _is_timezone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
        return True
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False


def _languages(r: NodeReader, node) -> tuple[str, ...]:
    items = r.sequence(node, "languages")
    if items == []:
        r.report("invalid-value", node, "languages", "the list is empty", "list at least one language, e.g. [en]")
    if not items:
        return Settings.languages
    languages: list[str] = []
    for index, item in enumerate(items):
        code = r.scalar(item, f"languages[{index}]")
        if code is None:
            continue
        if not LANGUAGE_CODE.match(code) or not _has_locale(code):
            r.report("invalid-value", item, f"languages[{index}]", f"'{code}' is not a language code statusgen knows",
                     "use codes such as fr, en, pt-BR")
        elif code not in languages:
            languages.append(code)
    return tuple(languages) or Settings.languages


def _has_locale(code: str) -> bool:
    try:
        Locale.parse(code.replace("-", "_"))
        return True
    except (UnknownLocaleError, ValueError):
        return False


def _business_hours(r: NodeReader, node) -> BusinessHours:
    fields = r.mapping(node, "business_hours", ("days", "start", "end"))
    if not fields:
        return BusinessHours()
    days = []
    for index, item in enumerate(r.sequence(fields.get("days"), "business_hours.days") or ()):
        day = r.choice(item, f"business_hours.days[{index}]", WEEKDAYS, "invalid-value", "day")
        if day:
            days.append(day)
    hours = {}
    for key in ("start", "end"):
        value = r.scalar(fields.get(key), f"business_hours.{key}")
        if value is not None and not re.match(r"^([01][0-9]|2[0-3]):[0-5][0-9]$", value):
            r.report("invalid-value", fields[key], f"business_hours.{key}", f"'{value}' is not a time",
                     "write it as 09:00 (quoted: \"09:00\")")
            value = None
        if value:
            hours[key] = value
    if "start" in hours and "end" in hours and hours["end"] <= hours["start"]:
        r.report("invalid-value", fields["end"], "business_hours.end", "the day ends before it starts",
                 "give the end of the working day, e.g. \"18:00\"")
        hours = {}
    return BusinessHours(days=tuple(days) or BusinessHours.days, **hours)


def check_id(r: NodeReader, node, field: str) -> str | None:
    value = r.scalar(node, field)
    if value is None:
        return None
    if not SAFE_ID.match(value):
        r.report("unsafe-id", node, field, f"'{value}' is not a safe URL segment",
                 "use lowercase letters, digits, '-' and '_'")
        return None
    if len(value) > MAX_ID:
        r.report("unsafe-id", node, field, f"the id is {len(value)} characters long; the limit is {MAX_ID}",
                 "shorten it: ids name folders and files of the site")
        return None
    return value


def load_components(root: Path, languages: tuple[str, ...]) -> tuple[dict[str, Component], list[Diagnostic]]:
    rel = "content/components.yaml"
    node, r = read_yaml(root, rel, languages)
    fields = r.mapping(node, "", ("components",), required=("components",))
    components: dict[str, Component] = {}
    lines: dict[str, int] = {}
    for index, item in enumerate(r.sequence((fields or {}).get("components"), "components") or ()):
        field = f"components[{index}]"
        keys = r.mapping(item, field, ("id", "name", "description", "group", "source_id"),
                        required=("id", "name"))
        if keys is None:
            continue
        cid = check_id(r, keys.get("id"), f"{field}.id")
        if cid in RESERVED_COMPONENT_IDS:
            r.report("unsafe-id", keys["id"], f"{field}.id", f"'{cid}' is reserved (badges/{cid}.svg is the page's badge)",
                     "choose another id")
            cid = None
        name = r.text(keys.get("name"), f"{field}.name")
        if cid is None or name is None:
            continue
        if cid in components:
            r.report("duplicate-definition", keys["id"], f"{field}.id", f"'{cid}' is already defined on line {lines[cid]}")
            continue
        lines[cid] = r.line(keys["id"])
        components[cid] = Component(
            id=cid,
            name=name,
            description=r.text(keys.get("description"), f"{field}.description") or LocalText(),
            group=r.text(keys.get("group"), f"{field}.group"),
            position=len(components) + 1,
            source_id=r.origin(keys.get("source_id"), f"{field}.source_id"),
        )
    return components, r.diagnostics
