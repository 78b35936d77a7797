"""HTML of imported messages turned into Markdown that holds no live HTML.

Statuspage bodies are mostly plain text with a few tags (`<br />`, links, emphasis, lists);
a small converter over the standard library's tokenizer is enough and adds no dependency.
Text is escaped so that nothing in it reads as HTML again: `<script>` in a message ends as
the visible text `&lt;script&gt;`, never as a tag. Script and style content is dropped.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

MAX_HTML = 200_000  # characters of one body: a larger one is refused, not converted
MAX_DEPTH = 64  # tags open at once: deeper nesting is flattened
MAX_LIST_DEPTH = 7

_BLOCKS = {"p", "div", "section", "article", "blockquote", "table", "tr", "h1", "h2", "h3", "h4", "h5", "h6"}
_DROPPED = {"script", "style", "template", "iframe", "object", "embed", "noscript", "head", "title"}
_MARKS = {"strong": "**", "b": "**", "em": "*", "i": "*", "code": "`"}
_SPECIAL = re.compile(r"([\\`*_\[\]])")  # python-markdown's backslash escapes (not '<': see escape)
_ENTITY = re.compile(r"&(?=[a-zA-Z#][a-zA-Z0-9]*;)")
_SAFE_SCHEMES = {"http", "https", "mailto"}


class TooLarge(ValueError):
    """An HTML body beyond MAX_HTML characters."""


def looks_like_html(text: str) -> bool:
    return bool(re.search(r"</?[a-zA-Z][^>]*>|&[a-zA-Z#][a-zA-Z0-9]*;", text))


def to_markdown(text: str) -> str:
    """Markdown for a message that may hold HTML; plain text keeps its line breaks and gets escaped."""
    if len(text) > MAX_HTML:
        raise TooLarge(f"a message of {len(text):,} characters (the limit is {MAX_HTML:,})")
    text = text.replace("\r\n", "\n")
    if not looks_like_html(text):
        return _tidy("\n".join(escape(line) for line in text.split("\n")))
    converter = _Converter()
    converter.feed(text)
    converter.close()
    return _tidy("".join(converter.out))


def report_markdown(text: str) -> str:
    """A report written in Markdown (Statuspage's postmortems) stays Markdown; HTML is converted."""
    if len(text) > MAX_HTML:
        raise TooLarge(f"a report of {len(text):,} characters (the limit is {MAX_HTML:,})")
    return to_markdown(text) if looks_like_html(text) else _tidy(text.replace("\r\n", "\n"))


def escape(text: str) -> str:
    """Text that python-markdown shows as written: no tag, emphasis, link or code can start in it."""
    # python-markdown has no backslash escape for '<': an entity is the one form it never reads as a tag.
    return _ENTITY.sub("&amp;", _SPECIAL.sub(r"\\\1", text)).replace("<", "&lt;")


def _tidy(markdown: str) -> str:
    lines = [line.rstrip() for line in markdown.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


class _Converter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.dropping = 0
        self.depth = 0
        self.lists: list[list] = []  # [kind, counter]
        self.links: list[str | None] = []
        self.pre = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _DROPPED:
            self.dropping += 1
            return
        if self.dropping or self.depth >= MAX_DEPTH:
            return
        if tag not in ("br", "hr", "img"):
            self.depth += 1
        if tag == "br":
            # A paragraph break: a hard line break would need trailing spaces, which editors strip.
            self.out.append("\n\n" if not self.pre else "\n")
        elif tag == "hr":
            self.out.append("\n\n---\n\n")
        elif tag in _BLOCKS:
            self.out.append("\n\n")
            if tag[0] == "h" and tag[1:].isdigit():
                self.out.append("#" * int(tag[1]) + " ")
            elif tag == "blockquote":
                self.out.append("> ")
        elif tag in ("ul", "ol"):
            self.lists.append([tag, 0])
            self.out.append("\n")
        elif tag == "li":
            kind = self.lists[-1] if self.lists else ["ul", 0]
            kind[1] += 1
            marker = f"{kind[1]}." if kind[0] == "ol" else "-"
            # Deeper lists are flattened: statusgen renders at most 16 levels of lists and quotes.
            self.out.append("\n" + "    " * min(max(len(self.lists) - 1, 0), MAX_LIST_DEPTH) + marker + " ")
        elif tag in _MARKS and not self.pre:
            self.out.append(_MARKS[tag])
        elif tag == "pre":
            self.pre += 1
            self.out.append("\n\n```\n")
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self.links.append(href if _safe_url(href) else None)
            if self.links[-1]:
                self.out.append("[")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED:
            self.dropping = max(self.dropping - 1, 0)
            return
        if self.dropping or tag in ("br", "hr", "img"):
            return
        self.depth = max(self.depth - 1, 0)
        if tag in _BLOCKS:
            self.out.append("\n\n")
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self.out.append("\n\n")
        elif tag in _MARKS and not self.pre:
            self.out.append(_MARKS[tag])
        elif tag == "pre":
            self.pre = max(self.pre - 1, 0)
            self.out.append("\n```\n\n")
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href:
                self.out.append(f"](<{href}>)")

    def handle_data(self, data: str) -> None:
        if self.dropping:
            return
        if self.pre:
            self.out.append(data.replace("```", "'''"))
            return
        self.out.append(escape(re.sub(r"\s+", " ", data)))


def _safe_url(href: str) -> bool:
    try:
        scheme = urlsplit(href.strip()).scheme.lower()
    except ValueError:
        return False
    return scheme in _SAFE_SCHEMES and not re.search(r"[\s<>]", href)
