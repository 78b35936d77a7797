"""What a render works from: the state prepared once per build, and the cache kept between builds.

Its own module so that the engine and the files it renders (feeds, API, calendar, badges,
sitemap) all import it without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from statusgen.model.site import Site
from statusgen.render.deps import Recorder
from statusgen.render.facts import Facts
from statusgen.render.markup import Markup
from statusgen.render.pages import Contexts
from statusgen.render.views import LanguageViews


@dataclass
class RenderState:
    """Everything a worker needs, prepared once before the processes fork."""

    site: Site
    facts: Facts
    env: Any
    css_url: str
    views: dict[str, LanguageViews]
    contexts: dict[str, Contexts]
    memo: dict = field(default_factory=dict)  # results kept across builds, by what they were made from
    recorder: Recorder | None = None  # what each page reads of the facts


@dataclass
class RenderCache:
    """What a long-running process keeps between builds whose global inputs did not change:
    the compiled templates, Markdown results and views of unchanged entries."""

    env: Any = None
    facts: dict = field(default_factory=dict)
    markup: dict[str, Markup] = field(default_factory=dict)
    entries: dict[str, dict] = field(default_factory=dict)
    summaries: dict[str, dict] = field(default_factory=dict)
    lines: dict[str, dict] = field(default_factory=dict)
    extras: dict = field(default_factory=dict)
