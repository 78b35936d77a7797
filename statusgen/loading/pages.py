"""Reading the help-centre articles of content/pages/: <slug>.<lang>.md."""

from __future__ import annotations

import re
from pathlib import Path

from statusgen.catalog import diag
from statusgen.errors import Diagnostic
from statusgen.loading.frontmatter import split_front_matter
from statusgen.loading.source import read_source, relative
from statusgen.loading.texts import check_body
from statusgen.loading.yamlnodes import NodeReader, compose
from statusgen.model.site import Page

GENERATED_ARTICLES = ("statuses", "priorities")
MAX_SLUG = 100  # the slug names the article's folder in the output
PAGE_NAME = re.compile(r"^([a-z0-9]+(?:-[a-z0-9]+)*)\.([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?)\.md$")


def load_pages(root: Path, languages: tuple[str, ...]) -> tuple[list[Page], list[Diagnostic]]:
    folder = root / "content" / "pages"
    if not folder.is_dir():
        return [], []
    pages, problems = [], []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or not path.name.endswith(".md"):
            continue
        page, found = _load_page(path, root, languages)
        problems += found
        if page:
            pages.append(page)
    return pages, problems


def _load_page(path: Path, root: Path, languages: tuple[str, ...]):
    rel = relative(path, root)
    match = PAGE_NAME.match(path.name)
    if not match:
        return None, [diag("file-name", rel, 1, "", f"'{path.name}' does not match <slug>.<lang>.md",
                           "name help pages like report-an-incident.en.md")]
    slug, lang = match.groups()
    if len(slug) > MAX_SLUG:
        return None, [diag("file-name", rel, 1, "", f"the slug is {len(slug)} characters long; the limit is {MAX_SLUG}",
                           "shorten it: the slug names the article's folder and URL")]
    if slug in GENERATED_ARTICLES:
        return None, [diag("file-name", rel, 1, "", f"help/{slug}/ is the article statusgen generates from "
                           "content/lifecycles.yaml", "give the article another name")]
    if lang not in languages:
        return None, []  # an article for a language this site does not publish (yet)
    source, problems = read_source(path, root)
    if source is None:
        return None, problems
    front, problems = split_front_matter(source)
    if front is None:
        return None, problems
    node, problems = compose(front.yaml, rel, front.first_line)
    if problems:
        return None, problems
    r = NodeReader(rel, front.first_line, languages)
    fields = r.mapping(node, "", ("title", "summary", "order"), required=("title",))
    if fields is None:
        if node is None:
            r.report("missing-field", front.first_line, "title", "required field is missing")
        return None, r.diagnostics
    title = r.single_text(fields.get("title"), "title")
    summary = r.single_text(fields.get("summary"), "summary")
    check_body(r, front.body, front.body_line, "body")
    page = Page(slug=slug, lang=lang, title=title or slug,
                summary=summary or "",
                order=r.integer(fields.get("order"), "order", minimum=0) or 0,
                body=front.body, path=rel)
    if any(d.level == "error" for d in r.diagnostics):
        return None, r.diagnostics
    return page, r.diagnostics
