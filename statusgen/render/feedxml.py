"""Atom 1.0 (RFC 4287) and RSS 2.0 documents, written as text.

An update of an incident that touches 180 components appears in the site feed and in 180
component feeds, in two formats and every language. Each item is serialised once per language
and format, and every feed that holds it copies the same text: the cost of the feeds is the size
of what they say, not the product of their items and their categories (as with a feed library
that rebuilds an element tree per feed and re-maps categories one by one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime

GENERATOR = "statusgen"
RSS_DOCS = "http://www.rssboard.org/rss-specification"
_DECLARATION = "<?xml version='1.0' encoding='UTF-8'?>\n"
# Characters XML 1.0 cannot carry at all (validation reports them in the sources; never emit them).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Item:
    """What a feed item says, in one language."""

    id: str
    title: str
    link: str
    at: datetime
    content_html: str
    categories: tuple[str, ...]  # the components' names: the same term in Atom and RSS
    # RSS 2.0's <author> must be an e-mail address, and feedparser (so rss2email and many readers) reads
    # the name out of "address (name)" only when the top-level domain has 2 to 4 letters: the name goes
    # in Dublin Core's dc:creator instead, which every reader shows as the item's author.
    author: str = ""


@dataclass(frozen=True)
class Head:
    """What a feed says of itself."""

    self_url: str
    page_url: str
    title: str
    subtitle: str
    lang: str
    author: str
    updated: datetime


def escape(value: str) -> str:
    """Text content: markup characters escaped, characters XML cannot hold removed."""
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _NOT_XML.sub("", value)


def quote(value: str) -> str:
    """An attribute value, between double quotes."""
    return '"' + escape(value).replace('"', "&quot;") + '"'


def rfc822(moment: datetime) -> str:
    return format_datetime(moment)


def atom_entry(item: Item) -> str:
    lines = [
        "  <entry>",
        f"    <id>{escape(item.id)}</id>",
        f"    <title>{escape(item.title)}</title>",
        f"    <updated>{item.at.isoformat()}</updated>",
        f'    <content type="html">{escape(item.content_html)}</content>',
        f'    <link href={quote(item.link)} rel="alternate" type="text/html"/>',
    ]
    lines += [f"    <category term={quote(term)}/>" for term in item.categories]
    lines += [f"    <published>{item.at.isoformat()}</published>", "  </entry>", ""]
    return "\n".join(lines)


def rss_item(item: Item) -> str:
    lines = [
        "    <item>",
        f"      <title>{escape(item.title)}</title>",
        f"      <link>{escape(item.link)}</link>",
        f"      <description>{escape(item.content_html)}</description>",
        f'      <guid isPermaLink="true">{escape(item.id)}</guid>',
    ]
    if item.author:
        lines.append(f"      <dc:creator>{escape(item.author)}</dc:creator>")
    lines += [f"      <category>{escape(term)}</category>" for term in item.categories]
    lines += [f"      <pubDate>{rfc822(item.at)}</pubDate>", "    </item>", ""]
    return "\n".join(lines)


def atom_feed(head: Head, entries: list[str]) -> bytes:
    top = [
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={quote(head.lang)}>',
        f"  <id>{escape(head.self_url)}</id>",
        f"  <title>{escape(head.title)}</title>",
        f"  <updated>{head.updated.isoformat()}</updated>",
        "  <author>",
        f"    <name>{escape(head.author)}</name>",
        "  </author>",
        f'  <link href={quote(head.self_url)} rel="self" type="application/atom+xml"/>',
        f'  <link href={quote(head.page_url)} rel="alternate" type="text/html"/>',
        f"  <generator>{GENERATOR}</generator>",
        f"  <subtitle>{escape(head.subtitle)}</subtitle>",
        "",
    ]
    return (_DECLARATION + "\n".join(top) + "".join(entries) + "</feed>\n").encode("utf-8")


def rss_feed(head: Head, items: list[str]) -> bytes:
    top = [
        '<rss xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0">',
        "  <channel>",
        f"    <title>{escape(head.title)}</title>",
        f"    <link>{escape(head.page_url)}</link>",
        f"    <description>{escape(head.subtitle)}</description>",
        f'    <atom:link href={quote(head.self_url)} rel="self" type="application/rss+xml"/>',
        f"    <docs>{RSS_DOCS}</docs>",
        f"    <generator>{GENERATOR}</generator>",
        f"    <language>{escape(head.lang)}</language>",
        f"    <lastBuildDate>{rfc822(head.updated)}</lastBuildDate>",
        f"    <pubDate>{rfc822(head.updated)}</pubDate>",
        "",
    ]
    return (_DECLARATION + "\n".join(top) + "".join(items) + "  </channel>\n</rss>\n").encode("utf-8")
