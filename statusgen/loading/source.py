"""Reading site files safely: regular files only, bounded size, UTF-8, BOM and CRLF tolerated."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from statusgen.catalog import diag
from statusgen.errors import Diagnostic

MAX_FILE_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Source:
    """The decoded text of one file, with its path relative to the site root."""

    path: str  # relative, with forward slashes
    text: str
    raw: bytes


def relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def read_source(path: Path, root: Path) -> tuple[Source | None, list[Diagnostic]]:
    """The file's text, or the reasons it cannot be read as a site file."""
    rel = relative(path, root)
    problem = _file_problem(path)
    if problem:
        return None, [diag("not-a-file", rel, 1, "", problem, "replace it with a regular file")]
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, [diag("file-too-large", rel, 1, "",
                               f"file is {size / 1e6:.1f} MB; the limit is {MAX_FILE_BYTES // (1024 * 1024)} MB",
                               "split the report or move large attachments out of the site")]
        raw = path.read_bytes()
    except OSError as exc:
        return None, [diag("not-a-file", rel, 1, "", f"cannot be read: {exc.strerror or exc}")]
    return decode(raw, rel)


def _file_problem(path: Path) -> str:
    try:
        info = os.lstat(path)
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}"
    if stat.S_ISLNK(info.st_mode):
        return "is a symbolic link; statusgen reads regular files only"
    if stat.S_ISDIR(info.st_mode):
        return "is a directory where a file is expected"
    if not stat.S_ISREG(info.st_mode):
        return "is not a regular file"
    if info.st_nlink > 1:  # its content may be a file outside the site, under another name
        return "is a hard link; statusgen reads files that belong to the site only"
    return ""


def decode(raw: bytes, rel: str) -> tuple[Source | None, list[Diagnostic]]:
    if not raw.strip():
        return None, [diag("empty-file", rel, 1, "", "the file is empty", "remove it or fill it in")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        bad = raw[exc.start]
        return None, [diag("encoding", rel, line, "", f"invalid UTF-8 byte 0x{bad:02x}",
                           "save the file as UTF-8")]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Source(rel, text, raw), []
