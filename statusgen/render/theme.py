"""The Jinja2 environment: the site's own templates first, then the built-in theme.

Lookup order for a template name such as "entry.html":
  1. <site>/templates/entry.html        (the site overrides the theme)
  2. the built-in theme's entry.html
A site template can extend the built-in one explicitly as "default/entry.html".
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import jinja2

import statusgen

CSS_TEMPLATE = "assets/style.css"


def builtin_theme_dir() -> Path:
    """The default theme: inside an installed package, or the repository's templates/ folder."""
    package = Path(statusgen.__file__).parent
    for candidate in (package / "theme", package.parent / "templates"):
        if (candidate / "base.html").is_file():
            return candidate
    raise FileNotFoundError("the statusgen default theme is missing from this installation")


def make_environment(site_root: Path) -> jinja2.Environment:
    builtin = jinja2.FileSystemLoader(str(builtin_theme_dir()))
    loaders: list[jinja2.BaseLoader] = []
    own = Path(site_root) / "templates"
    if own.is_dir():
        loaders.append(jinja2.FileSystemLoader(str(own)))
    loaders += [jinja2.PrefixLoader({"default": builtin}), builtin]
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        cache_size=-1,
    )
    return env


def stylesheet(env: jinja2.Environment) -> tuple[str, bytes]:
    """The stylesheet and its file name with a content hash, so browsers may cache it for ever."""
    source, _, _ = env.loader.get_source(env, CSS_TEMPLATE)
    data = source.encode("utf-8")
    digest = hashlib.sha256(data).hexdigest()[:10]
    return f"assets/style.{digest}.css", data
