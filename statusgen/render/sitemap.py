"""sitemap.xml with hreflang alternates, and robots.txt pointing at it."""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from statusgen.render.pages import PageJob, page_link
from statusgen.render.state import RenderState
from statusgen.render.urls import SITEMAP, Urls


def sitemap_xml(state: RenderState, jobs: list[PageJob]) -> bytes:
    """Every linkable page with its language alternates; the same pages give the same bytes."""
    signature = tuple(jobs)
    cached = state.memo.get("sitemap")
    if cached is None or cached[0] != signature:
        cached = state.memo["sitemap"] = (signature, _sitemap(state, jobs))
    return cached[1]


def _sitemap(state: RenderState, jobs: list[PageJob]) -> bytes:
    settings = state.site.settings
    langs = settings.languages
    url_sets = {lang: Urls(settings.base_url, lang, settings.default_language) for lang in langs}
    slugs = {lang: {p.slug for p in state.site.pages if p.lang == lang} for lang in langs}
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">']
    for job in jobs:
        link = page_link(job)
        if link is None:
            continue
        lines.append(f"  <url><loc>{_esc(url_sets[job.lang].absolute(link))}</loc>")
        if job.kind != "article":
            for lang in langs:
                lines.append(f'    <xhtml:link rel="alternate" hreflang="{lang}" '
                             f'href={quoteattr(url_sets[lang].absolute(link))}/>')
        elif all(job.key in slugs[lang] for lang in langs):
            for lang in langs:
                lines.append(f'    <xhtml:link rel="alternate" hreflang="{lang}" '
                             f'href={quoteattr(url_sets[lang].absolute(link))}/>')
        lines.append("  </url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def robots_txt(base_url: str) -> bytes:
    return f"User-agent: *\nAllow: /\n\nSitemap: {Urls.shared_absolute(base_url, SITEMAP)}\n".encode("utf-8")
