"""The site as plain, frozen data: no I/O, no imports of the rest of statusgen."""

from statusgen.model.entry import Entry, Update
from statusgen.model.site import (
    COMPONENT_STATES,
    Component,
    Lifecycle,
    Page,
    Priority,
    Settings,
    Site,
    Status,
)
from statusgen.model.text import LocalText

__all__ = [
    "COMPONENT_STATES",
    "Component",
    "Entry",
    "Lifecycle",
    "LocalText",
    "Page",
    "Priority",
    "Settings",
    "Site",
    "Status",
    "Update",
]
