"""Where every page and file of the site lives, per language; the only place that spells out URLs."""

from __future__ import annotations

from urllib.parse import urlsplit

INDEX_FILE = "index.html"  # the file a static host serves for a folder's URL
NOT_FOUND_FILE = "404.html"
SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
CALENDAR = "maintenance.ics"


class Urls:
    """Site-relative paths (for links) and absolute URLs (for feeds and sitemaps) of one language."""

    def __init__(self, base_url: str, lang: str, default_lang: str):
        self.base_url = base_url.rstrip("/")
        self.base_path = urlsplit(self.base_url).path.rstrip("/")
        self.lang = lang
        self.prefix = "" if lang == default_lang else f"{lang}/"

    # Paths of output files, relative to the output folder.
    def file(self, page: str) -> str:
        return f"{self.prefix}{page}{INDEX_FILE}" if page.endswith("/") or not page else f"{self.prefix}{page}"

    def link(self, page: str = "") -> str:
        """The root-relative link to a page: '' is the home page, 'incidents/x/' an incident."""
        return f"{self.base_path}/{self.prefix}{page}"

    def absolute(self, page: str = "") -> str:
        return f"{self.base_url}/{self.prefix}{page}"

    @staticmethod
    def shared(base_url: str, path: str) -> str:
        """Root-relative link to a file shared by every language (CSS, API, badges)."""
        return f"{urlsplit(base_url.rstrip('/')).path.rstrip('/')}/{path}"

    @staticmethod
    def shared_absolute(base_url: str, path: str) -> str:
        """Absolute URL of a file shared by every language (the sitemap robots.txt points at)."""
        return f"{base_url.rstrip('/')}/{path}"


def entry_page(entry_id: str) -> str:
    return f"incidents/{entry_id}/"


def component_page(component_id: str) -> str:
    return f"components/{component_id}/"


def history_page(number: int) -> str:
    return "history/" if number <= 1 else f"history/page/{number}/"


def help_page(slug: str = "") -> str:
    return f"help/{slug}/" if slug else "help/"


def update_anchor(index: int, automatic: str = "") -> str:
    """An update's fragment id; the steps a maintenance window takes by itself have their own, so that a
    written update that replaces one never takes over its id (feed readers would skip it)."""
    return f"update-{automatic}" if automatic else f"update-{index + 1}"


def feed(page: str = "", kind: str = "atom") -> str:
    """The Atom or RSS feed of a page: the site's (page ''), a component's or a followed entry's."""
    return f"{page}feed.{kind}"


def api_file(endpoint: str) -> str:
    """A document of the Statuspage v2 JSON API, by its path below api/v2/ ('summary.json')."""
    return f"api/v2/{endpoint}"


def badge_file(name: str) -> str:
    """The badge of the whole site ('status') or of a component (its id)."""
    return f"badges/{name}.svg"


def stylesheet_file(digest: str) -> str:
    return f"assets/style.{digest}.css"
