"""docs/notify.md: its YAML parses, its channels file loads, and its commands use options that exist."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import yaml

from statusgen.cli import main
from statusgen.notify.channels import load_channels

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "notify.md"


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)


def test_every_yaml_block_parses():
    found = blocks("yaml")
    assert len(found) == 6
    for block in found:
        # The channels file's ${NAME} stands anywhere, even in {flow: mappings}: notify replaces it before parsing.
        yaml.safe_load(re.sub(r"\$\{(\w+)\}", r"\1", block))


def test_the_example_channels_file_loads(tmp_path, demo_site):
    path = tmp_path / "notify.yaml"
    path.write_text(blocks("yaml")[0], encoding="utf-8")
    environ = {"SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T/B/x", "WEBHOOK_SECRET": "whsec_a2V5",
               "SMTP_USER": "mailer", "SMTP_PASSWORD": "pw"}
    channels, problems = load_channels(path, demo_site, environ)
    assert problems == []
    assert [(c.id, c.type, c.language) for c in channels] == [
        ("ops-chat", "slack", "en"), ("partners", "webhook", "fr"), ("customers", "email", "fr")]


def test_every_notify_command_uses_options_that_exist():
    options = {name for param in main.commands["notify"].params for name in param.opts}
    text = GUIDE.read_text(encoding="utf-8")
    lines = [line.strip().removeprefix("run: ").removeprefix("- ") for line in text.splitlines()
             if "statusgen notify --" in line and not line.startswith("|")]
    assert len(lines) >= 6
    for line in lines:
        command = line[line.index("statusgen notify"):].split("||")[0].split("  #")[0]
        used = [word for word in shlex.split(command) if word.startswith("--")]
        assert set(used) <= options, line
