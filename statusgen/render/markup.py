"""Markdown to safe HTML: python-markdown for the syntax, nh3 to strip anything executable."""

from __future__ import annotations

import html
import re

import markdown
import nh3

_EXTENSIONS = ["tables", "fenced_code", "sane_lists", "toc"]
_EXTENSION_CONFIG = {"toc": {"permalink": False}}
_IMG_WITHOUT_ALT = re.compile(r"<img(?![^>]*\balt=)")

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "details", "dd", "dl", "dt", "em", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "s", "small",
    "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "td": {"align", "colspan", "rowspan"},
    "ol": {"start"},
    "code": {"class"},
}
_SCHEMES = {"http", "https", "mailto", "tel"}

# Text with none of these characters renders to a single paragraph of escaped text,
# so it can skip the Markdown parser: most incident messages are plain sentences.
_PLAIN = re.compile(r"^[^\n*_`\[\]<>#|\\!~=&]*$")
_HEADING = re.compile(r"^(?:#|[=-]{2,}[ \t]*$)", re.MULTILINE)
_LIST_OR_QUOTE_START = re.compile(r"^\s*(?:[-+>]|\d+[.)])")


class Markup:
    """Converts Markdown texts, reusing results: the same message appears in pages and feeds."""

    def __init__(self):
        self._md = markdown.Markdown(extensions=_EXTENSIONS, extension_configs=_EXTENSION_CONFIG)
        # Heading ids are only needed where there are headings: most messages have none.
        self._lean = markdown.Markdown(extensions=[e for e in _EXTENSIONS if e != "toc"])
        self._cache: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        if not text:
            return ""
        cached = self._cache.get(text)
        if cached is None:
            cached = self._convert(text)
            self._cache[text] = cached
        return cached

    def _convert(self, text: str) -> str:
        stripped = text.strip()
        if _PLAIN.match(stripped) and not _LIST_OR_QUOTE_START.match(stripped):
            return f"<p>{html.escape(stripped, quote=False)}</p>"
        md = self._md if _HEADING.search(text) else self._lean
        md.reset()
        raw = md.convert(text)
        return sanitize(_demote_h1(raw))


def _demote_h1(fragment: str) -> str:
    """A report's '# Title' must not compete with the page's own <h1>."""
    return fragment.replace("<h1", "<h2").replace("</h1>", "</h2>")


def sanitize(fragment: str) -> str:
    """Remove scripts, event handlers, javascript: URLs and unknown tags from an HTML fragment."""
    cleaned = nh3.clean(
        fragment,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    # An image without alt text is invalid HTML; an empty alt marks it as decorative.
    return _IMG_WITHOUT_ALT.sub('<img alt=""', cleaned)
