"""Asking for what `statusgen new` was not told, on a terminal only."""

from __future__ import annotations

import click

from statusgen.model.site import Site

REQUIRED = {
    "incident": ("title", "priority", "components", "message"),
    "ticket": ("title", "priority", "components", "message"),
    "maintenance": ("title", "components", "message", "start", "end"),
}


def complete_new(site: Site, kind: str, given: dict, interactive: bool) -> dict:
    """The answers for a new entry: given values, then prompts; without a terminal, a clear refusal."""
    lifecycle_id = kind
    answers = dict(given)
    missing = [name for name in REQUIRED[kind] if not answers.get(name)]
    if lifecycle_id in site.lifecycles and site.lifecycles[lifecycle_id].default_priority and "priority" in missing:
        missing.remove("priority")
    if not missing:
        return answers
    if not interactive:
        flags = ", ".join(f"--{'component' if m == 'components' else m}" for m in missing)
        raise click.UsageError(f"missing {flags} (pass them, or run on a terminal without --no-input to be asked)")
    for name in missing:
        answers[name] = _ask(site, kind, name)
    return answers


def _ask(site: Site, kind: str, name: str):
    if name == "priority":
        return click.prompt("Priority", type=click.Choice(list(site.priorities)))
    if name == "components":
        choices = list(site.components)
        click.echo("Components: " + ", ".join(choices))
        raw = click.prompt("Affected components (comma-separated)")
        picked = [c.strip() for c in raw.split(",") if c.strip()]
        unknown = [c for c in picked if c not in choices]
        if unknown:
            raise click.UsageError(f"unknown component(s): {', '.join(unknown)}")
        return picked
    if name in ("start", "end"):
        return click.prompt(f"Window {name} (e.g. 2026-11-26T22:00:00+01:00)")
    if name == "status":
        return click.prompt("Status", type=click.Choice(list(site.lifecycles[kind].initial)))
    return click.prompt(name.capitalize())
