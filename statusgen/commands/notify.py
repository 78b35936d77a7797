"""`statusgen notify`: deliver each new update to every channel once, and record it.

Orchestration only: the channels file is read by notify/channels.py, what is owed is decided by
notify/plan.py, messages are made by notify/payloads.py and notify/webhook.py, sent by
notify/deliver.py, and recorded by notify/state.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

from statusgen.commands.validate import check
from statusgen.errors import ERROR, Diagnostic
from statusgen.notify.channels import Channel, load_channels
from statusgen.notify.deliver import Transport, deliver, describe_channel, preview
from statusgen.notify.notices import update_key
from statusgen.notify.plan import Composer, Timeline, baseline, owed
from statusgen.notify.state import STATE_FILE, DeliveryState, load_state, run_lock
from statusgen.render.engine import prepare


@dataclass
class ChannelOutcome:
    """What one channel got in this run."""

    channel: Channel
    baseline: int | None = None  # a first run: the updates recorded as already delivered
    sent: list[str] = field(default_factory=list)
    failed: str = ""  # the message that failed and why
    left: int = 0  # messages owed and not delivered, left for the next run


@dataclass
class NotifyResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    outcomes: list[ChannelOutcome] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.diagnostics and not any(o.failed for o in self.outcomes)


def default_state_path(root: Path) -> Path:
    return root / STATE_FILE


def notify(root: Path, channels_file: Path, now: datetime, state_path: Path | None = None,
           since: datetime | None = None, dry_run: bool = False, transport: Transport = Transport(),
           echo: Callable[[str], None] = print) -> NotifyResult:
    """Send what each channel is owed (a dry run prints it instead); nothing is sent when the site
    or the channels file has an error."""
    report = check(root, now, try_templates=False)
    errors = [d for d in report.diagnostics if d.level == ERROR]
    if errors or report.site is None:
        return NotifyResult(errors or report.diagnostics)
    channels, problems = load_channels(channels_file, report.site)
    if problems:
        return NotifyResult(problems)
    render_state, _ = prepare(report.site, now)
    timeline = Timeline.of(render_state.facts.entries, now)
    composer = Composer(render_state, timeline)
    state_path = state_path or default_state_path(root)
    run = _Run(channels, timeline, composer, since, now, transport, echo)
    if dry_run:
        return NotifyResult(outcomes=run.preview(load_state(state_path)), dry_run=True)
    with run_lock(state_path, on_wait=echo):
        # Read under the lock: a run that waited sees what the one before it delivered.
        return NotifyResult(outcomes=run.deliver(load_state(state_path)))


@dataclass
class _Run:
    channels: list[Channel]
    timeline: Timeline
    composer: Composer
    since: datetime | None
    now: datetime
    transport: Transport
    echo: Callable[[str], None]

    def _start(self, state: DeliveryState, channel: Channel, dry_run: bool = False):
        """The channel's outcome and record; a channel seen for the first time starts from its baseline."""
        outcome = ChannelOutcome(channel)
        record = state.record(channel.id)
        if record is None:
            record = baseline(self.timeline, self.since, self.now)
            outcome.baseline = sum(1 for entry, update in self.timeline.updates
                                   if self.since is None or update.at <= self.since)
            if not dry_run:
                state.channels[channel.id] = record
                state.save()
            self.echo(_baseline_line(channel, outcome.baseline, self.since, dry_run))
        return outcome, record

    def deliver(self, state: DeliveryState) -> list[ChannelOutcome]:
        outcomes = []
        for channel in self.channels:
            outcome, record = self._start(state, channel)
            outcomes.append(outcome)
            todo = [(item, m) for item in owed(channel, record, self.timeline)
                    for m in self.composer.messages(channel, item)]
            for index, (item, message) in enumerate(todo):
                delivered, reason, attempts = deliver(message, self.transport)
                if not delivered:
                    outcome.failed = f"{message.label} after {attempts} attempt(s): {reason}"
                    outcome.left = len(todo) - index
                    self.echo(f"{channel.id}: {message.label} not delivered after {attempts} attempt(s) ({reason}); "
                              f"{outcome.left} message(s) left for the next run")
                    break  # keep the channel's order: what follows waits for the next run too
                # Once the update is announced, the rest of its messages are owed whatever the entry becomes.
                then = item.keys[1:] if message.key == item.keys[0] == update_key(item.update) else ()
                record.add(message.entry_id, message.key, then)
                state.save()  # after each delivery: a run killed now repeats nothing
                outcome.sent.append(message.label)
                self.echo(f"{channel.id}: delivered {message.label}")
        return outcomes

    def preview(self, state: DeliveryState) -> list[ChannelOutcome]:
        outcomes = []
        for channel in self.channels:
            outcome, record = self._start(state, channel, dry_run=True)
            outcomes.append(outcome)
            for item in owed(channel, record, self.timeline):
                for message in self.composer.messages(channel, item):
                    self.echo(f"--- {describe_channel(channel)}: {message.label}\n{preview(message)}\n")
                    outcome.sent.append(message.label)
        return outcomes


def _baseline_line(channel: Channel, count: int, since: datetime | None, dry_run: bool = False) -> str:
    verb = "would record" if dry_run else "recorded"
    if since is None:
        return (f"{channel.id}: first run for this channel: {verb} its {count} existing update(s) as delivered; "
                "nothing is sent (--since TIME sends what came after TIME)")
    return f"{channel.id}: first run for this channel: {verb} {count} update(s) up to {since.isoformat()} as delivered"


def summary(result: NotifyResult) -> str:
    """The last line: what was sent, and which channels failed."""
    verb = "would send" if result.dry_run else "sent"
    sent = sum(len(o.sent) for o in result.outcomes)
    line = f"notify: {verb} {sent} message(s) to {len(result.outcomes)} channel(s)"
    failed = [o for o in result.outcomes if o.failed]
    if not failed:
        return line + ("; nothing written (dry run)" if result.dry_run else "")
    return line + "; failed: " + "; ".join(
        f"{o.channel.id} ({o.failed}; {o.left} message(s) left for the next run)" for o in failed)
