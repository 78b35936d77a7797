"""The feed writer: well-formed Atom and RSS whatever the text, each item serialised once."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime

import feedparser

from statusgen.render import feedxml

AT = datetime.fromisoformat("2026-11-20T13:35:00+01:00")
NASTY = 'a & b < c > d "quoted" \x00\x08\x0b\x1f\ufffe end'


def item(n: int = 0, categories=("Payments API",)) -> feedxml.Item:
    return feedxml.Item(id=f"https://s.example/incidents/x/#update-{n}", title=f"Title {NASTY}",
                        link=f"https://s.example/incidents/x/?a=1&b=2#update-{n}", at=AT,
                        content_html=f"<p>{NASTY}</p>", categories=categories,
                        author="Ops <team>")


HEAD = feedxml.Head(self_url="https://s.example/feed.atom", page_url="https://s.example/", title=NASTY,
                    subtitle="Plain text & more", lang="fr", author="Ops <team>", updated=AT)


def test_escape_keeps_markup_as_text_and_drops_what_xml_cannot_hold():
    assert feedxml.escape(NASTY) == 'a &amp; b &lt; c &gt; d "quoted"  end'
    assert feedxml.quote('say "hi" & <bye>') == '"say &quot;hi&quot; &amp; &lt;bye&gt;"'


def test_atom_and_rss_are_well_formed_and_read_back_exactly():
    atom = feedxml.atom_feed(HEAD, [feedxml.atom_entry(item(1)), feedxml.atom_entry(item(2))])
    rss = feedxml.rss_feed(HEAD, [feedxml.rss_item(item(1))])
    ET.fromstring(atom)
    ET.fromstring(rss)
    parsed = feedparser.parse(atom)
    assert not parsed.bozo
    assert parsed.feed.title == 'a & b < c > d "quoted"  end'
    assert [e.id for e in parsed.entries] == [item(1).id, item(2).id]
    assert parsed.entries[0].link == item(1).link
    assert parsed.entries[0].content[0].value == '<p>a & b < c > d "quoted"  end</p>'
    assert [t.term for t in parsed.entries[0].tags] == ["Payments API"]
    channel = feedparser.parse(rss)
    assert not channel.bozo
    assert channel.feed.subtitle == "Plain text & more"
    assert channel.entries[0].published == "Fri, 20 Nov 2026 13:35:00 +0100"
    # The same term in both formats; the item's author is a name, which rss2email (through feedparser)
    # takes as the sender's name.
    assert [t.term for t in channel.entries[0].tags] == ["Payments API"]
    assert channel.entries[0].author == "Ops <team>"
    assert "<dc:creator>Ops &lt;team&gt;</dc:creator>" in rss.decode()


def test_many_categories_cost_their_size():
    categories = tuple(f"Data centre {n:03d}" for n in range(180))
    entry = feedxml.atom_entry(item(3, categories))
    assert entry.count("<category ") == 180
    assert feedparser.parse(feedxml.atom_feed(HEAD, [entry] * 3)).entries[0].tags[179].term == "Data centre 179"
