"""What a command prints when something goes wrong that no rule of the site explains.

Anything a user can cause (a full disk, a read-only or vanished file) becomes one line naming the
path and what to do. Anything else is a bug in statusgen: one line says so, and --debug or
STATUSGEN_DEBUG=1 shows the traceback. Nothing reaches the terminal as a bare Python traceback.
"""

from __future__ import annotations

import errno
import os
import sys

import click

DEBUG_VARIABLE = "STATUSGEN_DEBUG"
BUG_EXIT = 70  # EX_SOFTWARE: scripts can tell a bug from a refusal (1) or a usage error (2)

_WHAT_TO_DO = {
    errno.ENOSPC: "free some disk space and run the command again",
    errno.EDQUOT: "free some space within your disk quota and run the command again",
    errno.EACCES: "check the permissions of that path, or run from a folder you may write to",
    errno.EPERM: "check the permissions of that path",
    errno.EROFS: "the file system is read-only: choose another --out or remount it writable",
    errno.ENOENT: "it does not exist, or disappeared while statusgen was using it; check the path and run again",
    errno.ENOTDIR: "a file stands where a folder is expected; move it away",
    errno.EISDIR: "a folder stands where a file is expected; move it away",
    errno.EMFILE: "too many open files; raise the limit (ulimit -n) and run the command again",
    errno.ENAMETOOLONG: "the path is too long for the file system; use a shorter id or --out",
    errno.EIO: "the disk reported an input/output error; check it and run the command again",
}


def debug_wanted() -> bool:
    return os.environ.get(DEBUG_VARIABLE, "") not in ("", "0")


def describe_os_error(exc: OSError) -> str:
    """One line: the path (when known), what happened, and what to do."""
    where = exc.filename if exc.filename is not None else ""
    if exc.filename2 is not None:
        where = f"{where} -> {exc.filename2}"
    reason = exc.strerror or str(exc) or type(exc).__name__
    advice = _WHAT_TO_DO.get(exc.errno or 0, "")
    line = f"{where}: {reason}" if where else reason
    return f"{line} ({advice})" if advice else line


RERUN_WITH_DEBUG = f"run the command again as `statusgen --debug ...` (or with {DEBUG_VARIABLE}=1)"


def describe_bug(exc: BaseException, how_to_see: str = RERUN_WITH_DEBUG) -> str:
    detail = str(exc).splitlines()[0] if str(exc) else ""
    name = type(exc).__name__ + (f": {detail}" if detail else "")
    return (f"internal error ({name}). This is a bug in statusgen, not in your files; {how_to_see} "
            "to see the details, and report it.")


def describe_failure(exc: BaseException, how_to_see: str = RERUN_WITH_DEBUG) -> str:
    """The one line for any exception a command or a rebuild did not expect."""
    if isinstance(exc, OSError):
        return describe_os_error(exc)
    if isinstance(exc, MemoryError):
        return "out of memory; close other programs or build on a larger machine"
    return describe_bug(exc, how_to_see)


class GuardedGroup(click.Group):
    """A command group whose commands never end in a traceback unless debugging was asked for."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            raise click.exceptions.Abort()
        except BrokenPipeError:
            _quiet_stdout()  # the reader (| head) has gone: nothing more to say
            ctx.exit(1)
        except Exception as exc:  # noqa: BLE001 - the point is to catch what nothing else did
            if debug_wanted():
                raise
            click.echo(f"Error: {describe_failure(exc)}", err=True)
            ctx.exit(1 if isinstance(exc, (OSError, MemoryError)) else BUG_EXIT)


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's last flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
