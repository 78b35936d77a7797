"""The command line: each command is a short shim over a function of statusgen.commands."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from statusgen import __version__
from statusgen.clock import resolve_now

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def root_option(command):
    return click.option("--root", "root", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
                        show_default=True, help="The site folder (holding content/ and incidents/).")(command)


def now_option(command):
    return click.option("--now", "now", metavar="ISO-TIME",
                        help="Check and build as of this time (default: SOURCE_DATE_EPOCH, else now).")(command)


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "--version", prog_name="statusgen")
def main() -> None:
    """statusgen: a static incident status site generator for teams that keep their incidents in git."""


@main.command()
@root_option
@now_option
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True,
              help="text for people, json for scripts, github for workflow annotations.")
def validate(root: Path, now: str | None, strict: bool, fmt: str) -> None:
    """Check every file of the site against the lifecycle rules; write nothing."""
    from statusgen.commands.validate import check, render_report

    report = check(root, resolve_now(now))
    output = render_report(report, fmt, strict)
    if output:
        click.echo(output)
    sys.exit(1 if report.failed(strict) else 0)


@main.command()
@root_option
@now_option
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the site (default: output/ in the site folder).")
@click.option("--strict", is_flag=True, help="Refuse to build when there are warnings.")
def build(root: Path, now: str | None, out: Path | None, strict: bool) -> None:
    """Validate the site, then render it into the output folder (atomically)."""
    from statusgen.commands.build import build as run_build
    from statusgen.commands.build import summary, wants_progress

    moment = resolve_now(now)
    result = run_build(root, out or root / "output", moment, progress=wants_progress(), strict=strict)
    if result.report.diagnostics:
        click.echo("\n".join(d.format() for d in result.report.diagnostics), err=True)
    if not result.ok:
        click.echo(summary(result), err=True)
        sys.exit(1)
    click.echo(summary(result))
    click.echo(f"preview it: python -m http.server -d {result.out} 8000, then open http://127.0.0.1:8000/")
