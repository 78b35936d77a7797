"""Atom and RSS feeds of the demo site: valid, one item per update, stable ids, linked to the update anchors."""

from __future__ import annotations

import html.parser
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest

from conftest import build_site
from statusgen.model.state import entry_state
from support.checkers import jing_errors, require_tool_or_skip

REPO = Path(__file__).resolve().parents[1]
ATOM_RNG = REPO / "tests/schemas/atom.rng"
BASE_URL = "https://status.orbeline.example"
LANG_ROOTS = {"fr": "", "en": "en/"}
OPEN_INCIDENT = "2026-11-20-intermittent-terminal-payment-declines"
OPEN_FILE = f"incidents/{OPEN_INCIDENT}.md"
A = "{http://www.w3.org/2005/Atom}"


def feeds_in(out: Path, suffix: str) -> list[Path]:
    return sorted(out.rglob(f"*{suffix}"))


def parse(path: Path):
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, f"{path}: {parsed.get('bozo_exception')}"
    return parsed


def ids(path: Path) -> list[str]:
    return [e.id for e in parse(path).entries]


def page_file(out: Path, url: str) -> Path:
    """The output file an absolute URL of the site points at."""
    assert url.startswith(BASE_URL + "/"), url
    path = urlsplit(url).path.lstrip("/")
    return out / (path + "index.html" if path.endswith("/") or not path else path)


def anchor_ids(html_file: Path) -> set[str]:
    found: set[str] = set()

    class Ids(html.parser.HTMLParser):
        def handle_starttag(self, tag, attrs):
            value = dict(attrs).get("id")
            if value:
                found.add(value)

    Ids().feed(html_file.read_text(encoding="utf-8"))
    return found


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# -- which feeds exist ---------------------------------------------------------

def followed(site, now: datetime) -> list[str]:
    """Entries with a feed of their own: open, or updated in the last 90 days."""
    return [e.id for e in site.entries if not e.draft and (
        entry_state(e, now).is_open or now - e.last_update.at <= timedelta(days=90))]


def test_every_language_has_site_component_and_followed_entry_feeds(site_out, demo_site, demo_now):
    expected = set()
    assert OPEN_INCIDENT in followed(demo_site, demo_now)
    for prefix in LANG_ROOTS.values():
        expected |= {f"{prefix}feed.atom", f"{prefix}feed.rss"}
        for cid in demo_site.components:
            expected |= {f"{prefix}components/{cid}/feed.atom", f"{prefix}components/{cid}/feed.rss"}
        expected |= {f"{prefix}incidents/{eid}/feed.atom" for eid in followed(demo_site, demo_now)}
    found = {p.relative_to(site_out).as_posix() for p in feeds_in(site_out, ".atom") + feeds_in(site_out, ".rss")}
    assert found == expected


def test_entries_quiet_for_90_days_get_no_feed_of_their_own(demo_root, tmp_path):
    out = build_site(demo_root, tmp_path / "out", datetime.fromisoformat("2026-11-30T12:00:00+01:00"))
    # Resolved on 26 August: more than 90 days before 30 November.
    assert not (out / "incidents/2026-08-25-slow-invoice-pdf-generation/feed.atom").exists()
    assert not (out / "en/incidents/2026-08-25-slow-invoice-pdf-generation/feed.atom").exists()
    assert (out / f"incidents/{OPEN_INCIDENT}/feed.atom").is_file()
    assert (out / "incidents/2026-10-27-invoice-emails-delayed/feed.atom").is_file()  # resolved, but recent


def test_feeds_linked_from_pages_exist(site_out):
    for page in [site_out / "index.html", site_out / "en/index.html",
                 site_out / f"en/incidents/{OPEN_INCIDENT}/index.html",
                 site_out / "components/payments-api/index.html"]:
        links = re.findall(r'<link rel="alternate" type="application/(?:atom|rss)\+xml"[^>]*href="([^"]+)"',
                           page.read_text(encoding="utf-8"))
        assert links, page
        for link in links:
            assert (site_out / link.lstrip("/")).is_file(), f"{page} links {link}"


# -- every feed is valid -------------------------------------------------------

def test_every_feed_parses_without_bozo_with_dated_items_newest_first(site_out, demo_site, demo_now):
    feeds = feeds_in(site_out, ".atom") + feeds_in(site_out, ".rss")
    assert len(feeds) == 2 * (2 + 2 * len(demo_site.components) + len(followed(demo_site, demo_now)))
    for path in feeds:
        parsed = parse(path)
        assert parsed.version == ("atom10" if path.suffix == ".atom" else "rss20"), path
        dates = []
        for entry in parsed.entries:
            if path.suffix == ".atom":
                assert entry.get("updated_parsed") and entry.get("published_parsed"), f"{path}: {entry.id}"
                dates.append(datetime.fromisoformat(entry.updated))
            else:
                assert entry.get("published_parsed"), f"{path}: {entry.id} has no valid date"
                dates.append(parsedate_to_datetime(entry.published))
        assert dates == sorted(dates, reverse=True), path
        assert len(parsed.entries) <= demo_site.settings.feed_items


def test_site_feed_holds_the_newest_updates_of_the_whole_site(site_out, demo_site):
    updates = sorted((u.at for e in demo_site.entries if not e.draft for u in e.updates), reverse=True)
    assert len(updates) > demo_site.settings.feed_items  # so the limit is exercised
    for prefix in LANG_ROOTS.values():
        parsed = parse(site_out / f"{prefix}feed.atom")
        assert len(parsed.entries) == demo_site.settings.feed_items
        got = [datetime.fromisoformat(e.updated) for e in parsed.entries]
        assert got == updates[:demo_site.settings.feed_items]


def test_atom_feeds_validate_against_rfc4287_grammar(site_out):
    require_tool_or_skip("jing")
    feeds = feeds_in(site_out, ".atom")
    assert len(feeds) > 10
    assert jing_errors(ATOM_RNG, feeds) == []  # every feed in one JVM


def test_atom_feeds_meet_the_rules_the_grammar_leaves_out(site_out):
    # RFC 4287 4.1.1 and 4.1.2: an author for every entry (here the feed's), an alternate link or content.
    for path in feeds_in(site_out, ".atom"):
        feed = ET.parse(path).getroot()
        assert feed.find(f"{A}author/{A}name") is not None, path
        self_links = [link.get("href") for link in feed.findall(f"{A}link") if link.get("rel") == "self"]
        assert self_links == [f"{BASE_URL}/{path.relative_to(site_out).as_posix()}"], path
        for entry in feed.findall(f"{A}entry"):
            assert entry.find(f"{A}content") is not None or any(
                link.get("rel", "alternate") == "alternate" for link in entry.findall(f"{A}link")), path


def test_rss_feeds_pass_strict_checks(site_out):
    for path in feeds_in(site_out, ".rss"):
        root = ET.parse(path).getroot()
        assert root.tag == "rss" and root.get("version") == "2.0", path
        channels = root.findall("channel")
        assert len(channels) == 1, path
        channel = channels[0]
        for name in ("title", "link", "description"):
            element = channel.find(name)
            assert element is not None and (element.text or "").strip(), f"{path}: channel <{name}> missing"
        link = channel.find("link").text
        assert not link.endswith((".rss", ".atom")), f"{path}: channel link points at a feed: {link}"
        folder = path.parent.relative_to(site_out).as_posix()  # the feed sits beside the page it follows
        assert link == (f"{BASE_URL}/" if folder == "." else f"{BASE_URL}/{folder}/"), path
        assert page_file(site_out, link).is_file(), f"{path}: channel link {link} is not a page of the site"
        for name in ("lastBuildDate", "pubDate"):
            if channel.find(name) is not None:
                assert parsedate_to_datetime(channel.find(name).text).tzinfo is not None, path
        guids = []
        for item in channel.findall("item"):
            assert item.find("title") is not None or item.find("description") is not None, path
            date = parsedate_to_datetime(item.find("pubDate").text)
            assert date.tzinfo is not None, path
            guid = item.find("guid")
            assert guid is not None and guid.text, path
            if guid.get("isPermaLink", "true") == "true":
                assert guid.text == item.find("link").text and guid.text.startswith(BASE_URL + "/"), path
            guids.append(guid.text)
        assert len(guids) == len(set(guids)), f"{path}: duplicate guids"


# -- the open incident, update by update -----------------------------------------

@pytest.mark.parametrize("lang,prefix", LANG_ROOTS.items())
def test_each_update_of_the_open_incident_is_an_item_linking_to_its_anchor(site_out, demo_site, lang, prefix):
    entry = next(e for e in demo_site.entries if e.id == OPEN_INCIDENT)
    page = f"{BASE_URL}/{prefix}incidents/{OPEN_INCIDENT}/"
    anchors = anchor_ids(page_file(site_out, page))
    title = entry.title.get(lang, "fr")
    expected_links = [f"{page}#update-{n}" for n in range(len(entry.updates), 0, -1)]
    expected_titles = [f"{title} — {entry.status_of(u).label.get(lang, 'fr')}" for u in reversed(entry.updates)]
    for feed in (f"{prefix}incidents/{OPEN_INCIDENT}/feed.atom", f"{prefix}components/payments-api/feed.rss",
                 f"{prefix}feed.atom"):
        parsed = parse(site_out / feed)
        items = [e for e in parsed.entries if e.link.startswith(page)]
        assert [e.link for e in items] == expected_links, feed
        assert [e.title for e in items] == expected_titles, feed
        assert [e.id for e in items] == expected_links, feed
        for item in items:
            assert urlsplit(item.link).fragment in anchors, item.link
    assert parse(site_out / f"{prefix}incidents/{OPEN_INCIDENT}/feed.atom").feed.link == page


def test_item_content_is_the_message_with_impact_and_affected_components(site_out):
    parsed = parse(site_out / f"en/incidents/{OPEN_INCIDENT}/feed.atom")
    newest = parsed.entries[0]
    content = newest.content[0]
    assert content.type == "text/html"
    html_text = content.value
    assert "<p>60% of traffic now goes through the healthy connection" in html_text
    assert "<h3>Impact</h3><p>Some card payments on Orbeline terminals are declined" in html_text
    assert ('<h3>Affected services</h3><ul><li><a href="https://status.orbeline.example/en/components/'
            'payments-api/">Payments API</a>: Partial outage</li></ul>') in html_text
    assert [t.term for t in newest.tags] == ["Payments API"]
    french = parse(site_out / f"incidents/{OPEN_INCIDENT}/feed.atom").entries[0]
    assert "Panne partielle" in french.content[0].value and french.tags[0].term == "API de paiement"
    rss = next(e for e in parse(site_out / "en/feed.rss").entries if e.link == newest.link)
    assert [t.term for t in rss.tags] == ["Payments API"]
    assert rss.author == "Orbeline" and rss.author_detail == {"name": "Orbeline"}


def test_an_item_in_several_feeds_is_the_same_text_in_each(site_out):
    # An item waiting for a later feed is kept compressed in between: it must come back unchanged.
    for suffix, tag in ((".atom", "entry"), (".rss", "item")):
        for lang, lang_root in LANG_ROOTS.items():
            blocks: dict[str, list[str]] = {}
            for path in feeds_in(site_out, suffix):
                relative = path.relative_to(site_out).as_posix()
                if relative.startswith("en/") != (lang == "en"):
                    continue
                for block in re.findall(rf"<{tag}>.*?</{tag}>", path.read_text(encoding="utf-8"), re.DOTALL):
                    key = re.search(r"<(?:id|guid)[^>]*>(.*?)</", block).group(1)
                    blocks.setdefault(key, []).append(block)
            assert all(len(set(found)) == 1 for found in blocks.values()), (suffix, lang)
            assert sum(len(found) > 1 for found in blocks.values()) >= 3, (suffix, lang)


def test_feed_updated_is_the_newest_item_time(site_out):
    for path in feeds_in(site_out, ".atom"):
        parsed = parse(path)
        if parsed.entries:
            assert parsed.feed.updated == parsed.entries[0].updated, path
    rss = parse(site_out / "feed.rss")
    assert rss.feed.updated == rss.entries[0].published
    assert parse(site_out / "feed.atom").feed.updated == "2026-11-20T13:35:00+01:00"


def test_extras_do_not_depend_on_the_build_time(demo_root, demo_now, site_out, tmp_path):
    """Feeds, API, calendar and badges change with the content, not with --now (nothing changes by 15:30).
    The promises report is left out: it measures uptime and open entries up to the moment of the build."""
    later = build_site(demo_root, tmp_path / "later", demo_now + timedelta(minutes=30))
    extras = [p for p in site_out.rglob("*") if p.is_file() and p.suffix in (".atom", ".rss", ".json", ".ics", ".svg")
              and p.parent.name != "reports"]
    assert len(extras) >= 60 + 8 + 1 + 8  # feeds, API files, calendar, badges
    for path in extras:
        rel = path.relative_to(site_out)
        assert (later / rel).read_bytes() == path.read_bytes(), rel


# -- stable ids ----------------------------------------------------------------

def test_ids_survive_a_rebuild_and_a_typo_fix_and_a_new_update_gets_a_new_id(site_out, scratch_site, demo_now,
                                                                              tmp_path):
    watched = ["feed.atom", "en/feed.rss", f"en/incidents/{OPEN_INCIDENT}/feed.atom",
               "components/payments-api/feed.rss"]
    before = {f: ids(site_out / f) for f in watched}

    rebuilt = build_site(scratch_site, tmp_path / "rebuilt", demo_now)
    assert {f: ids(rebuilt / f) for f in watched} == before

    edit(scratch_site / OPEN_FILE, "Our engineers are looking into it.", "Our engineers are looking into this.")
    fixed = build_site(scratch_site, tmp_path / "fixed", demo_now)
    assert {f: ids(fixed / f) for f in watched} == before
    oldest = parse(fixed / f"en/incidents/{OPEN_INCIDENT}/feed.atom").entries[-1]
    assert "looking into this." in oldest.content[0].value  # the edit did reach the feed

    edit(scratch_site / OPEN_FILE, "\n---\n", """
  - at: 2026-11-20T14:40:00+01:00
    status: monitoring
    message:
      fr: "La bascule est terminée ; le taux de refus est revenu à la normale."
      en: "The switch-over is complete; the decline rate is back to normal."
---
""")
    updated = build_site(scratch_site, tmp_path / "updated", demo_now)
    for feed in watched:
        new_ids = ids(updated / feed)
        page = "/en/" if feed.startswith("en/") else "/"
        assert new_ids[0] == f"{BASE_URL}{page}incidents/{OPEN_INCIDENT}/#update-4", feed
        assert new_ids[0] not in before[feed]
        assert set(before[feed]) - set(new_ids) <= {before[feed][-1]}, feed  # only the oldest may drop out
    assert parse(updated / f"en/incidents/{OPEN_INCIDENT}/feed.atom").feed.updated == "2026-11-20T14:40:00+01:00"


def test_feed_items_setting_and_drafts(scratch_site, demo_now, tmp_path):
    edit(scratch_site / "content/site.yaml", "feed_items: 50", "feed_items: 4")
    edit(scratch_site / OPEN_FILE, "lifecycle: incident", "lifecycle: incident\ndraft: true")
    out = build_site(scratch_site, tmp_path / "out", demo_now)
    for path in feeds_in(out, ".atom") + feeds_in(out, ".rss"):
        parsed = parse(path)
        assert len(parsed.entries) <= 4, path
        assert not any(OPEN_INCIDENT in e.link for e in parsed.entries), path
    assert len(parse(out / "feed.atom").entries) == 4
    assert not (out / f"incidents/{OPEN_INCIDENT}/feed.atom").exists()
