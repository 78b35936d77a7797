"""The only place that reads the time: --now, else SOURCE_DATE_EPOCH, else the system clock."""

from __future__ import annotations

import os
from datetime import datetime, timezone

from statusgen.errors import StatusgenError, UsageProblem


def parse_now(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageProblem(f"--now: '{text}' is not an ISO 8601 time (e.g. 2026-11-20T15:00:00+01:00)")
    if value.tzinfo is None:
        raise UsageProblem(f"--now: '{text}' has no time zone (add +01:00 or Z)")
    return value


def resolve_now(option: str | None) -> datetime:
    """The moment the site is checked and built at."""
    if option:
        return parse_now(option)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise StatusgenError(f"SOURCE_DATE_EPOCH: '{epoch}' is not a number of seconds")
    return datetime.now(timezone.utc).replace(microsecond=0)
