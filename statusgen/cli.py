"""The command line: each command is a short shim over a function of statusgen.commands."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from statusgen import __version__
from statusgen.clock import resolve_now
from statusgen.failures import DEBUG_VARIABLE, GuardedGroup

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
# Commands import their modules when they run, so `statusgen --help` and `validate` stay quick.


def root_option(command):
    return click.option("--root", "root", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
                        show_default=True, help="The site folder (holding content/ and incidents/).")(command)


def ignore_option(command):
    return click.option("--ignore", "ignore", multiple=True, metavar="RULE", callback=_known_rules,
                        help="Do not report this rule (repeatable), e.g. --ignore update-overdue.")(command)


def _known_rules(ctx, param, value):
    from statusgen.commands.validate import unknown_rules

    unknown = unknown_rules(tuple(value))
    if unknown:
        raise click.BadParameter(f"unknown rule(s): {', '.join(unknown)} (see docs/format.md)")
    return tuple(value)


def _path_prefix(root: Path) -> str:
    """How to reach the site root from the current folder, for paths in CI annotations."""
    relative = os.path.relpath(root.resolve(), Path.cwd())
    return "" if relative == "." else relative.replace(os.sep, "/") + "/"


def now_option(command):
    return click.option("--now", "now", metavar="ISO-TIME",
                        help="Check and build as of this time (default: SOURCE_DATE_EPOCH, else now).")(command)


def _debug(ctx, param, value: bool) -> None:
    if value:
        os.environ[DEBUG_VARIABLE] = "1"  # seen by every command and by serve's rebuilds


@click.group(cls=GuardedGroup, context_settings=CONTEXT)
@click.version_option(__version__, "--version", prog_name="statusgen")
@click.option("--debug", is_flag=True, expose_value=False, is_eager=True, callback=_debug,
              help=f"Show the traceback of an internal error (also: {DEBUG_VARIABLE}=1).")
def main() -> None:
    """statusgen: a static incident status site generator for teams that keep their incidents in git."""


@main.command()
@root_option
@now_option
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@ignore_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True,
              help="text for people, json for scripts, github for workflow annotations.")
def validate(root: Path, now: str | None, strict: bool, ignore: tuple[str, ...], fmt: str) -> None:
    """Check every file of the site against the lifecycle rules; write nothing."""
    from statusgen.commands.validate import check, render_report

    report = check(root, resolve_now(now), ignore=ignore)
    output = render_report(report, fmt, strict, _path_prefix(root))
    if output:
        click.echo(output)
    sys.exit(1 if report.failed(strict) else 0)


@main.command()
@root_option
@now_option
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the site (default: output/ in the site folder).")
@click.option("--strict", is_flag=True, help="Refuse to build when there are warnings.")
@ignore_option
@click.option("--base-url", "base_url", metavar="URL",
              help="Publish under this URL instead of site.yaml's base_url (preview deployments).")
def build(root: Path, now: str | None, out: Path | None, strict: bool, ignore: tuple[str, ...],
          base_url: str | None) -> None:
    """Validate the site, then render it into the output folder (atomically)."""
    from statusgen.commands.build import build as run_build
    from statusgen.commands.build import summary, wants_progress
    from statusgen.loading import require_site

    require_site(root)
    moment = resolve_now(now)
    result = run_build(root, out or root / "output", moment, progress=wants_progress(), strict=strict,
                       ignore=ignore, base_url=_checked_url(base_url))
    if result.report.diagnostics:
        click.echo("\n".join(d.format() for d in result.report.diagnostics), err=True)
    if not result.ok:
        click.echo(summary(result), err=True)
        sys.exit(1)
    click.echo(summary(result))
    click.echo("preview it with: statusgen serve")


def _text_option(name: str, help_text: str, short: str | None = None):
    """A text option, plus --<name>-in LANG TEXT for its other languages."""
    def decorate(command):
        param = name.replace("-", "_")
        command = click.option(f"--{name}-in", f"{param}_in", nargs=2, multiple=True, metavar="LANG TEXT",
                               help=f"The {name.replace('-', ' ')} in another language (repeatable).")(command)
        flags = [f"--{name}"] + ([short] if short else [])
        return click.option(*flags, param, help=help_text)(command)
    return decorate


def _localised(default: str | None, others: tuple[tuple[str, str], ...]):
    """One text, or (language, text) pairs; None stands for the site's default language.

    Pairs, not a mapping: a language given twice is written twice and refused by the rules,
    instead of one text silently replacing the other.
    """
    if not others:
        return default
    return ([(None, default)] if default is not None else []) + [(lang, text) for lang, text in others]


def _local_time(value: str, option: str, site):
    """A window's edge: an offset is kept; without one, the time is the site's local time."""
    from statusgen.clock import local_time_problem, parse_local

    problem = local_time_problem(value, option)
    if problem:
        raise click.UsageError(problem)
    return parse_local(value, site.settings.timezone)


def _parse_time(value: str | None, option: str):
    if value is None:
        return None
    from statusgen.clock import parse_now

    try:
        return parse_now(value)
    except click.UsageError as exc:
        raise click.UsageError(str(exc.message).replace("--now", option))


def _tell(written, line: str) -> None:
    """What an edit wrote, then what validate will warn of in it (a text left in one language...)."""
    click.echo(line)
    for warning in written.warnings:
        click.echo(warning.format(), err=True)


def _component_states(values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """--component ID=STATE values as pairs; the rules check the ids and states themselves."""
    pairs = []
    for value in values:
        cid, sep, state = value.partition("=")
        if not sep or not cid.strip() or not state.strip():
            raise click.BadParameter(f"'{value}' is not ID=STATE, e.g. payments-api=major_outage "
                                     "(operational ends the impact)", param_hint="--component")
        pairs.append((cid.strip(), state.strip()))
    return tuple(pairs)


@main.command()
@root_option
@now_option
@_text_option("message", "The update, in the default language (Markdown allowed).", "-m")
@click.option("--status", "-s", "status", help="The status after this update (default: unchanged).")
@click.option("--priority", "-p", "priority", help="A new priority (raise or lower it as facts arrive).")
@click.option("--component", "-c", "components", multiple=True, metavar="ID=STATE",
              help="A component's state from now on, e.g. payments-api=major_outage; a new id adds it "
                   "(repeatable).")
@_text_option("impact", "What customers experience now (\"\" removes it).")
@_text_option("workaround", "What customers can do meanwhile (\"\" withdraws it).")
@click.option("--title-in", "title_in", nargs=2, multiple=True, metavar="LANG TEXT",
              help="The title in a language, e.g. --title-in en 'Payment declines' (repeatable).")
@click.option("--at", "at", metavar="ISO-TIME", help="When it happened (default: now, to the second).")
@click.argument("entry_id")
def update(root: Path, now: str | None, message: str | None, message_in, status: str | None, priority: str | None,
           components: tuple[str, ...], impact: str | None, impact_in, workaround: str | None, workaround_in,
           title_in, at: str | None, entry_id: str) -> None:
    """Append an update to ENTRY_ID: a status, a message, and any change of priority, components,
    impact, workaround or title. Refused, file untouched, if it breaks a rule."""
    from statusgen.commands.author import UpdateSpec, append_spec

    spec = UpdateSpec(status=status, message=_localised(message, message_in), priority=priority,
                      components=_component_states(components), impact=_localised(impact, impact_in),
                      workaround=_localised(workaround, workaround_in), title=list(title_in) or None)
    if spec.message is None and not spec.changes_something():
        raise click.UsageError("say what changed: --message, and/or --status, --priority, --component, --impact, "
                               "--workaround, --title-in (a status change needs a --message too)")
    written = append_spec(root, entry_id, spec, _parse_time(at, "--at"), resolve_now(now))
    _tell(written, f"updated {written.path} ({written.entry.last_update.status}); page: {written.url}")


@main.command()
@root_option
@now_option
@_text_option("message", "What was said to the customer (default: none, the timeline says 'Reminder sent').",
              "-m")
@click.option("--at", "at", metavar="ISO-TIME", help="When it was sent (default: now).")
@click.argument("entry_id")
def remind(root: Path, now: str | None, message: str | None, message_in, at: str | None, entry_id: str) -> None:
    """Record that the reminder due now was sent to the customer ENTRY_ID waits on."""
    from statusgen.commands.author import remind as run_remind

    written = run_remind(root, entry_id, _localised(message, message_in), _parse_time(at, "--at"),
                         resolve_now(now))
    _tell(written, f"reminder recorded in {written.path}; page: {written.url}")


@main.command(name="close-stale")
@root_option
@now_option
def close_stale(root: Path, now: str | None) -> None:
    """Write the automatic resolution of every entry past its auto-resolve day as a real update."""
    from statusgen.commands.author import close_stale as run_close_stale

    closed, problems = run_close_stale(root, resolve_now(now))
    for written in closed:
        _tell(written, f"resolved {written.path} ({written.entry.last_update.status}); page: {written.url}")
    for problem in problems:
        click.echo(f"Error: {problem}", err=True)
    if not closed and not problems:
        click.echo("nothing to close: no entry is past its auto-resolve day")
    else:
        click.echo(f"{len(closed)} closed, {len(problems)} refused")
    sys.exit(1 if problems else 0)


@main.command()
@root_option
@now_option
@_text_option("root-cause", "The cause found, in the default language.")
@click.option("--root-cause-kind", "kind", type=click.Choice(["systemic", "isolated"]),
              help="systemic: it can happen again until fixed at the source; isolated: it cannot recur.")
@click.option("--report-file", "report_file", type=click.Path(dir_okay=False, path_type=Path),
              help="A Markdown file: the post-incident report (its text becomes the entry's body).")
@click.option("--replace", is_flag=True, help="Replace a root cause or report already recorded.")
@click.argument("entry_id")
def report(root: Path, now: str | None, root_cause: str | None, root_cause_in, kind: str | None,
           report_file: Path | None, replace: bool, entry_id: str) -> None:
    """Record ENTRY_ID's root cause, its kind and the post-incident report."""
    from statusgen.commands.author import record_report

    cause = _localised(root_cause, root_cause_in)
    if cause is None and report_file is None:
        raise click.UsageError("give --root-cause (with --root-cause-kind) and/or --report-file")
    if cause is not None and kind is None:
        raise click.UsageError("--root-cause-kind is required with --root-cause: systemic or isolated")
    written = record_report(root, entry_id, cause, kind, report_file, replace, resolve_now(now))
    _tell(written, f"report recorded in {written.path}; page: {written.url}")


@main.command()
@root_option
@now_option
@_text_option("message", "What was fixed, in the default language.", "-m")
@click.option("--at", "at", metavar="ISO-TIME", help="When it was resolved (default: now).")
@click.argument("entry_id")
def resolve(root: Path, now: str | None, message: str | None, message_in, at: str | None, entry_id: str) -> None:
    """Resolve ENTRY_ID: an update in its lifecycle's resolving status."""
    from statusgen.commands.author import append

    text = _localised(message, message_in)
    if text is None:
        raise click.UsageError("--message is required: tell customers what was fixed")
    written = append(root, entry_id, None, text, _parse_time(at, "--at"), resolve_now(now), resolve=True)
    _tell(written, f"resolved {written.path}; page: {written.url}")


@main.command()
@root_option
@now_option
@click.argument("kind", type=click.Choice(["incident", "maintenance", "ticket"]))
@_text_option("title", "Title, in the default language.", "-t")
@click.option("--priority", "-p", "priority", help="Priority id (see content/lifecycles.yaml).")
@click.option("--component", "-c", "components", multiple=True, help="Affected component id (repeatable).")
@click.option("--status", "-s", "status", help="First status (default: the lifecycle's first initial one).")
@_text_option("message", "The first update, in the default language.", "-m")
@_text_option("impact", "What customers experience.")
@click.option("--at", "at", metavar="ISO-TIME", help="When it started (default: now).")
@click.option("--start", "start", metavar="TIME",
              help="Maintenance: start of the window, e.g. '2026-11-26 22:00' (site time zone unless an offset).")
@click.option("--end", "end", metavar="TIME", help="Maintenance: end of the window.")
@click.option("--no-input", is_flag=True, help="Never prompt; fail when something is missing.")
def new(root: Path, now: str | None, kind: str, title, title_in, priority, components, status, message, message_in,
        impact, impact_in, at, start, end, no_input: bool) -> None:
    """Create a new incident, maintenance or ticket (known issue) file under incidents/."""
    from statusgen.commands.author import create, load_for_edit
    from statusgen.commands.prompts import complete_new

    site = load_for_edit(root)
    moment = resolve_now(now)
    translated = {"title": {lang for lang, _ in title_in}, "message": {lang for lang, _ in message_in},
                  "impact": {lang for lang, _ in impact_in}}
    answers = complete_new(site, kind, dict(title=title, priority=priority, components=list(components),
                                            status=status, message=message, impact=impact, start=start, end=end,
                                            translated=translated),
                           interactive=not no_input and sys.stdin.isatty(), now=moment)
    more = answers.get("translations", {})
    window = None
    if kind == "maintenance":
        window = (_local_time(answers["start"], "--start", site), _local_time(answers["end"], "--end", site))
    written = create(
        root, kind=kind, title=_localised(answers["title"], title_in + tuple(more.get("title", ()))),
        priority=answers["priority"], components=answers["components"],
        impact=_localised(answers["impact"], impact_in + tuple(more.get("impact", ()))) or "",
        status=answers["status"], message=_localised(answers["message"], message_in + tuple(more.get("message", ()))),
        at=_parse_time(at, "--at"), window=window, now=moment, site=site)
    _tell(written, f"created {written.path}\npage: {written.url}")


@main.command()
@root_option
@now_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def due(root: Path, now: str | None, fmt: str) -> None:
    """What is owed to customers now: overdue updates, targets, reminders, reports. Exit 1 if overdue."""
    from statusgen.commands.due import list_due, render_due

    debts = list_due(root, resolve_now(now))
    click.echo(render_due(debts, fmt))
    sys.exit(1 if any(d.overdue for d in debts) else 0)


@main.command()
@root_option
@now_option
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the site (default: output/ in the site folder).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port).")
def serve(root: Path, now: str | None, out: Path | None, host: str, port: int) -> None:
    """Build, serve the site locally, rebuild on every save and reload open pages."""
    from statusgen.commands.build import Builder
    from statusgen.commands.serve import serve as run_serve
    from statusgen.loading import require_site

    require_site(root)
    builder = Builder(root, out or root / "output", fixed_now=now)
    run_serve(root, builder.out, host, port, builder.rebuild, echo=lambda text: click.echo(text, err=True),
              base_path=_base_path(root), outdated=builder.outdated)


@main.command()
@root_option
@now_option
@click.option("--channels", "channels", required=True, metavar="FILE",
              type=click.Path(dir_okay=False, path_type=Path), help="The channels file (YAML; see docs/notify.md).")
@click.option("--state", "state", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path),
              help="What was delivered (default: .statusgen/notified.json in the site).")
@click.option("--dry-run", is_flag=True, help="Print what would be sent to each channel; send and write nothing.")
@click.option("--since", "since", metavar="ISO-TIME",
              help="For a channel seen for the first time: send the updates after this time.")
def notify(root: Path, now: str | None, channels: Path, state: Path | None, dry_run: bool,
           since: str | None) -> None:
    """Send every new update to the chats, e-mail lists and webhooks of the channels file, once."""
    from statusgen.commands.notify import notify as run_notify
    from statusgen.commands.notify import summary
    from statusgen.loading import require_site

    require_site(root)
    result = run_notify(root, channels, resolve_now(now), state_path=state, since=_parse_time(since, "--since"),
                        dry_run=dry_run, echo=click.echo)
    if result.diagnostics:
        click.echo("\n".join(d.format() for d in result.diagnostics), err=True)
        click.echo("notify: nothing sent; fix the errors above", err=True)
        sys.exit(1)
    click.echo(summary(result), err=not result.ok)
    sys.exit(0 if result.ok else 1)


def _starter_languages(ctx, param, value):
    from statusgen.commands.init import DEFAULT_LANGUAGES, language_problem

    problem = language_problem(tuple(value))
    if problem:
        raise click.BadParameter(problem)
    return tuple(value) or DEFAULT_LANGUAGES


@main.command()
@click.option("--now", "now", metavar="ISO-TIME", help="Accepted like every command; init writes nothing dated.")
@click.option("--language", "-l", "languages", multiple=True, metavar="LANG", callback=_starter_languages,
              help="A language of the site, the first being the default (repeatable; default: fr, en).")
@click.argument("folder", metavar="[DIR]", default=".", type=click.Path(file_okay=False, path_type=Path))
def init(now: str | None, languages: tuple[str, ...], folder: Path) -> None:
    """Start a new site in DIR (default: here): settings, one component, lifecycles, help articles."""
    from statusgen.commands.init import init as run_init
    from statusgen.commands.init import next_steps

    resolve_now(now)  # a malformed --now is refused here as everywhere
    click.echo(next_steps(run_init(folder, languages), str(folder)))


def _checked_url(url: str | None) -> str | None:
    """--base-url passes the same check as site.yaml's base_url."""
    if url is None:
        return None
    from statusgen.loading.config import check_base_url

    problem = check_base_url(url)
    if problem:
        raise click.BadParameter(f"'{url}' {problem}", param_hint="--base-url")
    return url.rstrip("/")


def _base_path(root: Path) -> str:
    """The path part of base_url: where the site lives on its host, and so in the preview."""
    from urllib.parse import urlsplit

    from statusgen.loading.config import load_settings

    settings, _ = load_settings(root)
    return urlsplit(settings.base_url).path.rstrip("/") if settings else ""


@main.group(name="import", cls=GuardedGroup)
def import_group() -> None:
    """Bring the history of another status page into this site (see docs/import.md)."""


def _priority_pairs(ctx, param, value) -> dict[str, str]:
    pairs = {}
    for item in value:
        impact, sep, priority = item.partition("=")
        if not sep or not impact.strip() or not priority.strip():
            raise click.BadParameter(f"'{item}' is not IMPACT=PRIORITY (e.g. major=high)")
        pairs[impact.strip()] = priority.strip()
    return pairs


def import_options(command):
    command = click.option("--priority", "priorities", multiple=True, metavar="IMPACT=PRIORITY",
                           callback=_priority_pairs,
                           help="Map an impact or severity to a priority id (repeatable), e.g. major=high.")(command)
    command = click.option("--dry-run", is_flag=True, help="Report what would be imported; write nothing.")(command)
    return now_option(root_option(command))


@import_group.command("statuspage")
@import_options
@click.option("--api-key-env", "api_key_env", metavar="NAME",
              help="Read every incident from the management API with the key held in this environment variable.")
@click.option("--page-id", "page_id", help="The page's id for the management API (default: read from summary.json).")
@click.option("--api-url", "api_url", metavar="URL", default="https://api.statuspage.io/v1", show_default=True,
              help="The management API's address.")
@click.argument("source")
def import_statuspage(root: Path, now: str | None, dry_run: bool, priorities: dict[str, str], api_key_env: str | None,
                      page_id: str | None, api_url: str, source: str) -> None:
    """Import a Statuspage page from SOURCE: a folder of its saved JSON, or its address."""
    from statusgen.commands.importing import import_statuspage as run

    moment = resolve_now(now)
    key = None
    if api_key_env:
        key = os.environ.get(api_key_env)
        if not key:
            raise click.BadParameter(f"the environment variable {api_key_env} is not set or empty",
                                     param_hint="--api-key-env")
    click.echo(run(root, source, moment, dry_run, priorities, key, api_url, page_id).render())


@import_group.command("cstate")
@import_options
@click.argument("hugo_site", type=click.Path(file_okay=False, path_type=Path))
def import_cstate(root: Path, now: str | None, dry_run: bool, priorities: dict[str, str], hugo_site: Path) -> None:
    """Import a cState site: HUGO_SITE is its folder (config.yml and content/issues/)."""
    from statusgen.commands.importing import import_cstate as run

    click.echo(run(root, hugo_site, resolve_now(now), dry_run, priorities).render())
