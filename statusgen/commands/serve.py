"""`statusgen serve`: build, serve the output on localhost, rebuild on every save, reload the browser.

The files on disk are exactly what `statusgen build` writes; the reload script and the error
panel are added to HTML responses on the fly, only by this server.
"""

from __future__ import annotations

import errno
import html
import threading
import time
from dataclasses import dataclass, field
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlsplit

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from statusgen.errors import Diagnostic, StatusgenError
from statusgen.output import SOURCE_DIRS

WAIT_PATH = "/__statusgen/wait"
QUIET_SECONDS = 0.25  # editors write several files per save: wait for the burst to end
WAIT_TIMEOUT = 25.0
CHANGES = frozenset({"created", "modified", "deleted", "moved", "closed"})

RELOAD_SCRIPT = """<script>
(function(){var v=%d;function poll(){fetch("%s?v="+v).then(function(r){return r.json()})
.then(function(d){if(d.version!==v){location.reload()}else{poll()}})
.catch(function(){setTimeout(poll,1000)})}poll()})();
</script>"""


@dataclass
class ServeState:
    """What the server shows: the build version, and the diagnostics of a failed rebuild."""

    version: int = 0
    errors: list[Diagnostic] = field(default_factory=list)
    summary: str = ""
    changed: threading.Condition = field(default_factory=threading.Condition)

    def publish(self, errors: list[Diagnostic], summary: str) -> None:
        with self.changed:
            self.version += 1
            self.errors = errors
            self.summary = summary
            self.changed.notify_all()

    def wait_for_change(self, seen: int, timeout: float) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.version != seen, timeout=timeout)
            return self.version


def error_panel(state: ServeState) -> str:
    if not state.errors:
        return ""
    items = "".join(f"<li><code>{html.escape(d.format())}</code></li>" for d in state.errors)
    return ('<section role="alert" style="margin:0;padding:1rem 1.2rem;background:#fde7e5;color:#5c0b05;'
            'border-bottom:3px solid #b42318;font:15px/1.5 system-ui,sans-serif">'
            f"<h2 style=\"margin:0 0 .5rem;font-size:1.1rem\">statusgen: the last save does not validate; "
            f"this is the last good build</h2><ul style=\"margin:0;padding-left:1.2rem\">{items}</ul></section>")


class PreviewHandler(SimpleHTTPRequestHandler):
    """Serves the output folder, adding the reload script and the error panel to HTML pages."""

    state: ServeState
    base_path: str = ""  # the path of base_url ('/status'): the site is served below it, as when published

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the stdlib's name
        pass

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        url = urlsplit(self.path)
        if url.path == WAIT_PATH:
            return self._answer_wait(url.query)
        if self.base_path:
            if not (url.path + "/").startswith(self.base_path + "/"):
                self.send_response(HTTPStatus.FOUND)
                self.send_header("Location", self.base_path + "/")
                self.end_headers()
                return None
            self.path = self.path[len(self.base_path):] or "/"
            url = urlsplit(self.path)
        target = Path(self.translate_path(url.path))
        if target.is_dir():
            if not url.path.endswith("/"):
                return super().do_GET()  # the stdlib redirects to the slash form
            target = target / "index.html"
        if target.suffix == ".html":
            return self._send_page(target)
        return super().do_GET()

    def _answer_wait(self, query: str) -> None:
        seen = int(parse_qs(query).get("v", ["0"])[0] or 0)
        version = self.state.wait_for_change(seen, WAIT_TIMEOUT)
        self._send(HTTPStatus.OK, "application/json", f'{{"version": {version}}}'.encode())

    def _send_page(self, target: Path) -> None:
        status = HTTPStatus.OK
        if not target.is_file():
            status, target = HTTPStatus.NOT_FOUND, Path(self.directory) / "404.html"
        page = target.read_text(encoding="utf-8") if target.is_file() else "<!DOCTYPE html><title>404</title>"
        page = page.replace("<body>", "<body>" + error_panel(self.state), 1)
        script = RELOAD_SCRIPT % (self.state.version, WAIT_PATH)
        page = page.replace("</body>", script + "</body>", 1)
        self._send(status, "text/html; charset=utf-8", page.encode("utf-8"))

    def _send(self, status: HTTPStatus, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


class ChangeWatcher(FileSystemEventHandler):
    """Collects changes under the site's sources; rebuilds once a burst of saves is over."""

    def __init__(self, rebuild: Callable[[], None], out: Path):
        self.rebuild = rebuild
        self.out = out.resolve()
        self.pending = threading.Event()
        self.last_event = 0.0

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in CHANGES:
            return  # reading files (opened, closed_no_write) is what a build itself does
        path = Path(str(event.src_path))
        if path.name.startswith(".") or path.name.endswith("~") or path.resolve().is_relative_to(self.out):
            return
        self.last_event = time.monotonic()
        self.pending.set()

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            if not self.pending.wait(timeout=0.2):
                continue
            while time.monotonic() - self.last_event < QUIET_SECONDS and not stop.is_set():
                time.sleep(0.05)
            self.pending.clear()
            if not stop.is_set():
                self.rebuild()


def serve(root: Path, out: Path, host: str, port: int, build_once: Callable[[], tuple[list[Diagnostic], str]],
          echo: Callable[[str], None], stop: threading.Event | None = None,
          ready: Callable[[str], None] | None = None, base_path: str = "") -> None:
    """Serve until stop is set (or Ctrl-C); build_once() rebuilds and returns (errors, summary)."""
    stop = stop or threading.Event()
    state = ServeState()

    def rebuild() -> None:
        errors, summary = build_once()
        for diagnostic in errors:
            echo(diagnostic.format())
        echo(summary)
        state.publish(errors, summary)

    rebuild()
    handler_class = type("Handler", (PreviewHandler,), {"state": state, "base_path": base_path.rstrip("/")})
    handler = partial(handler_class, directory=str(out))
    try:
        server = ThreadingHTTPServer((host, port), handler)
    except OSError as exc:
        reason = "the port is in use (try --port 0)" if exc.errno == errno.EADDRINUSE else exc.strerror or str(exc)
        raise StatusgenError(f"cannot listen on {host}:{port}: {reason}")
    server.daemon_threads = True
    watcher = ChangeWatcher(rebuild, out)
    observer = Observer()
    for name in SOURCE_DIRS:
        folder = root / name
        if folder.is_dir():
            observer.schedule(watcher, str(folder), recursive=True)
    observer.start()
    threads = [threading.Thread(target=server.serve_forever, daemon=True),
               threading.Thread(target=watcher.run, args=(stop,), daemon=True)]
    for thread in threads:
        thread.start()
    address = f"http://{host}:{server.server_address[1]}{base_path.rstrip('/')}/"
    echo(f"serving {out} at {address} (Ctrl-C to stop)")
    if ready:
        ready(address)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        echo("stopping")
    finally:
        stop.set()
        with state.changed:
            state.changed.notify_all()
        observer.stop()
        server.shutdown()
        server.server_close()
        observer.join(timeout=5)
