"""Dates, times and durations in the site's time zone and the page's language, through Babel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import (
    format_timedelta,
    get_datetime_format,
    get_time_format,
    match_skeleton,
    parse_pattern,
)
from babel.numbers import format_decimal

from statusgen.model.worktime import Duration


# Moments whose words a Dates keeps.
MOMENTS_KEPT = 8192


@dataclass(frozen=True)
class When:
    """A moment as machine-readable ISO text and as words for the reader."""

    iso: str
    text: str
    date: str
    time: str


@lru_cache(maxsize=None)
def _pattern(locale: Locale, skeleton: str):
    """The locale's pattern for a skeleton such as 'yMMMd', parsed once."""
    formats = locale.datetime_skeletons
    return parse_pattern(formats[match_skeleton(skeleton, formats)].pattern)


class Dates:
    """Formats moments for one language in the site's time zone; patterns are parsed once."""

    def __init__(self, lang: str, timezone: str):
        self.locale = Locale.parse(lang.replace("-", "_"))
        self.zone = ZoneInfo(timezone)
        self._date = _pattern(self.locale, "yMMMd")
        self._day = _pattern(self.locale, "yMMMEd")
        self._month = _pattern(self.locale, "yMMMM")
        self._time = parse_pattern(get_time_format("short", locale=self.locale).pattern)
        self._glue = get_datetime_format("medium", locale=self.locale)
        self._cache: dict[datetime, When] = {}
        self._days: dict[date, str] = {}
        self._times: dict[tuple[int, int], str] = {}

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def when(self, moment: datetime) -> When:
        cached = self._cache.get(moment)
        if cached is None:
            if len(self._cache) >= MOMENTS_KEPT:  # every update has its own moment: bounded, like serve
                self._cache.clear()
            local = moment.astimezone(self.zone)
            day = self.short_day(local.date())
            time = self._clock(local.hour, local.minute)
            text = self._glue.replace("{1}", day).replace("{0}", time).replace("'", "")
            cached = When(iso=local.isoformat(), text=text, date=day, time=time)
            self._cache[moment] = cached
        return cached

    def day(self, value: date) -> str:
        return self._day.apply(value, self.locale)

    def short_day(self, value: date) -> str:
        # Babel re-reads month names on every call; thousands of entries share few days.
        text = self._days.get(value)
        if text is None:
            text = self._days[value] = self._date.apply(value, self.locale)
        return text

    def _clock(self, hour: int, minute: int) -> str:
        text = self._times.get((hour, minute))
        if text is None:
            text = self._times[(hour, minute)] = self._time.apply(time(hour, minute), self.locale)
        return text

    def learn(self, moments) -> None:
        """Format every time of day and the day of each moment now, once, for the processes that will
        be forked from this one: each would otherwise format them again through Babel."""
        for hour in range(24):
            for minute in range(60):
                self._clock(hour, minute)
        for day in {moment.astimezone(self.zone).date() for moment in moments}:
            self.short_day(day)

    def month(self, value: date) -> str:
        text = self._month.apply(value, self.locale)
        return text[:1].upper() + text[1:]

    def span(self, delta: timedelta, strings: dict[str, str]) -> str:
        """An elapsed time: '45 min', '2 h 15 min', then whole days or weeks in words."""
        minutes = max(0, round(delta.total_seconds() / 60))
        if minutes < 60:
            return strings["min"].format(n=minutes)
        hours, rest = divmod(minutes, 60)
        if hours < 48:
            if rest:
                return strings["hours_min"].format(h=hours, m=f"{rest:02d}")
            return strings["hours"].format(n=hours)
        return format_timedelta(delta, granularity="day", threshold=1000, locale=self.locale,
                                format="long") if delta < timedelta(days=14) else \
            format_timedelta(delta, threshold=1.0, locale=self.locale, format="long")

    def number(self, value: float) -> str:
        """A number in the language's notation: 1.5 or 1,5."""
        return format_decimal(value, locale=self.locale)

    def language_name(self, lang: str) -> str:
        """The name of a language in that language itself ('français', 'English')."""
        name = Locale.parse(lang.replace("-", "_")).get_display_name(lang.replace("-", "_")) or lang
        return name[:1].upper() + name[1:]


def promise_span(delta, dates: Dates, t: dict[str, str]) -> str:
    """An elapsed time, or a promised duration: '2 working days' as written, a calendar one as a span."""
    if isinstance(delta, Duration):
        if delta.is_working:
            amount = round(delta.amount, 2)
            key = "working_days" if delta.unit == "working_day" else "working_hours"
            return t[key + ("_one" if amount == 1 else "")].format(n=dates.number(amount))
        delta = delta.length
    return dates.span(delta, t)
