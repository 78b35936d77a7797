"""The channels file of `statusgen notify`, and the `notify` field of updates: read and checked like every site file."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from click.testing import CliRunner

from statusgen.cli import main
from statusgen.commands.validate import check
from statusgen.notify.channels import Channel, Smtp, load_channels
from statusgen.notify.deliver import describe_channel, mask_url

NOW = "2026-11-20T15:00:00+01:00"
OPEN = "2026-11-20-intermittent-terminal-payment-declines"


def load(tmp_path: Path, demo_site, text: str, environ: dict | None = None):
    path = tmp_path / "channels.yaml"
    path.write_text(text, encoding="utf-8")
    channels, problems = load_channels(path, demo_site, environ or {})
    return channels, [d.format().replace(f"{path.as_posix()}:", "channels.yaml:") for d in problems]


def test_a_complete_file_with_variables_from_the_environment(tmp_path, demo_site):
    channels, problems = load(tmp_path, demo_site, """\
channels:
  - id: ops-chat
    type: slack
    url: ${SLACK_URL}
    language: en
    components: [payments-api]
  - id: partners
    type: webhook
    url: https://partner.example/hooks/status?key=${PARTNER_KEY}
    secret: ${WEBHOOK_SECRET}
  - id: customers
    type: email
    smtp: {host: smtp.example.com, port: 587, starttls: true, username: ${SMTP_USER}, password: ${SMTP_PASSWORD}}
    from: status@orbeline.example
    to: customers@lists.orbeline.example
  - id: local-relay
    type: email
    smtp: {host: 127.0.0.1, port: "${SMTP_PORT}", starttls: false}
    from: status@orbeline.example
    to: [a@orbeline.example, b@orbeline.example]
""", {"SLACK_URL": "https://hooks.slack.com/services/T1/B2/abc", "PARTNER_KEY": "k1",
      "WEBHOOK_SECRET": "whsec_" + base64.b64encode(b"key").decode(), "SMTP_USER": "mailer",
      "SMTP_PASSWORD": "p@ss, word}", "SMTP_PORT": "2525"})
    assert problems == []
    assert channels == [
        Channel("ops-chat", "slack", "en", ("payments-api",), url="https://hooks.slack.com/services/T1/B2/abc"),
        Channel("partners", "webhook", "fr", url="https://partner.example/hooks/status?key=k1", secret=b"key"),
        Channel("customers", "email", "fr", smtp=Smtp("smtp.example.com", 587, True, "mailer", "p@ss, word}"),
                sender="status@orbeline.example", recipients=("customers@lists.orbeline.example",)),
        Channel("local-relay", "email", "fr", smtp=Smtp("127.0.0.1", 2525, False), sender="status@orbeline.example",
                recipients=("a@orbeline.example", "b@orbeline.example")),
    ]
    # Secrets stay out of reprs, descriptions and masked URLs.
    assert "abc" not in repr(channels) and "p@ss" not in repr(channels) and "key" not in repr(channels[1])
    assert describe_channel(channels[0]) == "ops-chat (slack to https://hooks.slack.com/***)"
    assert describe_channel(channels[1]) == "partners (webhook to https://partner.example/***, signed)"
    assert describe_channel(channels[2]) == "customers (email via smtp.example.com:587, STARTTLS, login ***)"


@pytest.mark.parametrize("url, masked", [
    ("https://hooks.slack.com/services/T1/B2/abc", "https://hooks.slack.com/***"),
    ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
    ("https://user:pw@relay.example:8443/x?sig=1", "https://relay.example:8443/***"),
    ("https://relay.example?sig=1", "https://relay.example/***"),
    ("http://[::1]:9000/hook", "http://[::1]:9000/***"),
])
def test_masked_urls_keep_scheme_and_host_only(url, masked):
    assert mask_url(url) == masked


BAD = [
    ("channels:\n  - id: a\n    type: slack\n    url: https://x.example/h\n    compnents: [payments-api]\n",
     ["channels.yaml:5: error [unknown-key] channels[0].compnents: unknown key (did you mean 'components'?)"]),
    ("channels:\n  - id: a\n    type: slack\n    url: https://x.example/h\n    components: [payments-apii]\n",
     ["channels.yaml:5: error [unknown-component] channels[0].components[0]: unknown component 'payments-apii' "
      "(did you mean 'payments-api'?)"]),
    ("channels:\n  - id: a\n    type: slak\n    url: https://x.example/h\n",
     ["channels.yaml:3: error [invalid-value] channels[0].type: unknown channel type 'slak' (did you mean 'slack'?)"]),
    ("channels:\n  - id: a\n    type: slack\n    url: ${NOT_SET_ANYWHERE}\n",
     ["channels.yaml:4: error [missing-variable] channels[0].url: the environment variable NOT_SET_ANYWHERE is not set "
      "(set it in the job's environment, from a CI secret or variable, before running notify)"]),
    ("channels:\n  - id: a\n    type: slack\n    url: ftp://x.example/h\n    secret: s\n",
     ["channels.yaml:4: error [invalid-value] channels[0].url: 'ftp://x.example/h' is not an http:// or https:// URL "
      "(write the full address, e.g. https://hooks.example.com/...)",
      "channels.yaml:5: error [unknown-key] channels[0].secret: a slack channel has no 'secret' (a slack channel takes url)"]),
    ("channels:\n  - id: a\n    type: webhook\n    url: https://x.example/h\n    secret: whsec_%%%\n",
     ["channels.yaml:5: error [invalid-value] channels[0].secret: a secret starting with 'whsec_' must go on in base64 "
      "(paste the secret exactly as the receiver gave it)"]),
    ("channels:\n  - id: a\n    type: email\n    smtp: {host: h.example, port: 70000, starttls: maybe}\n"
     "    from: nobody\n    to: []\n    language: de\n",
     ["channels.yaml:4: error [wrong-type] channels[0].smtp.starttls: expected true or false, got a text",
      "channels.yaml:4: error [invalid-value] channels[0].smtp.port: 70000 is not a port (a port is a number from 1 to 65535)",
      "channels.yaml:5: error [invalid-value] channels[0].from: 'nobody' is not an e-mail address "
      "(write it as status@example.com or \"Status\" <status@example.com>)",
      "channels.yaml:6: error [missing-field] channels[0].to: no recipient (list at least one address)",
      "channels.yaml:7: error [unknown-language] channels[0].language: 'de' is not a language of this site "
      "(languages: fr, en) (expected one of: en, fr)"]),
    ("channels:\n  - id: a\n    type: discord\n    url: https://x.example/1\n  - id: a\n    type: teams\n"
     "    url: https://x.example/2\n",
     ["channels.yaml:5: error [duplicate-definition] channels[1].id: 'a' is already defined on line 2 "
      "(give each channel its own id: the state file records deliveries by it)"]),
    ("channels:\n  - id: Ops Chat\n    type: teams\n",
     ["channels.yaml:2: error [unsafe-id] channels[0].id: 'Ops Chat' is not a channel id "
      "(use lowercase letters, digits, '-' and '_', at most 64 characters)",
      "channels.yaml:2: error [missing-field] channels[0].url: a teams channel needs 'url'"]),
    ("chanels: []\n",
     ["channels.yaml:1: error [unknown-key] chanels: unknown key (did you mean 'channels'?)",
      "channels.yaml:1: error [missing-field] channels: required field is missing"]),
    ("channels:\n  - id: a\n    type: slack\n    url: [x\n",
     ["channels.yaml:5: error [yaml-syntax] did not find expected ',' or ']' (while parsing a flow sequence) "
      "(check the indentation and quote values that contain ': ' or '#')"]),
]


@pytest.mark.parametrize("text, expected", BAD, ids=[str(n) for n in range(len(BAD))])
def test_bad_channels_files_are_reported_with_their_lines(tmp_path, demo_site, text, expected):
    channels, problems = load(tmp_path, demo_site, text)
    assert channels == []
    assert problems == expected


def test_a_secret_from_the_environment_is_never_repeated_in_a_message(tmp_path, demo_site):
    _, problems = load(tmp_path, demo_site, "channels:\n  - id: a\n    type: slack\n    url: ${URL}\n",
                       {"URL": "htps://hooks.example/secret-token"})
    assert problems == ["channels.yaml:4: error [invalid-value] channels[0].url: the URL is not an http:// or https:// "
                        "URL (write the full address, e.g. https://hooks.example.com/...)"]


def test_the_command_reports_a_bad_channels_file_and_sends_nothing(tmp_path, scratch_site):
    channels = tmp_path / "notify.yaml"
    channels.write_text("channels:\n  - id: ops\n    type: slack\n    url: ${MISSING_URL}\n    colour: red\n",
                        encoding="utf-8")
    result = CliRunner().invoke(main, ["notify", "--root", str(scratch_site), "--channels", str(channels),
                                       "--now", NOW], env={"MISSING_URL": ""})
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{channels.as_posix()}:4: error [missing-variable] channels[0].url: the environment variable MISSING_URL is "
        "empty (set it in the job's environment, from a CI secret or variable, before running notify)",
        f"{channels.as_posix()}:5: error [unknown-key] channels[0].colour: unknown key "
        "(expected one of: components, from, id, language, secret, smtp, to, type, url)",
        "notify: nothing sent; fix the errors above"]
    assert not (scratch_site / ".statusgen").exists()


@pytest.mark.parametrize("problem, expected", [
    ("missing", ""),
    ("empty", ":1: error [empty-file] the file holds no channels (list them under `channels:`)"),
])
def test_a_missing_or_empty_channels_file(tmp_path, scratch_site, problem, expected):
    channels = tmp_path / "notify.yaml"
    if problem == "empty":
        channels.write_text("# nothing yet\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["notify", "--root", str(scratch_site), "--channels", str(channels),
                                       "--now", NOW])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    if problem == "missing":
        assert result.output.splitlines()[0] == (f"{channels.as_posix()}:1: error [not-a-file] cannot be read: "
                                                 "No such file or directory (check the path given to --channels)")
    else:
        assert result.output.splitlines()[0] == channels.as_posix() + expected


def test_notify_false_must_be_true_or_false(scratch_site):
    from datetime import datetime

    entry = scratch_site / "incidents" / f"{OPEN}.md"
    text = entry.read_text(encoding="utf-8")
    entry.write_text(text.replace("    status: investigating\n", "    status: investigating\n    notify: nope\n", 1),
                     encoding="utf-8")
    found = [d.format() for d in check(scratch_site, datetime.fromisoformat(NOW)).diagnostics if d.rule == "wrong-type"]
    assert found == [f"incidents/{OPEN}.md:17: error [wrong-type] updates[0].notify: expected true or false, got a text"]


def test_a_long_message_keeps_slack_within_its_limits_and_keeps_the_link(demo_site, demo_now):
    from dataclasses import replace

    from statusgen.model.text import LocalText
    from statusgen.notify.notices import component_states, make_notice
    from statusgen.notify.payloads import slack
    from statusgen.render.engine import prepare

    state, _ = prepare(demo_site, demo_now)
    entry = next(e for e in demo_site.entries if e.id == OPEN)
    update = replace(entry.updates[-1], message=LocalText.plain("Paiements " * 1000))
    entry = replace(entry, updates=entry.updates[:-1] + (update,))
    message = slack(make_notice(state.views["fr"], entry, update, component_states(entry, demo_now)))
    link = f"https://status.orbeline.example/incidents/{OPEN}/#update-3"
    assert len(message["text"]) <= 3000 and message["text"].endswith(f"… <{link}>")
    assert len(message["blocks"][1]["text"]["text"]) == 3000
    assert message["blocks"][3]["elements"][0]["url"] == link
