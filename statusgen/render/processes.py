"""Runs shares of a build in forked processes, a fresh one for each share.

A process that lived through several shares would keep what each of them left in its heap (the
memory Python frees is seldom given back), so the largest process of a build would grow with the
site. A fresh fork starts from the parent's prepared state, shared page by page with the parent,
and holds at most one share's work on top of it. Forking costs a few milliseconds.

No thread is started here: forking a process that runs threads can copy a lock another thread
holds, and the copy would never be released in the child.
"""

from __future__ import annotations

import multiprocessing
import signal
from contextlib import suppress
from multiprocessing.connection import Connection, wait
from typing import Any, Callable, Iterable, Iterator

from statusgen.errors import StatusgenError

DIED = ("a process rendering the pages stopped before it finished (out of memory, or killed); nothing "
        "was written: build again, on a machine with more memory if it happens again")


def in_fresh_processes(work: Callable[[Any], Any], shares: Iterable[Any], at_once: int) -> Iterator[Any]:
    """work(share) for each share, in a new forked process, at_once of them at a time; the results
    in the order they finish. An exception raised by work is raised here; a process that dies
    (killed, out of memory) raises StatusgenError. On any error, the processes still running are
    killed."""
    context = multiprocessing.get_context("fork")
    waiting = list(shares)[::-1]
    running: dict[Connection, Any] = {}
    try:
        while waiting or running:
            while waiting and len(running) < at_once:
                reader, writer = context.Pipe(duplex=False)
                process = context.Process(target=_child, args=(work, waiting.pop(), writer), daemon=True)
                process.start()
                writer.close()  # the child holds the only writing end: its death ends the pipe
                running[reader] = process
            for reader in wait(list(running)):
                yield _outcome(reader, running.pop(reader))
    finally:
        for reader, process in running.items():
            process.kill()
            process.join()
            process.close()
            reader.close()


def _outcome(reader: Connection, process) -> Any:
    try:
        failed, value = reader.recv()
    except (EOFError, OSError):
        raise StatusgenError(DIED) from None
    finally:
        reader.close()
        process.join()
        process.close()  # its sentinel's descriptor: serve builds again and again
    if failed:
        raise value
    return value


def _child(work: Callable[[Any], Any], share: Any, writer: Connection) -> None:
    # Ctrl-C reaches every process of the terminal's group: the parent stops the build and kills
    # the shares still running, which must not each print a traceback of their own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        outcome = (False, work(share))
    except BaseException as exc:  # noqa: BLE001 - handed to the parent, which decides
        outcome = (True, exc)
    try:
        writer.send(outcome)
    except OSError:
        pass  # the parent stopped listening: the build failed elsewhere
    except Exception as exc:  # noqa: BLE001 - an exception that cannot be pickled
        with suppress(OSError):
            writer.send((True, RuntimeError(f"{type(exc).__name__} in a worker process: {outcome[1]!r}")))
    finally:
        writer.close()
