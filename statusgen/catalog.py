"""Every rule statusgen checks, with its stable id and level: the single source for docs and checks."""

from __future__ import annotations

from statusgen.errors import ERROR, WARNING, Diagnostic, Rule

_RULES = [
    # Reading files and YAML syntax.
    Rule("not-a-file", ERROR, "a directory, symbolic or hard link, or special file stands where a file is expected",
         "incidents/2026-11-20-x.md:1: error [not-a-file] : is a symbolic link; statusgen reads regular files only"),
    Rule("file-too-large", ERROR, "a file is larger than statusgen accepts (2 MB)",
         "incidents/2026-11-20-x.md:1: error [file-too-large] : file is 6.0 MB; the limit is 2 MB"),
    Rule("encoding", ERROR, "a file is not valid UTF-8",
         "incidents/2026-11-20-x.md:4: error [encoding] : invalid UTF-8 byte 0xe9 (save the file as UTF-8)"),
    Rule("empty-file", ERROR, "a file is empty",
         "incidents/2026-11-20-x.md:1: error [empty-file] : the file is empty"),
    Rule("front-matter", ERROR, "an entry or page does not start with '---' or the closing '---' is missing",
         "incidents/2026-11-20-x.md:1: error [front-matter] : no closing '---' line after the front matter"),
    Rule("yaml-syntax", ERROR, "YAML that cannot be parsed",
         "incidents/2026-11-20-x.md:6: error [yaml-syntax] : mapping values are not allowed here"),
    Rule("yaml-alias-bomb", ERROR, "YAML aliases that expand to an unreasonable size",
         "incidents/2026-11-20-x.md:2: error [yaml-alias-bomb] : aliases expand to more than 100000 nodes"),
    Rule("yaml-alias-cycle", ERROR, "a YAML alias inside the value it refers to (`x: &a [*a]`)",
         "incidents/2026-11-20-x.md:9: error [yaml-alias-cycle] : an alias stands inside the value it refers to, "
         "which would repeat it for ever (an alias may only repeat a value written before it, outside it)"),
    Rule("duplicate-key", ERROR, "the same key appears twice in one mapping",
         "incidents/2026-11-20-x.md:5: error [duplicate-key] priority: 'priority' is already set on line 3"),
    Rule("unknown-key", ERROR, "a key statusgen does not know (often a typo)",
         "incidents/2026-11-20-x.md:3: error [unknown-key] priorty: unknown key (did you mean 'priority'?)"),
    Rule("wrong-type", ERROR, "a value of the wrong type",
         "incidents/2026-11-20-x.md:5: error [wrong-type] components: expected a list or a mapping, got a number"),
    Rule("missing-field", ERROR, "a required field is missing",
         "incidents/2026-11-20-x.md:1: error [missing-field] title: required field is missing"),
    Rule("invalid-value", ERROR, "a value outside what the field accepts (a duration, a URL, a time zone...)",
         "content/site.yaml:4: error [invalid-value] timezone: unknown time zone 'Europe/Pari' (did you mean 'Europe/Paris'?)"),
    Rule("missing-variable", ERROR, "a `${NAME}` of the notify channels file names an environment variable that is not set or empty",
         "notify.yaml:4: error [missing-variable] channels[0].url: the environment variable SLACK_WEBHOOK_URL is not set (set it in the job's environment, from a CI secret or variable, before running notify)"),
    Rule("markdown-limit", ERROR, "Markdown nested more than 16 levels deep, or that would take too long to render",
         "incidents/2026-11-20-x.md:31: error [markdown-limit] report: lists and block quotes nest more than 16 levels "
         "deep here; statusgen renders at most 16 (split the text, close what is open, or put code in a ``` block)"),
    Rule("unknown-language", ERROR, "a text given in a language the site does not declare",
         "incidents/2026-11-20-x.md:2: error [unknown-language] title.de: 'de' is not a language of this site (languages: fr, en)"),
    Rule("missing-translation", WARNING, "a text lacks a site language and falls back to the default language",
         "incidents/2026-11-20-x.md:2: warning [missing-translation] title: no 'en' text; readers of 'en' see the 'fr' one"),
    Rule("unknown-lifecycle", ERROR, "lifecycle names no lifecycle of content/lifecycles.yaml",
         "incidents/2026-11-20-x.md:3: error [unknown-lifecycle] lifecycle: unknown lifecycle 'incidnet' (did you mean 'incident'?)"),
    Rule("unknown-priority", ERROR, "priority names no priority of content/lifecycles.yaml",
         "incidents/2026-11-20-x.md:4: error [unknown-priority] priority: unknown priority 'hihg' (did you mean 'high'?)"),
    Rule("unknown-status", ERROR, "a status that the entry's lifecycle does not define",
         "incidents/2026-11-20-x.md:12: error [unknown-status] updates[1].status: unknown status 'identifed' for lifecycle 'incident' (did you mean 'identified'?)"),
    Rule("unknown-component", ERROR, "a component id absent from content/components.yaml",
         "incidents/2026-11-20-x.md:5: error [unknown-component] components[1]: unknown component 'dashbord' (did you mean 'dashboard'?)"),
    Rule("unknown-state", ERROR, "a component state other than operational, degraded_performance, partial_outage, major_outage, under_maintenance",
         "incidents/2026-11-20-x.md:5: error [unknown-state] components.payments-api: unknown state 'down' (expected one of: ...)"),
    Rule("lifecycle-definition", ERROR, "content/lifecycles.yaml contradicts itself (a transition to an unknown status...)",
         "content/lifecycles.yaml:30: error [lifecycle-definition] lifecycles.incident.transitions.identified[2]: 'fixed' is not a status of this lifecycle"),
    Rule("duplicate-definition", ERROR, "two components, statuses, priorities or lifecycles share one id",
         "content/components.yaml:9: error [duplicate-definition] components[1].id: 'dashboard' is already defined on line 2"),
    Rule("template-syntax", ERROR, "a template of the site's templates/ folder that Jinja2 cannot parse",
         "templates/index.html:12: error [template-syntax] : unexpected '}' (fix the {% %} or {{ }} tag on that line)"),
    Rule("template-runtime", ERROR, "a template of the site's templates/ folder that fails when rendered (an undefined name, a bad filter...)",
         "templates/index.html:7: error [template-runtime] : 'nope' is undefined (rendering index.html in 'fr'; fix the name or guard it with {% if ... is defined %})"),
    # Identity of entries.
    Rule("file-name", ERROR, "an entry file name that is not YYYY-MM-DD-slug.md",
         "incidents/Panne paiements.md:1: error [file-name] : file name must be YYYY-MM-DD-slug.md (lowercase letters, digits, hyphens)"),
    Rule("unsafe-id", ERROR, "an id that is not a safe URL path segment",
         "content/components.yaml:2: error [unsafe-id] components[0].id: 'API paiement' is not a safe URL segment (use [a-z0-9-])"),
    Rule("duplicate-id", ERROR, "two entry files with the same id",
         "incidents/2026/2026-11-20-x.md:1: error [duplicate-id] : id '2026-11-20-x' is also used by incidents/2026-11-20-x.md"),
    Rule("file-date", WARNING, "the date in the file name is not the local date of the first update",
         "incidents/2026-11-20-x.md:8: warning [file-date] updates[0].at: the entry starts on 2026-11-19 but its file name says 2026-11-20"),
    # Timeline and lifecycle.
    Rule("timestamp-timezone", ERROR, "a timestamp without a time zone, or not a timestamp at all",
         "incidents/2026-11-20-x.md:8: error [timestamp-timezone] updates[0].at: '2026-11-20T09:12:00' has no time zone (add +01:00 or Z)"),
    Rule("timestamp-order", ERROR, "updates that do not strictly increase in time",
         "incidents/2026-11-20-x.md:14: error [timestamp-order] updates[2].at: 2026-11-20T09:30:00+01:00 is not after the previous update (2026-11-20T09:40:00+01:00)"),
    Rule("timestamp-future", ERROR, "an update dated after now (--now)",
         "incidents/2026-11-20-x.md:14: error [timestamp-future] updates[2].at: 2026-11-21T09:00:00+01:00 is after now (2026-11-20T15:00:00+01:00)"),
    Rule("initial-status", ERROR, "a first update with a status the lifecycle may not start with",
         "incidents/2026-11-20-x.md:9: error [initial-status] updates[0].status: an incident cannot start as 'monitoring' (may start as: investigating, identified)"),
    Rule("transition", ERROR, "a change of status that the lifecycle does not allow",
         "incidents/2026-11-20-x.md:14: error [transition] updates[2].status: 'monitoring' cannot follow 'resolved' (allowed after 'resolved': none)"),
    Rule("after-terminal", ERROR, "an update after a terminal status, in a lifecycle that does not allow reopening",
         "incidents/2026-11-20-x.md:17: error [after-terminal] updates[3]: no update may follow the terminal status 'resolved' (the lifecycle does not allow reopening)"),
    Rule("no-change", WARNING, "an update that sets a priority, a component state or a text to the value it already has (commands refuse it)",
         "incidents/2026-11-20-x.md:15: warning [no-change] updates[2].priority: the priority is already 'high' (remove the line, or give the new value)"),
    Rule("reminder", ERROR, "a reminder recorded on an entry that is not waiting on the customer, or that changes its status",
         "incidents/2026-11-12-x.md:16: error [reminder] updates[2].reminder: a reminder is recorded while the entry waits on the customer; 'in_progress' does not wait"),
    Rule("schedule", ERROR, "a maintenance window that is missing or ends before it starts",
         "incidents/2026-11-26-x.md:6: error [schedule] scheduled.end: the window ends before it starts"),
    # Promises made to customers (seed 000).
    Rule("update-overdue", WARNING, "an open entry whose latest update is older than its priority's update cadence",
         "incidents/2026-11-20-x.md:14: warning [update-overdue] updates[2]: the last update is 6 h old; priority 'high' promises an update every 4 h (post an update)"),
    Rule("resolution-message", ERROR, "a resolved entry whose resolving update has no message",
         "incidents/2026-11-20-x.md:17: error [resolution-message] updates[3].message: the resolving update needs a message telling customers what was fixed"),
    Rule("report-missing", WARNING, "a resolved critical or high entry still without root cause or report after the set number of days",
         "incidents/2026-11-02-x.md:1: warning [report-missing] root_cause: resolved 9 days ago without a root cause or report; priority 'critical' expects one within 5 days"),
    Rule("window-passed", WARNING, "a maintenance still open after the end of its window",
         "incidents/2026-11-26-x.md:5: warning [window-passed] scheduled.end: the window ended 2 h ago but the entry is still 'scheduled' (record how it went: completed or cancelled)"),
    # Targets and waiting statuses (seeds 001, 002, 004).
    Rule("target-breached", WARNING, "an entry open longer than its priority's resolution target",
         "incidents/2026-11-02-x.md:9: warning [target-breached] priority: open for 9 days; priority 'high' targets resolution within 7 days"),
    Rule("reminder-due", WARNING, "an entry waiting on the customer has reached a reminder day",
         "incidents/2026-11-12-x.md:14: warning [reminder-due] updates[1]: waiting on the customer for 5 days: the day-5 reminder is due"),
    Rule("auto-resolved", WARNING, "an entry waiting on the customer has reached its auto-resolve day and counts as resolved",
         "incidents/2026-11-02-x.md:14: warning [auto-resolved] updates[1]: no answer after 10 days: the entry counts as 'resolved_deployed' (record the final update)"),
]

RULES: dict[str, Rule] = {rule.id: rule for rule in _RULES}


def diag(rule_id: str, path: str, line: int, field: str, message: str, hint: str = "") -> Diagnostic:
    """A diagnostic of a catalogued rule, at that rule's level."""
    rule = RULES[rule_id]
    return Diagnostic(path=_shared(path), line=line, rule=rule.id, level=rule.level, field=_shared(field),
                      message=_shared(message), hint=_shared(hint))


# A site imported from a one-language page has a warning for each of its tens of thousands of
# texts, all with the same words: each distinct string is kept once, not once per warning.
# Bounded: a long-running serve checks the site again and again.
_TEXTS: dict[str, str] = {}
_TEXTS_KEPT = 100_000


def _shared(text: str) -> str:
    if len(_TEXTS) >= _TEXTS_KEPT:
        _TEXTS.clear()
    return _TEXTS.setdefault(text, text)
