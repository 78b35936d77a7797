"""Splitting a Markdown file into its YAML front matter and its body."""

from __future__ import annotations

import re
from dataclasses import dataclass

from statusgen.catalog import diag
from statusgen.errors import Diagnostic
from statusgen.loading.source import Source

_FENCE = "---"
CLOSING_FENCE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)


@dataclass(frozen=True)
class FrontMatter:
    yaml: str
    first_line: int  # file line of the first YAML line
    body: str
    body_line: int = 0  # file line of the body's first line


def split_front_matter(source: Source) -> tuple[FrontMatter | None, list[Diagnostic]]:
    """The YAML between the opening and closing '---' lines, and the Markdown after them."""
    text = source.text
    first, _, rest = text.partition("\n")
    if first.rstrip() != _FENCE:
        return None, [diag("front-matter", source.path, 1, "",
                           "the file must start with a '---' line opening the front matter",
                           "put '---' on the first line, the YAML fields, then '---'")]
    closing = CLOSING_FENCE.search(rest)
    if closing:
        body = rest[closing.end():].removeprefix("\n")
        return FrontMatter(rest[: closing.start()], 2, body, 3 + rest.count("\n", 0, closing.start())), []
    return None, [diag("front-matter", source.path, 1, "",
                       "no closing '---' line after the front matter",
                       "add a line '---' after the last YAML field")]
