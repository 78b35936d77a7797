"""The Jinja2 environment: the site's own templates first, then the built-in theme.

Lookup order for a template name such as "entry.html":
  1. <site>/templates/entry.html        (the site overrides the theme)
  2. the built-in theme's entry.html
A site template can extend the built-in one explicitly as "default/entry.html".
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

import statusgen
from statusgen.loading.source import MAX_FILE_BYTES
from statusgen.render.urls import stylesheet_file

CSS_TEMPLATE = "assets/style.css"


def builtin_theme_dir() -> Path:
    """The default theme: inside an installed package, or the repository's templates/ folder."""
    package = Path(statusgen.__file__).parent
    for candidate in (package / "theme", package.parent / "templates"):
        if (candidate / "base.html").is_file():
            return candidate
    raise FileNotFoundError("the statusgen default theme is missing from this installation")


class SiteTemplateLoader(jinja2.BaseLoader):
    """The site's own templates/, read as regular files only.

    Jinja2's FileSystemLoader follows symbolic links: a link at templates/assets/style.css to
    /proc/self/environ would publish the build's environment as the stylesheet. This loader
    refuses any link or special file on the way (validate reports them as not-a-file), so
    nothing outside the site folder is ever read into the output.
    """

    def __init__(self, folder: Path):
        self.folder = folder

    def get_source(self, environment, template):
        parts = template.split("/")
        if any(part in ("", ".", "..") for part in parts):
            raise jinja2.TemplateNotFound(template)
        path = self.folder.joinpath(*parts)
        if not is_plain_file(self.folder, parts):
            raise jinja2.TemplateNotFound(template)
        try:
            source = path.read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError):
            raise jinja2.TemplateNotFound(template)
        return source, str(path), lambda: False

    def list_templates(self):
        found = []
        for folder, dirs, files in os.walk(self.folder):
            dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(folder, d))]
            base = Path(folder).relative_to(self.folder)
            found += [(base / name).as_posix() for name in files]
        return sorted(found)


def is_plain_file(folder: Path, parts: list[str]) -> bool:
    """Whether folder/parts... is a regular file reached through real folders, with no link on the way."""
    current = folder
    try:
        if stat.S_ISLNK(os.lstat(current).st_mode):
            return False
        for part in parts[:-1]:
            current = current / part
            if not stat.S_ISDIR(os.lstat(current).st_mode):
                return False
        info = os.lstat(current / parts[-1])
    except OSError:
        return False
    # A hard link is a regular file whose content may live outside the site: refused, like a link.
    return stat.S_ISREG(info.st_mode) and info.st_nlink == 1 and info.st_size <= MAX_FILE_BYTES


def make_environment(site_root: Path) -> jinja2.Environment:
    builtin = jinja2.FileSystemLoader(str(builtin_theme_dir()))
    loaders: list[jinja2.BaseLoader] = []
    own = Path(site_root) / "templates"
    if own.is_dir() and not own.is_symlink():
        loaders.append(SiteTemplateLoader(own))
    loaders += [jinja2.PrefixLoader({"default": builtin}), builtin]
    # A site's own templates arrive like any other file of the repository (a pull request, say):
    # they render in Jinja2's sandbox, which refuses underscore attributes (no way to the os module
    # or the file system), methods that change data, and ranges of more than 100,000 items.
    kind = ImmutableSandboxedEnvironment if len(loaders) > 2 else jinja2.Environment
    env = kind(
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
    return stylesheet_file(digest), data
