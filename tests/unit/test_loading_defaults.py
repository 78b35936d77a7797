"""What a site leaves out takes the model's defaults: loading spells out no default of its own."""

from __future__ import annotations

from dataclasses import fields

from statusgen.loading.config import load_settings
from statusgen.loading.lifecycles import load_lifecycles
from statusgen.model.site import Lifecycle, Priority, Settings, Status
from statusgen.model.text import LocalText


def write(root, rel, text):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_settings_left_out_are_the_model_defaults(tmp_path):
    write(tmp_path, "content/site.yaml", "title: Tiny\nbase_url: https://status.tiny.example\n")
    settings, problems = load_settings(tmp_path)
    assert problems == []
    assert settings == Settings(title=LocalText.plain("Tiny"), base_url="https://status.tiny.example")


def test_refused_settings_fall_back_to_the_model_defaults(tmp_path):
    write(tmp_path, "content/site.yaml", "title: Tiny\nbase_url: https://status.tiny.example\n"
          "timezone: Mars/Olympus\nlanguages: []\nbusiness_hours: {start: '25:00'}\n")
    settings, problems = load_settings(tmp_path)
    assert sorted(p.field for p in problems) == ["business_hours.start", "languages", "timezone"]
    # The business hours were refused: the defaults the clock counts on hold, stated as the file states them.
    assert settings == Settings(title=LocalText.plain("Tiny"), base_url="https://status.tiny.example",
                                business_hours_stated=True)


def test_lifecycle_priority_and_status_keys_left_out_are_the_model_defaults(tmp_path):
    write(tmp_path, "content/lifecycles.yaml", """\
lifecycles:
  incident:
    label: Incident
    statuses:
      - {id: open, label: Open, phase: open}
      - {id: closed, label: Closed, phase: resolved}
    initial: [open]
    transitions: {open: [closed]}
    terminal: [closed]
priorities:
  - {id: low, label: Low, resolution_target: 7d}
""")
    lifecycles, priorities, problems = load_lifecycles(tmp_path, ("en",))
    assert problems == []
    lifecycle, priority = lifecycles["incident"], priorities["low"]
    defaults = {"kind", "api", "component_state", "default_priority", "reopen", "enforce_target", "enforce_cadence"}
    assert {f.name: getattr(lifecycle, f.name) for f in fields(Lifecycle) if f.name in defaults} == {
        f.name: f.default for f in fields(Lifecycle) if f.name in defaults}
    assert (priority.update_cadence, priority.component_state, priority.api_impact, priority.report_due_after) == (
        Settings.default_update_cadence, Priority.component_state, Priority.api_impact, Priority.report_due_after)
    status = lifecycle.statuses["open"]
    assert (status.pauses_target, status.reminders, status.auto_resolve_after) == (
        Status.pauses_target, Status.reminders, Status.auto_resolve_after)
