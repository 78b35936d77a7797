"""Diagnostics as values: every problem found in a site carries its file, line and field."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Iterable

import click

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Rule:
    """A check with a stable id, a level and a one-line summary for the documentation."""

    id: str
    level: str
    summary: str
    example: str = ""


@dataclass(frozen=True)
class Diagnostic:
    """One problem in one file: where it is, which rule found it and how to fix it."""

    path: str
    line: int
    rule: str
    level: str
    field: str
    message: str
    hint: str = ""

    def format(self) -> str:
        """One terminal line; characters a terminal would obey (escapes, bidi overrides) are shown escaped."""
        return f"{visible(self.path)}:{self.line}: {self._text()}"

    def _text(self) -> str:
        field = f"{self.field}: " if self.field else ""
        hint = f" ({self.hint})" if self.hint else ""
        return visible(f"{self.level} [{self.rule}] {field}{self.message}{hint}")

    def github(self, path_prefix: str = "") -> str:
        """A workflow annotation; path_prefix makes the path relative to the repository root."""
        file = _github_property(visible(path_prefix + self.path))
        return (f"::{self.level} file={file},line={self.line},title={_github_property(self.rule)}::"
                f"{_github_data(self._text())}")

    def as_dict(self) -> dict:
        return {
            "path": self.path,
            "line": self.line,
            "rule": self.rule,
            "level": self.level,
            "field": self.field,
            "message": self.message,
            "hint": self.hint,
        }


# C0 and C1 controls, DEL, and the invisible marks that reorder or hide text (bidi overrides and
# isolates, line and paragraph separators): file content must never steer the reader's terminal.
_UNSAFE_FOR_TERMINAL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """text with its control and bidi characters written as escapes (\\x1b, \\u202e)."""
    if not _UNSAFE_FOR_TERMINAL.search(text):
        return text
    return _UNSAFE_FOR_TERMINAL.sub(_escape, text)


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _github_data(text: str) -> str:
    """The message of a workflow command: '%', CR and LF percent-encoded (GitHub's escapeData)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github_property(text: str) -> str:
    """A property value of a workflow command: also ':' and ',' (GitHub's escapeProperty)."""
    return _github_data(text).replace(":", "%3A").replace(",", "%2C")


class StatusgenError(click.ClickException):
    """An expected failure: printed as one clean line, never as a traceback."""


class UsageProblem(click.UsageError):
    """A bad option value: exit code 2, like every other usage error."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A hint naming the closest known choice, or listing the choices when none is close."""
    choices = sorted(set(choices))
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    if not choices:
        return ""
    listed = ", ".join(choices[:12]) + (", ..." if len(choices) > 12 else "")
    return f"expected one of: {listed}"


def count_by_level(diagnostics: Iterable[Diagnostic]) -> tuple[int, int]:
    errors = warnings = 0
    for d in diagnostics:
        if d.level == ERROR:
            errors += 1
        else:
            warnings += 1
    return errors, warnings


def sort_key(d: Diagnostic) -> tuple:
    return (d.path, d.line, d.rule, d.field, d.message)
