"""`statusgen notify` end to end, against real receivers on 127.0.0.1: an HTTP server and an SMTP server."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from statusgen.cli import main
from statusgen.commands.notify import notify, summary
from statusgen.notify.deliver import Transport
from conftest import copy_site
from support.receivers import start_http, start_smtp

NOW = "2026-11-20T15:00:00+01:00"
LATER = "2026-11-20T15:10:00+01:00"
OPEN = "2026-11-20-intermittent-terminal-payment-declines"
SECRET = "whsec_c2VjcmV0LWtleS1mb3ItdGVzdHM="  # base64 of "secret-key-for-tests"
THREAD = "c24f2bcb1b65349c"  # the digest of the open incident and the customers channel, in its Message-IDs
FAST = Transport(timeout=2.0, backoff=(0.0, 0.0))
PATHS = {"slack": "/slack/T000/B000/token-slack", "discord": "/discord/1234/token-discord",
         "teams": "/teams/workflows/token-teams", "webhook": "/hooks/partner"}


@pytest.fixture
def http():
    receiver = start_http()
    yield receiver
    receiver.stop()


@pytest.fixture
def smtp():
    receiver = start_smtp()
    yield receiver
    receiver.stop()


@pytest.fixture
def site(tmp_path) -> Path:
    return copy_site(tmp_path / "site")


def channels_file(tmp_path: Path, http, smtp, extra: str = "", only: tuple[str, ...] = ()) -> Path:
    """Every kind of channel, pointed at the test receivers; the Slack URL comes from the environment."""
    blocks = {
        "slack": "  - id: ops-chat\n    type: slack\n    url: ${TEST_SLACK_URL}\n",
        "discord": f"  - id: community\n    type: discord\n    url: {http.url(PATHS['discord'])}\n    language: en\n",
        "teams": f"  - id: support-team\n    type: teams\n    url: {http.url(PATHS['teams'])}\n",
        "webhook": (f"  - id: partners\n    type: webhook\n    url: {http.url(PATHS['webhook'])}\n"
                    "    secret: ${TEST_WEBHOOK_SECRET}\n    language: en\n"),
        "email": (f"  - id: customers\n    type: email\n    language: en\n"
                  f"    smtp: {{host: 127.0.0.1, port: {smtp.port}, starttls: false}}\n"
                  "    from: Orbeline status <status@orbeline.example>\n    to: [customers@lists.orbeline.example]\n"),
    }
    chosen = only or tuple(blocks)
    path = tmp_path / "channels.yaml"
    path.write_text("channels:\n" + "".join(blocks[k] for k in chosen) + extra, encoding="utf-8")
    return path


@pytest.fixture
def env(http, monkeypatch):
    values = {"TEST_SLACK_URL": http.url(PATHS["slack"]), "TEST_WEBHOOK_SECRET": SECRET}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


def cli(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def run_notify(site: Path, channels: Path, now: str = LATER, *more: str):
    return cli("notify", "--root", str(site), "--channels", str(channels), "--now", now, *more)


def add_update(site: Path, status: str = "monitoring", now: str = LATER, entry: str = OPEN):
    result = cli("update", "--root", str(site), "--now", now, entry, "-s", status,
                 "-m", "Le correctif est déployé ; nous surveillons les paiements.",
                 "--message-in", "en", "The fix is deployed; we are watching payments.")
    assert result.exit_code == 0, result.output


def deliveries(http, smtp) -> dict[str, int]:
    counts = {kind: len(http.to(path)) for kind, path in PATHS.items()}
    counts["email"] = len(smtp.messages)
    return counts


def state_of(site: Path) -> dict:
    return json.loads((site / ".statusgen/notified.json").read_text(encoding="utf-8"))


# -- exactly once ------------------------------------------------------------------
def test_a_first_run_records_what_exists_and_sends_nothing(site, tmp_path, http, smtp, env):
    result = run_notify(site, channels_file(tmp_path, http, smtp), NOW)
    assert result.exit_code == 0, result.output
    assert ("ops-chat: first run for this channel: recorded its 100 existing update(s) as delivered; nothing is sent "
            "(--since TIME sends what came after TIME)") in result.output
    assert result.output.rstrip().endswith("notify: sent 0 message(s) to 5 channel(s)")
    assert deliveries(http, smtp) == {"slack": 0, "discord": 0, "teams": 0, "webhook": 0, "email": 0}
    state = state_of(site)
    assert sorted(state["channels"]) == ["community", "customers", "ops-chat", "partners", "support-team"]
    assert state["channels"]["ops-chat"]["delivered"][OPEN] == ["update-1", "update-2", "update-3"]
    # The lock never reaches git; the state may be committed.
    assert (site / ".statusgen/.gitignore").read_text(encoding="utf-8").splitlines()[1] == "*.lock"


def test_a_new_update_reaches_each_channel_once_in_its_own_format(site, tmp_path, http, smtp, env):
    channels = channels_file(tmp_path, http, smtp)
    run_notify(site, channels, NOW)
    add_update(site)
    result = run_notify(site, channels)
    assert result.exit_code == 0, result.output
    assert deliveries(http, smtp) == {"slack": 1, "discord": 1, "teams": 1, "webhook": 1, "email": 1}
    assert f"ops-chat: delivered {OPEN}#update-4" in result.output
    assert result.output.rstrip().endswith("notify: sent 5 message(s) to 5 channel(s)")
    anchor = f"https://status.orbeline.example/incidents/{OPEN}/#update-4"

    slack = json.loads(http.to(PATHS["slack"])[0].body)
    assert [b["type"] for b in slack["blocks"]] == ["header", "section", "context", "actions"]
    assert slack["blocks"][0]["text"]["text"] == "Paiements sur terminal refusés par intermittence"
    assert slack["blocks"][1]["text"]["text"].startswith("👀 *Sous surveillance* · 20 nov. 2026, 15:10\nLe correctif")
    assert slack["blocks"][3]["elements"][0]["url"] == anchor
    assert slack["text"].endswith(f"<{anchor}>")

    discord = json.loads(http.to(PATHS["discord"])[0].body)
    embed = discord["embeds"][0]
    assert embed["title"] == "Intermittent card payment declines on terminals — Monitoring"
    assert embed["url"] == f"https://status.orbeline.example/en/incidents/{OPEN}/#update-4"
    assert embed["description"] == "The fix is deployed; we are watching payments."
    assert embed["color"] == 0xEF6C00  # partial outage
    assert embed["fields"] == [{"name": "Payments API", "value": "Partial outage", "inline": True}]
    assert discord["allowed_mentions"] == {"parse": []}

    teams = json.loads(http.to(PATHS["teams"])[0].body)
    assert teams["type"] == "message"
    attachment = teams["attachments"][0]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.4")
    assert card["body"][2]["text"] == "Le correctif est déployé ; nous surveillons les paiements."
    assert card["body"][3]["facts"] == [{"title": "API de paiement", "value": "Panne partielle"}]
    assert card["actions"][0] == {"type": "Action.OpenUrl", "title": "Lire sur la page d'état", "url": anchor}

    recipients, mail = smtp.messages[0]
    assert recipients == ["customers@lists.orbeline.example"]
    assert mail["Subject"] == "[Orbeline service status] Intermittent card payment declines on terminals — Monitoring"
    assert mail["Message-ID"] == f"<update-4.{THREAD}@status.orbeline.example>"
    assert mail["In-Reply-To"] == mail["References"] == f"<update-1.{THREAD}@status.orbeline.example>"
    # Threading needs the ids as plain header lines, never folded into encoded words.
    assert f"\r\nIn-Reply-To: <update-1.{THREAD}@status.orbeline.example>\r\n".encode() in smtp.mailbox.raw[0]
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "The fix is deployed; we are watching payments." in text and "- Payments API: Partial outage" in text
    assert f'<a href="https://status.orbeline.example/en/incidents/{OPEN}/#update-4">Read on the status page</a>' in html

    again = run_notify(site, channels)
    assert again.exit_code == 0
    assert again.output.strip() == "notify: sent 0 message(s) to 5 channel(s)"
    assert deliveries(http, smtp) == {"slack": 1, "discord": 1, "teams": 1, "webhook": 1, "email": 1}


def test_editing_a_delivered_update_sends_nothing(site, tmp_path, http, smtp, env):
    channels = channels_file(tmp_path, http, smtp, only=("slack",))
    run_notify(site, channels, NOW)
    add_update(site)
    run_notify(site, channels)
    entry = site / "incidents" / f"{OPEN}.md"
    entry.write_text(entry.read_text(encoding="utf-8").replace("we are watching payments", "we watch payments"),
                     encoding="utf-8")
    result = run_notify(site, channels)
    assert result.output.strip() == "notify: sent 0 message(s) to 1 channel(s)"
    assert len(http.to(PATHS["slack"])) == 1


def test_since_sends_what_came_after_it_on_a_first_run(site, tmp_path, http, smtp, env):
    add_update(site)
    channels = channels_file(tmp_path, http, smtp, only=("slack",))
    result = run_notify(site, channels, LATER, "--since", "2026-11-20T15:00:00+01:00")
    assert "ops-chat: first run for this channel: recorded 100 update(s) up to 2026-11-20T15:00:00+01:00 as delivered" \
        in result.output
    assert [json.loads(r.body)["blocks"][3]["elements"][0]["url"][-9:] for r in http.to(PATHS["slack"])] == ["#update-4"]


# -- failures lose nothing ------------------------------------------------------------
def test_a_failing_channel_holds_no_one_back_and_gets_exactly_what_it_missed(site, tmp_path, http, smtp, env):
    channels = channels_file(tmp_path, http, smtp)
    run_notify(site, channels, NOW)
    add_update(site)
    http.answers[PATHS["discord"]] = 503
    smtp.mailbox.refuse = True
    lines: list[str] = []
    result = notify(site, channels, datetime.fromisoformat(LATER), transport=FAST, echo=lines.append)
    assert not result.ok
    assert deliveries(http, smtp) == {"slack": 1, "discord": 3, "teams": 1, "webhook": 1, "email": 0}
    assert f"community: {OPEN}#update-4 not delivered after 3 attempt(s) (HTTP 503); 1 message(s) left for the next run" \
        in lines
    assert summary(result) == (
        f"notify: sent 3 message(s) to 5 channel(s); failed: community ({OPEN}#update-4 after 3 attempt(s): HTTP 503; "
        f"1 message(s) left for the next run); customers ({OPEN}#update-4 after 3 attempt(s): SMTP 451 4.3.0 try again "
        "later; 1 message(s) left for the next run)")
    assert "update-4" not in state_of(site)["channels"]["community"]["delivered"][OPEN]

    add_update(site, "resolved", now="2026-11-20T15:20:00+01:00")
    http.answers.clear()
    smtp.mailbox.refuse = False
    lines.clear()
    result = notify(site, channels, datetime.fromisoformat("2026-11-20T15:25:00+01:00"), transport=FAST,
                    echo=lines.append)
    assert result.ok, lines
    discord = [json.loads(r.body)["embeds"][0]["url"][-9:] for r in http.to(PATHS["discord"])]
    assert discord == ["#update-4"] * 3 + ["#update-4", "#update-5"]
    assert [m["Message-ID"] for _, m in smtp.messages] == [
        f"<update-4.{THREAD}@status.orbeline.example>", f"<update-5.{THREAD}@status.orbeline.example>"]
    assert deliveries(http, smtp)["slack"] == 2


def test_the_cli_exits_1_and_names_the_failed_channel(site, tmp_path, http, smtp, env, monkeypatch):
    channels = channels_file(tmp_path, http, smtp, only=("slack", "teams"))
    run_notify(site, channels, NOW)
    add_update(site)
    http.answers[PATHS["teams"]] = 404  # refused outright: not retried
    result = run_notify(site, channels)
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        f"notify: sent 1 message(s) to 2 channel(s); failed: support-team ({OPEN}#update-4 after 1 attempt(s): "
        "HTTP 404; 1 message(s) left for the next run)")
    assert "token-teams" not in result.output


def test_a_receiver_that_never_answers_is_given_up_after_the_timeout(site, tmp_path, http, smtp, env):
    channels = channels_file(tmp_path, http, smtp, only=("teams", "slack"))
    run_notify(site, channels, NOW)
    add_update(site)
    http.answers[PATHS["teams"]] = "hang"
    lines: list[str] = []
    started = time.monotonic()
    result = notify(site, channels, datetime.fromisoformat(LATER),
                    transport=Transport(timeout=0.3, backoff=(0.0,)), echo=lines.append)
    assert time.monotonic() - started < 4
    assert [o.failed for o in result.outcomes] == [f"{OPEN}#update-4 after 2 attempt(s): no answer within 0.3 s", ""]
    assert len(http.to(PATHS["slack"])) == 1


# -- webhooks --------------------------------------------------------------------------
def test_webhook_signatures_verify_with_the_standard_webhooks_library(site, tmp_path, http, smtp, env):
    channels = channels_file(tmp_path, http, smtp, only=("webhook",))
    run_notify(site, channels, NOW)
    add_update(site)
    http.answers[PATHS["webhook"]] = 500
    notify(site, channels, datetime.fromisoformat(LATER), transport=FAST, echo=lambda _: None)
    http.answers.clear()
    notify(site, channels, datetime.fromisoformat(LATER), transport=FAST, echo=lambda _: None)
    requests = http.to(PATHS["webhook"])
    assert len(requests) == 4
    assert len({r.headers["webhook-id"] for r in requests}) == 1  # the same id on every attempt, across runs
    for request in requests:
        payload = Webhook(SECRET).verify(request.body, request.headers)
        assert payload["incident"]["incident_updates"][0]["id"] == f"{OPEN}-update-4"
    tampered = requests[0].body.replace(b"\"monitoring\"", b"\"resolved\"")
    assert tampered != requests[0].body
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        Webhook(SECRET).verify(tampered, requests[0].headers)


def test_a_raw_secret_signs_with_its_own_bytes(site, tmp_path, http, smtp, env, monkeypatch):
    monkeypatch.setenv("TEST_WEBHOOK_SECRET", "plain shared secret")
    channels = channels_file(tmp_path, http, smtp, only=("webhook",))
    run_notify(site, channels, NOW)
    add_update(site)
    run_notify(site, channels)
    request = http.to(PATHS["webhook"])[0]
    assert Webhook(b"plain shared secret").verify(request.body, request.headers)["incident"]["id"] == OPEN


def _is_time(value) -> bool:
    return isinstance(value, str) and datetime.fromisoformat(value).tzinfo is not None


def test_webhook_bodies_meet_a_statuspage_consumers_expectations(site, tmp_path, http, smtp, env):
    channels = channels_file(tmp_path, http, smtp, only=("webhook",))
    run_notify(site, channels, NOW)
    cli("resolve", "--root", str(site), "--now", LATER, OPEN, "-m", "Les paiements fonctionnent normalement.",
        "--message-in", "en", "Payments work normally.")
    result = run_notify(site, channels)
    assert result.exit_code == 0, result.output
    bodies = [json.loads(r.body) for r in http.to(PATHS["webhook"])]
    assert [sorted(b) for b in bodies] == [["incident", "meta", "page"], ["component", "component_update", "meta", "page"]]
    incident_body, component_body = bodies
    assert set(incident_body["meta"]) == {"unsubscribe", "documentation"}
    assert all(isinstance(v, str) for v in incident_body["meta"].values())
    page = incident_body["page"]
    assert page["id"] == "status.orbeline.example"
    assert page["status_indicator"] in ("none", "minor", "major", "critical", "maintenance")
    assert isinstance(page["status_description"], str)
    incident = incident_body["incident"]
    assert {"name", "status", "impact", "created_at", "updated_at", "monitoring_at", "resolved_at", "shortlink",
            "id", "page_id", "incident_updates", "components"} <= set(incident)
    assert incident["name"] == "Intermittent card payment declines on terminals"
    assert (incident["status"], incident["impact"]) == ("resolved", "major")
    assert incident["monitoring_at"] is None and _is_time(incident["resolved_at"]) and _is_time(incident["created_at"])
    assert incident["shortlink"] == f"https://status.orbeline.example/en/incidents/{OPEN}/"
    updates = incident["incident_updates"]
    assert [u["id"] for u in updates] == [f"{OPEN}-update-{n}" for n in (4, 3, 2, 1)]  # newest first
    for update in updates:
        assert {"body", "created_at", "display_at", "id", "incident_id", "status", "updated_at"} <= set(update)
        assert update["incident_id"] == OPEN and isinstance(update["body"], str)
        assert all(_is_time(update[k]) for k in ("created_at", "display_at", "updated_at"))
    assert updates[0]["body"] == "Payments work normally."
    assert updates[0]["affected_components"] == [{"code": "payments-api", "name": "Payments API",
                                                  "old_status": "partial_outage", "new_status": "operational"}]
    assert [c["id"] for c in incident["components"]] == ["payments-api"]
    change = component_body["component_update"]
    assert set(change) == {"created_at", "new_status", "old_status", "id", "component_id"}
    assert (change["old_status"], change["new_status"], change["component_id"]) == (
        "partial_outage", "operational", "payments-api")
    assert _is_time(change["created_at"]) and isinstance(change["id"], str)
    component = component_body["component"]
    assert (component["id"], component["name"], component["status"]) == ("payments-api", "Payments API", "operational")
    assert _is_time(component["created_at"])


def test_a_webhook_gets_a_missed_component_update_and_nothing_for_later_edits(site, tmp_path, http, smtp, env):
    channels = channels_file(tmp_path, http, smtp, only=("webhook",))
    run_notify(site, channels, NOW)
    cli("resolve", "--root", str(site), "--now", LATER, OPEN, "-m", "Les paiements fonctionnent normalement.")
    http.answers[PATHS["webhook"]] = [200, 500, 500, 500]  # the incident passes, its component update fails
    result = notify(site, channels, datetime.fromisoformat(LATER), transport=FAST, echo=lambda _: None)
    assert [o.failed for o in result.outcomes] == [f"{OPEN}#update-4~payments-api after 3 attempt(s): HTTP 500"]
    assert state_of(site)["channels"]["partners"]["pending"] == {OPEN: ["update-4~payments-api"]}
    result = notify(site, channels, datetime.fromisoformat(LATER), transport=FAST, echo=lambda _: None)
    assert result.outcomes[0].sent == [f"{OPEN}#update-4~payments-api"]
    assert [sorted(json.loads(r.body)) for r in http.to(PATHS["webhook"])] == [
        ["incident", "meta", "page"]] + [["component", "component_update", "meta", "page"]] * 4
    assert state_of(site)["channels"]["partners"]["pending"] == {}
    # An entry edited after its updates were announced (a component added) sends nothing more.
    entry = site / "incidents" / f"{OPEN}.md"
    entry.write_text(entry.read_text(encoding="utf-8").replace(
        "components: {payments-api: partial_outage}", "components: {payments-api: partial_outage, dashboard: degraded_performance}"),
        encoding="utf-8")
    again = run_notify(site, channels)
    assert again.output.strip() == "notify: sent 0 message(s) to 1 channel(s)"
    assert len(http.to(PATHS["webhook"])) == 5


def test_a_late_webhook_shows_the_incident_as_it_stood_after_its_update(site, tmp_path, http, smtp, env):
    channels = channels_file(tmp_path, http, smtp, only=("webhook",))
    add_update(site)
    add_update(site, "resolved", now="2026-11-20T15:20:00+01:00")
    run_notify(site, channels, "2026-11-20T15:30:00+01:00", "--since", NOW)
    incidents = [json.loads(r.body)["incident"] for r in http.to(PATHS["webhook"]) if b'"incident"' in r.body]
    assert [(i["status"], i["incident_updates"][0]["id"][-8:], i["resolved_at"]) for i in incidents] == [
        ("monitoring", "update-4", None), ("resolved", "update-5", "2026-11-20T15:20:00.000+01:00")]


# -- filters -----------------------------------------------------------------------------
def test_component_filters_and_notify_false_are_honoured(site, tmp_path, http, smtp, env):
    extra = (f"  - id: dashboard-team\n    type: slack\n    url: {http.url('/dashboard')}\n"
             "    components: [dashboard]\n"
             f"  - id: payments-team\n    type: slack\n    url: {http.url('/payments')}\n"
             "    components: [payments-api]\n")
    channels = channels_file(tmp_path, http, smtp, extra, only=("slack",))
    run_notify(site, channels, NOW)
    add_update(site)
    add_update(site, "identified", now="2026-11-20T15:12:00+01:00")
    entry = site / "incidents" / f"{OPEN}.md"
    text = entry.read_text(encoding="utf-8")
    marked = text.replace("  - at: 2026-11-20T15:12:00+01:00\n", "  - at: 2026-11-20T15:12:00+01:00\n    notify: false\n")
    assert marked != text
    entry.write_text(marked, encoding="utf-8")
    result = run_notify(site, channels, "2026-11-20T15:15:00+01:00")
    assert result.exit_code == 0, result.output
    assert len(http.to("/payments")) == 1 and len(http.to(PATHS["slack"])) == 1
    assert http.to("/dashboard") == []
    assert json.loads(http.to("/payments")[0].body)["blocks"][3]["elements"][0]["url"].endswith("#update-4")


# -- preview, concurrency, bad state ---------------------------------------------------------
def test_a_dry_run_sends_nothing_writes_nothing_and_masks_secrets(site, tmp_path, http, smtp, env, monkeypatch):
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "hunter2-password")
    channels = channels_file(tmp_path, http, smtp)
    run_notify(site, channels, NOW)
    add_update(site)
    text = channels.read_text(encoding="utf-8").replace(
        "starttls: false}", "starttls: false, username: mailer, password: ${TEST_SMTP_PASSWORD}}")
    channels.write_text(text, encoding="utf-8")
    before = (site / ".statusgen/notified.json").read_bytes()
    files = sorted(p.relative_to(site) for p in site.rglob("*"))
    result = run_notify(site, channels, LATER, "--dry-run")
    assert result.exit_code == 0, result.output
    assert deliveries(http, smtp) == {"slack": 0, "discord": 0, "teams": 0, "webhook": 0, "email": 0}
    assert (site / ".statusgen/notified.json").read_bytes() == before
    assert sorted(p.relative_to(site) for p in site.rglob("*")) == files
    host, port = http.server.server_address[:2]
    assert f"--- ops-chat (slack to http://{host}:{port}/***): {OPEN}#update-4\nPOST http://{host}:{port}/***\n" \
        in result.output
    assert f"--- customers (email via 127.0.0.1:{smtp.port}, no TLS, login ***): {OPEN}#update-4\n" in result.output
    assert "webhook-signature: v1,<signed with the channel's secret when sent>" in result.output
    for secret in ("token-slack", "token-discord", "token-teams", "/hooks/partner", SECRET, "c2VjcmV0",
                   "hunter2-password", "mailer"):
        assert secret not in result.output
    assert result.output.rstrip().endswith("notify: would send 5 message(s) to 5 channel(s); nothing written (dry run)")


def test_a_dry_run_of_a_first_run_writes_no_state(site, tmp_path, http, smtp, env):
    result = run_notify(site, channels_file(tmp_path, http, smtp, only=("slack",)), NOW, "--dry-run")
    assert "ops-chat: first run for this channel: would record its 100 existing update(s) as delivered" in result.output
    assert not (site / ".statusgen").exists()


def test_two_runs_at_once_send_each_message_once(site, tmp_path, http, smtp, env):
    """Also the test of the installed command, run as a process."""
    channels = channels_file(tmp_path, http, smtp)
    run_notify(site, channels, NOW)
    add_update(site)
    http.delay = 0.3  # each delivery takes a while: the two runs overlap
    command = [str(Path(sys.executable).parent / "statusgen"), "notify", "--root", str(site),
               "--channels", str(channels), "--now", LATER]
    environment = {**os.environ, **env}
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment)
            for _ in range(2)]
    outputs = [run.communicate(timeout=60) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert deliveries(http, smtp) == {"slack": 1, "discord": 1, "teams": 1, "webhook": 1, "email": 1}
    last_lines = sorted(out.strip().splitlines()[-1] for out, _ in outputs)
    assert last_lines == ["notify: sent 0 message(s) to 5 channel(s)", "notify: sent 5 message(s) to 5 channel(s)"]
    assert all("Traceback" not in err for _, err in outputs)


def test_a_lock_left_by_a_dead_run_is_taken_over(site, tmp_path, http, smtp, env):
    channels = channels_file(tmp_path, http, smtp, only=("slack",))
    (site / ".statusgen").mkdir()
    (site / ".statusgen/notified.json.lock").write_text("999999\n", encoding="utf-8")
    result = run_notify(site, channels, NOW)
    assert result.exit_code == 0, result.output
    assert "waiting" not in result.output


def test_an_unreadable_state_file_stops_the_run_before_anything_is_sent(site, tmp_path, http, smtp, env):
    channels = channels_file(tmp_path, http, smtp, only=("slack",))
    state = tmp_path / "kept" / "state.json"
    state.parent.mkdir()
    state.write_text("{not json", encoding="utf-8")
    add_update(site)
    result = cli("notify", "--root", str(site), "--channels", str(channels), "--now", LATER, "--state", str(state))
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {state}: not valid JSON (")
    assert "removing it makes the next run record every update as delivered without sending" in result.output
    assert state.read_text(encoding="utf-8") == "{not json"
    assert http.requests == []


def test_a_site_with_errors_sends_nothing(site, tmp_path, http, smtp, env):
    channels = channels_file(tmp_path, http, smtp, only=("slack",))
    run_notify(site, channels, NOW)
    add_update(site)
    entry = site / "incidents" / f"{OPEN}.md"
    entry.write_text(entry.read_text(encoding="utf-8").replace("priority: high", "priority: hihg"), encoding="utf-8")
    result = run_notify(site, channels)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"incidents/{OPEN}.md:6: error [unknown-priority] priority: unknown priority 'hihg' (did you mean 'high'?)",
        "notify: nothing sent; fix the errors above"]
    assert http.requests == []


def test_an_update_that_only_changes_something_is_sent_in_words(site, tmp_path, http, smtp, env):
    channels = channels_file(tmp_path, http, smtp)
    run_notify(site, channels, NOW)
    changed = cli("update", OPEN, "--root", str(site), "--now", LATER, "--priority", "critical",
                  "--component", "payments-api=major_outage")
    assert changed.exit_code == 0, changed.output
    result = run_notify(site, channels)
    assert result.exit_code == 0, result.output
    # The webhook also gets a component_update for the component that changed state.
    assert deliveries(http, smtp) == {"slack": 1, "discord": 1, "teams": 1, "webhook": 2, "email": 1}
    discord = json.loads(http.to(PATHS["discord"])[0].body)["embeds"][0]
    assert discord["description"] == ("• Priority raised from High to Critical\n"
                                      "• Payments API: Partial outage → Major outage")
    webhook = json.loads(http.to(PATHS["webhook"])[0].body)
    update = webhook["incident"]["incident_updates"][0]
    assert update["affected_components"] == [{"code": "payments-api", "name": "Payments API",  # channel in English
                                              "old_status": "partial_outage", "new_status": "major_outage"}]
    assert webhook["incident"]["impact"] == "critical"
