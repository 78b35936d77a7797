"""statusgen import statuspage: saved JSON, the URL form, the management API, idempotence, bad input."""

from __future__ import annotations

import json
import shutil
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from statusgen.cli import main
from statusgen.commands.init import init
from tests.conftest import build_site

FIXTURES = Path(__file__).parent / "fixtures" / "statuspage"
PUBLIC = FIXTURES / "public"
NOW = "2026-11-28T09:00:00Z"
MOMENT = datetime(2026, 11, 28, 9, tzinfo=timezone.utc)
PAYMENTS = "incidents/2026-11-20-card-payments-failing.md"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    init(root, ("en", "fr"))
    return root


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def import_from(root: Path, source: Path | str, *extra: str):
    return run("import", "statuspage", "--root", str(root), "--now", NOW, *extra, str(source))


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_saved_page_imports_into_a_site_that_validates_and_builds(site, tmp_path):
    result = import_from(site, PUBLIC)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1:8] == [
        "  add 3 component(s) to content/components.yaml: payments-api, dashboard, website",
        "  create incidents/2026-11-08-database-upgrade.md (4 updates)",
        "  create incidents/2026-11-12-slow-dashboard.md (1 update)",
        f"  create {PAYMENTS} (4 updates)",
        "  create incidents/2026-11-27-dashboard-unreachable.md (1 update)",
        "  0 entries already imported and unchanged",
        "not brought (3):",
    ]
    assert "  - tweets: an update's tweet is not kept (its message is)" in result.output
    assert ("  - maintenance zmqv4w2p8c7s update 3: status 'verifying' has no status in lifecycle 'maintenance' "
            "(no api_status: verifying); written as 'in_progress'") in result.output
    checked = run("validate", "--root", str(site), "--now", NOW, "--ignore", "update-overdue",
                  "--ignore", "missing-translation")
    assert checked.exit_code == 0 and checked.output == "ok: 4 entries checked, 0 errors, 0 warnings\n"
    # The page was written in English only: on this English-French site, validate says French readers see English.
    warned = run("validate", "--root", str(site), "--now", NOW, "--ignore", "update-overdue", "--format", "json")
    assert {d["rule"] for d in json.loads(warned.output)["diagnostics"]} == {"missing-translation"}
    out = build_site(site, tmp_path / "out", MOMENT)
    page = (out / "incidents" / "2026-11-20-card-payments-failing" / "index.html").read_text(encoding="utf-8")
    assert "A certificate <em>expired</em> at the provider." in page  # the postmortem, as the report
    assert "alert(1)" not in page and "<script>alert" not in page


def test_the_entry_keeps_every_update_time_zone_component_state_shortlink_and_id(site):
    import_from(site, PUBLIC)
    assert (site / PAYMENTS).read_text(encoding="utf-8") == """\
---
title: Card payments failing
lifecycle: incident
priority: high
components: {payments-api: partial_outage}
source_id: "statuspage:p31zjtct2jer"
shortlink: "https://stspg.io/p31zj"
updates:
  - at: 2026-11-20T09:12:00+01:00
    status: investigating
    message: We are looking into failed card payments & refunds **now**.
    components:
      payments-api: partial_outage
  - at: 2026-11-20T09:40:00+01:00
    status: identified
    message: A payment provider answers slowly. See [their status page](<https://provider.example/status>).
  - at: 2026-11-20T10:30:00+01:00
    status: monitoring
    message: A fix is deployed; we are watching the error rate.
  - at: 2026-11-20T11:02:00+01:00
    status: resolved
    message: |-
      Payments work normally again.

      We are sorry for the trouble.
    components:
      payments-api: operational
---
## Root cause

A certificate *expired* at the provider.

- Renewal is now automated
- Alerts 30 days ahead
"""
    components = (site / "content" / "components.yaml").read_text(encoding="utf-8")
    assert components.endswith("""\
  - id: payments-api
    name: Payments API
    description: Card payments & refunds.
    group: Platform
    source_id: "statuspage:b13yz5g2cw10"
  - id: dashboard
    name: Dashboard
    group: Platform
    source_id: "statuspage:9zswfdm8pqlc"
  - id: website
    name: Website
    source_id: "statuspage:0l2p9nhqnxpd"
""")
    retro = (site / "incidents" / "2026-11-12-slow-dashboard.md").read_text(encoding="utf-8")
    assert "retroactive: true\n" in retro and "priority: medium\n" in retro
    assert "  - at: 2026-11-12T14:30:00+00:00\n" in retro  # the offset as written (Z)


def test_a_second_import_changes_no_byte(site):
    import_from(site, PUBLIC)
    before = snapshot(site)
    result = import_from(site, PUBLIC)
    assert result.exit_code == 0
    assert "  4 entries already imported and unchanged" in result.output
    assert result.output.endswith("nothing to write: the site already holds everything imported\n")
    assert snapshot(site) == before


def test_new_upstream_updates_are_appended_and_nothing_else_changes(site, tmp_path):
    import_from(site, PUBLIC)
    before = snapshot(site)
    source = tmp_path / "later"
    shutil.copytree(PUBLIC, source)
    doc = json.loads((source / "incidents.json").read_text())
    open_one = doc["incidents"][0]
    open_one["incident_updates"].insert(0, {
        "id": "u7", "status": "identified", "body": "A <i>database</i> lock; we are releasing it.",
        "incident_id": open_one["id"], "created_at": "2026-11-27T11:00:00.000+01:00",
        "display_at": "2026-11-27T11:00:00.000+01:00", "updated_at": "2026-11-27T11:00:00.000+01:00",
        "affected_components": [{"code": "9zswfdm8pqlc", "name": "Dashboard", "old_status": "major_outage",
                                 "new_status": "partial_outage"}]})
    (source / "incidents.json").write_text(json.dumps(doc))
    result = import_from(site, source)
    assert "  append 1 update to incidents/2026-11-27-dashboard-unreachable.md" in result.output
    after = snapshot(site)
    changed = [name for name in after if after[name] != before.get(name)]
    assert changed == ["incidents/2026-11-27-dashboard-unreachable.md"]
    name = changed[0]
    assert after[name] == before[name].replace(b"---\n", b"", 1).join([b"---\n", b""]).replace(
        b"\n---\n", b"""
  - at: 2026-11-27T11:00:00+01:00
    status: identified
    message: A *database* lock; we are releasing it.
    components:
      dashboard: partial_outage
---
""")


def test_a_dry_run_reports_and_writes_nothing(site):
    before = snapshot(site)
    result = import_from(site, PUBLIC, "--dry-run")
    assert result.exit_code == 0
    assert f"  would create {PAYMENTS} (4 updates)" in result.output
    assert result.output.endswith("dry run: nothing was written\n")
    assert snapshot(site) == before


def test_impacts_map_to_priorities_given_on_the_command_line(site):
    result = import_from(site, PUBLIC, "--priority", "major=critical")
    assert result.exit_code == 0
    assert "priority: critical\n" in (site / PAYMENTS).read_text(encoding="utf-8")
    wrong = import_from(site, PUBLIC, "--priority", "major=urgent")
    assert wrong.exit_code == 1
    assert wrong.output == ("Error: --priority major=urgent: no priority 'urgent' in content/lifecycles.yaml "
                            "(priorities: critical, high, medium, low); nothing was written\n")


@pytest.mark.parametrize("name, content, message", [
    ("incidents.json", b'{"incidents": [', "incidents.json:1: not valid JSON: Expecting value (column 16)"),
    ("components.json", b'{"components": [{"id": 3, "name": "x"}]}', "components.json: components[0].id: "
     "expected a string, got a number"),
    ("incidents.json", json.dumps({"incidents": [{"id": "a", "name": "b", "status": "resolved",
                                                  "incident_updates": [{"status": "resolved", "body": "x" * 200_001,
                                                                        "created_at": "2026-11-20T09:00:00Z"}]}]}
                                  ).encode(),
     "incidents.json: incidents[0].incident_updates[0]: a message of 200,001 characters (the limit is 200,000)"),
    ("incidents.json", json.dumps({"incidents": [{"id": "a", "name": "b", "status": "resolved", "incident_updates": [
        {"status": "resolved", "body": "x", "created_at": "yesterday"}]}]}).encode(),
     "incidents.json: incidents[0].incident_updates[0].created_at: 'yesterday' is not a timestamp"),
])
def test_bad_input_is_one_message_and_writes_nothing(site, tmp_path, name, content, message):
    source = tmp_path / "bad"
    shutil.copytree(PUBLIC, source)
    (source / name).write_bytes(content)
    before = snapshot(site)
    result = import_from(site, source)
    assert result.exit_code == 1
    assert result.output == f"Error: {source / name.split(':')[0]}{message[len(name):]}; nothing was written\n"
    assert snapshot(site) == before


def test_a_missing_file_or_folder_is_named(site, tmp_path):
    source = tmp_path / "partial"
    shutil.copytree(PUBLIC, source)
    (source / "summary.json").unlink()
    result = import_from(site, source)
    assert result.exit_code == 1
    assert result.output == (f"Error: {source / 'summary.json'}: missing (save it from <page>/api/v2/summary.json); "
                             "nothing was written\n")
    nowhere = import_from(site, tmp_path / "nowhere")
    assert nowhere.output == (f"Error: {tmp_path / 'nowhere'}: no such folder (give a folder of saved JSON or an "
                              "http(s) address); nothing was written\n")


# -- over HTTP --------------------------------------------------------------------
@contextmanager
def serving(routes: dict[str, bytes], seen: list | None = None):
    """A web server on 127.0.0.1 answering routes (path with query -> body), stopped on leaving."""
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the standard library's name
            if seen is not None:
                seen.append((self.path, self.headers.get("Authorization")))
            body = routes.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.end_headers()
            self.wfile.write(body or b"not found")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def public_routes(prefix: str = "/api/v2") -> dict[str, bytes]:
    return {f"{prefix}/{p.relative_to(PUBLIC).as_posix()}": p.read_bytes() for p in PUBLIC.rglob("*.json")}


def test_a_page_address_is_read_over_http_like_a_folder(site, tmp_path):
    seen = []
    with serving(public_routes(), seen) as url:
        result = import_from(site, url + "/")
    assert result.exit_code == 0, result.output
    from_folder = tmp_path / "folder"
    init(from_folder, ("en", "fr"))
    import_from(from_folder, PUBLIC)
    assert snapshot(site) == snapshot(from_folder)
    # The per-incident files are asked for by the ids the lists hold; a missing one is no error.
    assert ("/api/v2/incidents/p31zjtct2jer.json", None) in seen
    assert ("/api/v2/incidents/8gd6lwjmmvkh.json", None) in seen


def test_an_unreachable_address_is_one_message(site):
    with serving({}) as url:
        pass  # the server is gone: its port refuses connections
    result = import_from(site, url)
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {url}/api/v2/summary.json: cannot be reached (")
    assert result.output.endswith("); nothing was written\n")


def test_the_management_api_brings_every_incident_page_by_page(site, monkeypatch):
    import statusgen.importers.statuspage as statuspage

    monkeypatch.setattr(statuspage, "PER_PAGE", 2)
    monkeypatch.setenv("STATUSPAGE_KEY", "s3cret")
    incidents = json.loads((PUBLIC / "incidents.json").read_text())["incidents"]
    older = dict(incidents[1], id="k2c9m1xq0aaa", name="Old outage", shortlink="https://stspg.io/k2c9m",
                 postmortem_body="Written **later**.")
    older["incident_updates"] = [dict(u, created_at=u["created_at"].replace("2026-11-20", "2025-03-04"),
                                      display_at=u["display_at"].replace("2026-11-20", "2025-03-04"))
                                 for u in incidents[1]["incident_updates"]]
    components = json.loads((PUBLIC / "components.json").read_text())["components"]
    base = "/v1/pages/y2j98763l443"
    routes = {f"{base}/components": json.dumps(components).encode(),
              f"{base}/incidents?page=1&per_page=2": json.dumps(incidents[:2]).encode(),
              f"{base}/incidents?page=2&per_page=2": json.dumps([incidents[2], older]).encode(),
              f"{base}/incidents?page=3&per_page=2": b"[]"}
    seen = []
    with serving(routes, seen) as url:
        result = import_from(site, PUBLIC, "--api-key-env", "STATUSPAGE_KEY", "--api-url", url + "/v1")
    assert result.exit_code == 0, result.output
    assert "  create incidents/2025-03-04-old-outage.md (4 updates)" in result.output
    assert [path for path, _ in seen][-3:] == [f"{base}/incidents?page={n}&per_page=2" for n in (1, 2, 3)]
    assert {auth for _, auth in seen} == {"OAuth s3cret"}
    old = (site / "incidents" / "2025-03-04-old-outage.md").read_text(encoding="utf-8")
    assert old.endswith("---\nWritten **later**.\n")


def test_a_refused_key_says_so(site, monkeypatch):
    monkeypatch.setenv("STATUSPAGE_KEY", "wrong")
    with serving({}) as url:
        result = import_from(site, PUBLIC, "--api-key-env", "STATUSPAGE_KEY", "--api-url", url)
    assert result.exit_code == 1
    assert result.output == (f"Error: {url}/pages/y2j98763l443/components: the server answered 404 Not Found; "
                             "nothing was written\n")
    unset = import_from(site, PUBLIC, "--api-key-env", "NO_SUCH_VARIABLE_HERE")
    assert unset.exit_code == 2
    assert "the environment variable NO_SUCH_VARIABLE_HERE is not set or empty" in unset.output


def test_source_id_and_shortlink_are_checked_like_every_field(site):
    import_from(site, PUBLIC)
    path = site / PAYMENTS
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('shortlink: "https://stspg.io/p31zj"', "shortlink: ftp://stspg.io/p31zj")
                    .replace('source_id: "statuspage:p31zjtct2jer"', f"source_id: {'x' * 201}"), encoding="utf-8")
    result = run("validate", "--root", str(site), "--now", NOW, "--ignore", "update-overdue", "--ignore", "missing-translation")
    assert result.exit_code == 1
    assert result.output.splitlines()[:2] == [
        f"{PAYMENTS}:6: error [invalid-value] source_id: expected one line of 1 to 200 characters "
        "(keep the identifier the other tool gave, as written)",
        f"{PAYMENTS}:7: error [invalid-value] shortlink: 'ftp://stspg.io/p31zj' is not an http:// or https:// address",
    ]


def test_hostile_values_from_the_page_end_as_text_the_site_accepts(site, tmp_path):
    source = tmp_path / "hostile"
    shutil.copytree(PUBLIC, source)
    doc = json.loads((source / "components.json").read_text())
    doc["components"][3]["name"] = "Status"  # badges/status.svg is the page's own badge
    (source / "components.json").write_text(json.dumps(doc))
    (source / "summary.json").write_text(json.dumps(dict(json.loads((PUBLIC / "summary.json").read_text()),
                                                         components=doc["components"])))
    doc = json.loads((source / "incidents.json").read_text())
    doc["incidents"][2]["name"] = "Slow \x1b[31mdashboard\ufffe"  # an incident only this file lists
    doc["incidents"][2]["incident_updates"][0]["body"] = "Lone \ud800 surrogate and <img src=x onerror=alert(1)>"
    (source / "incidents.json").write_text(json.dumps(doc))
    result = import_from(site, source)
    assert result.exit_code == 0, result.output
    assert "website" not in result.output and "status-component" in result.output
    text = (site / "incidents" / "2026-11-12-slow-31mdashboard.md").read_text(encoding="utf-8")
    assert "title: Slow [31mdashboard\n" in text
    assert "    message: Lone  surrogate and\n" in text
    checked = run("validate", "--root", str(site), "--now", NOW, "--ignore", "update-overdue", "--ignore", "missing-translation")
    assert checked.output == "ok: 4 entries checked, 0 errors, 0 warnings\n"
