"""Reading and checking the entry files of a large site in worker processes.

Ten thousand entry files take seconds to parse and check one after the other. An entry, and
the results of its own rules, depend on its file and the site's definitions only, so the files
are shared out between forked processes, each of which reads its part and runs the rules on it.
The entries come back pickled; what they point to of the definitions (lifecycles, statuses,
priorities, components) travels as a reference to this process's own object, so the site is
the same, object for object, as one read here.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import pickle
from datetime import datetime
from pathlib import Path
from typing import Any

from statusgen.errors import Diagnostic
from statusgen.loading import EntryReader, read_entry_files
from statusgen.loading.entries import EntryContext
from statusgen.model.entry import Entry
from statusgen.model.schedule import with_window_steps
from statusgen.model.site import Site
from statusgen.rules import check_entry

# Below this many entry files, starting processes and pickling cost more than they save.
THRESHOLD = 2000
PARTS_PER_WORKER = 4

RuleResults = dict[tuple[str, str, datetime], list[Diagnostic]]
_JOB: dict[str, Any] = {}  # what the workers inherit through fork
_NOT_KNOWN = object()


def shared_reader(now: datetime, rule_results: RuleResults, workers: int | None = None) -> EntryReader:
    """An entry reader for load_site that reads in worker processes, and puts the results of each
    entry's rules at `now` in rule_results (check_site's cache), so that they are not run again here."""

    def read(site: Site, ctx: EntryContext, names: list[str]) -> list[tuple[Entry | None, list[Diagnostic]]]:
        count = workers or min(2, os.cpu_count() or 1)
        if count < 2 or len(names) < THRESHOLD or "fork" not in multiprocessing.get_all_start_methods():
            return read_entry_files(Path(site.root), ctx, names)
        known = _definitions(site)
        _JOB.update(site=site, ctx=ctx, names=names, now=now, known=known)
        parts = count * PARTS_PER_WORKER
        try:
            with multiprocessing.get_context("fork").Pool(count) as pool:
                blobs = pool.map(_read_part, [(index, parts) for index in range(parts)])
        finally:
            _JOB.clear()
        read_back = []
        for blob in blobs:  # in the order of names
            for entry, found, results in _Unpickler(io.BytesIO(blob), known).load():
                if entry is not None:
                    rule_results[(entry.path, entry.source_hash, now)] = results
                read_back.append((entry, found))
        return read_back

    return read


def _read_part(share: tuple[int, int]) -> bytes:
    index, parts = share
    site, ctx, names, now = _JOB["site"], _JOB["ctx"], _JOB["names"], _JOB["now"]
    mine = names[index * len(names) // parts:(index + 1) * len(names) // parts]
    done = []
    for entry, found in read_entry_files(Path(site.root), ctx, mine):
        # The rules see the entry as check_site does: with the steps its window took by itself.
        results = check_entry(with_window_steps(entry, now), now, site) if entry is not None else []
        done.append((entry, found, results))
    buffer = io.BytesIO()
    _Pickler(buffer, _JOB["known"]).dump(done)
    return buffer.getvalue()


def _definitions(site: Site) -> dict[int, Any]:
    """The definition objects an entry may point to, by identity (the same in a forked worker)."""
    objects: list[Any] = [site.settings, *site.components.values(), *site.priorities.values()]
    for lifecycle in site.lifecycles.values():
        objects += [lifecycle, *lifecycle.statuses.values()]
    return {id(obj): obj for obj in objects}


class _Pickler(pickle.Pickler):
    def __init__(self, file, known: dict[int, Any]):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.known = known

    def persistent_id(self, obj):
        return id(obj) if self.known.get(id(obj), _NOT_KNOWN) is obj else None


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, known: dict[int, Any]):
        super().__init__(file)
        self.known = known

    def persistent_load(self, pid):
        return self.known[pid]
