"""Asking for what `statusgen new` was not told, on a terminal only.

Each answer is checked as it is typed: one that names no known priority, component or status, a
time that cannot be read or a window that ends before it starts is asked again, with the nearest
known value or an example: a typo costs one more line, not the whole entry typed again. Texts are
asked in each language of the site; Enter skips an optional one.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import click

from statusgen.clock import local_time_problem, parse_local
from statusgen.errors import did_you_mean
from statusgen.model.site import Site

REQUIRED = {
    "incident": ("title", "priority", "components", "message"),
    "ticket": ("title", "priority", "message"),  # a known issue may touch no component
    "maintenance": ("title", "components", "message", "start", "end"),
}
TRANSLATED = ("title", "message", "impact")  # asked again in each other language of the site


def complete_new(site: Site, kind: str, given: dict, interactive: bool, now: datetime | None = None) -> dict:
    """The answers for a new entry: given values, then prompts; without a terminal, a clear refusal.

    Without a terminal an unknown value given as an option is left for the rules to refuse
    with validate's message; on a terminal it is reported and asked again. On a terminal the
    optional impact and the texts in the site's other languages are asked too (Enter skips).
    """
    answers = dict(given)
    lifecycle = site.lifecycles.get(kind)
    retry = _unknown_answers(site, kind, answers) if interactive else []
    missing = [name for name in REQUIRED[kind] if not answers.get(name)]
    if lifecycle is not None and lifecycle.default_priority and "priority" in missing and "priority" not in retry:
        missing.remove("priority")
    missing += [name for name in retry if name not in missing]
    if not interactive:
        if missing:
            flags = ", ".join(f"--{'component' if m == 'components' else m}" for m in missing)
            raise click.UsageError(f"missing {flags} (pass them, or run on a terminal without --no-input to be asked)")
        return answers
    for name in missing:
        answers[name] = _ask(site, kind, name, answers, now)
    if answers.get("impact") is None:
        answers["impact"] = click.prompt("Impact: what customers experience (Enter to skip)", default="",
                                         show_default=False).strip() or None
    answers["translations"] = _translations(site, answers, given.get("translated", {}))
    return answers


def _translations(site: Site, answers: dict, given: dict[str, set[str]]) -> dict[str, list[tuple[str, str]]]:
    """The title, message and impact in each other language of the site, as (language, text) pairs."""
    found: dict[str, list[tuple[str, str]]] = {name: [] for name in TRANSLATED}
    for lang in site.settings.languages[1:]:
        for name in TRANSLATED:
            if not answers.get(name) or lang in given.get(name, set()):
                continue
            text = click.prompt(f"{name.capitalize()} in {lang} (Enter to skip)", default="",
                                show_default=False).strip()
            if text:
                found[name].append((lang, text))
    return found


def _choices(site: Site, kind: str, name: str) -> list[str]:
    if name == "priority":
        return list(site.priorities)
    if name == "components":
        return list(site.components)
    lifecycle = site.lifecycles.get(kind)
    return list(lifecycle.statuses) if lifecycle else []


def _unknown_answers(site: Site, kind: str, answers: dict) -> list[str]:
    """Given values that name nothing the site defines: each reported, then to be asked again."""
    retry = []
    names = ("priority", "components", "status") if kind in site.lifecycles else ("priority", "components")
    for name in names:
        value = answers.get(name)
        values = value if isinstance(value, list) else [value] if value else []
        choices = _choices(site, kind, name)
        unknown = [v for v in values if v not in choices]
        for v in unknown:
            _say_unknown(name, v, choices)
        if unknown:
            answers[name] = [] if name == "components" else None
            retry.append(name)
    return retry


def _say_unknown(name: str, value: str, choices: list[str]) -> None:
    what = {"components": "component"}.get(name, name)
    click.echo(f"Error: unknown {what} '{value}' ({did_you_mean(value, choices)})", err=True)


def _ask(site: Site, kind: str, name: str, answers: dict, now: datetime | None):
    if name in ("priority", "status"):
        choices = list(site.lifecycles[kind].initial) if name == "status" else _choices(site, kind, name)
        while True:
            answer = click.prompt(f"{name.capitalize()} ({', '.join(choices)})").strip()
            if answer in choices:
                return answer
            _say_unknown(name, answer, choices)
    if name == "components":
        return _ask_components(site, kind)
    if name in ("start", "end"):
        return _ask_window_edge(site, name, answers, now)
    while True:
        answer = click.prompt(name.capitalize()).strip()
        if answer:
            return answer
        click.echo(f"Error: the {name} cannot be empty", err=True)


def _ask_components(site: Site, kind: str) -> list[str]:
    choices = _choices(site, kind, "components")
    click.echo("Components: " + ", ".join(choices))
    while True:
        raw = click.prompt("Affected components (comma-separated)")
        picked = list(dict.fromkeys(c.strip() for c in raw.split(",") if c.strip()))
        unknown = [c for c in picked if c not in choices]
        if picked and not unknown:
            return picked
        for component in unknown:
            _say_unknown("components", component, choices)


def _ask_window_edge(site: Site, name: str, answers: dict, now: datetime | None) -> str:
    """A window's start or end, in the site's time zone unless an offset is given."""
    zone = site.settings.timezone
    example = _example(name, answers, now, zone)
    while True:
        answer = click.prompt(f"Window {name}, {zone} time (e.g. {example})").strip()
        problem = local_time_problem(answer, f"window {name}")
        if problem:
            click.echo(f"Error: {problem}", err=True)
            continue
        moment = parse_local(answer, zone)
        if name == "end" and answers.get("start") and moment <= parse_local(answers["start"], zone):
            click.echo(f"Error: the window must end after it starts ({answers['start']})", err=True)
            continue
        return moment.isoformat()


def _example(name: str, answers: dict, now: datetime | None, zone: str) -> str:
    """An example in the future: tomorrow at 22:00, or two hours after the start given."""
    if name == "end" and answers.get("start") and not local_time_problem(answers["start"], "start"):
        moment = parse_local(answers["start"], zone) + timedelta(hours=2)
    else:
        today = (now or datetime.now(ZoneInfo(zone))).astimezone(ZoneInfo(zone)).date()
        moment = datetime.combine(today + timedelta(days=1), time(22), ZoneInfo(zone))
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")
