"""What an importer reads from another tool, before it is mapped onto a statusgen site."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class ImportedComponent:
    """A service of the other tool's page."""

    source_id: str
    name: str
    group: str = ""
    description: str = ""


@dataclass(frozen=True)
class ImportedUpdate:
    """One message of a timeline, with the other tool's status and the component states it set."""

    at: datetime  # with the offset it was written with
    status: str
    body: str  # Markdown
    components: dict[str, str] = field(default_factory=dict)  # source component id -> state


@dataclass(frozen=True)
class ImportedEntry:
    """An incident or a maintenance window of the other tool."""

    source_id: str
    kind: str  # incident | maintenance
    title: str
    updates: tuple[ImportedUpdate, ...]  # oldest first
    impact: str = ""  # the other tool's impact or severity, mapped to a priority
    components: tuple[str, ...] = ()  # source component ids
    report: str = ""  # Markdown: the post-incident report
    shortlink: str = ""
    scheduled: tuple[datetime, datetime] | None = None
    retroactive: bool = False


@dataclass
class Dropped:
    """What an import could not bring, in words for the report."""

    lines: list[str] = field(default_factory=list)

    def add(self, line: str) -> None:
        if line not in self.lines:
            self.lines.append(line)


@dataclass(frozen=True)
class Imported:
    """Everything one importer read."""

    components: tuple[ImportedComponent, ...]
    entries: tuple[ImportedEntry, ...]
    dropped: Dropped
    origin: str  # statuspage | cstate
