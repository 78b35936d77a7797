"""What makes `statusgen serve` rebuild: saves under the site's sources, and the clock reaching a new minute.

The source folders are watched from the moment they exist: the site folder itself is watched
(not its subfolders), so an `incidents/` or `templates/` created while serve runs, or removed
and created again, gets a watch of its own at once.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Callable

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import ObservedWatch

from statusgen.output import SOURCE_DIRS

QUIET_SECONDS = 0.25  # editors write several files per save: wait for the burst to end
CLOCK_POLL_SECONDS = 0.5  # how often the clock is read between saves: time-derived content lags at most this
CHANGES = frozenset({"created", "modified", "deleted", "moved", "closed"})


class ChangeWatcher(FileSystemEventHandler):
    """Collects changes under the site's sources; rebuilds once a burst of saves is over, or when
    outdated() says the moment of the last build has passed."""

    def __init__(self, rebuild: Callable[[str], None], out: Path, outdated: Callable[[], bool] = lambda: False):
        self.rebuild = rebuild
        self.out = out.resolve()
        self.outdated = outdated
        self.pending = threading.Event()
        self.last_event = 0.0

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in CHANGES:
            return  # reading files (opened, closed_no_write) is what a build itself does
        path = Path(str(event.src_path))
        if path.name.startswith(".") or path.name.endswith("~") or path.resolve().is_relative_to(self.out):
            return
        self.note_change()

    def note_change(self) -> None:
        self.last_event = time.monotonic()
        self.pending.set()

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            if self.pending.wait(timeout=CLOCK_POLL_SECONDS):
                while time.monotonic() - self.last_event < QUIET_SECONDS and not stop.is_set():
                    time.sleep(0.05)
                self.pending.clear()
                if not stop.is_set():
                    self.rebuild("save")
            elif self.outdated():
                self.rebuild("clock")


class SourceWatches(FileSystemEventHandler):
    """Keeps one recursive watch on each source folder that exists, watching the site folder for
    source folders that appear, disappear or are replaced."""

    def __init__(self, observer: Observer, root: Path, watcher: ChangeWatcher):
        self.observer = observer
        self.root = root.resolve()
        self.watcher = watcher
        self.watches: dict[str, ObservedWatch] = {}
        self.lock = threading.Lock()

    def start(self) -> None:
        self.observer.schedule(self, str(self.root), recursive=False)
        for name in SOURCE_DIRS:
            self._refresh(name)

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in ("created", "deleted", "moved"):
            return
        paths = [str(event.src_path)] + ([str(event.dest_path)] if event.event_type == "moved" else [])
        touched = [Path(p).name for p in paths if Path(p).parent == self.root and Path(p).name in SOURCE_DIRS]
        for name in touched:
            self._refresh(name)
        if touched:
            self.watcher.note_change()

    def _refresh(self, name: str) -> None:
        """A fresh watch on root/name when it is a folder, none otherwise. A watch does not follow
        its folder once deleted, so one is made again for every folder that appears."""
        folder = self.root / name
        with self.lock:
            old = self.watches.pop(name, None)
            if old is not None:
                try:
                    self.observer.unschedule(old)
                except KeyError:
                    pass  # already gone with its folder
            if folder.is_dir():
                self.watches[name] = self.observer.schedule(self.watcher, str(folder), recursive=True)
