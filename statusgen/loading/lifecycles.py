"""Reading content/lifecycles.yaml: the status definitions of the support process."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from statusgen.errors import Diagnostic, did_you_mean
from statusgen.loading.config import API_IMPACTS, API_SECTIONS, API_STATUSES, SAFE_ID, check_id, read_yaml
from statusgen.loading.yamlnodes import NodeReader
from statusgen.model.site import COMPONENT_STATES, PHASES, Lifecycle, Priority, Settings, Status
from statusgen.model.text import LocalText
from statusgen.model.worktime import Duration, WorkCalendar

REL = "content/lifecycles.yaml"
_STATUS_KEYS = ("id", "label", "description", "icon", "phase", "api_status", "component_state",
                "pauses_target", "reminders", "auto_resolve_after", "auto_resolve_to")
KINDS = ("incident", "maintenance", "known_issue")
_LIFECYCLE_KEYS = ("label", "kind", "api", "component_state", "resolve_status", "default_priority", "reopen",
                   "enforce_target", "enforce_cadence", "outside_hours_not_incident", "statuses", "initial", "transitions", "terminal")
_PRIORITY_KEYS = ("id", "label", "description", "resolution_target", "update_cadence", "component_state",
                  "api_impact", "report_due_after")
_STATE_CHOICES = ("from_priority", "none") + COMPONENT_STATES


def load_lifecycles(root: Path, languages: tuple[str, ...],
                    default_cadence: Duration = Settings.default_update_cadence,
                    calendar: WorkCalendar = WorkCalendar(),
                    ) -> tuple[dict[str, Lifecycle], dict[str, Priority], list[Diagnostic]]:
    node, r = read_yaml(root, REL, languages)
    r.calendar = calendar
    fields = r.mapping(node, "", ("lifecycles", "priorities"), required=("lifecycles", "priorities"))
    if fields is None:
        return {}, {}, r.diagnostics
    priorities = _priorities(r, fields.get("priorities"), default_cadence)
    lifecycles: dict[str, Lifecycle] = {}
    lc_fields = r.mapping(fields.get("lifecycles"), "lifecycles", _any_key(fields.get("lifecycles")))
    for lid, lnode in (lc_fields or {}).items():
        if not SAFE_ID.match(lid):
            r.report("unsafe-id", _key_node(fields["lifecycles"], lid), f"lifecycles.{lid}",
                     f"'{lid}' is not a safe id", "use lowercase letters, digits, '-' and '_'")
            continue
        lifecycle = _lifecycle(r, lid, lnode, priorities)
        if lifecycle:
            lifecycles[lid] = lifecycle
    return lifecycles, priorities, r.diagnostics


def _key_node(mapping, key: str):
    return next(k for k, _ in mapping.value if getattr(k, "value", None) == key)


def _any_key(node) -> tuple[str, ...]:
    """Every key of a mapping node: for mappings whose keys are ids chosen by the user."""
    try:
        return tuple(k.value for k, _ in node.value)
    except (AttributeError, TypeError):
        return ()


def _priorities(r: NodeReader, node, default_cadence: Duration) -> dict[str, Priority]:
    priorities: dict[str, Priority] = {}
    for index, item in enumerate(r.sequence(node, "priorities") or ()):
        field = f"priorities[{index}]"
        keys = r.mapping(item, field, _PRIORITY_KEYS,
                         required=("id", "label", "resolution_target"))
        if keys is None:
            continue
        pid = check_id(r, keys.get("id"), f"{field}.id")
        label = r.text(keys.get("label"), f"{field}.label")
        target = r.duration(keys.get("resolution_target"), f"{field}.resolution_target", r.calendar)
        cadence = r.duration(keys.get("update_cadence"), f"{field}.update_cadence", r.calendar) or default_cadence
        if None in (pid, label, target, cadence):
            continue
        if pid in priorities:
            r.report("duplicate-definition", keys["id"], f"{field}.id", f"priority '{pid}' is defined twice")
            continue
        priorities[pid] = Priority(
            id=pid,
            label=label,
            description=r.text(keys.get("description"), f"{field}.description") or LocalText(),
            resolution_target=target,
            update_cadence=cadence,
            component_state=r.choice(keys.get("component_state"), f"{field}.component_state",
                                     COMPONENT_STATES, "unknown-state", "component state") or Priority.component_state,
            api_impact=r.choice(keys.get("api_impact"), f"{field}.api_impact", API_IMPACTS,
                                "invalid-value", "Statuspage impact") or Priority.api_impact,
            report_due_after=r.duration(keys.get("report_due_after"), f"{field}.report_due_after", r.calendar),
            rank=len(priorities),
        )
    return priorities


def _status(r: NodeReader, item, field: str) -> Status | None:
    keys = r.mapping(item, field, _STATUS_KEYS, required=("id", "label", "phase"))
    if keys is None:
        return None
    sid = check_id(r, keys.get("id"), f"{field}.id")
    label = r.text(keys.get("label"), f"{field}.label")
    phase = r.choice(keys.get("phase"), f"{field}.phase", PHASES, "invalid-value", "phase")
    if None in (sid, label, phase):
        return None
    reminders = []
    for i, rem in enumerate(r.sequence(keys.get("reminders"), f"{field}.reminders") or ()):
        value = r.duration(rem, f"{field}.reminders[{i}]", r.calendar)
        if value is not None:
            reminders.append(value)
    state = r.choice(keys.get("component_state"), f"{field}.component_state", _STATE_CHOICES,
                     "unknown-state", "component state")
    return Status(
        id=sid,
        label=label,
        description=r.text(keys.get("description"), f"{field}.description") or LocalText(),
        icon=r.scalar(keys.get("icon"), f"{field}.icon") or "",
        phase=phase,
        api_status=r.choice(keys.get("api_status"), f"{field}.api_status", API_STATUSES,
                            "invalid-value", "Statuspage status") or "",
        component_state=state,
        pauses_target=_given(r.boolean(keys.get("pauses_target"), f"{field}.pauses_target"), Status.pauses_target),
        reminders=tuple(sorted(reminders, key=lambda d: d.length)),
        auto_resolve_after=r.duration(keys.get("auto_resolve_after"), f"{field}.auto_resolve_after", r.calendar),
        auto_resolve_to=r.scalar(keys.get("auto_resolve_to"), f"{field}.auto_resolve_to"),
    )


_SECTION_STATUSES = {
    "incidents": ("investigating", "identified", "monitoring", "resolved", "postmortem"),
    "scheduled_maintenances": ("scheduled", "in_progress", "verifying", "completed"),
}
_CLOSED_API_STATUSES = ("resolved", "postmortem", "completed")


def _check_api_statuses(r: NodeReader, nodes: dict[str, tuple], base: str, api: str,
                        statuses: dict[str, Status]) -> None:
    """A status maps to a status of its lifecycle's API section, closed only when the status is resolved."""
    allowed = _SECTION_STATUSES.get(api)
    for sid, status in statuses.items():
        index, where = nodes[sid]
        field = f"{base}.statuses[{index}].api_status"
        if not status.api_status or allowed is None:
            continue
        if status.api_status not in allowed:
            r.report("lifecycle-definition", where, field,
                     f"'{status.api_status}' is not a status of the Statuspage {api.replace('_', ' ')} API",
                     f"use one of: {', '.join(allowed)}")
        elif (status.api_status in _CLOSED_API_STATUSES) != status.is_resolved:
            r.report("lifecycle-definition", where, field,
                     f"phase '{status.phase}' cannot map to '{status.api_status}'",
                     "only resolved statuses map to resolved, postmortem or completed")


def _check_waiting_rules(r: NodeReader, status: Status, statuses: dict[str, Status], where: tuple,
                         base: str) -> None:
    """Reminders and auto-resolution belong to waiting statuses, and auto-resolution ends the entry."""
    index, node = where
    field = f"{base}.statuses[{index}]"
    if (status.reminders or status.auto_resolve_after) and status.phase != "waiting":
        r.report("lifecycle-definition", node, f"{field}.reminders",
                 f"reminders and auto-resolution apply to waiting statuses; '{status.id}' is {status.phase}",
                 "set phase: waiting, or remove them")
    if any(reminder.length <= timedelta() for reminder in status.reminders):
        r.report("lifecycle-definition", node, f"{field}.reminders", "a reminder must come after some time",
                 "write e.g. [2d, 5d]")
    if bool(status.auto_resolve_after) != bool(status.auto_resolve_to):
        r.report("lifecycle-definition", node, f"{field}.auto_resolve_to",
                 "auto_resolve_after and auto_resolve_to go together", "set both, or neither")
    target = statuses.get(status.auto_resolve_to or "")
    if status.auto_resolve_to and target is None:
        r.report("lifecycle-definition", node, f"{field}.auto_resolve_to",
                 f"'{status.auto_resolve_to}' is not a status of this lifecycle",
                 did_you_mean(status.auto_resolve_to, statuses))
    elif target is not None and not target.is_resolved:
        r.report("lifecycle-definition", node, f"{field}.auto_resolve_to",
                 f"'{target.id}' is not a resolved status", "auto-resolution must resolve the entry")


def _check_reachable(r: NodeReader, where, base: str, moves: tuple, statuses: dict[str, Status],
                     reopen: bool) -> None:
    """Each terminal status can be reached from a first status, through transitions or auto-resolution:
    otherwise no entry could ever end there. moves is (initial, terminal, transitions)."""
    initial, terminal, transitions = moves
    reached, pending = set(initial), list(initial)
    while pending:
        status = pending.pop()
        if status in terminal and not reopen:
            continue  # nothing follows a terminal status
        following = list(transitions.get(status, ()))
        if statuses[status].auto_resolve_to in statuses:
            following.append(statuses[status].auto_resolve_to)
        for after in following:
            if after not in reached:
                reached.add(after)
                pending.append(after)
    for status in terminal:
        if status not in reached:
            r.report("lifecycle-definition", where, f"{base}.terminal",
                     f"'{status}' cannot be reached from the first statuses ({', '.join(initial)})",
                     f"add a transition to '{status}' from one of: {', '.join(sorted(set(reached) - set(terminal)))}")


def _status_ids(r: NodeReader, node, field: str, statuses: dict[str, Status]) -> tuple[str, ...]:
    ids = []
    for index, item in enumerate(r.sequence(node, field) or ()):
        value = r.scalar(item, f"{field}[{index}]")
        if value is None:
            continue
        if value not in statuses:
            r.report("lifecycle-definition", item, f"{field}[{index}]",
                     f"'{value}' is not a status of this lifecycle", did_you_mean(value, statuses))
            continue
        ids.append(value)
    return tuple(ids)


def _lifecycle(r: NodeReader, lid: str, node, priorities: dict[str, Priority]) -> Lifecycle | None:
    base = f"lifecycles.{lid}"
    keys = r.mapping(node, base, _LIFECYCLE_KEYS, required=("label", "statuses", "initial", "terminal"))
    if keys is None:
        return None
    statuses: dict[str, Status] = {}
    status_nodes: dict[str, tuple] = {}
    for index, item in enumerate(r.sequence(keys.get("statuses"), f"{base}.statuses") or ()):
        status = _status(r, item, f"{base}.statuses[{index}]")
        if status is None:
            continue
        if status.id in statuses:
            r.report("duplicate-definition", item, f"{base}.statuses[{index}].id",
                     f"status '{status.id}' is defined twice in this lifecycle")
            continue
        statuses[status.id] = status
        status_nodes[status.id] = (index, item)
    if not statuses:
        r.report("lifecycle-definition", keys.get("statuses") or node, f"{base}.statuses",
                 "the lifecycle defines no status", "list its statuses with id, label and phase")
        return None
    transitions: dict[str, tuple[str, ...]] = {}
    t_fields = r.mapping(keys.get("transitions"), f"{base}.transitions", tuple(statuses)) or {}
    for source, targets in t_fields.items():
        transitions[source] = _status_ids(r, targets, f"{base}.transitions.{source}", statuses)
    for sid, status in statuses.items():
        _check_waiting_rules(r, status, statuses, status_nodes[sid], base)
    resolve_status = r.scalar(keys.get("resolve_status"), f"{base}.resolve_status") or ""
    if resolve_status and resolve_status not in statuses:
        r.report("lifecycle-definition", keys["resolve_status"], f"{base}.resolve_status",
                 f"'{resolve_status}' is not a status of this lifecycle", did_you_mean(resolve_status, statuses))
        resolve_status = ""
    default_priority = r.scalar(keys.get("default_priority"), f"{base}.default_priority")
    if default_priority and default_priority not in priorities:
        r.report("unknown-priority", keys["default_priority"], f"{base}.default_priority",
                 f"unknown priority '{default_priority}'", did_you_mean(default_priority, priorities))
        default_priority = None
    terminal = _status_ids(r, keys.get("terminal"), f"{base}.terminal", statuses)
    initial = _status_ids(r, keys.get("initial"), f"{base}.initial", statuses)
    api = r.choice(keys.get("api"), f"{base}.api", API_SECTIONS, "invalid-value", "API section") or Lifecycle.api
    _check_api_statuses(r, status_nodes, base, api, statuses)
    if resolve_status and not (statuses[resolve_status].is_resolved and resolve_status in terminal):
        r.report("lifecycle-definition", keys["resolve_status"], f"{base}.resolve_status",
                 f"'{resolve_status}' is not a terminal resolved status",
                 f"use one of: {', '.join(s for s in terminal if statuses[s].is_resolved) or 'none'}")
    if not resolve_status:
        resolve_status = next((s for s in terminal if statuses[s].is_resolved), "")
    if "initial" in keys and not initial:
        r.report("lifecycle-definition", keys["initial"], f"{base}.initial", "no status to start with",
                 f"list at least one of: {', '.join(statuses)}")
    if "terminal" in keys and not terminal:
        r.report("lifecycle-definition", keys["terminal"], f"{base}.terminal", "no status ends an entry",
                 "list the resolved statuses")
    reopen = _given(r.boolean(keys.get("reopen"), f"{base}.reopen"), Lifecycle.reopen)
    if initial and terminal:
        _check_reachable(r, keys["terminal"], base, (initial, terminal, transitions), statuses, reopen)
    default_kind = "maintenance" if api == "scheduled_maintenances" else Lifecycle.kind
    return Lifecycle(
        id=lid,
        kind=r.choice(keys.get("kind"), f"{base}.kind", KINDS, "invalid-value", "kind") or default_kind,
        label=r.text(keys.get("label"), f"{base}.label") or LocalText.plain(lid),
        statuses=statuses,
        initial=initial,
        transitions=transitions,
        terminal=terminal,
        api=api,
        component_state=r.choice(keys.get("component_state"), f"{base}.component_state", _STATE_CHOICES,
                                 "unknown-state", "component state") or Lifecycle.component_state,
        resolve_status=resolve_status,
        default_priority=default_priority,
        reopen=reopen,
        enforce_target=_given(r.boolean(keys.get("enforce_target"), f"{base}.enforce_target"),
                              Lifecycle.enforce_target),
        enforce_cadence=_given(r.boolean(keys.get("enforce_cadence"), f"{base}.enforce_cadence"),
                               Lifecycle.enforce_cadence),
        outside_hours=r.calendar if r.boolean(keys.get("outside_hours_not_incident"),
                                              f"{base}.outside_hours_not_incident") else None,
    )


def _given(value, default):
    """The value read, or the model's default when the key is absent (or its value refused)."""
    return default if value is None else value
