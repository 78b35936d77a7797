"""Editing entry files as text: an appended update changes nothing else in the file.

Comments, key order, quoting, line ends, a byte-order mark and the Markdown body all stay as
written, because the new lines are inserted into the original text rather than re-dumped.
Writes go through a temporary file and a rename, under a lock on the folder, so two
concurrent edits of one file are applied one after the other and neither is lost.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from statusgen.errors import StatusgenError
from statusgen.loading.frontmatter import CLOSING_FENCE

_BOM = "\ufeff"


@dataclass(frozen=True)
class TextFile:
    """A file's text with \\n line ends, and how to write it back exactly as it was encoded."""

    text: str
    bom: bool
    crlf: bool

    @classmethod
    def decode(cls, raw: bytes) -> "TextFile":
        text = raw.decode("utf-8")
        bom = text.startswith(_BOM)
        text = text.removeprefix(_BOM)
        crlf = "\r\n" in text and text.count("\r\n") == text.count("\n")
        return cls(text.replace("\r\n", "\n") if crlf else text, bom, crlf)

    def encode(self, text: str) -> bytes:
        if self.crlf:
            text = text.replace("\n", "\r\n")
        return ((_BOM if self.bom else "") + text).encode("utf-8")


def scalar(value: str, indent: int) -> str:
    """YAML for a text value after 'key: ': plain or quoted on one line, a literal block otherwise."""
    if "\n" in value.strip("\n") and not value.startswith((" ", "\t")):
        body = value.rstrip("\n")
        pad = " " * indent
        lines = [f"{pad}{line}" if line else "" for line in body.split("\n")]
        return "|-\n" + "\n".join(lines)
    dumped = yaml.safe_dump({"k": value.strip("\n")}, allow_unicode=True, width=10**9, default_flow_style=False)
    return dumped[len("k: "):].rstrip("\n").removesuffix("\n...")


def text_field(key: str, value: dict[str, str] | str, indent: int) -> str:
    """'key: value' lines at indent, for a plain text or a mapping of language to text."""
    pad = " " * indent
    if isinstance(value, str):
        return f"{pad}{key}: {scalar(value, indent + 2)}"
    lines = [f"{pad}{key}:"]
    lines += [f"{pad}  {lang}: {scalar(text, indent + 4)}" for lang, text in value.items()]
    return "\n".join(lines)


def update_lines(at: str, status: str, message: dict[str, str] | str, dash: int) -> str:
    """A new item of the updates list, its dash at column `dash`."""
    key = dash + 2
    return "\n".join([
        f"{' ' * dash}- at: {at}",
        f"{' ' * key}status: {status}",
        text_field("message", message, key),
    ]) + "\n"


def _front_matter_bounds(text: str) -> tuple[int, str]:
    """Where the YAML of the front matter starts in text, and that YAML."""
    first, _, rest = text.partition("\n")
    closing = CLOSING_FENCE.search(rest)
    if first.rstrip() != "---" or closing is None:
        raise StatusgenError("the file has no front matter between '---' lines; run statusgen validate")
    return len(first) + 1, rest[: closing.start()]


def _last_position(node: Node) -> int:
    """The end of the last value written in a node (comments after it do not count)."""
    if isinstance(node, ScalarNode):
        return node.end_mark.index
    children: list[Node] = []
    if isinstance(node, SequenceNode):
        children = list(node.value)
    elif isinstance(node, MappingNode):
        children = [n for pair in node.value for n in pair]
    return max((_last_position(child) for child in children), default=node.end_mark.index)


def append_update(text: str, at: str, status: str, message: dict[str, str] | str) -> str:
    """The text with one more update at the end of the `updates:` list, nothing else changed."""
    offset, yaml_text = _front_matter_bounds(text)
    root = yaml.compose(yaml_text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    updates = None
    if isinstance(root, MappingNode):
        updates = next((v for k, v in root.value if getattr(k, "value", None) == "updates"), None)
    if not isinstance(updates, SequenceNode) or not updates.value:
        raise StatusgenError("the file has no updates list to append to")
    if updates.flow_style:
        raise StatusgenError("updates is written in flow style [...]; write it as a block list to use this command")
    last = updates.value[-1]
    line = yaml_text.split("\n")[last.start_mark.line]
    dash = last.start_mark.column - 2
    if dash < 0 or line[dash:dash + 2] != "- ":
        raise StatusgenError("cannot tell how the updates list is indented; add the update by hand")
    end = offset + _last_position(last)
    if end > 0 and text[end - 1] != "\n":
        newline = text.find("\n", end)
        end = len(text) if newline < 0 else newline + 1
    before = text[:end] if text[:end].endswith("\n") else text[:end] + "\n"
    return before + update_lines(at, status, message, dash) + text[end:]


@contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """An exclusive lock on a folder, held while a file in it is read, changed and replaced."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def atomic_write(path: Path, data: bytes, exclusive: bool = False) -> None:
    """Write through a temporary file and a rename: readers see the old file or the new one."""
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if path.exists():
            os.chmod(temp, path.stat().st_mode & 0o777)
        else:
            os.chmod(temp, 0o644)
        if exclusive:
            os.link(temp, path)  # fails if the file appeared meanwhile: never overwrite a new entry
            os.unlink(temp)
        else:
            os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise
