"""Where imported JSON comes from: a folder of saved files, or the same files over HTTP.

Every document is read whole and parsed before anything is written; a file that is missing,
unreachable, too large or not JSON is one clear ImportProblem naming it.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from statusgen import __version__
from statusgen.errors import StatusgenError

MAX_DOCUMENT = 50 * 1024 * 1024  # bytes of one JSON file
TIMEOUT = 20  # seconds for one HTTP request


class ImportProblem(StatusgenError):
    """Input that cannot be imported: nothing was written."""

    def __init__(self, message: str):
        super().__init__(f"{message}; nothing was written")


def is_url(source: str) -> bool:
    return urlsplit(source).scheme in ("http", "https")


class Documents:
    """JSON documents by relative name (`summary.json`, `incidents/abc.json`) in a folder or under a URL."""

    def __init__(self, source: str, headers: dict[str, str] | None = None):
        self.source = source
        self.headers = {"User-Agent": f"statusgen/{__version__}", "Accept": "application/json", **(headers or {})}
        if is_url(source):
            self.base = source.rstrip("/")
            self.folder = None
        else:
            self.folder = Path(source)
            if not self.folder.is_dir():
                raise ImportProblem(f"{source}: no such folder (give a folder of saved JSON or an http(s) address)")
            self.base = None

    def where(self, name: str) -> str:
        return f"{self.base}/{name}" if self.base else str(self.folder / name)

    def names(self, folder: str) -> list[str]:
        """The JSON files saved in a sub-folder (a folder source only: a web server lists nothing)."""
        if self.folder is None or not (self.folder / folder).is_dir():
            return []
        return sorted(f"{folder}/{p.name}" for p in (self.folder / folder).glob("*.json") if p.is_file())

    def get(self, name: str, required: bool = True) -> Any:
        """The parsed document; None for a missing optional one."""
        raw = self._read(name, required)
        return None if raw is None else self.parse(raw, self.where(name))

    def parse(self, raw: bytes, where: str) -> Any:
        try:
            return json.loads(raw.decode("utf-8-sig"))
        except UnicodeDecodeError as exc:
            raise ImportProblem(f"{where}: not UTF-8 text (byte {exc.start})") from None
        except json.JSONDecodeError as exc:
            raise ImportProblem(f"{where}:{exc.lineno}: not valid JSON: {exc.msg} (column {exc.colno})") from None
        except RecursionError:
            raise ImportProblem(f"{where}: JSON nested too deeply to be a status page") from None

    def _read(self, name: str, required: bool) -> bytes | None:
        if self.folder is not None:
            path = self.folder / name
            if not path.is_file():
                if required:
                    raise ImportProblem(f"{path}: missing (save it from <page>/api/v2/{name})")
                return None
            if path.stat().st_size > MAX_DOCUMENT:
                raise ImportProblem(f"{path}: larger than {MAX_DOCUMENT // 1024 // 1024} MB")
            try:
                return path.read_bytes()
            except OSError as exc:
                raise ImportProblem(f"{path}: cannot be read ({exc.strerror})") from None
        return fetch(self.where(name), self.headers, required)


def fetch(url: str, headers: dict[str, str], required: bool = True) -> bytes | None:
    """The body of a GET; None for a 404 of an optional document."""
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            data = response.read(MAX_DOCUMENT + 1)
    except urllib.error.HTTPError as exc:
        if exc.code == 404 and not required:
            return None
        hint = " (check the token named by --api-key-env)" if exc.code in (401, 403) else ""
        raise ImportProblem(f"{url}: the server answered {exc.code} {exc.reason}{hint}") from None
    except urllib.error.URLError as exc:
        raise ImportProblem(f"{url}: cannot be reached ({exc.reason})") from None
    except (TimeoutError, OSError) as exc:
        raise ImportProblem(f"{url}: cannot be reached ({exc})") from None
    if len(data) > MAX_DOCUMENT:
        raise ImportProblem(f"{url}: larger than {MAX_DOCUMENT // 1024 // 1024} MB")
    return data
