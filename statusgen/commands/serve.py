"""`statusgen serve`: build, serve the output on localhost, rebuild on every save, reload the browser.

The files on disk are exactly what `statusgen build` writes; the reload script and the error
panel are added to HTML responses on the fly, only by this server. Whatever a rebuild raises,
serve goes on: the failure is shown on every page and on the terminal, the last good build stays
served, and the next save (or minute) tries again.
"""

from __future__ import annotations

import errno
import html
import re
import sys
import threading
import traceback
from dataclasses import dataclass, field
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, unquote, urlsplit

import click
from watchdog.observers import Observer

from statusgen.commands.watch import ChangeWatcher, SourceWatches
from statusgen.errors import Diagnostic, StatusgenError
from statusgen.failures import DEBUG_VARIABLE, debug_wanted, describe_failure
from statusgen.render.urls import INDEX_FILE, NOT_FOUND_FILE

WAIT_PATH = "/__statusgen/wait"
WAIT_TIMEOUT = 25.0

RELOAD_SCRIPT = """<script>
(function(){var v=%d;function poll(){fetch("%s?v="+v).then(function(r){return r.json()})
.then(function(d){if(d.version!==v){location.reload()}else{poll()}})
.catch(function(){setTimeout(poll,1000)})}poll()})();
</script>"""
NO_BUILD_PAGE = '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>statusgen</title></head><body></body></html>'
BODY_START = re.compile(r"<body\b[^>]*>", re.IGNORECASE)


@dataclass
class ServeState:
    """What the server shows: the build version, and why the last rebuild did not go through.

    errors: the diagnostics of a save that does not validate; failure: one line for a rebuild
    that raised. At most one of them is set.
    """

    version: int = 0
    errors: list[Diagnostic] = field(default_factory=list)
    failure: str = ""
    summary: str = ""
    changed: threading.Condition = field(default_factory=threading.Condition)
    served_good_build: bool = False  # whether a rebuild ever succeeded

    def publish(self, errors: list[Diagnostic], failure: str, summary: str) -> None:
        with self.changed:
            self.version += 1
            self.served_good_build |= not errors and not failure
            self.errors = errors
            self.failure = failure
            self.summary = summary
            self.changed.notify_all()

    def wait_for_change(self, seen: int, timeout: float) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.version != seen, timeout=timeout)
            return self.version


def error_panel(state: ServeState, built: bool) -> str:
    """The alert shown at the top of every page while the last rebuild did not go through."""
    if state.failure:
        title, lines = "the last rebuild failed", [state.failure]
    elif state.errors:
        title, lines = "the last save does not validate", [d.format() for d in state.errors]
    else:
        return ""
    shown = "this is the last good build" if built else "there is no good build to show yet"
    items = "".join(f"<li><code>{html.escape(line)}</code></li>" for line in lines)
    return ('<section role="alert" style="margin:0;padding:1rem 1.2rem;background:#fde7e5;color:#5c0b05;'
            'border-bottom:3px solid #b42318;font:15px/1.5 system-ui,sans-serif">'
            f"<h2 style=\"margin:0 0 .5rem;font-size:1.1rem\">statusgen: {title}; {shown}</h2>"
            f"<ul style=\"margin:0;padding-left:1.2rem\">{items}</ul></section>")


def failure_line(exc: BaseException) -> str:
    """One line for what a rebuild raised: a refusal as it is worded, anything else as a command would say it."""
    if isinstance(exc, click.ClickException):
        return " ".join(exc.format_message().split())
    return describe_failure(exc, f"restart `statusgen serve` with {DEBUG_VARIABLE}=1 (or after upgrading statusgen)")


def malformed(path: str) -> bool:
    """A path no file can have: not absolute, with a NUL byte, or escapes that are not UTF-8."""
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError:
        return True
    return not path.startswith("/") or "\x00" in decoded


API_PATH = re.compile(r"^/(?:[^/]+/)?api/")


class PreviewHandler(SimpleHTTPRequestHandler):
    """Serves the output folder, adding the reload script and the error panel to HTML pages."""

    state: ServeState
    base_path: str = ""  # the path of base_url ('/status'): the site is served below it, as when published

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the stdlib's name
        pass

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except ConnectionError:  # the browser closed the tab or the connection: nobody to answer
            self.close_connection = True

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        self._answer(head=False)

    def do_HEAD(self) -> None:  # noqa: N802 - the stdlib's name
        self._answer(head=True)

    def _answer(self, head: bool) -> None:
        url = urlsplit(self.path)
        if malformed(url.path):
            return self.send_error(HTTPStatus.BAD_REQUEST, "Malformed path")
        if url.path == WAIT_PATH:
            return self._answer_wait(url.query)
        path = url.path
        if self.base_path:
            if not (path + "/").startswith(self.base_path + "/"):
                return self._redirect(self.base_path + "/", HTTPStatus.FOUND)
            path = path[len(self.base_path):] or "/"
        self.path = path + (f"?{url.query}" if url.query else "")
        target = Path(self.translate_path(path))
        if target.is_dir() and not path.endswith("/"):
            # The stdlib's redirect would drop the base path: make it here.
            query = f"?{url.query}" if url.query else ""
            return self._redirect(f"{self.base_path}/{path.lstrip('/')}/{query}", HTTPStatus.MOVED_PERMANENTLY)
        if path.endswith("/"):
            target = target / INDEX_FILE
        if target.suffix == ".html" or (not target.suffix and not target.exists()):
            return self._send_page(target, head)
        return super().do_HEAD() if head else super().do_GET()

    def end_headers(self) -> None:
        # Browser widgets read the JSON API from their own page's origin: allow it, as docs/deploy.md
        # shows for each host (the default language's api/ and every other language's <lang>/api/).
        if API_PATH.match(urlsplit(self.path).path):
            self.send_header("Access-Control-Allow-Origin", "*")
        super().end_headers()

    def _answer_wait(self, query: str) -> None:
        try:
            values = parse_qs(query, strict_parsing=True, max_num_fields=4).get("v", [])
        except ValueError:
            values = []
        if len(values) != 1 or not re.fullmatch(r"\d{1,18}", values[0]):
            return self.send_error(HTTPStatus.BAD_REQUEST, "Expected ?v=<version>")
        version = self.state.wait_for_change(int(values[0]), WAIT_TIMEOUT)
        self._send(HTTPStatus.OK, "application/json", f'{{"version": {version}}}'.encode())

    def _send_page(self, target: Path, head: bool) -> None:
        state = self.state
        status = HTTPStatus.OK
        if not target.is_file():
            status, target = HTTPStatus.NOT_FOUND, Path(self.directory) / NOT_FOUND_FILE
        built = target.is_file()
        if built:
            page = target.read_text(encoding="utf-8", errors="replace")
        else:
            page = NO_BUILD_PAGE
            if state.errors or state.failure:
                status = HTTPStatus.SERVICE_UNAVAILABLE  # no site yet: what is wrong with it is the answer
        panel = error_panel(state, built)
        found = BODY_START.search(page)
        page = page[:found.end()] + panel + page[found.end():] if found else panel + page
        script = RELOAD_SCRIPT % (state.version, WAIT_PATH)
        page = page.replace("</body>", script + "</body>", 1) if "</body>" in page else page + script
        self._send(status, "text/html; charset=utf-8", page.encode("utf-8"), head)

    def _redirect(self, location: str, status: HTTPStatus) -> None:
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status: HTTPStatus, content_type: str, body: bytes, head: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not head:
            self.wfile.write(body)


class PreviewServer(ThreadingHTTPServer):
    """A threading server whose failed requests print one line, and closed connections none."""

    daemon_threads = True
    echo: Callable[[str], None] = staticmethod(lambda text: None)

    def handle_error(self, request, client_address) -> None:
        exc = sys.exc_info()[1]
        if exc is None or isinstance(exc, ConnectionError):
            return
        self.echo(f"a request from {client_address[0]} failed: {failure_line(exc)}")
        if debug_wanted():
            self.echo(traceback.format_exc().rstrip())


def rebuilder(build_once: Callable[[], tuple[list[Diagnostic], str]], state: ServeState,
              echo: Callable[[str], None]) -> Callable[..., None]:
    """rebuild(reason): run build_once, never letting it raise, and publish the outcome."""

    def rebuild(reason: str = "save") -> None:
        failure = trace = ""
        try:
            errors, summary = build_once()
        except (Exception, SystemExit) as exc:  # serve never dies of a rebuild: show it, retry on the next save
            errors, failure = [], failure_line(exc)
            kept = ("the last good build is still served" if state.served_good_build
                    else "there is no good build to serve yet")
            summary = f"rebuild failed, {kept}: {failure}"
            if debug_wanted():
                trace = "".join(traceback.format_exception(exc)).rstrip()
        # A new minute is no news on the terminal unless the outcome changed.
        if reason == "save" or (errors, failure) != (state.errors, state.failure):
            if trace:
                echo(trace)
            for diagnostic in errors:
                echo(diagnostic.format())
            echo(summary)
        state.publish(errors, failure, summary)

    return rebuild


def listen(host: str, port: int, handler) -> PreviewServer:
    try:
        return PreviewServer((host, port), handler)
    except OSError as exc:
        reason = "the port is in use (try --port 0)" if exc.errno == errno.EADDRINUSE else exc.strerror or str(exc)
        raise StatusgenError(f"cannot listen on {host}:{port}: {reason}")


def serve(root: Path, out: Path, host: str, port: int, build_once: Callable[[], tuple[list[Diagnostic], str]],
          echo: Callable[[str], None], stop: threading.Event | None = None,
          ready: Callable[[str], None] | None = None, base_path: str = "",
          outdated: Callable[[], bool] = lambda: False) -> None:
    """Serve until stop is set (or Ctrl-C).

    build_once() rebuilds and returns (errors, summary) or raises; outdated() says whether the
    moment of the last build has passed, so that time-derived content is rebuilt without a save.
    """
    stop = stop or threading.Event()
    state = ServeState()
    rebuild = rebuilder(build_once, state, echo)
    rebuild()
    handler_class = type("Handler", (PreviewHandler,), {"state": state, "base_path": base_path.rstrip("/")})
    server = listen(host, port, partial(handler_class, directory=str(out)))
    server.echo = echo
    watcher = ChangeWatcher(rebuild, out, outdated)
    observer = Observer()
    SourceWatches(observer, root, watcher).start()
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
