"""The only place that reads the time: --now, else SOURCE_DATE_EPOCH, else the system clock."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from statusgen.errors import UsageProblem


def parse_now(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageProblem(f"--now: '{text}' is not an ISO 8601 time (e.g. 2026-11-20T15:00:00+01:00)")
    if value.tzinfo is None:
        raise UsageProblem(f"--now: '{text}' has no time zone (add +01:00 or Z)")
    return within_range(value, "--now")


def local_time_problem(text: str, what: str) -> str | None:
    """Why text is not a time people write ('2026-11-26 22:00', with or without an offset), or None."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        return f"{what}: '{text}' is not a time (write it as 2026-11-26 22:00, in the site's time zone)"
    if not 1971 <= value.year <= 9000:
        return f"{what}: '{text}' is out of range (years 1971 to 9000)"
    return None


def parse_local(text: str, zone: str) -> datetime:
    """A time as people write it; without an offset, it is a time of the site's zone (local_time_problem
    says first whether it can be read)."""
    value = datetime.fromisoformat(text.strip())
    if value.tzinfo is None:
        local = value.replace(tzinfo=ZoneInfo(zone))
        value = local.replace(tzinfo=timezone(local.utcoffset()))  # a fixed offset, as files write it
    return value


def within_range(value: datetime, source: str) -> datetime:
    """Pages show the 90 days before now and windows after it: keep well inside what dates can hold."""
    if not 1971 <= value.year <= 9000:
        raise UsageProblem(f"{source}: {value.isoformat()} is out of range (years 1971 to 9000)")
    return value


def resolve_now(option: str | None) -> datetime:
    """The moment the site is checked and built at."""
    if option:
        return parse_now(option)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            moment = datetime.fromtimestamp(int(epoch), tz=timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise UsageProblem(f"SOURCE_DATE_EPOCH: '{epoch}' is not a number of seconds")
        return within_range(moment, "SOURCE_DATE_EPOCH")
    return datetime.now(timezone.utc).replace(microsecond=0)


def wall_time() -> float:
    """The real time, for what receivers compare with their own clocks (a webhook's timestamp) and
    for waiting between attempts; never the moment the site is seen at."""
    import time

    return time.time()
