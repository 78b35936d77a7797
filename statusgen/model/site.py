"""Site settings, components and the status definitions (lifecycles and priorities)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Mapping

from statusgen.model.text import LocalText
from statusgen.model.worktime import Duration, WorkCalendar

# Ordered from best to worst; the overall state of a page is the worst current one.
COMPONENT_STATES = (
    "operational",
    "under_maintenance",
    "degraded_performance",
    "partial_outage",
    "major_outage",
)
STATE_SEVERITY = {state: rank for rank, state in enumerate(COMPONENT_STATES)}

PHASES = ("open", "waiting", "resolved")
# Statuspage's statuses of maintenance work under way (the API's "active" maintenance).
WORK_STATUSES = ("in_progress", "verifying")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def worst_state(states) -> str:
    """The most severe of the given component states ('operational' when none)."""
    return max(states, key=STATE_SEVERITY.__getitem__, default="operational")


@dataclass(frozen=True)
class BusinessHours:
    """When the support team works; shown on help pages."""

    days: tuple[str, ...] = WEEKDAYS[:5]
    start: str = "09:00"
    end: str = "18:00"


@dataclass(frozen=True)
class Holiday:
    """A day the support team does not work, with its name per language."""

    day: date
    name: LocalText = field(default_factory=LocalText)


@dataclass(frozen=True)
class Feedback:
    """Where a customer rates how an entry was handled: URL templates with {id} and {lang}."""

    good: str
    bad: str

    def links(self, entry_id: str, lang: str) -> tuple[str, str]:
        return tuple(t.replace("{id}", entry_id).replace("{lang}", lang) for t in (self.good, self.bad))


@dataclass(frozen=True)
class Settings:
    """content/site.yaml."""

    title: LocalText
    base_url: str
    languages: tuple[str, ...] = ("en",)
    timezone: str = "UTC"
    description: LocalText = field(default_factory=LocalText)
    company: LocalText = field(default_factory=LocalText)
    business_hours: BusinessHours = field(default_factory=BusinessHours)
    business_hours_stated: bool = False  # site.yaml sets them: only then does the help centre state them
    report_url: str = ""
    default_update_cadence: Duration = Duration(timedelta(days=1))
    feed_items: int = 50
    history_per_page: int = 6
    since: date | None = None  # the day the page started recording; before it, the bars say "no data"
    holidays: tuple[Holiday, ...] = ()
    feedback: Feedback | None = None

    @property
    def calendar(self) -> WorkCalendar:
        """The business hours and holidays as the calendar working durations run on."""
        hours = self.business_hours
        return WorkCalendar(self.timezone, tuple(WEEKDAYS.index(d) for d in hours.days),
                            time.fromisoformat(hours.start), time.fromisoformat(hours.end),
                            frozenset(h.day for h in self.holidays))

    @property
    def default_language(self) -> str:
        return self.languages[0]


@dataclass(frozen=True)
class Component:
    """A service customers see on the status page."""

    id: str
    name: LocalText
    description: LocalText = field(default_factory=LocalText)
    group: LocalText | None = None
    position: int = 0
    source_id: str = ""  # its id in the tool it was imported from


@dataclass(frozen=True)
class Status:
    """One status of a lifecycle, with what it means for the customer."""

    id: str
    label: LocalText
    description: LocalText
    icon: str
    phase: str
    api_status: str = ""
    component_state: str | None = None  # None: inherit the lifecycle's default
    pauses_target: bool = False
    reminders: tuple[Duration, ...] = ()
    auto_resolve_after: Duration | None = None
    auto_resolve_to: str | None = None

    @property
    def is_resolved(self) -> bool:
        return self.phase == "resolved"

    @property
    def is_work_under_way(self) -> bool:
        return self.api_status in WORK_STATUSES


@dataclass(frozen=True)
class Lifecycle:
    """The statuses an entry moves through and the moves allowed."""

    id: str
    label: LocalText
    statuses: Mapping[str, Status]
    initial: tuple[str, ...]
    transitions: Mapping[str, tuple[str, ...]]
    terminal: tuple[str, ...]
    kind: str = "incident"  # incident | maintenance | known_issue: where the status page lists it
    api: str = "incidents"
    component_state: str = "from_priority"
    resolve_status: str = ""
    default_priority: str | None = None
    reopen: bool = False
    enforce_target: bool = True
    enforce_cadence: bool = True
    # Set when an interruption entirely outside business hours is not an incident for the targets:
    # the calendar whose next business moment starts them.
    outside_hours: WorkCalendar | None = None

    def allows(self, before: str, after: str) -> bool:
        """Whether an update may move from status before to status after."""
        if before in self.terminal and not self.reopen:
            return False
        return before == after or after in self.transitions.get(before, ())


@dataclass(frozen=True)
class Priority:
    """How urgent an entry is, and what that promises customers."""

    id: str
    label: LocalText
    description: LocalText
    resolution_target: Duration
    update_cadence: Duration
    component_state: str = "degraded_performance"
    api_impact: str = "minor"
    report_due_after: Duration | None = None
    rank: int = 0  # 0 = most urgent, in file order


@dataclass(frozen=True)
class Page:
    """A help-centre article in one language."""

    slug: str
    lang: str
    title: str
    summary: str
    order: int
    body: str
    path: str


@dataclass(frozen=True)
class Site:
    """Everything loaded from a site folder."""

    root: str
    settings: Settings
    components: Mapping[str, Component]
    lifecycles: Mapping[str, Lifecycle]
    priorities: Mapping[str, Priority]
    entries: tuple  # tuple[Entry, ...], sorted by start time, newest last
    pages: tuple[Page, ...] = ()
