"""Checks of the texts statusgen renders as Markdown: messages, reports and help articles.

What they hold must reach a feed (XML) and a page intact and render in bounded time: the limits are
those of model.limits, which rendering applies too.
"""

from __future__ import annotations

from yaml.nodes import MappingNode, Node, ScalarNode

from statusgen.loading.yamlnodes import NodeReader
from statusgen.model.limits import forbidden_characters, markdown_problem
from statusgen.model.text import language_parts

_HINT = "split the text, close what is open, or put code in a ``` block"


def check_markdown_field(r: NodeReader, node: Node | None, field: str) -> None:
    """The Markdown of a text field of the front matter: plain, or one value per language."""
    if isinstance(node, ScalarNode):
        _check_scalar(r, node, field)
    elif isinstance(node, MappingNode):
        for key, value in node.value:
            if isinstance(key, ScalarNode) and isinstance(value, ScalarNode):
                _check_scalar(r, value, f"{field}.{key.value}")


def _check_scalar(r: NodeReader, node: ScalarNode, field: str) -> None:
    problem = markdown_problem(node.value)
    if problem:
        # A block scalar (| or >) starts on the line after its indicator; offsets count from there.
        offset, message = problem
        first_line = r.line(node) + (1 if node.style in ("|", ">") else 0)
        r.report("markdown-limit", first_line + offset, field, message, _HINT)


def _check_markdown(r: NodeReader, text: str, first_line: int, field: str) -> None:
    problem = markdown_problem(text)
    if problem:
        offset, message = problem
        r.report("markdown-limit", first_line + offset, field, message, _HINT)


def check_body(r: NodeReader, body: str, first_line: int, field: str,
               languages: tuple[str, ...] | None = None) -> None:
    """A Markdown body after the front matter. With languages, it is a report whose '<!-- lang: xx -->'
    lines start the part in each language, and each mark must name a language of the site."""
    for offset, what in forbidden_characters(body):
        r.report("invalid-value", first_line + offset, field, f"contains {what}",
                 "remove it (it often comes from text pasted from a terminal)")
    parts = language_parts(body) if languages is not None else [("", 0, body)]
    for lang, start, text in parts:
        if start and lang not in (languages or ()):
            r.report("unknown-language", first_line + start - 1, f"{field}.{lang}",
                     f"'{lang}' is not a language of this site (languages: {', '.join(languages or ())})",
                     "a line <!-- lang: xx --> starts the part of the report in the language xx")
        _check_markdown(r, text, first_line + start, field)
