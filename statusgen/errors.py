"""Diagnostics as values: every problem found in a site carries its file, line and field."""

from __future__ import annotations

import difflib
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
        field = f"{self.field}: " if self.field else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{self.path}:{self.line}: {self.level} [{self.rule}] {field}{self.message}{hint}"

    def github(self, path_prefix: str = "") -> str:
        """A workflow annotation; path_prefix makes the path relative to the repository root."""
        # Workflow commands take newlines and a few characters percent-encoded.
        text = self.format().split(": ", 1)[1]
        text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return f"::{self.level} file={path_prefix}{self.path},line={self.line},title={self.rule}::{text}"

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
