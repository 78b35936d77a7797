"""Language of parts (WCAG 3.1.2), report headings and ids, wide tables and maintenance times.

English pages fall back to French for texts written only in French: the dashboard chart incident of
the demo, here left in French only (tests/sites/french-only: plain strings, which count as the
default language, and which validate warns of), and the demo's card payments report (a body written
only in French).  Both must be marked lang="fr" where they are shown.
"""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from lxml import html as lxml_html

from conftest import build_site, copy_site
from statusgen.commands.build import build
from statusgen.model.text import LocalText
from statusgen.render.markup import Markup
from statusgen.render.views import report_part

REPO = Path(__file__).resolve().parents[1]
NOW = datetime.fromisoformat("2026-11-20T15:00:00+01:00")
LANG_ROOTS = {"fr": "", "en": "en/"}
FRENCH_ONLY = "2026-10-06-dashboard-chart-month-labels"
REPORTED = "2026-09-10-card-payments-declined"
MAINTENANCE_DONE = "2026-09-01-billing-database-upgrade"
MAINTENANCE_CANCELLED = "2026-10-13-email-infrastructure-migration"
MAINTENANCE_UPCOMING = "2026-11-19-email-infrastructure-migration-rescheduled"
REPORT_IDS = ["report-resume", "report-impact", "report-cause-racine", "report-chronologie",
              "report-mesures-preventives"]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The demo site with one entry left in French only, built at the demo date."""
    root = copy_site(tmp_path_factory.mktemp("french-only") / "site")
    shutil.copy(REPO / "tests/sites/french-only" / f"{FRENCH_ONLY}.md", root / "incidents" / f"{FRENCH_ONLY}.md")
    return build_site(root, root.parent / "out", NOW)


def parse(site: Path, lang: str, page: str = ""):
    return lxml_html.fromstring((site / LANG_ROOTS[lang] / page / "index.html").read_bytes())


def one(tree, xpath: str):
    found = tree.xpath(xpath)
    assert len(found) == 1, f"{xpath}: {len(found)} matches"
    return found[0]


def text(node) -> str:
    return " ".join(node.text_content().replace("\u00a0", " ").replace("\u202f", " ").split())


# --------------------------------------------------------------------------- #
# 1. Language of parts
# --------------------------------------------------------------------------- #

def test_local_text_tells_the_language_it_falls_back_to():
    both = LocalText({"fr": "Bonjour", "en": "Hello"})
    assert both.get_with_lang("en", "fr") == ("Hello", "en")
    assert LocalText({"fr": "Bonjour"}).get_with_lang("en", "fr") == ("Bonjour", "fr")
    assert LocalText.plain("Bonjour").get_with_lang("en", "fr") == ("Bonjour", "fr")
    assert LocalText.plain("Bonjour").get_with_lang("fr", "fr") == ("Bonjour", "fr")
    assert LocalText({"de": "Hallo"}).get_with_lang("en", "fr") == ("Hallo", "de")
    assert LocalText().get_with_lang("en", "fr") == ("", "en")
    # The same text as get() in every case.
    for value in (both, LocalText({"de": "Hallo"}), LocalText.plain("x"), LocalText()):
        assert value.get_with_lang("en", "fr")[0] == value.get("en", "fr")


def test_report_part_tells_its_language():
    assert report_part("Texte", "en", "fr") == ("Texte", "fr")
    body = "Texte\n<!-- lang: en -->\nText"
    assert report_part(body, "en", "fr") == ("Text", "en")
    assert report_part(body, "fr", "fr") == ("Texte", "fr")
    assert report_part("<!-- lang: de -->\nText", "en", "fr") == ("Text", "de")


def test_french_only_title_is_marked_on_english_pages(site):
    page = f"incidents/{FRENCH_ONLY}/"
    assert one(parse(site, "en", page), "//h1").get("lang") == "fr"
    assert one(parse(site, "fr", page), "//h1").get("lang") is None
    href = f"/en/{page}"
    for listing in ("history/", "components/dashboard/"):
        link = one(parse(site, "en", listing), f"//main//a[@href='{href}']")
        assert link.get("lang") == "fr", listing
    french = one(parse(site, "fr", "history/"), f"//main//a[@href='/{page}']")
    assert french.get("lang") is None


def test_french_only_texts_are_marked_on_english_pages(site):
    tree = parse(site, "en", f"incidents/{FRENCH_ONLY}/")
    impact = one(tree, "//section[@aria-labelledby='entry-impact']")
    assert one(impact, "./h2").get("lang") is None  # the heading is the page's own words
    assert one(impact, "./div").get("lang") == "fr"
    assert "graphique du chiffre d'affaires" in text(one(impact, "./div"))
    bodies = tree.xpath("//ol[@class='timeline']//div[@class='u-body']")
    assert len(bodies) == 2 and all(b.get("lang") == "fr" for b in bodies)
    # In French, nothing is marked: it is the page's language.
    french = parse(site, "fr", f"incidents/{FRENCH_ONLY}/")
    assert french.xpath("//main//*[@lang]") == []


def test_translated_entries_carry_no_lang_of_their_own(site):
    for lang in LANG_ROOTS:
        tree = parse(site, lang, f"incidents/{REPORTED}/")
        marked = [el.tag for el in tree.xpath("//main//*[@lang]")]
        assert marked == ([] if lang == "fr" else ["div"])  # only the English page's French report
        index = parse(site, lang)
        assert index.xpath("//main//*[@lang]") == []


def test_french_only_report_is_marked_with_a_note(site):
    en = parse(site, "en", f"incidents/{REPORTED}/")
    section = one(en, "//section[@aria-labelledby='entry-report']")
    body = one(section, ".//div[@class='report-body']")
    assert body.get("lang") == "fr"
    note = one(section, "./p[@class='note']")
    assert text(note) == "This report is available in French only."
    assert note.get("lang") is None and note.getnext() is body
    fr = parse(site, "fr", f"incidents/{REPORTED}/")
    section = one(fr, "//section[@aria-labelledby='entry-report']")
    assert one(section, ".//div[@class='report-body']").get("lang") is None
    assert section.xpath("./p[@class='note']") == []


def test_the_note_names_the_language_in_the_page_language():
    from statusgen.render.strings import strings_for
    from statusgen.render.views import language_name

    assert strings_for("fr")["report_only_in"].format(language=language_name("en", "fr")) == \
        "Ce rapport n'est disponible qu'en anglais."
    assert strings_for("en")["report_only_in"].format(language=language_name("fr", "en")) == \
        "This report is available in French only."


def test_feeds_mark_french_only_messages(site):
    english = (site / "en" / "incidents" / FRENCH_ONLY / "feed.atom").read_text(encoding="utf-8")
    assert english.count("&lt;div lang=\"fr\"&gt;") == 4  # two messages, each with its impact
    french = (site / "incidents" / FRENCH_ONLY / "feed.atom").read_text(encoding="utf-8")
    assert "lang=" not in french.replace('xml:lang="fr"', "")


# --------------------------------------------------------------------------- #
# 2. Report headings and ids
# --------------------------------------------------------------------------- #

@pytest.mark.parametrize("lang", LANG_ROOTS)
def test_report_headings_sit_below_the_report_section(site, lang):
    tree = parse(site, lang, f"incidents/{REPORTED}/")
    section = one(tree, "//section[@aria-labelledby='entry-report']")
    assert one(section, "./h2").get("id") == "entry-report"
    headings = section.xpath(".//div[@class='report-body']//*[self::h1 or self::h2 or self::h3 or self::h4]")
    assert [h.tag for h in headings] == ["h3"] * 5
    assert [h.get("id") for h in headings] == REPORT_IDS


def test_help_articles_keep_h2_and_their_anchors(site):
    tree = parse(site, "en", "help/during-an-incident/")
    article = one(tree, "//article[@class='prose']")
    assert [h.tag for h in article.xpath(".//h1 | .//h2 | .//h3")] == ["h1"] + ["h2"] * 5
    assert article.xpath(".//h2/@id")[:2] == ["problem-or-incident", "what-we-commit-to-telling-you"]


def test_no_page_has_a_duplicate_id(site):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 40
    for page in pages:
        ids = Counter(lxml_html.fromstring(page.read_bytes()).xpath("//@id"))
        assert [i for i, n in ids.items() if n > 1] == [], page


def test_heading_levels_follow_the_highest_heading():
    markup = Markup()
    report = markup.report("# Title\n\n## Part\n\n### Detail\n\n###### Deep")
    assert report == ('<h3 id="report-title">Title</h3>\n<h4 id="report-part">Part</h4>\n'
                      '<h5 id="report-detail">Detail</h5>\n<h6 id="report-deep">Deep</h6>')
    assert markup.report("## A\n\n### B") == '<h3 id="report-a">A</h3>\n<h4 id="report-b">B</h4>'
    assert markup("# A\n\n## B") == '<h2 id="a">A</h2>\n<h3 id="b">B</h3>'
    assert markup("## Main") == '<h2 id="main_1">Main</h2>'  # base.html's <main id="main">
    assert markup.field("## Note") == "<h3>Note</h3>"  # texts shown several times per page: no id


def test_authors_cannot_set_ids_and_repeated_headings_are_numbered():
    markup = Markup()
    html = markup.report('<h2 id="update-1">x</h2>\n\n## x\n\n## Résumé <em>court</em>\n\n## !!!')
    assert 'id="update-1"' not in html
    assert [line for line in html.split("\n") if line] == ['<h3 id="report-x">x</h3>', '<h3 id="report-x_1">x</h3>',
                                '<h3 id="report-resume-court">Résumé <em>court</em></h3>',
                                '<h3 id="report-section">!!!</h3>']
    assert 'id="' not in markup.field('<h2 id="entry-impact">x</h2>')


# --------------------------------------------------------------------------- #
# 3. Wide tables
# --------------------------------------------------------------------------- #

def test_every_table_scrolls_in_a_focusable_named_region(site):
    tables = 0
    for page in sorted(site.rglob("*.html")):
        for table in lxml_html.fromstring(page.read_bytes()).xpath("//table"):
            wrap = table.getparent()
            assert wrap.tag == "div" and wrap.get("class") == "table-wrap", page
            assert (wrap.get("role"), wrap.get("tabindex")) == ("region", "0"), page
            assert wrap.get("aria-label"), page
            tables += 1
    # Three help articles, an incident report and the promises report (four priorities, uptime, root causes),
    # in both languages.
    assert tables == 8 + 2 * 6


def test_a_region_is_named_after_the_heading_before_its_table(site):
    report = parse(site, "en", f"incidents/{REPORTED}/")
    assert one(report, "//div[@class='table-wrap']").get("aria-label") == "Chronologie"
    article = parse(site, "fr", "help/follow-a-known-issue/")
    assert one(article, "//div[@class='table-wrap']").get("aria-label") == "Les étapes d'un problème connu"


def test_table_wrapping_only_touches_real_tables():
    markup = Markup(table_label="Tableau")
    html = markup.field('| a | b |\n|---|---|\n| 1 | 2 |\n\n[x](https://e.example "<table> & </h2>")')
    assert html.startswith('<div class="table-wrap" role="region" tabindex="0" aria-label="Tableau">\n<table>')
    assert html.count("<table>") == 1 and html.count("</div>") == 1
    assert 'title="&lt;table&gt; &amp; &lt;/h2&gt;"' in html
    code = markup.field("```\n<table><h2>x</h2></table>\n```")
    assert "table-wrap" not in code and "<h3" not in code


def test_stylesheet_scrolls_table_regions(site):
    css = next((site / "assets").glob("*.css")).read_text(encoding="utf-8")
    assert ".table-wrap { overflow-x: auto;" in css
    assert ".table-wrap:focus-visible { outline:" in css


# --------------------------------------------------------------------------- #
# 4. Maintenance: when the work actually started and ended
# --------------------------------------------------------------------------- #

WORK = {"fr": ("Début de l'intervention", "Fin de l'intervention"), "en": ("Work started", "Work ended")}


def facts(tree) -> dict[str, object]:
    return {text(dt): dt.getnext() for dt in tree.xpath("//dl[@class='facts']/dt")}


@pytest.mark.parametrize("lang", LANG_ROOTS)
def test_maintenance_shows_when_the_work_started_and_ended(site, lang):
    found = facts(parse(site, lang, f"incidents/{MAINTENANCE_DONE}/"))
    started, ended = WORK[lang]
    assert one(found[started], "./time").get("datetime") == "2026-09-08T22:00:00+02:00"
    assert one(found[ended], "./time").get("datetime") == "2026-09-09T00:35:00+02:00"
    labels = list(found)
    assert labels.index(started) == labels.index(next(k for k in labels if "Cr" in k or "Sched" in k)) + 1
    assert {"Résolution", "Resolved"}.isdisjoint(labels)  # the end of the work says it


@pytest.mark.parametrize("lang", LANG_ROOTS)
def test_maintenance_that_never_started_shows_no_work_times(site, lang):
    for entry in (MAINTENANCE_CANCELLED, MAINTENANCE_UPCOMING):
        labels = facts(parse(site, lang, f"incidents/{entry}/"))
        assert set(WORK[lang]).isdisjoint(labels), entry


# --------------------------------------------------------------------------- #
# Same input, same moment: same bytes
# --------------------------------------------------------------------------- #

def test_build_is_byte_identical(site, tmp_path):
    again = tmp_path / "again"
    assert build(site.parent / "site", again, NOW).ok
    first = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    assert [p for p in first if first[p] != second[p]] == []
