"""Markdown to safe HTML: python-markdown for the syntax, nh3 to strip anything executable.

Three kinds of text, which differ only in their headings (see Markup):
- entry fields (messages, impact, workaround, root cause): headings from h3, no ids;
- post-incident reports, shown under the page's h2: headings from h3, ids prefixed "report-";
- help articles, whose page h1 is the article title: headings from h2, ids as Markdown's toc made them.

Heading levels, heading ids and table wrappers are added after sanitising, on nh3's output, where
every tag is well formed and "<" never appears inside text or attribute values: an exact tag such as
"<table>" or "<h2>" can only be a tag.  Authors cannot set ids themselves: the sanitiser drops them,
so no id written in a text can collide with an anchor of the page.
"""

from __future__ import annotations

import html
import html.parser
import re

import markdown
import nh3
from markdown.extensions.toc import slugify

from statusgen.model.limits import markdown_problem, strip_forbidden

_EXTENSIONS = ["tables", "fenced_code", "sane_lists"]
_IMG_WITHOUT_ALT = re.compile(r"<img(?![^>]*\balt=)")

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "details", "dd", "dl", "dt", "em", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "s", "small",
    "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "td": {"align", "colspan", "rowspan"},
    "ol": {"start"},
    "code": {"class"},
}
_SCHEMES = {"http", "https", "mailto", "tel"}

# Text with none of these characters renders to a single paragraph of escaped text,
# so it can skip the Markdown parser: most incident messages are plain sentences.
_PLAIN = re.compile(r"^[^\n*_`\[\]<>#|\\!~=&]*$")
_LIST_OR_QUOTE_START = re.compile(r"^\s*(?:[-+>]|\d+[.)])")

# Converted texts kept by each kind of cache of a Markup.
TEXTS_KEPT = 4096

# On sanitised HTML (headings carry no attribute there, tables none either).
_HEADING_LEVEL = re.compile(r"<h([1-6])>")
_HEADING_OR_TABLE = re.compile(r"<h([1-6])>(.*?)</h\1>|<table>|</table>", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")

# The page around a help article has one id of its own (base.html); reports are kept apart by their prefix.
ARTICLE_RESERVED_IDS = frozenset({"main"})
REPORT_ID_PREFIX = "report-"


class Markup:
    """Converts Markdown texts of one language, reusing results: the same message appears in pages and feeds.

    table_label names a table's scrollable region when no heading precedes the table.
    """

    def __init__(self, table_label: str = "Table"):
        self._md = markdown.Markdown(extensions=_EXTENSIONS)
        self.table_label = table_label
        self._fields: dict[str, str] = {}
        self._reports: dict[str, str] = {}
        self._articles: dict[str, str] = {}

    def field(self, text: str) -> str:
        """A message, impact, workaround or root cause: headings from h3, without ids."""
        return self._cached(self._fields, text, top=3)

    def report(self, text: str) -> str:
        """A post-incident report, under the page's h2: headings from h3, ids starting with 'report-'."""
        return self._cached(self._reports, text, top=3, id_prefix=REPORT_ID_PREFIX)

    def __call__(self, text: str) -> str:
        """A help article, under the page's h1 (its title): headings from h2, with ids."""
        return self._cached(self._articles, text, top=2, id_prefix="", reserved=ARTICLE_RESERVED_IDS)

    def _cached(self, cache: dict[str, str], text: str, **how) -> str:
        """The same text appears in pages and feeds: each kind of text is converted once while
        the cache holds it. The cache is emptied when full: a long-running serve meets ever more
        texts, and most messages of a large site are shown once per build."""
        if not text:
            return ""
        cached = cache.get(text)
        if cached is None:
            if len(cache) >= TEXTS_KEPT:
                cache.clear()
            cached = cache[text] = self._render(text, **how)
        return cached

    def _render(self, text: str, top: int, id_prefix: str | None = None,
                reserved: frozenset[str] = frozenset()) -> str:
        # Validation refuses both; a text that skipped it must still not break a feed or stall the build.
        text = strip_forbidden(text)
        stripped = text.strip()
        if _PLAIN.match(stripped) and not _LIST_OR_QUOTE_START.match(stripped):
            return f"<p>{html.escape(stripped, quote=False)}</p>"
        if markdown_problem(text):
            return _escaped_paragraphs(text)
        md = self._md
        md.reset()
        cleaned = sanitize(md.convert(text))
        if "<h" in cleaned or "<table>" in cleaned:
            cleaned = _structure(cleaned, top, id_prefix, reserved, self.table_label)
        return cleaned


def _escaped_paragraphs(text: str) -> str:
    """The text as written, without Markdown: one paragraph per block, every character escaped."""
    blocks = (block.strip() for block in re.split(r"\n[ \t]*\n", text))
    return "\n".join(f"<p>{html.escape(block, quote=False)}</p>" for block in blocks if block)


def _structure(fragment: str, top: int, id_prefix: str | None, reserved: frozenset[str],
               table_label: str) -> str:
    """Shift headings so the highest becomes h{top}, give them ids, and wrap tables in scrollable regions.

    Levels keep their differences (## then ### become h3 then h4 in a report) and stop at h6.
    With id_prefix None, headings get no id.  A table's region is named after the heading before it.
    """
    levels = [int(level) for level in _HEADING_LEVEL.findall(fragment)]
    shift = top - min(levels) if levels else 0
    ids = dict.fromkeys(reserved, 0)
    label = table_label

    def replace(match: re.Match) -> str:
        nonlocal label
        token = match.group(0)
        if token == "<table>":
            return (f'<div class="table-wrap" role="region" tabindex="0" aria-label="{html.escape(label)}">'
                    "\n<table>")
        if token == "</table>":
            return "</table>\n</div>"
        level = min(int(match.group(1)) + shift, 6)
        inner = match.group(2)
        words = " ".join(html.unescape(_TAG.sub("", inner)).split())
        label = words or table_label
        if id_prefix is None:
            return f"<h{level}>{inner}</h{level}>"
        anchor = _unique(id_prefix + (slugify(words, "-") or "section"), ids)
        return f'<h{level} id="{anchor}">{inner}</h{level}>'

    return _HEADING_OR_TABLE.sub(replace, fragment)


def _unique(anchor: str, taken: dict[str, int]) -> str:
    """anchor, or anchor_1, anchor_2... (as Markdown's toc numbers repeated headings).

    taken maps each id to the last number tried after it, so a thousand equal headings cost a thousand steps.
    """
    n = taken.get(anchor)
    if n is None:
        taken[anchor] = 0
        return anchor
    while True:
        n += 1
        candidate = f"{anchor}_{n}"
        if candidate not in taken:
            taken[anchor] = n
            taken[candidate] = 0
            return candidate


def sanitize(fragment: str) -> str:
    """Remove scripts, event handlers, javascript: URLs, ids and unknown tags from an HTML fragment."""
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


class _TextOf(html.parser.HTMLParser):
    """The text of an HTML fragment, one blank line between blocks (calendar descriptions, API bodies)."""

    BLOCKS = {"p", "li", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "tr", "dd", "dt"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "li":
            self.parts.append("- ")
        elif tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.BLOCKS:
            self.parts.append("\n" if tag == "li" else "\n\n")

    def handle_data(self, data):
        self.parts.append(data)


def plain_text(fragment: str) -> str:
    parser = _TextOf()
    parser.feed(fragment)
    parser.close()
    return re.sub(r"\n{3,}", "\n\n", "".join(parser.parts)).strip()
