"""`statusgen init`: a new site from the starter files shipped in the package (statusgen/starter/).

Every target is checked before anything is written: a refusal leaves the folder exactly as it was.
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass
from pathlib import Path

import yaml

import statusgen
from statusgen.editing import atomic_write
from statusgen.errors import StatusgenError, UsageProblem
from statusgen.loading.pages import PAGE_NAME

STARTER = Path(statusgen.__file__).parent / "starter"
DEFAULT_LANGUAGES = ("fr", "en")
# Packaging drops or hides dotfiles, so the starter stores these without their leading dot.
HIDDEN_NAMES = {
    "gitignore": ".gitignore",
    "pre-commit-config.yaml": ".pre-commit-config.yaml",
    "incidents/gitkeep": "incidents/.gitkeep",
}
PAGES = "content/pages"
VERSION_MARK = "@STATUSGEN_VERSION@"  # the pre-commit hook pins the release that wrote the site
PLACEHOLDER_MARK = "CHANGE ME"


@dataclass(frozen=True)
class Created:
    """What init wrote: the site folder and its new files, relative to it."""

    root: Path
    files: tuple[str, ...]
    languages: tuple[str, ...]
    placeholders: tuple[str, ...]  # the files holding values marked CHANGE ME


def starter_languages() -> tuple[str, ...]:
    """The languages the starter has texts for: those of its help articles."""
    found = {m.group(2) for p in (STARTER / PAGES).iterdir() if (m := PAGE_NAME.match(p.name))}
    return tuple(sorted(found))


def language_problem(languages: tuple[str, ...]) -> str:
    """Why these languages cannot be used, or '' when they can."""
    missing = [lang for lang in languages if lang not in starter_languages()]
    if not missing:
        return ""
    return (f"no starter texts in {', '.join(repr(m) for m in missing)}; statusgen init has texts in "
            f"{', '.join(starter_languages())} only (another language can be added to content/site.yaml "
            "later, with its own texts)")


def init(root: Path, languages: tuple[str, ...] = DEFAULT_LANGUAGES) -> Created:
    """Write a new site into root (created if missing); refuse, writing nothing, if any file exists."""
    languages = tuple(dict.fromkeys(languages)) or DEFAULT_LANGUAGES
    problem = language_problem(languages)
    if problem:
        raise UsageProblem(problem)
    files = starter_files(languages)
    blocked = conflicts(root, files)
    if blocked:
        named = ", ".join(blocked[:3]) + (f" and {len(blocked) - 3} more" if len(blocked) > 3 else "")
        raise StatusgenError(f"{root}: refusing to overwrite {named}; nothing was written "
                             "(run statusgen init in a new or empty folder)")
    _write_all(root, files)
    placeholders = tuple(rel for rel, data in files.items() if PLACEHOLDER_MARK.encode() in data)
    return Created(root, tuple(files), languages, placeholders)


def starter_files(languages: tuple[str, ...]) -> dict[str, bytes]:
    """Target path -> content, for a site in these languages."""
    files: dict[str, bytes] = {}
    for path in sorted(STARTER.rglob("*")):
        if not path.is_file() or path.name.startswith(".") or "__pycache__" in path.parts:
            continue
        rel = path.relative_to(STARTER).as_posix()
        if rel.startswith(PAGES + "/"):
            match = PAGE_NAME.match(path.name)
            if not match or match.group(2) not in languages:
                continue
        text = path.read_text(encoding="utf-8")
        if rel.endswith(".yaml") and rel.startswith("content/"):
            text = keep_languages(text, languages)
        text = text.replace(VERSION_MARK, statusgen.__version__)
        files[HIDDEN_NAMES.get(rel, rel)] = text.encode("utf-8")
    return dict(sorted(files.items()))


def keep_languages(text: str, languages: tuple[str, ...]) -> str:
    """The starter YAML with texts in these languages only, and `languages:` set to them.

    Lines are cut from the text rather than the YAML dumped again, so the comments stay.
    A text in several languages is a block mapping with one language per line.
    """
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    known = set(starter_languages())
    drop: set[int] = set()
    replace: list[tuple[int, int, str]] = []
    pending = [root]
    while pending:
        node = pending.pop()
        if isinstance(node, yaml.SequenceNode):
            pending.extend(node.value)
        if not isinstance(node, yaml.MappingNode):
            continue
        keys = [k.value for k, _ in node.value]
        if keys and set(keys) <= known:
            if node.flow_style:
                raise ValueError(f"line {node.start_mark.line + 1}: write texts one language per line")
            for key, value in node.value:
                if key.value not in languages:
                    last = value.end_mark.line if value.end_mark.column else value.end_mark.line - 1
                    drop.update(range(key.start_mark.line, last + 1))
            continue
        for key, value in node.value:
            if node is root and key.value == "languages":
                replace.append((value.start_mark.index, value.end_mark.index, f"[{', '.join(languages)}]"))
            pending.append(value)
    for start, end, new in replace:
        text = text[:start] + new + text[end:]
    return "".join(line for number, line in enumerate(text.splitlines(keepends=True)) if number not in drop)


def conflicts(root: Path, files: dict[str, bytes]) -> list[str]:
    """The targets that already exist, or whose folder is taken by a file or a link.

    A linked folder counts as taken: the loader refuses linked site folders, and init writes only
    inside the folder it was given.
    """
    if os.path.lexists(root) and not root.is_dir():
        return [str(root)]
    blocked = []
    for rel in files:
        parts = rel.split("/")
        folders = ["/".join(parts[:i]) for i in range(1, len(parts))]
        taken = [f for f in folders
                 if os.path.islink(root / f) or (os.path.lexists(root / f) and not (root / f).is_dir())]
        if taken:
            blocked.append(taken[0])
        elif os.path.lexists(root / rel):
            blocked.append(rel)
    return list(dict.fromkeys(blocked))


def _write_all(root: Path, files: dict[str, bytes]) -> None:
    """Write every file, never replacing one; if any write fails, remove what this call wrote."""
    written: list[Path] = []
    made: list[Path] = []
    try:
        for rel, data in files.items():
            path = root / rel
            for folder in reversed([path.parent, *path.parent.parents]):
                if not os.path.lexists(folder):
                    folder.mkdir()
                    made.append(folder)
            atomic_write(path, data, exclusive=True)
            written.append(path)
    except BaseException as exc:
        for path in written:
            path.unlink(missing_ok=True)
        for folder in reversed(made):
            try:
                folder.rmdir()
            except OSError:
                pass
        if isinstance(exc, FileExistsError):
            raise StatusgenError(f"refusing to overwrite {exc.filename}, which appeared meanwhile; "
                                 "nothing was written") from None
        raise


def next_steps(created: Created, shown_root: str) -> str:
    """What init prints: the files it made and what to do next."""
    lines = [f"created a statusgen site in {shown_root} ({', '.join(created.languages)}):"]
    lines += [f"  {rel}" for rel in created.files]
    lines += ["", "next steps:"]
    steps = []
    if shown_root not in (".", "./"):
        steps.append(f"cd {shlex.quote(shown_root)}")
    steps += [
        f"replace the values marked {PLACEHOLDER_MARK} in {', '.join(created.placeholders)}",
        "statusgen validate             check every file",
        "statusgen serve                preview on http://127.0.0.1:8000/, rebuilt on every save",
        "statusgen new incident         record an incident when one happens (also: maintenance, ticket)",
    ]
    lines += [f"  {number}. {step}" for number, step in enumerate(steps, 1)]
    return "\n".join(lines)
