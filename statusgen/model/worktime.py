"""Working time: business hours, holidays, and the durations promises are measured in.

A calendar duration (48h, 1w) is elapsed time. A working duration (2 working days, 4 working hours)
only runs during business hours, in the site's time zone, on business days that are not holidays;
one working day is the length of one business day. Everything here is pure arithmetic on instants.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

ZERO = timedelta()


@dataclass(frozen=True)
class WorkCalendar:
    """When the support team works: weekdays (0 = Monday), hours in the zone, and holidays."""

    zone: str = "UTC"
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)
    start: time = time(9)
    end: time = time(18)
    holidays: frozenset[date] = field(default_factory=frozenset)

    @property
    def day_length(self) -> timedelta:
        """The length of one working day: one business day's hours."""
        return datetime.combine(date.min, self.end) - datetime.combine(date.min, self.start)

    def local_date(self, instant: datetime) -> date:
        return instant.astimezone(ZoneInfo(self.zone)).date()

    def hours_of(self, day: date) -> tuple[datetime, datetime] | None:
        """The business hours of a day as UTC instants (None: not a business day)."""
        return _hours_of(self, day)

    def is_business_time(self, instant: datetime) -> bool:
        hours = self.hours_of(self.local_date(instant))
        return hours is not None and hours[0] <= instant < hours[1]

    def next_business_moment(self, instant: datetime) -> datetime:
        """The instant itself during business hours, else the start of the next business hours."""
        return self.add(instant, ZERO)

    def add(self, instant: datetime, amount: timedelta) -> datetime:
        """The instant at which `amount` of working time has passed after `instant`."""
        now = instant.astimezone(timezone.utc)
        day = self.local_date(instant)
        for _ in range(_MAX_DAYS):
            hours = self.hours_of(day)
            if hours is not None and now < hours[1]:
                begin = max(now, hours[0])
                available = hours[1] - begin
                if amount < available or (amount == available and amount > ZERO):
                    return (begin + amount).astimezone(instant.tzinfo)
                amount -= available
            day += timedelta(days=1)
        raise ValueError("no business hours within the next hundred years")

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Working time elapsed from start to end (zero when end is not after start)."""
        if end <= start:
            return ZERO
        total = ZERO
        day, last = self.local_date(start), self.local_date(end)
        while day <= last:
            hours = self.hours_of(day)
            if hours is not None:
                begin, stop = max(start, hours[0]), min(end, hours[1])
                if stop > begin:
                    total += stop - begin
            day += timedelta(days=1)
        return total


_MAX_DAYS = 36600


@lru_cache(maxsize=65536)
def _hours_of(calendar: WorkCalendar, day: date) -> tuple[datetime, datetime] | None:
    if day.weekday() not in calendar.weekdays or day in calendar.holidays:
        return None
    zone = ZoneInfo(calendar.zone)
    return (datetime.combine(day, calendar.start, zone).astimezone(timezone.utc),
            datetime.combine(day, calendar.end, zone).astimezone(timezone.utc))


@dataclass(frozen=True)
class Duration:
    """A promised duration: elapsed time, or working time on a calendar.

    unit is how it was written, for display: '' (calendar), 'working_day' or 'working_hour';
    length is the elapsed or the working time it stands for.
    """

    length: timedelta
    calendar: WorkCalendar | None = None
    unit: str = ""

    @classmethod
    def working(cls, amount: float, unit: str, calendar: WorkCalendar) -> "Duration":
        """amount working days ('working_day') or working hours ('working_hour') on the calendar."""
        size = calendar.day_length if unit == "working_day" else timedelta(hours=1)
        return cls(size * amount, calendar, unit)

    @property
    def is_working(self) -> bool:
        return self.calendar is not None

    @property
    def amount(self) -> float:
        """The number as written: 2 for '2 working days', 4 for '4 working hours'."""
        if self.unit == "working_day":
            return self.length / self.calendar.day_length
        return self.length / timedelta(hours=1)

    def after(self, instant: datetime) -> datetime:
        """When this duration, started at instant, has run out."""
        if self.calendar is None:
            return instant + self.length
        return self.calendar.add(instant, self.length)

    def measure(self, start: datetime, end: datetime) -> timedelta:
        """The time from start to end that counts against this duration."""
        if self.calendar is None:
            return max(ZERO, end - start)
        return self.calendar.between(start, end)

    def less(self, used: timedelta) -> "Duration":
        """What is left of this duration once `used` of it has run."""
        return Duration(self.length - used, self.calendar, self.unit)

    def __mul__(self, share: float) -> "Duration":
        return Duration(self.length * share, self.calendar, self.unit)


def calendar_time(delta: timedelta) -> Duration:
    return Duration(delta)
