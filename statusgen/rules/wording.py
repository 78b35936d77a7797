"""Durations in the words used by diagnostics."""

from __future__ import annotations

from datetime import timedelta

from statusgen.model.worktime import Duration


def span(delta: timedelta | Duration) -> str:
    """'45 min', '6 h', '3 days': the largest unit that reads naturally; '2 working days' as written."""
    if isinstance(delta, Duration):
        if delta.is_working:
            return working_span(delta)
        delta = delta.length
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


def working_span(duration: Duration) -> str:
    """'2 working days', '4 working hours', '1.5 working days'."""
    amount = round(duration.amount, 2)
    number = f"{amount:g}"
    unit = "day" if duration.unit == "working_day" else "hour"
    return f"{number} working {unit}{'' if amount == 1 else 's'}"


def reminder_name(reminder: Duration) -> str:
    """'day-2' for a calendar reminder, '2-working-day' for a working one."""
    if reminder.is_working:
        return working_span(reminder).replace(" ", "-").removesuffix("s")
    return f"day-{reminder.length.days}"
