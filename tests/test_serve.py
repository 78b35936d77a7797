"""statusgen serve in a real subprocess on 127.0.0.1: serves, rebuilds on save, shows errors, stops on SIGINT."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

NOW = "2026-11-20T15:00:00+01:00"
OPEN = "incidents/2026-11-20-intermittent-terminal-payment-declines.md"


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def server(scratch_site):
    proc = subprocess.Popen([sys.executable, "-m", "statusgen", "serve", "--port", "0", "--now", NOW],
                            cwd=scratch_site, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL, env={**os.environ, "CI": "true"})
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stderr.readline, "")), daemon=True)
    reader.start()
    assert wait_for(lambda: any("serving" in line for line in lines), 60), lines
    url = re.search(r"at (http://127\.0\.0\.1:\d+/)", "".join(lines)).group(1)
    yield proc, url, scratch_site, lines
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout=10)


def test_serve_rebuilds_on_save_and_keeps_the_last_good_build(server):
    proc, url, site, lines = server
    home = fetch(url)
    assert "Paiements sur terminal refusés par intermittence" in home
    assert "/__statusgen/wait" in home  # the reload script, added by the server only
    assert "__statusgen" not in (site / "output/index.html").read_text(encoding="utf-8")

    path = site / OPEN
    path.write_text(path.read_text(encoding="utf-8").replace(
        "Paiements sur terminal refusés par intermittence", "Paiements sur terminal rétablis en partie"),
        encoding="utf-8")
    started = time.monotonic()
    assert wait_for(lambda: "rétablis en partie" in fetch(url), 2.0)
    assert time.monotonic() - started < 2.0

    path.write_text(path.read_text(encoding="utf-8").replace("status: identified", "status: identifed", 1),
                    encoding="utf-8")
    assert wait_for(lambda: 'role="alert"' in fetch(url), 5.0)
    page = fetch(url)
    assert f"{OPEN}:" in page and "[unknown-status]" in page
    assert "rétablis en partie" in page  # the last good build is still what is served
    assert any("[unknown-status]" in line for line in lines)


def test_serve_stops_on_sigint(server):
    proc, url, _, _ = server
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=10) == 0


def test_serve_places_the_site_under_the_path_of_base_url(scratch_site):
    settings = scratch_site / "content/site.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        "base_url: https://status.orbeline.example", "base_url: https://orbeline.example/status"), encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "statusgen", "serve", "--port", "0", "--now", NOW],
                            cwd=scratch_site, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL)
    try:
        lines: list[str] = []
        threading.Thread(target=lambda: lines.extend(iter(proc.stderr.readline, "")), daemon=True).start()
        assert wait_for(lambda: any("serving" in line for line in lines), 60), lines
        url = re.search(r"at (http://127\.0\.0\.1:\d+/status/)", "".join(lines)).group(1)
        page = fetch(url)
        assert 'href="/status/history/"' in page
        root = url[: -len("status/")]
        assert fetch(root) == page  # the host's root redirects to the site
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
