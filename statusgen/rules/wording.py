"""Durations in the words used by diagnostics."""

from __future__ import annotations

from datetime import timedelta


def span(delta: timedelta) -> str:
    """'45 min', '6 h', '3 days': the largest unit that reads naturally."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} min"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h"
    days = hours // 24
    if days % 7 == 0 and days >= 7:
        weeks = days // 7
        return f"{weeks} week{'s' if weeks > 1 else ''}"
    return f"{days} days"
