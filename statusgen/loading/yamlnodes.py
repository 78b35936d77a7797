"""YAML parsed into nodes that keep their line numbers, and typed reading of those nodes.

The compiled libyaml composer builds the node tree; statusgen then reads each field from
its node, so every value, and every problem, knows the line it came from.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Iterable

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from statusgen.catalog import diag
from statusgen.errors import Diagnostic, did_you_mean
from statusgen.model.limits import FIRST_YEAR, LAST_YEAR, describe_character, first_forbidden, strip_forbidden
from statusgen.model.text import LocalText
from statusgen.model.worktime import Duration, WorkCalendar

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$")
_STR, _MAP, _SEQ = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_NUMBER_START = frozenset("0123456789+-.")
_WORDS_WITH_MEANING = frozenset(  # YAML 1.1 booleans and nulls, the only words that are not strings
    form for word in ("yes", "no", "true", "false", "on", "off", "y", "n", "null")
    for form in (word, word.capitalize(), word.upper())) | {"~", "", "<<", "="}


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """The compiled loader, with a shortcut for the commonest nodes: collections, quoted scalars
    and words that cannot be numbers, booleans, nulls or dates skip the implicit resolvers."""

    def resolve(self, kind, value, implicit):
        if kind is ScalarNode:
            if not implicit[0]:
                return _STR
            if value[:1] not in _NUMBER_START and value not in _WORDS_WITH_MEANING:
                return _STR
            return super().resolve(kind, value, implicit)
        return _MAP if kind is MappingNode else _SEQ


MAX_EXPANDED_NODES = 100_000
MAX_DURATION = timedelta(days=3653)
MAX_FLOW_DEPTH = 100

_TAG = "tag:yaml.org,2002:"
# ASCII digits only: \d and int() also accept Arabic-Indic, Devanagari... digits.
_DURATION = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(m|min|h|d|w)\s*$")
_DECIMAL = re.compile(r"^[-+]?[0-9][0-9_]{0,11}$")
_DURATION_UNITS = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_WORKING = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(working\s+days?|working\s+hours?|wd|wh)\s*$")


def compose(text: str, path: str, first_line: int) -> tuple[Node | None, list[Diagnostic]]:
    """The YAML node tree of text, or a yaml-syntax / yaml-alias-bomb diagnostic."""
    too_deep = _too_deep(text)
    if too_deep is not None:
        return None, [diag("yaml-syntax", path, first_line + too_deep, "",
                           f"lists and mappings nest more than {MAX_FLOW_DEPTH} levels deep")]
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + (mark.line if mark else 0)
        problem = exc.problem or str(exc)
        context = f" ({exc.context})" if exc.context else ""
        return None, [diag("yaml-syntax", path, line, "", f"{problem}{context}",
                           "check the indentation and quote values that contain ': ' or '#'")]
    except yaml.reader.ReaderError as exc:
        line = first_line + text[: exc.position].count("\n")
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
        return None, [diag("yaml-syntax", path, line, "", f"{describe_character(chr(code))} is not allowed",
                           "remove it (it often comes from text pasted from a terminal)")]
    except yaml.YAMLError as exc:
        return None, [diag("yaml-syntax", path, first_line, "", str(exc).splitlines()[0])]
    if node is not None and "&" in text and "*" in text:
        size, cycle = _expanded_size(node)
        if cycle is not None:
            return None, [diag("yaml-alias-cycle", path, first_line + cycle.start_mark.line, "",
                               "an alias stands inside the value it refers to, which would repeat it for ever",
                               "an alias may only repeat a value written before it, outside it")]
        if size > MAX_EXPANDED_NODES:
            return None, [diag("yaml-alias-bomb", path, first_line, "",
                               f"aliases expand to more than {MAX_EXPANDED_NODES} nodes",
                               "write the values out instead of nesting aliases")]
    return node, []


def _too_deep(text: str) -> int | None:
    """The line offset where [[[[...]]]] nesting passes MAX_FLOW_DEPTH, before the composer recurses into it.

    Read from the parser's events, which come one at a time: brackets inside quoted or block texts
    (a message quoting code) do not count.
    """
    if text.count("[") + text.count("{") < MAX_FLOW_DEPTH:
        return None
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_FLOW_DEPTH:
                    return event.start_mark.line
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return None  # compose reports it, with its line
    return None


def _expanded_size(root: Node) -> tuple[int, Node | None]:
    """How many nodes the tree holds once every alias is expanded (computed without expanding),
    or the first node found inside itself (`x: &a [*a]`), whose expansion would never end."""
    sizes: dict[int, int] = {}
    # Nodes whose children are being sized: only their descendants are popped meanwhile, so
    # meeting one of them again means it contains itself.
    open_nodes: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            open_nodes.discard(key)
            sizes[key] = min(1 + sum(sizes[id(k)] for k in _children(node)), MAX_EXPANDED_NODES + 1)
            continue
        if key in sizes:
            continue
        if key in open_nodes:
            return 0, node
        kids = _children(node)
        if not kids:
            sizes[key] = 1
            continue
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((k, False) for k in kids if id(k) not in sizes)
    return sizes[id(root)], None


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def kind_of(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    tag = node.tag.removeprefix(_TAG)
    return {"null": "nothing", "bool": "true/false", "int": "a number", "float": "a number",
            "timestamp": "a date"}.get(tag, "a text")


def is_null(node: Node | None) -> bool:
    return node is None or (isinstance(node, ScalarNode) and node.tag == _TAG + "null")


MAX_ORIGIN = 200  # source_id and shortlink of imported entries and components


class NodeReader:
    """Reads typed values out of the nodes of one file, collecting diagnostics as it goes."""

    def __init__(self, path: str, first_line: int, languages: tuple[str, ...] = (), shared: bool = False):
        self.path = path
        self.first_line = first_line
        self.languages = languages
        # Definition files (components, lifecycles) are often shared between sites: a text in a
        # language this site does not publish is simply not shown. In entries it is likely a typo.
        self.shared = shared
        # In entries, a plain text on a site of several languages is one language shown to every
        # reader (English readers silently served French): warned like a missing translation.
        self.plain_is_one_language = False
        self.diagnostics: list[Diagnostic] = []
        self.calendar: WorkCalendar | None = None  # set: durations may be written in working time

    # -- reporting ---------------------------------------------------------
    def line(self, node: Node | None) -> int:
        if node is None:
            return self.first_line
        return node.start_mark.line + self.first_line

    def report(self, rule: str, where: Node | int | None, field: str, message: str, hint: str = "") -> None:
        line = where if isinstance(where, int) else self.line(where)
        self.diagnostics.append(diag(rule, self.path, line, field, message, hint))

    def wrong_type(self, node: Node, field: str, expected: str, hint: str = "") -> None:
        self.report("wrong-type", node, field, f"expected {expected}, got {kind_of(node)}", hint)

    # -- structure ---------------------------------------------------------
    def mapping(self, node: Node | None, field: str, known: Iterable[str], required: Iterable[str] = (),
                ) -> dict[str, Node] | None:
        """The keys of a mapping node; unknown, duplicate and missing keys are reported."""
        if not isinstance(node, MappingNode):
            if node is not None:
                self.wrong_type(node, field or "(top level)", "a mapping of fields")
            return None
        known = tuple(known)
        found: dict[str, Node] = {}
        key_lines: dict[str, int] = {}
        prefix = f"{field}." if field else ""
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.wrong_type(key_node, field or "(top level)", "a plain key")
                continue
            key = key_node.value
            if key in found:
                self.report("duplicate-key", key_node, prefix + key,
                            f"'{key}' is already set on line {key_lines[key]}", "keep only one of them")
                continue
            if key not in known:
                self.report("unknown-key", key_node, prefix + key, "unknown key", did_you_mean(key, known))
                continue
            found[key] = value_node
            key_lines[key] = self.line(key_node)
        for key in required:
            if key not in found or is_null(found[key]):
                where = found.get(key, node)
                self.report("missing-field", where, prefix + key, "required field is missing"
                            if key not in found else "required field is empty")
        return found

    def sequence(self, node: Node | None, field: str) -> list[Node] | None:
        if node is None or is_null(node):
            return None
        if not isinstance(node, SequenceNode):
            self.wrong_type(node, field, "a list")
            return None
        return list(node.value)

    # -- scalars -----------------------------------------------------------
    def scalar(self, node: Node | None, field: str) -> str | None:
        """A scalar as written (so `no` stays 'no' and `2026` stays '2026'); None when absent."""
        if node is None or is_null(node):
            return None
        if not isinstance(node, ScalarNode):
            self.wrong_type(node, field, "a single value")
            return None
        return self._printable(node, field)

    def _printable(self, node: ScalarNode, field: str) -> str:
        """The scalar's text; control characters (pasted terminal colours...) and noncharacters are
        reported and dropped."""
        value = node.value
        bad = first_forbidden(value)
        if bad:
            self.report("invalid-value", node, field, f"contains {describe_character(bad)}",
                        "remove it (it often comes from text pasted from a terminal)")
            value = strip_forbidden(value)
        return value

    def choice(self, node: Node | None, field: str, choices: Iterable[str], rule: str, what: str) -> str | None:
        value = self.scalar(node, field)
        if value is None:
            return None
        choices = list(choices)
        if value not in choices:
            self.report(rule, node, field, f"unknown {what} '{value}'", did_you_mean(value, choices))
            return None
        return value

    def boolean(self, node: Node | None, field: str) -> bool | None:
        if node is None or is_null(node):
            return None
        if isinstance(node, ScalarNode) and node.tag == _TAG + "bool":
            return node.value.lower() in ("true", "yes", "on", "y")
        self.wrong_type(node, field, "true or false")
        return None

    def integer(self, node: Node | None, field: str, minimum: int = 1) -> int | None:
        """A whole number written in decimal digits; `_` may group them (1_000).

        YAML 1.1 also reads 0x1F, 0b101, 0o17 and 1:20 (base 60) as numbers: they are refused rather than
        guessed at, and "010" is ten, as people mean it, not YAML 1.1's octal eight.
        """
        if node is None or is_null(node):
            return None
        if not isinstance(node, ScalarNode) or node.tag not in (_TAG + "int", _TAG + "str"):
            self.wrong_type(node, field, "a whole number")
            return None
        if not _DECIMAL.match(node.value) or node.value.endswith("_"):
            if node.tag == _TAG + "str" and not node.value.strip()[:1].isdigit():
                self.wrong_type(node, field, "a whole number")
            else:
                self.report("invalid-value", node, field, f"'{node.value}' is not a whole number in decimal digits",
                            "write it with the digits 0-9 only, e.g. 50 (at most 12 digits)")
            return None
        value = int(node.value.replace("_", ""), 10)
        if value < minimum:
            self.report("invalid-value", node, field, f"must be at least {minimum}")
            return None
        return value

    def duration(self, node: Node | None, field: str, calendar: WorkCalendar | None = None) -> Duration | None:
        """A calendar duration (30m, 4h, 2d, 1w) or, given the site's calendar, a working one
        (2 working days, 4 working hours, 2wd, 4wh)."""
        value = self.scalar(node, field)
        if value is None:
            return None
        working = _WORKING.match(value) if calendar is not None else None
        match = working or _DURATION.match(value)
        if not match:
            self.report("invalid-value", node, field, f"'{value}' is not a duration",
                        "write a number and a unit: 30m, 4h, 2d or 1w"
                        + (", or working time: 4 working hours, 2 working days" if calendar else ""))
            return None
        amount, unit = float(match.group(1)), match.group(2)
        try:
            if working:
                duration = Duration.working(amount, "working_day" if unit in ("wd",) or "day" in unit
                                            else "working_hour", calendar)
            else:
                duration = Duration(timedelta(**{_DURATION_UNITS[unit]: amount}))
            too_long = duration.length > MAX_DURATION
        except OverflowError:
            too_long = True
        if too_long:
            self.report("invalid-value", node, field, f"'{match.group(0).strip()}' is longer than ten years",
                        "write a shorter duration")
            return None
        return duration

    def timestamp(self, node: Node | None, field: str) -> datetime | None:
        value = self.scalar(node, field)
        if value is None:
            return None
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            self.report("timestamp-timezone", node, field, f"'{value}' is not a timestamp",
                        "write it as 2026-11-20T09:12:00+01:00")
            return None
        if parsed.tzinfo is None or parsed.utcoffset() is None:
            what = "is a date without a time" if "T" not in value and " " not in value.strip() else "has no time zone"
            self.report("timestamp-timezone", node, field, f"'{value}' {what}",
                        "write the time with its offset, e.g. 2026-11-20T09:12:00+01:00 or ...Z")
            return None
        if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
            self.report("invalid-value", node, field, f"'{value}' is outside the years statusgen accepts",
                        f"write a time from {FIRST_YEAR} to {LAST_YEAR}")
            return None
        return parsed

    def origin(self, node: Node | None, field: str, url: bool = False) -> str:
        """Where an imported entry or component came from: one line of at most 200 characters
        (`source_id`), or an http(s) address (`shortlink`); '' when absent."""
        value = self.scalar(node, field)
        if value is None:
            return ""
        if not value.strip() or "\n" in value or len(value) > MAX_ORIGIN:
            self.report("invalid-value", node, field, f"expected one line of 1 to {MAX_ORIGIN} characters",
                        "keep the identifier the other tool gave, as written")
            return ""
        if url and (not re.match(r"^https?://[^\s/]+", value) or any(c.isspace() for c in value)):
            self.report("invalid-value", node, field, f"'{value}' is not an http:// or https:// address")
            return ""
        return value

    def day(self, node: Node | None, field: str) -> date | None:
        """A calendar date written YYYY-MM-DD."""
        value = self.scalar(node, field)
        if value is None:
            return None
        try:
            parsed = date.fromisoformat(value.strip()) if len(value.strip()) == 10 else None
        except ValueError:
            parsed = None
        if parsed is None:
            self.report("invalid-value", node, field, f"'{value}' is not a date", "write it as 2026-11-20")
        elif not FIRST_YEAR <= parsed.year <= LAST_YEAR:
            self.report("invalid-value", node, field, f"'{value}' is outside the years statusgen accepts",
                        f"write a date from {FIRST_YEAR} to {LAST_YEAR}")
            parsed = None
        return parsed

    def single_text(self, node: Node | None, field: str) -> str | None:
        """A text in the one language of its file (a help article); a blank one is reported."""
        value = self.scalar(node, field)
        if value is not None and not value.strip():
            self.report("missing-field", node, field, "the text is blank",
                        "write the text, or remove the field if it is optional")
            return None
        return value

    def text(self, node: Node | None, field: str, blank_ok: bool = False, partial: bool = False) -> LocalText | None:
        """A plain string for every language, or a mapping of language code to string.

        A blank text (spaces only) is reported, unless blank_ok: then the caller judges it (an update
        message may be empty in some statuses). A blank translation is always reported: its readers
        would see nothing where the others read a text. With partial (an update changing some
        languages of a text), the languages left out keep their text: none is missing.
        """
        if node is None or is_null(node):
            return None
        if isinstance(node, ScalarNode):
            value = self._printable(node, field)
            if not blank_ok and not value.strip():
                self.report("missing-field", node, field, "the text is blank",
                            "write the text, or remove the field if it is optional")
                return None
            if self.plain_is_one_language and len(self.languages) > 1 and value.strip():
                others = ", ".join(self.languages[1:])
                self.report("missing-translation", node, field,
                            f"one text for every language; readers of {others} see it as written",
                            f"write it per language: {{{', '.join(f'{lang}: ...' for lang in self.languages)}}}")
            return LocalText.plain(value)
        if not isinstance(node, MappingNode):
            self.wrong_type(node, field, "a text or a mapping of language to text",
                            "write `field: text` or `field: {fr: ..., en: ...}`")
            return None
        values: dict[str, str] = {}
        reported = len(self.diagnostics)
        for key_node, value_node in node.value:
            lang = key_node.value if isinstance(key_node, ScalarNode) else "?"
            if lang in values:
                self.report("duplicate-key", key_node, f"{field}.{lang}", f"'{lang}' is given twice",
                            "keep only one of them")
                continue
            if self.languages and lang not in self.languages and not (self.shared and LANGUAGE_CODE.match(lang)):
                close = did_you_mean(lang, self.languages)
                self.report("unknown-language", key_node, f"{field}.{lang}",
                            f"'{lang}' is not a language of this site (languages: {', '.join(self.languages)})",
                            close if "did you mean" in close else "")
                continue
            value = self.scalar(value_node, f"{field}.{lang}")
            if value is not None and not value.strip():
                self.report("missing-field", value_node, f"{field}.{lang}", f"the '{lang}' text is blank",
                            f"write it, or remove {lang}: to show the default language's text")
            elif value is not None:
                values[lang] = value
        if not values:
            if len(self.diagnostics) == reported:  # else the reason was said for each language
                self.report("missing-field", node, field, "no text in any language")
            return None
        missing = [lang for lang in self.languages if lang not in values]
        if missing and self.languages and not partial:
            default = self.languages[0] if self.languages[0] in values else next(iter(values))
            self.report("missing-translation", node, field,
                        f"no text in {', '.join(missing)}; readers see the '{default}' text",
                        f"add {', '.join(f'{m}: ...' for m in missing)}")
        return LocalText(values)