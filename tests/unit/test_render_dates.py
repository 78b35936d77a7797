"""statusgen/render/dates.py: moments in words, remembered within bounds."""

from __future__ import annotations

from datetime import timedelta

from sitekit import t
from statusgen.render import dates
from statusgen.render.dates import Dates


def test_moments_in_words_are_remembered_within_a_bound(monkeypatch):
    monkeypatch.setattr(dates, "MOMENTS_KEPT", 5)
    english = Dates("en", "Europe/Paris")
    moments = [t("2026-11-20 09:12") + timedelta(minutes=7 * n) for n in range(12)]
    first = [english.when(moment) for moment in moments]
    assert len(english._cache) <= 5
    assert first[0].text == "Nov 20, 2026, 9:12\u202fAM" and first[0].iso == "2026-11-20T09:12:00+01:00"
    assert [english.when(moment) for moment in moments] == first
    assert Dates("fr", "Europe/Paris").when(moments[0]).text == "20 nov. 2026, 09:12"


def test_learning_before_forking_gives_the_same_words():
    moments = [t("2026-03-29 01:30"), t("2026-11-20 23:59")]
    taught, fresh = Dates("fr", "Europe/Paris"), Dates("fr", "Europe/Paris")
    taught.learn(moments)
    assert [taught.when(m) for m in moments] == [fresh.when(m) for m in moments]
    assert len(taught._times) == 24 * 60
