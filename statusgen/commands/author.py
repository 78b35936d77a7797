"""`statusgen new`, `update` and `resolve`: record incidents without hand-writing YAML.

An edit is checked with the same rules as `validate` before it is written; a refused edit
leaves the file byte-for-byte as it was. Every value given on the command line is written
quoted where needed, so it can only ever be read back as that one value: an unknown priority
or a status with a line break in it is refused by the rules, never injected into the YAML.
"""

from __future__ import annotations

import difflib
import os
import re
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator
from zoneinfo import ZoneInfo

from statusgen.editing import (ReadOnly, Text, TextFile, append_update, atomic_write, change_lines, flow_item,
                               folder_lock, refuse_read_only, replace_body, set_top_level, text_field)
from statusgen.errors import ERROR, Diagnostic, StatusgenError, UsageProblem, did_you_mean
from statusgen.failures import describe_os_error
from statusgen.loading import load_definitions, load_site, require_site
from statusgen.loading.entries import EntryContext, entry_file_names, entry_from_source
from statusgen.loading.source import Source, read_source, relative
from statusgen.model.entry import Entry
from statusgen.model.site import Site
from statusgen.render.urls import Urls, entry_page
from statusgen.rules.lifecycle import (check_initial_status, check_no_change, check_reminders, check_timestamps,
                                      check_transitions)
from statusgen.model.state import entry_state
from statusgen.rules.promises import check_resolution_message
from statusgen.model.debts import debt_of, next_reminder

# A text from the command line: one string, or (language, text) pairs where None stands for
# the site's default language (known only once the site is read).
Given = str | list[tuple[str | None, str]]


class EditRefused(StatusgenError):
    """An edit that breaks the rules: the diagnostics say why, the file is untouched."""

    def __init__(self, diagnostics: list[Diagnostic], outcome: str = "the file is unchanged"):
        self.diagnostics = diagnostics
        super().__init__(f"refused, {outcome}:\n" + "\n".join(d.format() for d in diagnostics))


@dataclass(frozen=True)
class Written:
    path: Path
    entry: Entry
    url: str
    warnings: tuple[Diagnostic, ...] = ()  # what validate will say of what this edit wrote


@dataclass(frozen=True)
class Checked:
    entry: Entry
    warnings: tuple[Diagnostic, ...]


def load_for_edit(root: Path) -> Site:
    """The site's definitions, without its entries: an edit reads and checks only the one entry it touches."""
    require_site(root)
    site, diagnostics = load_definitions(root)
    if site is None:
        raise StatusgenError("\n".join(d.format() for d in diagnostics) or "cannot read content/site.yaml")
    return site


def context_of(site: Site) -> EntryContext:
    return EntryContext(site.settings.languages, dict(site.components), dict(site.lifecycles),
                        dict(site.priorities))


def local_time(moment: datetime, site: Site) -> str:
    """A timestamp as people write it: the site's time zone, to the second, with its offset.

    Seconds, not minutes: two updates posted within one minute are two moments, and both land.
    """
    return moment.astimezone(ZoneInfo(site.settings.timezone)).replace(microsecond=0).isoformat()


def in_languages(site: Site, given: Given, option: str) -> Text:
    """A text as it will be written: the default language named, every text valid Unicode."""
    texts = [given] if isinstance(given, str) else [text for _, text in given]
    for text in texts:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise UsageProblem(f"{option}: the text is not valid UTF-8; check the terminal's encoding")
    if isinstance(given, str):
        return given
    return [(lang or site.settings.default_language, text) for lang, text in given]


def find_entry_file(root: Path, entry_id: str) -> Path:
    """The file of an entry, by id (file name without .md) or by its path under incidents/."""
    candidate = Path(entry_id)
    if candidate.suffix == ".md" and (root / candidate).is_file():
        path = root / candidate
        if not path.resolve().is_relative_to((root / "incidents").resolve()):
            raise StatusgenError(f"{entry_id} is not under incidents/; statusgen edits entries only")
        return path
    ids = entry_ids(root)
    matches = [Path(name) for name, stem in ids.items() if stem == entry_id.removesuffix(".md")]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        close = closest_id(entry_id.removesuffix(".md"), list(ids.values()))
        # did_you_mean words the hint; given the closest id itself, it names exactly that one.
        hint = did_you_mean(close, [close]) if close else "give the file name without .md, as `ls incidents` shows"
        raise StatusgenError(f"no entry '{entry_id}' in incidents/ ({hint})")
    raise StatusgenError(f"several files are named {entry_id}.md: " + ", ".join(str(m) for m in matches))


def entry_ids(root: Path) -> dict[str, str]:
    """The id (file name without .md) of every entry file, by path: strings only, as a large site lists
    ten thousand of them for each edit."""
    return {name: os.path.splitext(os.path.basename(name))[0] for name in entry_file_names(root)}


def closest_id(word: str, ids: list[str]) -> str | None:
    """The entry id nearest to word, comparing whole ids, their beginnings and their slugs.

    Ids are long: a typo in a shortened one ('2026-11-20-paiemnts') is far from every full id
    but close to the beginning of the one meant.
    """
    def score(entry_id: str) -> float:
        slug = entry_id[11:]
        forms = (entry_id, entry_id[:len(word)], slug, slug[:len(word)])
        return max(difflib.SequenceMatcher(None, word, form).ratio() for form in forms if form)

    best = max(ids, key=score, default=None)
    return best if best is not None and score(best) >= 0.6 else None


def _checked(site: Site, text: str, raw: bytes, rel: str, entry_id: str, now: datetime,
             outcome: str = "the file is unchanged", written: Callable[[Diagnostic], bool] = lambda d: False
             ) -> Checked:
    """The entry the new text describes, or EditRefused with every error it would have.

    written(diagnostic) tells the diagnostics about what this edit wrote: their warnings are returned
    to be shown, and a change that changes nothing (no-change) is refused, as a command is for a change.
    """
    source = Source(rel, text, raw)
    entry, found = entry_from_source(source, entry_id, context_of(site))
    if entry is not None:
        for rule in (check_initial_status, check_transitions, check_timestamps, check_resolution_message,
                     check_reminders, check_no_change):
            found += rule(entry, now, site)
    errors = [d for d in found if d.level == ERROR or (d.rule == "no-change" and written(d))]
    if errors or entry is None:
        raise EditRefused(errors, outcome)
    return Checked(entry, tuple(d for d in found if written(d)))


def _in_update(index: int) -> Callable[[Diagnostic], bool]:
    return lambda d: d.field == f"updates[{index}]" or d.field.startswith(f"updates[{index}].")



def entry_url(site: Site, entry_id: str) -> str:
    settings = site.settings
    return Urls(settings.base_url, settings.default_language, settings.default_language).absolute(entry_page(entry_id))


@contextmanager
def reported_os_errors(root: Path, outcome: str) -> Iterator[None]:
    """A file system failure as one line naming the path and what to do, never a traceback."""
    try:
        yield
    except ReadOnly as exc:
        where = relative(Path(exc.filename), root)
        slash = "/" if Path(exc.filename).is_dir() else ""
        raise StatusgenError(f"{where}{slash} is read-only; {outcome} (if it is meant to change, make it "
                             f"writable: chmod u+w {where})") from None
    except OSError as exc:
        exc.filename = relative(Path(exc.filename), root) if exc.filename else "incidents/"
        exc.filename2 = None  # a temporary file's name would only confuse
        raise StatusgenError(f"{describe_os_error(exc)}; {outcome}") from None


@dataclass(frozen=True)
class UpdateSpec:
    """What one appended update says: each field left at None (or empty) changes nothing."""

    status: str | None = None  # None: the entry's current status (or its resolving one, with resolve)
    message: Given | None = None
    priority: str | None = None
    components: tuple[tuple[str, str], ...] = ()  # (component id, state)
    impact: Given | None = None
    workaround: Given | None = None
    title: Given | None = None
    reminder: bool = False
    resolve: bool = False

    def changes_something(self) -> bool:
        return bool(self.priority or self.components or self.impact is not None or self.workaround is not None
                    or self.title is not None)


def append(root: Path, entry_id: str, status: str | None, message: Given | None, at: datetime | None,
           now: datetime, resolve: bool = False) -> Written:
    """Add an update to an entry; with resolve, in the lifecycle's resolving status."""
    return append_spec(root, entry_id, UpdateSpec(status=status, message=message, resolve=resolve), at, now)


def append_spec(root: Path, entry_id: str, spec: UpdateSpec, at: datetime | None, now: datetime,
                precheck: Precheck | None = None, site: Site | None = None) -> Written:
    """Add one update to an entry, checked by the rules; refused, the file is left as it was.

    precheck(entry, moment) may refuse the edit (StatusgenError) after the entry is read, under the lock.
    """
    with reported_os_errors(root, "the file is unchanged"):
        site = site or load_for_edit(root)
        path = find_entry_file(root, entry_id)
        with folder_lock(path.parent):
            refuse_read_only(path)
            data, checked = _appended(site, root, path, spec, at or now, now, precheck)
            atomic_write(path, data)
    return Written(path, checked.entry, entry_url(site, path.stem), checked.warnings)


Precheck = Callable[[Entry, datetime], None]


def read_entry(site: Site, root: Path, path: Path) -> tuple[Source, Entry]:
    """An entry file as it is now; EditRefused when it has errors to fix first."""
    rel = relative(path, root)
    source, problems = read_source(path, root)
    current = None
    if source is not None:
        current, problems = entry_from_source(source, path.stem, context_of(site))
    errors = [d for d in problems if d.level == ERROR]
    if errors or current is None or source is None:
        raise EditRefused(errors, f"{rel} has errors to fix first; it is unchanged")
    return source, current


def _appended(site: Site, root: Path, path: Path, spec: UpdateSpec, moment: datetime,
              now: datetime, precheck: Precheck | None) -> tuple[bytes, Checked]:
    """The file's new bytes and the entry they describe; EditRefused if the file or the edit breaks a rule."""
    rel = relative(path, root)
    source, current = read_entry(site, root, path)
    if precheck is not None:
        precheck(current, moment)
    status = spec.status or current.last_update.status
    if spec.resolve:
        status = current.lifecycle.resolve_status
        if not status:
            raise StatusgenError(f"lifecycle '{current.lifecycle.id}' sets no resolve_status; "
                                 "use statusgen update with --status")
    original = TextFile.decode(source.raw)
    message = None if spec.message is None else in_languages(site, spec.message, "--message")
    try:
        text = append_update(original.text, local_time(moment, site), status, message, _change_lines(site, spec))
    except StatusgenError as exc:
        raise StatusgenError(f"{rel}: {exc.message}; the file is unchanged") from None
    data = original.encode(text)
    return data, _checked(site, text, data, rel, path.stem, now, written=_in_update(len(current.updates)))


def _change_lines(site: Site, spec: UpdateSpec) -> list[str]:
    texts = [(name, in_languages(site, value, f"--{name}")) for name, value in
             (("title", spec.title), ("impact", spec.impact), ("workaround", spec.workaround)) if value is not None]
    return change_lines(priority=spec.priority, components=spec.components, texts=texts,
                        flags=("reminder",) if spec.reminder else ())


def remind(root: Path, entry_id: str, message: Given | None, at: datetime | None, now: datetime) -> Written:
    """Record the reminder due now, sent to the customer the entry waits on: an update in the same status."""
    def reminder_is_due(entry: Entry, moment: datetime) -> None:
        if entry.status_of(entry.last_update).phase != "waiting":
            return  # the reminder rule refuses it, with validate's message
        if debt_of(entry, moment, "reminder_due") is None:
            upcoming = next_reminder(entry, moment)
            when = f"; the next one is due on {upcoming.isoformat()}" if upcoming else ""
            raise StatusgenError(f"no reminder is due on {entry.id} at {moment.isoformat()}{when}; "
                                 "the file is unchanged (pass --at to record one sent earlier)")

    return append_spec(root, entry_id, UpdateSpec(message=message, reminder=True), at, now,
                       precheck=reminder_is_due)


def close_stale(root: Path, now: datetime) -> tuple[list[Written], list[str]]:
    """Write each automatic resolution reached by now as the entry's resolving update.

    The update is dated when the entry resolved (its auto-resolve day), and says so in every language.
    An entry that cannot be written (read-only...) does not stop the others: (written, problems).
    """
    require_site(root)
    site, diagnostics = load_site(root)
    errors = [d for d in diagnostics if d.level == ERROR]
    if site is None or errors:
        raise EditRefused(errors, "nothing was written; fix the site first (statusgen validate)")
    closed, problems = [], []
    for entry in site.entries:
        state = entry_state(entry, now)
        if state.auto_resolved_at is None:
            continue
        waiting = entry.status_of(entry.last_update)
        message = auto_resolution_message(site, waiting.auto_resolve_after)
        spec = UpdateSpec(status=state.status.id, message=message)
        try:
            closed.append(append_spec(root, entry.path, spec, state.auto_resolved_at, now, site=site))
        except StatusgenError as exc:
            problems.append(exc.message)
    return closed, problems


def auto_resolution_message(site: Site, after) -> list[tuple[str, str]]:
    """'Resolved automatically after 10 days without an answer', in each language of the site."""
    from statusgen.render.dates import Dates, promise_span
    from statusgen.render.strings import strings_for

    pairs = []
    for lang in site.settings.languages:
        t = strings_for(lang)
        span = promise_span(after, Dates(lang, site.settings.timezone), t)
        pairs.append((lang, t["auto_resolved"].format(span=span) + "."))
    return pairs


def record_report(root: Path, entry_id: str, cause: Given | None, kind: str | None, report_file: Path | None,
                  replace_existing: bool, now: datetime) -> Written:
    """Set the entry's root cause and its kind, and its post-incident report (the file's body)."""
    with reported_os_errors(root, "the file is unchanged"):
        site = load_for_edit(root)
        body = _report_text(report_file) if report_file is not None else None
        path = find_entry_file(root, entry_id)
        with folder_lock(path.parent):
            refuse_read_only(path)
            rel = relative(path, root)
            source, current = read_entry(site, root, path)
            taken = []
            if cause is not None and (current.root_cause or current.root_cause_kind):
                taken.append(f"a root cause (line {current.line_of('root_cause')})")
            if body is not None and current.report.strip():
                taken.append("a report (the text after the front matter)")
            if taken and not replace_existing:
                raise StatusgenError(f"{rel} already has {' and '.join(taken)}; pass --replace to change it; "
                                     "the file is unchanged")
            original = TextFile.decode(source.raw)
            text = original.text
            try:
                if cause is not None:
                    text = set_top_level(text, "root_cause", text_field("root_cause",
                                                                        in_languages(site, cause, "--root-cause"), 0))
                    text = set_top_level(text, "root_cause_kind", f"root_cause_kind: {flow_item(kind or '')}")
                if body is not None:
                    text = replace_body(text, body)
            except StatusgenError as exc:
                raise StatusgenError(f"{rel}: {exc.message}; the file is unchanged") from None
            data = original.encode(text)
            checked = _checked(site, text, data, rel, path.stem, now,
                               written=lambda d: d.field.startswith(("root_cause", "report")))
            atomic_write(path, data)
    return Written(path, checked.entry, entry_url(site, path.stem), checked.warnings)


def _report_text(path: Path) -> str:
    """A report file's Markdown; refused unless it is UTF-8 text."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UsageProblem(f"--report-file: {path} does not exist") from None
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff").replace("\r\n", "\n")
    except UnicodeDecodeError as exc:
        raise UsageProblem(f"--report-file: {path} is not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    if not text.strip():
        raise UsageProblem(f"--report-file: {path} is empty")
    if text.startswith("---\n"):
        raise UsageProblem(f"--report-file: {path} starts with front matter ('---'); give the report's "
                           "Markdown only, without a '---' block")
    return text


# Letters that Unicode does not decompose into a base letter and an accent.
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ø": "o", "Ø": "O",
                            "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "þ": "th", "Þ": "TH"})


def slugify(title: str) -> str:
    """A URL-safe slug: accents folded, lowercase, words joined by hyphens, at most 60 characters."""
    folded = unicodedata.normalize("NFKD", title.translate(_LIGATURES))
    folded = folded.encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    return slug[:60].rstrip("-") or "entry"


def new_entry_text(*, title: Text, lifecycle: str, priority: str | None, components: list[str], impact: Text,
                   at: str, status: str, message: Text, window: tuple[str, str] | None) -> str:
    lines = ["---", text_field("title", title, 0), f"lifecycle: {flow_item(lifecycle)}"]
    if priority:
        lines.append(f"priority: {flow_item(priority)}")
    if components:
        lines.append(f"components: [{', '.join(flow_item(c) for c in components)}]")
    if impact:
        lines.append(text_field("impact", impact, 0))
    if window:
        lines.append(f"scheduled: {{start: {window[0]}, end: {window[1]}}}")
    lines += ["updates:", f"  - at: {at}", f"    status: {flow_item(status)}", text_field("message", message, 4),
              "---", ""]
    return "\n".join(lines)


def create(root: Path, *, kind: str, title: Given, priority: str | None, components: list[str], impact: Given,
           status: str | None, message: Given, at: datetime | None, window: tuple[datetime, datetime] | None,
           now: datetime, site: Site | None = None) -> Written:
    """Write a new entry file under incidents/, named after its date and title."""
    site = site or load_for_edit(root)
    lifecycle = site.lifecycles.get(kind)
    if lifecycle is None:
        raise StatusgenError(f"no lifecycle '{kind}' in content/lifecycles.yaml")
    title, message = in_languages(site, title, "--title"), in_languages(site, message, "--message")
    impact = in_languages(site, impact, "--impact")
    moment = at or now
    stamp = local_time(moment, site)
    status = status or lifecycle.initial[0]
    text = new_entry_text(title=title, lifecycle=kind, priority=priority, components=components, impact=impact,
                          at=stamp, status=status, message=message,
                          window=(local_time(window[0], site), local_time(window[1], site)) if window else None)
    plain_title = title if isinstance(title, str) else title[0][1]
    base = f"{stamp[:10]}-{slugify(plain_title)}"
    data = text.encode("utf-8")
    nothing = "nothing was written"
    # Checked before the folder is even created: a refused entry leaves no trace.
    checked = _checked(site, text, data, f"incidents/{base}.md", base, now, nothing, written=lambda d: True)
    with reported_os_errors(root, nothing):
        folder = root / "incidents"
        folder.mkdir(exist_ok=True)
        with folder_lock(folder):
            taken = set(entry_ids(root).values())
            name, n = base, 2
            while name in taken:
                name, n = f"{base}-{n}", n + 1
            path = folder / f"{name}.md"
            if name != base:
                checked = _checked(site, text, data, relative(path, root), name, now, nothing, written=lambda d: True)
            atomic_write(path, data, exclusive=True)
    return Written(path, checked.entry, entry_url(site, name), checked.warnings)
