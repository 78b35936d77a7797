"""statusgen serve on 127.0.0.1: serves, rebuilds on save and as the clock turns, shows errors and
failures without dying, watches folders created while it runs, stops on SIGINT.

Servers run in a subprocess (what a user starts) or in a thread with an injected clock, so that no
test waits for a real minute to pass. Every server stops by itself at the end of its test.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import copy_site

from statusgen.commands.build import Builder, build
from statusgen.commands.serve import serve

NOW = "2026-11-20T15:00:00+01:00"
OPEN_ID = "2026-11-20-intermittent-terminal-payment-declines"
OPEN = f"incidents/{OPEN_ID}.md"
ALERT = 'role="alert"'


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def fetch_status(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@contextmanager
def serving(site: Path, *args: str, env: dict | None = None):
    """statusgen serve in a subprocess: (process, url, stderr lines so far); killed if still running."""
    proc = subprocess.Popen([sys.executable, "-m", "statusgen", "serve", "--port", "0", *args],
                            cwd=site, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL, env={**os.environ, "CI": "true", **(env or {})})
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(iter(proc.stderr.readline, "")), daemon=True).start()
    try:
        assert wait_for(lambda: any("serving" in line for line in lines), 60), lines
        url = re.search(r"at (http://127\.0\.0\.1:\d+/\S*)", "".join(lines)).group(1)
        yield proc, url, lines
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


class FakeClock:
    """A clock a test moves by hand."""

    def __init__(self, start: str):
        self.now = datetime.fromisoformat(start)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@contextmanager
def serving_in_thread(builder: Builder):
    """serve() in a thread of this process, for an injected clock or a patched function: (url, lines)."""
    lines: list[str] = []
    ready: list[str] = []
    stop = threading.Event()
    thread = threading.Thread(target=serve, args=(builder.root, builder.out, "127.0.0.1", 0, builder.rebuild,
                                                   lines.append),
                              kwargs={"stop": stop, "ready": ready.append, "outdated": builder.outdated},
                              daemon=True)
    thread.start()
    try:
        assert wait_for(lambda: ready, 60), lines
        yield ready[0], lines
    finally:
        stop.set()
        thread.join(timeout=15)
        assert not thread.is_alive()


def raw_request(url: str, request: bytes) -> str:
    """Send bytes as they are (no client library would send them) and return the status line."""
    host, port = re.match(r"http://([^:/]+):(\d+)", url).groups()
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while b"\r\n" not in answer:
            chunk = connection.recv(4096)
            if not chunk:
                break
            answer += chunk
    return answer.split(b"\r\n", 1)[0].decode("latin-1")


@pytest.fixture
def server(scratch_site):
    with serving(scratch_site, "--now", NOW) as (proc, url, lines):
        yield proc, url, scratch_site, lines


def test_serve_rebuilds_on_save_and_keeps_the_last_good_build(server):
    proc, url, site, lines = server
    home = fetch(url)
    assert "Paiements sur terminal refusés par intermittence" in home
    assert "/__statusgen/wait" in home  # the reload script, added by the server only
    assert "__statusgen" not in (site / "output/index.html").read_text(encoding="utf-8")

    path = site / OPEN
    edit(path, "Paiements sur terminal refusés par intermittence", "Paiements sur terminal rétablis en partie")
    started = time.monotonic()
    assert wait_for(lambda: "rétablis en partie" in fetch(url), 2.0)
    assert time.monotonic() - started < 2.0

    edit(path, "status: identified", "status: identifed")
    assert wait_for(lambda: ALERT in fetch(url), 5.0)
    page = fetch(url)
    assert "statusgen: the last save does not validate; this is the last good build" in page
    assert f"{OPEN}:" in page and "[unknown-status]" in page
    assert "rétablis en partie" in page  # the last good build is still what is served
    assert any("[unknown-status]" in line for line in lines)


def test_serve_stops_on_sigint(server):
    proc, url, _, _ = server
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=10) == 0


def test_a_template_error_shows_in_the_panel_and_serve_recovers_after_the_fix(server):
    proc, url, site, lines = server
    (site / "templates").mkdir()
    template = site / "templates/index.html"
    shutil.copy(Path(__file__).resolve().parents[1] / "templates/index.html", template)
    edit(template, "{{ t.as_of }}", "{{ t.as_of }} {{ no_such_value }}")
    assert wait_for(lambda: ALERT in fetch(url), 10.0), lines
    page = fetch(url)
    assert "templates/index.html:" in page and "no_such_value" in page
    assert "Paiements sur terminal refusés par intermittence" in page  # the last good build
    assert proc.poll() is None

    edit(template, " {{ no_such_value }}", "")
    assert wait_for(lambda: ALERT not in fetch(url), 10.0), lines
    assert "Paiements sur terminal refusés par intermittence" in fetch(url)
    assert not any("Traceback" in line for line in lines)


def test_an_unexpected_exception_in_a_rebuild_shows_in_the_panel_and_the_next_save_rebuilds_fully(
        scratch_site, tmp_path, monkeypatch):
    import statusgen.commands.build as build_module

    broken = threading.Event()
    real = build_module.render_extras

    def render_extras(state):
        if broken.is_set():
            raise OSError(28, "No space left on device", "output/feed.atom")
        return real(state)

    monkeypatch.setattr(build_module, "render_extras", render_extras)
    builder = Builder(scratch_site, tmp_path / "out", fixed_now=NOW)
    with serving_in_thread(builder) as (url, lines):
        path = scratch_site / OPEN
        broken.set()
        edit(path, "Paiements sur terminal refusés par intermittence", "Paiements sur terminal en partie refusés")
        assert wait_for(lambda: ALERT in fetch(url), 10.0), lines
        page = fetch(url)
        assert "statusgen: the last rebuild failed; this is the last good build" in page
        assert "output/feed.atom: No space left on device" in page
        assert "refusés par intermittence" in page  # the last good build
        failed = [line for line in lines if "No space left on device" in line]
        assert len(failed) == 1 and failed[0].startswith("rebuild failed") and "\n" not in failed[0]
        assert not any("Traceback" in line for line in lines)

        broken.clear()
        edit(path, "en partie refusés", "en partie refusés, suite")
        assert wait_for(lambda: ALERT not in fetch(url), 10.0), lines
        assert "en partie refusés, suite" in fetch(url)
        assert lines[-1].startswith("built ")  # a full build: the failed one may have left anything half done
    full = tmp_path / "full"
    assert build(scratch_site, full, datetime.fromisoformat(NOW)).ok
    assert tree(builder.out) == tree(full)


def test_a_first_build_that_raises_serves_the_panel_and_debug_shows_the_traceback(
        scratch_site, tmp_path, monkeypatch):
    import statusgen.commands.build as build_module

    broken = threading.Event()
    broken.set()
    real = build_module.prepare

    def prepare(*args, **kwargs):
        if broken.is_set():
            raise RuntimeError("a library crashed")
        return real(*args, **kwargs)

    monkeypatch.setattr(build_module, "prepare", prepare)
    monkeypatch.setenv("STATUSGEN_DEBUG", "1")
    builder = Builder(scratch_site, tmp_path / "out", fixed_now=NOW)
    with serving_in_thread(builder) as (url, lines):
        status, page = fetch_status(url + "history/")
        assert status == 503
        assert "statusgen: the last rebuild failed; there is no good build to show yet" in page
        assert "RuntimeError: a library crashed" in page
        assert any(line.startswith("Traceback") and "a library crashed" in line for line in lines)
        broken.clear()
        edit(scratch_site / OPEN, "---\n", "---\n# saved again\n")
        assert wait_for(lambda: fetch_status(url)[0] == 200, 10.0), lines
        assert ALERT not in fetch(url)


def test_when_the_first_build_fails_every_page_is_the_panel_until_it_is_fixed(scratch_site):
    path = scratch_site / OPEN
    edit(path, "priority: high", "priority: urgent")
    with serving(scratch_site, "--now", NOW) as (proc, url, lines):
        for page_url in (url, url + "incidents/" + OPEN_ID + "/", url + "en/history/"):
            status, page = fetch_status(page_url)
            assert status == 503
            assert "statusgen: the last save does not validate; there is no good build to show yet" in page
            assert "[unknown-priority]" in page and "/__statusgen/wait" in page
        edit(path, "priority: urgent", "priority: high")
        assert wait_for(lambda: fetch_status(url)[0] == 200, 10.0), lines
        # A save seen half-written fails once more, shown over the good build until the next rebuild.
        assert wait_for(lambda: ALERT not in fetch(url), 10.0), lines


def test_folders_created_after_serve_started_are_watched(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    shutil.copytree(Path(__file__).resolve().parents[1] / "content", site / "content")
    with serving(site, "--now", NOW) as (proc, url, lines):
        assert "Nouvelle panne" not in fetch(url)
        (site / "incidents").mkdir()
        time.sleep(0.3)  # a person creates the folder, then saves a file in it
        (site / "incidents/2026-11-20-nouvelle-panne.md").write_text("""---
title: {fr: Nouvelle panne, en: New outage}
priority: high
components: {payments-api: partial_outage}
updates:
  - at: 2026-11-20T14:40:00+01:00
    status: investigating
    message: Nous enquêtons.
---
""", encoding="utf-8")
        assert wait_for(lambda: "Nouvelle panne" in fetch(url), 10.0), lines
        path = site / "incidents/2026-11-20-nouvelle-panne.md"
        edit(path, "Nouvelle panne", "Panne confirmée")  # the new folder is watched, not only seen once
        assert wait_for(lambda: "Panne confirmée" in fetch(url), 10.0), lines

        shutil.rmtree(site / "incidents")
        assert wait_for(lambda: "Panne confirmée" not in fetch(url), 10.0), lines
        (site / "incidents").mkdir()  # created again: watched again
        path.write_text("""---
title: {fr: Panne revenue, en: Outage back}
priority: high
components: [payments-api]
updates:
  - at: 2026-11-20T14:50:00+01:00
    status: investigating
    message: Nous enquêtons.
---
""", encoding="utf-8")
        assert wait_for(lambda: "Panne revenue" in fetch(url), 10.0), lines

        (site / "templates").mkdir()
        (site / "templates/404.html").write_text('{% extends "default/404.html" %}', encoding="utf-8")
        time.sleep(0.3)
        template = site / "templates/404.html"
        template.write_text('{% extends "default/404.html" %}{% block main %}Rien ici{% endblock %}',
                            encoding="utf-8")
        assert wait_for(lambda: "Rien ici" in fetch_status(url + "nowhere")[1], 10.0), lines


def test_serve_follows_the_clock_and_accepts_an_update_made_at_the_current_time(tmp_path):
    site = copy_site(tmp_path / "site")
    clock = FakeClock("2026-11-20T15:00:40+01:00")
    builder = Builder(site, tmp_path / "out", clock=clock)
    with serving_in_thread(builder) as (url, lines):
        assert 'datetime="2026-11-20T15:00:00+01:00"' in fetch(url)
        clock.advance(seconds=30)  # 15:01:10: a new minute, without any save
        assert wait_for(lambda: 'datetime="2026-11-20T15:01:00+01:00"' in fetch(url), 10.0), lines
        assert 'datetime="2026-11-20T15:00:00+01:00"' not in fetch(url)

        # `statusgen update` records the current time (here the injected clock's) by default.
        result = subprocess.run([sys.executable, "-m", "statusgen", "update", OPEN_ID, "-s", "monitoring",
                                 "-m", "Le correctif est en place.", "--root", str(site),
                                 "--now", clock.now.isoformat()], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        assert "at: 2026-11-20T15:01:10+01:00" in (site / OPEN).read_text(encoding="utf-8")
        assert wait_for(lambda: "Le correctif est en place." in fetch(url), 10.0), lines
        assert ALERT not in fetch(url)
        assert not any("timestamp-future" in line for line in lines)


def test_a_new_minute_rerenders_what_shows_the_time_and_equals_a_full_build(tmp_path):
    site = copy_site(tmp_path / "site")
    clock = FakeClock("2026-11-20T15:00:40+01:00")
    builder = Builder(site, tmp_path / "out", clock=clock)
    errors, line = builder.rebuild()
    assert errors == [] and line.startswith("built ")
    assert not builder.outdated()

    clock.advance(seconds=25)
    assert builder.outdated()
    errors, line = builder.rebuild()
    # Only the pages that read the time are rendered again (the status page, open entries...).
    assert errors == [] and line.endswith("(incremental)")
    assert 0 < int(line.split()[1]) < len(list(builder.out.rglob("*.html"))) / 2
    assert not builder.outdated()
    minute = datetime.fromisoformat("2026-11-20T15:01:00+01:00")
    assert tree(builder.out) == tree(build(site, tmp_path / "full-1", minute).out)

    clock.advance(seconds=20)  # 15:01:25: a save within the same minute is incremental
    edit(site / OPEN, "Paiements sur terminal refusés par intermittence", "Paiements refusés")
    errors, line = builder.rebuild()
    assert errors == [] and line.endswith("(incremental)")
    assert tree(builder.out) == tree(build(site, tmp_path / "full-2", minute).out)


def test_a_time_written_with_seconds_earlier_in_the_minute_is_accepted(tmp_path):
    site = copy_site(tmp_path / "site")
    clock = FakeClock("2026-11-20T15:01:45+01:00")
    builder = Builder(site, tmp_path / "out", clock=clock)
    assert builder.rebuild()[0] == []
    path = site / OPEN
    path.write_text(path.read_text(encoding="utf-8").replace("\n---\n", """
  - at: 2026-11-20T15:01:30+01:00
    status: monitoring
    message: Le correctif est en place.
---
""", 1), encoding="utf-8")
    errors, line = builder.rebuild()
    assert errors == [], [e.format() for e in errors]
    assert tree(builder.out) == tree(build(site, tmp_path / "full", clock.now).out)


def test_closed_connections_print_nothing(server):
    proc, url, site, lines = server
    version = re.search(r"var v=(\d+)", fetch(url)).group(1)
    host, port = re.match(r"http://([^:/]+):(\d+)", url).groups()
    for request in (f"GET /__statusgen/wait?v={version} HTTP/1.1\r\nHost: x\r\n\r\n",
                    "GET / HTTP/1.1\r\nHost: x\r\n\r\n"):
        connection = socket.create_connection((host, int(port)), timeout=10)
        connection.sendall(request.encode())
        time.sleep(0.2)
        # Closed with a reset, as a browser closing the tab may: the server's writes then fail.
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        connection.close()
    before = len(lines)
    edit(site / OPEN, "Paiements sur terminal refusés par intermittence", "Paiements refusés")  # answers the wait
    assert wait_for(lambda: "Paiements refusés" in fetch(url), 5.0)
    time.sleep(0.5)
    assert [line for line in lines[before:] if not line.startswith("rebuilt ")] == []
    assert proc.poll() is None


def test_malformed_requests_get_a_4xx_and_print_nothing(server):
    proc, url, site, lines = server
    before = len(lines)
    requests = [b"GET /%00 HTTP/1.1", b"GET /a\x00b HTTP/1.1", b"GET /%ff HTTP/1.1", b"HEAD /%00.css HTTP/1.1",
                b"GET /__statusgen/wait?v=abc HTTP/1.1", b"GET /__statusgen/wait?v=" + b"9" * 5000 + b" HTTP/1.1",
                b"GET /__statusgen/wait?v=99999999999999999999999 HTTP/1.1", b"GET /__statusgen/wait HTTP/1.1"]
    for request in requests:
        status = raw_request(url, request + b"\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert re.match(r"HTTP/1\.[01] 4\d\d ", status), (request[:60], status)
    assert lines[before:] == []
    assert fetch_status(url)[0] == 200


def test_serve_places_the_site_under_the_path_of_base_url(scratch_site):
    edit(scratch_site / "content/site.yaml", "base_url: https://status.orbeline.example",
         "base_url: https://orbeline.example/status")
    with serving(scratch_site, "--now", NOW) as (proc, url, lines):
        assert url.endswith("/status/")
        page = fetch(url)
        assert 'href="/status/history/"' in page
        root = url[: -len("status/")]
        assert fetch(root) == page  # the host's root redirects to the site
        host, port = re.match(r"http://([^:/]+):(\d+)", url).groups()
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        connection.request("GET", "/status/history?page=1")
        response = connection.getresponse()
        assert response.status == 301
        assert response.getheader("Location") == "/status/history/?page=1"  # the slash form, under the base path
        connection.close()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0


def test_the_api_of_every_language_may_be_read_from_another_origin(server):
    proc, url, site, lines = server
    answers = {}
    for path in ("api/v2/summary.json", "en/api/v2/summary.json", "", "badges/status.svg", "feed.atom"):
        with urllib.request.urlopen(url + path, timeout=10) as response:
            answers[path] = response.headers.get("Access-Control-Allow-Origin")
    assert answers == {"api/v2/summary.json": "*", "en/api/v2/summary.json": "*", "": None,
                       "badges/status.svg": None, "feed.atom": None}
