"""Editing entry files as text: an appended update changes nothing else in the file.

Comments, key order, quoting, line ends, a byte-order mark and the Markdown body all stay as
written, because the new lines are inserted into the original text rather than re-dumped.
Writes go through a temporary file and a rename, under a lock on the folder, so two
concurrent edits of one file are applied one after the other and neither is lost.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import secrets
import shutil
import stat
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping, Sequence, Union

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from statusgen.errors import StatusgenError
from statusgen.loading.frontmatter import CLOSING_FENCE
from statusgen.output import process_alive  # one home for "is this process still there"

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


# Characters a YAML reader takes for line breaks (NEL, LS, PS) or that it refuses raw: written
# escaped, so the file's lines are the lines every tool sees and the text reads back exactly.
_ESCAPED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")
_PLAIN_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_SHORT_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\x00": "\\0"}
_Reader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def scalar(value: str, indent: int) -> str:
    """YAML for a text value after 'key: ', the key being at column indent - 2.

    Plain or quoted on one line, or a literal block for readable multi-line texts; whatever the
    text (a '---' line, leading spaces, a lone '|', line separators), it reads back exactly.
    """
    if "\n" in value and not _ESCAPED.search(value):
        block = _literal(value, indent)
        if _reads_back(block, value, indent):
            return block
    if _ESCAPED.search(value) or "\n" in value:
        return double_quoted(value)
    dumped = yaml.safe_dump({"k": value}, allow_unicode=True, width=10**9, default_flow_style=False)
    return dumped[len("k: "):].rstrip("\n").removesuffix("\n...")


def _literal(value: str, indent: int) -> str:
    body = value.removesuffix("\n")
    chomping = "" if value.endswith("\n") else "-"
    first = next((line for line in body.split("\n") if line), "")
    # A block's indentation is read from its first line: state it when that line starts with spaces.
    indicator = "2" if first.startswith(" ") else ""
    pad = " " * indent
    return f"|{indicator}{chomping}\n" + "\n".join(f"{pad}{line}" if line else "" for line in body.split("\n"))


def _reads_back(block: str, value: str, indent: int) -> bool:
    """Whether a literal block parses back to exactly value (trailing blank lines, odd indents...)."""
    try:
        parsed = yaml.load(" " * (indent - 2) + "k: " + block + "\n", Loader=_Reader)
    except yaml.YAMLError:
        return False
    return isinstance(parsed, dict) and parsed.get("k") == value


def double_quoted(value: str) -> str:
    """A one-line double-quoted YAML scalar; line breaks and invisible characters as \\n, \\u2028..."""
    out = []
    for char in value:
        if char in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[char])
        elif _ESCAPED.match(char):
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def flow_item(value: str) -> str:
    """An item of a [a, b] list: plain when it is a simple id, else double-quoted."""
    if _PLAIN_ID.match(value) and yaml.load(value, Loader=_Reader) == value:
        return value
    return double_quoted(value)


Text = Union[str, Mapping[str, str], Sequence[tuple[str, str]]]


def text_field(key: str, value: Text, indent: int) -> str:
    """'key: value' lines at indent, for a plain text or language-text pairs (a mapping or a list)."""
    pad = " " * indent
    if isinstance(value, str):
        return f"{pad}{key}: {scalar(value, indent + 2)}"
    pairs = value.items() if isinstance(value, Mapping) else value
    lines = [f"{pad}{key}:"]
    lines += [f"{pad}  {flow_item(lang)}: {scalar(text, indent + 4)}" for lang, text in pairs]
    return "\n".join(lines)


def update_lines(at: str, status: str, message: Text | None, dash: int, changes: Sequence[str] = ()) -> str:
    """A new item of the updates list, its dash at column `dash`; changes are 'key: value' lines
    written by change_lines() for the item's indentation."""
    key = dash + 2
    lines = [f"{' ' * dash}- at: {at}", f"{' ' * key}status: {flow_item(status)}"]
    if message is not None:
        lines.append(text_field("message", message, key))
    lines += [_indented(line, key) for line in changes]
    return "\n".join(lines) + "\n"


def _indented(block: str, indent: int) -> str:
    return "\n".join((" " * indent + line) if line else line for line in block.split("\n"))


def change_lines(*, priority: str | None = None, components: Sequence[tuple[str, str]] = (),
                 texts: Sequence[tuple[str, Text]] = (), flags: Sequence[str] = ()) -> list[str]:
    """The 'key: value' lines of an update's changes, at indentation 0 (update_lines indents them).

    A text's block lines are laid out for the indentation of an update's keys, which they end at.
    """
    lines = []
    if priority is not None:
        lines.append(f"priority: {flow_item(priority)}")
    if components:
        lines.append("components:\n" + "\n".join(f"  {flow_item(cid)}: {flow_item(state)}"
                                                  for cid, state in components))
    for name, value in texts:
        lines.append(_dedented(text_field(name, value, UPDATE_KEY_INDENT), UPDATE_KEY_INDENT))
    lines += [f"{flag}: true" for flag in flags]
    return lines


UPDATE_KEY_INDENT = 4  # the texts are laid out for it; update_lines re-indents to the file's own


def _dedented(block: str, indent: int) -> str:
    return "\n".join(line[indent:] if line.startswith(" " * indent) else line for line in block.split("\n"))


def flow_mapping(values: Mapping[str, str]) -> str:
    """{a: b, c: d} of ids and values, each plain when it is a simple id."""
    return "{" + ", ".join(f"{flow_item(k)}: {flow_item(v)}" for k, v in values.items()) + "}"


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


def append_update(text: str, at: str, status: str, message: Text | None, changes: Sequence[str] = ()) -> str:
    """The text with one more update at the end of the `updates:` list, nothing else changed."""
    offset, yaml_text = _front_matter_bounds(text)
    return append_item(text, offset, yaml_text, "updates",
                       lambda dash: update_lines(at, status, message, dash, changes))


def append_item(text: str, offset: int, yaml_text: str, key: str, make_lines) -> str:
    """The text with make_lines(dash column) inserted after the last item of the top-level list `key`.

    yaml_text is the part of text, from offset, that holds the YAML (the front matter, or all of it).
    """
    root = yaml.compose(yaml_text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    items = None
    if isinstance(root, MappingNode):
        items = next((v for k, v in root.value if getattr(k, "value", None) == key), None)
    if not isinstance(items, SequenceNode) or not items.value:
        raise StatusgenError(f"the file has no {key} list to append to")
    if items.flow_style:
        raise StatusgenError(f"{key} is written in flow style [...]; write it as a block list to use this command")
    last = items.value[-1]
    # From the character index, not the mark's line: YAML also breaks lines at NEL, LS and PS.
    start = last.start_mark.index
    line_start = yaml_text.rfind("\n", 0, start) + 1
    line = yaml_text[line_start:start]
    dash = start - line_start - 2
    if dash < 0 or line[dash:dash + 2] != "- ":
        raise StatusgenError(f"cannot tell how the {key} list is indented; add the {key.rstrip('s')} by hand")
    end = offset + _last_position(last)
    if end > 0 and text[end - 1] != "\n":
        newline = text.find("\n", end)
        end = len(text) if newline < 0 else newline + 1
    before = text[:end] if text[:end].endswith("\n") else text[:end] + "\n"
    return before + make_lines(dash) + text[end:]


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


class ReadOnly(PermissionError):
    """A file or folder without write permission: statusgen leaves it as it is."""


WORK_PREFIX = ".statusgen-edit-"  # + pid-token: a folder per write, holding its temporary file
_IGNORE_ALL = "# a statusgen edit in progress: never committed\n*\n"
# Temporary files of earlier versions, made beside the file: .<name>.<random>.tmp
_OLD_TEMPORARY = re.compile(r"^\..+\.md\.[A-Za-z0-9_]{6,}\.tmp$")
STALE_SECONDS = 60


def atomic_write(path: Path, data: bytes, exclusive: bool = False) -> None:
    """Write through a temporary file and a rename: readers see the old file or the new one.

    With exclusive, never replace a file: FileExistsError if path exists. A read-only file or
    folder raises ReadOnly before anything is written. The temporary file lives in a hidden
    folder that git ignores from inside, so a process killed mid-write leaves nothing that
    `git add` picks up; the next write in the folder removes it.
    """
    folder = path.parent
    refuse_read_only(path, exclusive)
    remove_dead_edits(folder)
    work = folder / f"{WORK_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
    work.mkdir()
    try:
        (work / ".gitignore").write_text(_IGNORE_ALL, encoding="utf-8")
        temp = work / f".{path.name}.tmp"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp, stat.S_IMODE(os.stat(path).st_mode) if os.path.exists(path) else 0o644)
        if exclusive:
            try:
                os.link(temp, path)  # fails if the file appeared meanwhile: never overwrite a new entry
            except FileExistsError:
                raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(path)) from None
        else:
            os.replace(temp, path)
        _sync_folder(folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def refuse_read_only(path: Path, new: bool = False) -> None:
    """ReadOnly when the file (unless new) or its folder may not be written.

    The mode bits count too: root may write anything, but a file made read-only on purpose
    is not meant to be replaced, and a rename would replace it all the same.
    """
    targets = [path.parent] if new else [path, path.parent]
    for target in targets:
        try:
            mode = os.stat(target).st_mode
        except FileNotFoundError:
            continue
        if not mode & 0o222 or not os.access(target, os.W_OK):
            raise ReadOnly(errno.EACCES, "read-only", str(target))


def remove_dead_edits(folder: Path) -> None:
    """Delete what killed edits left in folder: work folders of gone processes, old temporary files."""
    try:
        items = list(os.scandir(folder))
    except OSError:
        return
    now = time.time()
    for item in items:
        name = item.name
        try:
            if name.startswith(WORK_PREFIX) and item.is_dir(follow_symlinks=False):
                pid = name[len(WORK_PREFIX):].partition("-")[0]
                stale = now - item.stat(follow_symlinks=False).st_mtime > STALE_SECONDS
                if pid.isdigit() and (stale or not process_alive(int(pid))):
                    shutil.rmtree(item.path, ignore_errors=True)
            elif _OLD_TEMPORARY.match(name) and item.is_file(follow_symlinks=False):
                if now - item.stat(follow_symlinks=False).st_mtime > STALE_SECONDS:
                    os.unlink(item.path)
        except OSError:
            continue  # gone meanwhile, or not ours to remove: the write itself goes on


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable; some file systems cannot sync a folder, which is no reason to fail."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def set_top_level(text: str, key: str, block: str) -> str:
    """The text with the front matter's top-level `key` set to `block` ('key: value' lines, no indent).

    An existing key's lines are replaced in place; a new key goes after the last one. Nothing else
    changes: comments, order and quoting of the other keys stay as written.
    """
    offset, yaml_text = _front_matter_bounds(text)
    root = yaml.compose(yaml_text, Loader=_Reader)
    if not isinstance(root, MappingNode) or root.flow_style:
        raise StatusgenError("the front matter is not a block mapping; edit it by hand")
    block = block.rstrip("\n") + "\n"
    for key_node, value in root.value:
        if getattr(key_node, "value", None) == key:
            start = offset + key_node.start_mark.index
            return text[:start] + block + text[_line_end(text, offset + _last_position(value)):]
    end = _line_end(text, offset + max(_last_position(v) for _, v in root.value)) if root.value else offset
    return text[:end] + block + text[end:]


def _line_end(text: str, index: int) -> int:
    """The start of the line after the one holding text[index - 1]."""
    if index > 0 and text[index - 1] == "\n":
        return index
    newline = text.find("\n", index)
    return len(text) if newline < 0 else newline + 1


def replace_body(text: str, body: str) -> str:
    """The text with the Markdown after the front matter replaced by body."""
    offset, yaml_text = _front_matter_bounds(text)
    fence_start = offset + len(yaml_text)
    head = text[:_line_end(text, fence_start + 1)]
    return (head if head.endswith("\n") else head + "\n") + body.rstrip("\n") + "\n"
