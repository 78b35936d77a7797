"""What `statusgen notify` has delivered: the state file, and the lock that makes runs take turns.

The state file records, per channel, the keys of the messages each entry's updates were delivered
in. A key is written only once its delivery succeeded, and the file is replaced atomically after
each one: a run killed half-way loses nothing and repeats at most the message it was sending.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from statusgen.editing import atomic_write
from statusgen.errors import StatusgenError

STATE_FOLDER = ".statusgen"
STATE_FILE = f"{STATE_FOLDER}/notified.json"
VERSION = 1
# The lock is never committed; the state file may be (see docs/notify.md).
FOLDER_GITIGNORE = "# statusgen notify: the lock of a run in progress; notified.json may be committed\n*.lock\n"
LOCK_WAIT_SECONDS = 600.0


@dataclass
class Record:
    """One channel's deliveries: entry id -> keys of the messages delivered, and of those still owed
    for an update already announced (a webhook's component changes)."""

    baseline: str = ""  # when the channel was first seen (ISO time); empty: not yet
    delivered: dict[str, set[str]] = field(default_factory=dict)
    pending: dict[str, set[str]] = field(default_factory=dict)

    def has(self, entry_id: str, key: str) -> bool:
        return key in self.delivered.get(entry_id, ())

    def pending_of(self, entry_id: str) -> set[str]:
        return self.pending.get(entry_id, set())

    def add(self, entry_id: str, key: str, then: tuple[str, ...] = ()) -> None:
        """Record a delivered message; then: the messages of the same update still to send.

        What an update owes is fixed when it is announced: an entry edited afterwards (a component
        added to an old update) sends nothing more for it.
        """
        self.delivered.setdefault(entry_id, set()).add(key)
        left = self.pending.get(entry_id)
        if left is not None:
            left.discard(key)
            if not left:
                del self.pending[entry_id]
        if then:
            self.pending.setdefault(entry_id, set()).update(then)


@dataclass
class DeliveryState:
    path: Path
    channels: dict[str, Record] = field(default_factory=dict)
    exists: bool = False

    def record(self, channel_id: str) -> Record | None:
        return self.channels.get(channel_id)

    def to_json(self) -> bytes:
        data = {"version": VERSION, "channels": {
            cid: {"baseline": record.baseline,
                  "delivered": {eid: sorted(keys) for eid, keys in sorted(record.delivered.items())},
                  "pending": {eid: sorted(keys) for eid, keys in sorted(record.pending.items())}}
            for cid, record in sorted(self.channels.items())}}
        # One line per entry: a committed state file changes by a line or two per run.
        text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
        return (text + "\n").encode("utf-8")

    def save(self) -> None:
        prepare_folder(self.path)
        atomic_write(self.path, self.to_json())


def _unreadable(path: Path, why: str) -> StatusgenError:
    return StatusgenError(
        f"{path}: {why}; notify cannot tell what was delivered and sends nothing (restore the file from git "
        "or the CI cache; removing it makes the next run record every update as delivered without sending)")


def load_state(path: Path) -> DeliveryState:
    """The state at path; a missing file is an empty state, an unreadable one is refused."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return DeliveryState(path)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise _unreadable(path, f"not valid JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("channels"), dict):
        raise _unreadable(path, f"not a statusgen notify state file of version {VERSION}")
    state = DeliveryState(path, exists=True)
    for cid, value in data["channels"].items():
        delivered = value.get("delivered") if isinstance(value, dict) else None
        pending = value.get("pending", {}) if isinstance(value, dict) else None
        if not _keys_by_entry(delivered) or not _keys_by_entry(pending):
            raise _unreadable(path, f"the record of channel '{cid}' is malformed")
        state.channels[cid] = Record(str(value.get("baseline", "")),
                                     {eid: set(keys) for eid, keys in delivered.items()},
                                     {eid: set(keys) for eid, keys in pending.items() if keys})
    return state


def _keys_by_entry(value) -> bool:
    return isinstance(value, dict) and all(
        isinstance(keys, list) and all(isinstance(k, str) for k in keys) for keys in value.values())


def prepare_folder(path: Path) -> None:
    """Create the state's folder; the default one gets a .gitignore that keeps the lock out of git."""
    folder = path.parent
    if not folder.exists():
        folder.mkdir(parents=True)
    if folder.name == STATE_FOLDER and not (folder / ".gitignore").exists():
        (folder / ".gitignore").write_text(FOLDER_GITIGNORE, encoding="utf-8")


def lock_path(state_path: Path) -> Path:
    return state_path.with_name(state_path.name + ".lock")


@contextmanager
def run_lock(state_path: Path, wait: float = LOCK_WAIT_SECONDS,
             on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the lock of the state file for a whole run; a second run waits for the first.

    The kernel releases the lock of a process that died, so a lock file left behind by a killed
    run is simply taken over. The file keeps the holder's pid, only to say whom a run waits for.
    """
    path = lock_path(state_path)
    prepare_folder(state_path)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StatusgenError(f"{path}: another notify run (pid {_holder(fd)}) still holds the lock "
                                         f"after {wait:.0f} s; nothing was sent by this run") from None
                if on_wait and not told:
                    on_wait(f"waiting for another notify run (pid {_holder(fd)}) to finish")
                    told = True
                time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _holder(fd: int) -> str:
    try:
        return os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
    except OSError:
        return "unknown"
