"""Asking for what `statusgen new` was not told, on a terminal only.

An answer that names no known priority, component or status is asked again with the nearest
known one suggested: a typo costs one more line, not the whole entry typed again.
"""

from __future__ import annotations

import click

from statusgen.clock import parse_now
from statusgen.errors import did_you_mean
from statusgen.model.site import Site

REQUIRED = {
    "incident": ("title", "priority", "components", "message"),
    "ticket": ("title", "priority", "components", "message"),
    "maintenance": ("title", "components", "message", "start", "end"),
}


def complete_new(site: Site, kind: str, given: dict, interactive: bool) -> dict:
    """The answers for a new entry: given values, then prompts; without a terminal, a clear refusal.

    Without a terminal an unknown value given as an option is left for the rules to refuse
    with validate's message; on a terminal it is reported and asked again.
    """
    answers = dict(given)
    lifecycle = site.lifecycles.get(kind)
    retry = _unknown_answers(site, kind, answers) if interactive else []
    missing = [name for name in REQUIRED[kind] if not answers.get(name)]
    if lifecycle is not None and lifecycle.default_priority and "priority" in missing and "priority" not in retry:
        missing.remove("priority")
    missing += [name for name in retry if name not in missing]
    if not missing:
        return answers
    if not interactive:
        flags = ", ".join(f"--{'component' if m == 'components' else m}" for m in missing)
        raise click.UsageError(f"missing {flags} (pass them, or run on a terminal without --no-input to be asked)")
    for name in missing:
        answers[name] = _ask(site, kind, name)
    return answers


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


def _ask(site: Site, kind: str, name: str):
    if name in ("priority", "status"):
        choices = list(site.lifecycles[kind].initial) if name == "status" else _choices(site, kind, name)
        while True:
            answer = click.prompt(f"{name.capitalize()} ({', '.join(choices)})").strip()
            if answer in choices:
                return answer
            _say_unknown(name, answer, choices)
    if name == "components":
        choices = _choices(site, kind, name)
        click.echo("Components: " + ", ".join(choices))
        while True:
            raw = click.prompt("Affected components (comma-separated)")
            picked = list(dict.fromkeys(c.strip() for c in raw.split(",") if c.strip()))
            unknown = [c for c in picked if c not in choices]
            if picked and not unknown:
                return picked
            for component in unknown:
                _say_unknown(name, component, choices)
    if name in ("start", "end"):
        while True:
            answer = click.prompt(f"Window {name} (e.g. 2026-11-26T22:00:00+01:00)")
            try:
                parse_now(answer)
                return answer
            except click.UsageError as exc:
                click.echo(f"Error: {exc.message.removeprefix('--now: ')}", err=True)
    return click.prompt(name.capitalize())
