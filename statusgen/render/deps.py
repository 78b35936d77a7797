"""What each page read of the facts, recorded as it reads it: incremental builds correct by construction.

Everything a page shows comes from three sources: the global inputs (definitions, help pages,
templates: any change to them means a full build), pure helpers (dates, URLs, Markdown), and the
facts of one build (entries, their states at `now`, component states, day bars, lists). Pages
reach the facts only through RecordedFacts, which notes every attribute, key and membership a
page reads, the moment it reads it. A page is current when every value it read still has the same
fingerprint; nothing is listed by hand, so a new value in a template context or a new page kind
is recorded like any other, and a page with no record, or one that read a value the fingerprint
cannot describe, is rendered ("unknown means re-render").

Cached views (an entry's view is shared by its page, the lists and the feeds) keep the reads they
made and replay them into the page that uses them, and are themselves recomputed when one of those
values changed.
"""

from __future__ import annotations

import dataclasses
import hashlib
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any, Callable, Iterator

from statusgen.model.entry import Entry
from statusgen.model.site import Component, Lifecycle, Priority, Status

Dep = tuple  # ("now",), ("states", entry_id), ("followed", entry_id, "in"), ("memo", "history")...
Record = tuple[tuple[Dep, bytes], ...]  # what a page read, with the fingerprint of each value
UNKNOWN_VALUE = b"?"  # a value with no fingerprint: never equal to anything, not even to itself
_KEPT = "_statusgen_fingerprint"  # where a frozen value keeps its fingerprint
_DEFINITIONS = (Status, Lifecycle, Priority, Component)  # global inputs: their id says enough


class Unknown(Exception):
    """A value the fingerprint cannot describe."""


def fingerprint(value: Any) -> bytes:
    """A short digest that changes whenever the value could render differently."""
    try:
        return hashlib.sha1(_describe(value)).digest()
    except Unknown:
        return UNKNOWN_VALUE


def _describe(value: Any) -> bytes:
    kind = type(value)
    if kind is str:
        data = value.encode("utf-8", "surrogatepass")
        return b"s" + len(data).to_bytes(8, "little") + data
    if value is None or kind in (bool, int, float):
        return kind.__name__.encode() + b":" + repr(value).encode() + b";"
    if kind in (datetime, date, timedelta):
        text = f"{value!r}|{getattr(value, 'tzinfo', '')}".encode()
        return b"d" + len(text).to_bytes(4, "little") + text
    if kind is Entry:  # its file says everything (definitions are global inputs)
        return b"e" + value.id.encode() + b"\0" + value.source_hash.encode() + b";"
    if kind in _DEFINITIONS:
        return _describe((kind.__name__, value.id))
    if kind in (list, tuple):
        return b"[" + b"".join(_describe(v) for v in value) + b"]"
    if kind is dict:
        return b"{" + b"".join(_describe(k) + _describe(v) for k, v in value.items()) + b"}"
    if kind in (set, frozenset):
        return b"<" + b"".join(sorted(_describe(v) for v in value)) + b">"
    if dataclasses.is_dataclass(value) and kind.__dataclass_params__.frozen and hasattr(value, "__dict__"):
        kept = value.__dict__.get(_KEPT)
        if kept is None:
            parts = [kind.__qualname__.encode(), b"("]
            parts += [_describe(getattr(value, f.name)) for f in dataclasses.fields(value)]
            kept = value.__dict__[_KEPT] = hashlib.sha1(b"".join(parts) + b")").digest()
        return kept
    raise Unknown(kind.__qualname__)


class Recorder:
    """Collects the reads of the facts of one build, for the page (or cached view) being made."""

    def __init__(self, facts):
        self.facts = facts
        self._open: list[set[Dep]] = []
        self._fingerprints: dict[Dep, bytes] = {}

    def read(self, dep: Dep) -> None:
        if self._open:
            self._open[-1].add(dep)

    def replay(self, deps) -> None:
        if self._open:
            self._open[-1].update(deps)

    @contextmanager
    def recording(self) -> Iterator[set[Dep]]:
        """The reads made inside the block; they count for the enclosing recording too."""
        found: set[Dep] = set()
        self._open.append(found)
        try:
            yield found
        finally:
            self._open.pop()
            self.replay(found)

    def value_of(self, dep: Dep) -> bytes:
        """The fingerprint, in this build, of what dep names (computed once per build)."""
        found = self._fingerprints.get(dep)
        if found is None:
            found = self._fingerprints[dep] = fingerprint(self.lookup(dep))
        return found

    def lookup(self, dep: Dep) -> Any:
        return _lookup(self.facts, dep)

    def record(self, deps) -> Record:
        return tuple(sorted((dep, self.value_of(dep)) for dep in deps))

    def current(self, record: Record | None) -> bool:
        """Whether everything a record read still has the fingerprint it had then."""
        if record is None:
            return False
        return all(value != UNKNOWN_VALUE and self.value_of(dep) == value for dep, value in record)


_MISSING = object()


def _lookup(facts, dep: Dep) -> Any:
    value = getattr(facts, dep[0])
    if len(dep) == 1:
        return value
    if len(dep) == 3:  # membership
        return dep[1] in value
    return value.get(dep[1], _MISSING) if value is not None else _MISSING


class RecordedMapping:
    """A mapping or set of the facts that notes each key read; reading it whole notes it whole."""

    __slots__ = ("_name", "_data", "_recorder")

    def __init__(self, name: str, data, recorder: Recorder):
        self._name, self._data, self._recorder = name, data, recorder

    def __getitem__(self, key):
        self._recorder.read((self._name, key))
        return self._data[key]

    def get(self, key, default=None):
        self._recorder.read((self._name, key))
        return self._data.get(key, default)

    def __contains__(self, key) -> bool:
        self._recorder.read((self._name, key, "in"))
        return key in self._data

    def __setitem__(self, key, value) -> None:  # the memo: values derived once per build
        self._data[key] = value

    def _whole(self):
        self._recorder.read((self._name,))
        return self._data

    def __iter__(self):
        return iter(self._whole())

    def __len__(self) -> int:
        return len(self._whole())

    def items(self):
        return self._whole().items()

    def keys(self):
        return self._whole().keys()

    def values(self):
        return self._whole().values()


_BY_KEY = frozenset({"states", "by_id", "component_state", "component_entries", "day_states", "day_entries",
                     "uptime", "uptime_recent", "component_changed", "memo", "followed", "history"})


class RecordedFacts:
    """The facts of a build as pages see them: every read is recorded."""

    def __init__(self, facts, recorder: Recorder):
        object.__setattr__(self, "_facts", facts)
        object.__setattr__(self, "_recorder", recorder)
        object.__setattr__(self, "_mappings", {})

    def __getattr__(self, name: str):
        value = getattr(self._facts, name)
        if name in _BY_KEY:
            wrapped = self._mappings.get(name)
            if wrapped is None:
                wrapped = self._mappings[name] = RecordedMapping(name, value, self._recorder)
            return wrapped
        # A method could read anything: its name is recorded, and has no fingerprint (always rendered).
        self._recorder.read((name,))
        return value

    @property
    def unrecorded(self):
        """The facts themselves, for code that renders whole-site files (feeds, API) rather than pages."""
        return self._facts


def cached_view(recorder: Recorder, cache: dict, key, compute: Callable[[], Any]) -> Any:
    """A view from cache when what it read is unchanged, else made again; its reads are replayed
    into the page that uses it, so the page depends on them too."""
    found = cache.get(key)
    if found is not None and recorder.current(found[1]):
        recorder.replay(dep for dep, _ in found[1])
        return found[0]
    with recorder.recording() as deps:
        value = compute()
    cache[key] = (value, recorder.record(deps))
    return value


class PageRecords:
    """What every page of an output read, indexed by what was read, so that an incremental build
    looks at each distinct value once rather than at every page."""

    def __init__(self):
        self._records: dict[str, Record] = {}
        self._pages_of: dict[Dep, set[str]] = {}
        self._values: dict[Dep, bytes] = {}  # each value as the output on disk saw it
        self._unknown: set[str] = set()  # pages that read a value with no fingerprint
        # The immutable objects behind those values: a later build that holds the very same object
        # (an entry or a state its caches kept) need not describe it again.
        self._objects: dict[Dep, Any] = {}

    def __len__(self) -> int:
        return len(self._records)

    def paths(self) -> set[str]:
        return set(self._records)

    def set(self, path: str, record: Record) -> None:
        self.remove(path)
        self._records[path] = record
        for dep, value in record:
            if value == UNKNOWN_VALUE:
                self._unknown.add(path)
            self._pages_of.setdefault(dep, set()).add(path)
            self._values[dep] = value

    def remove(self, path: str) -> None:
        old = self._records.pop(path, None)
        self._unknown.discard(path)
        for dep, _ in old or ():
            pages = self._pages_of.get(dep)
            if pages is not None:
                pages.discard(path)
                if not pages:
                    del self._pages_of[dep]
                    del self._values[dep]
                    self._objects.pop(dep, None)

    def stale(self, recorder: Recorder, paths) -> set[str]:
        """The pages among paths to render again: never rendered, reading an unknown value, or
        reading a value that changed."""
        stale = {path for path in paths if path not in self._records} | self._unknown
        objects = self._objects
        for dep, value in self._values.items():
            current = recorder.lookup(dep)
            if current is objects.get(dep, _MISSING):
                continue
            if recorder.value_of(dep) != value:
                stale |= self._pages_of[dep]
            if _immutable(current):
                objects[dep] = current
        return stale

    def note_objects(self, recorder: Recorder) -> None:
        """Remember the immutable objects behind every value (after a full build)."""
        for dep in self._values:
            current = recorder.lookup(dep)
            if _immutable(current):
                self._objects[dep] = current


def _immutable(value: Any) -> bool:
    kind = type(value)
    return kind is Entry or (dataclasses.is_dataclass(value) and kind.__dataclass_params__.frozen)
