"""Randomised: a long sequence of edits and clock moves, each incremental rebuild equal to a full build.

Each seed drives 32 steps on a copy of the demo site (its templates included): entries added,
edited, deleted and resolved; components, lifecycles, settings, help pages and templates edited;
time passing by minutes, hours and days. After every step the output of the long-running Builder
(what `statusgen serve` uses) must be byte-identical to a full build of the same files at the same
moment. A failure names the seed and the steps that led to it.
"""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import DEMO_NOW, copy_site

from statusgen.commands.build import Builder, build
from statusgen.editing import append_update
from statusgen.render import engine

STEPS = 32
COMPONENTS = ["payments-api", "dashboard", "invoicing", "webhooks", "bank-sync", "email-delivery", "mobile-app"]


class Clock:
    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def stamp(moment: datetime) -> str:
    return moment.astimezone(DEMO_NOW.tzinfo).replace(second=0, microsecond=0).isoformat()


class Editor:
    """Valid edits of a site, chosen by a seeded random generator."""

    def __init__(self, site: Path, clock: Clock, rng: random.Random):
        self.site, self.clock, self.rng = site, clock, rng
        self.count = 0

    def entries(self) -> list[Path]:
        return sorted((self.site / "incidents").glob("*.md"))

    def replace_in(self, rel: str, pattern: str, new: str) -> None:
        path = self.site / rel
        text, count = re.subn(pattern, new, path.read_text(encoding="utf-8"), count=1)
        assert count == 1, (rel, pattern)
        path.write_text(text, encoding="utf-8")

    def add_incident(self) -> str:
        self.count += 1
        start = self.clock.now - timedelta(minutes=self.rng.randint(30, 60 * 24 * 20))
        components = self.rng.sample(COMPONENTS, self.rng.randint(0, 3))
        state = self.rng.choice(["degraded_performance", "partial_outage", "major_outage"])
        resolved = self.rng.random() < 0.6
        end = min(start + timedelta(minutes=self.rng.randint(5, 600)), self.clock.now - timedelta(minutes=1))
        lines = ["---", f"title: {{fr: Incident aléatoire {self.count}, en: Random incident {self.count}}}",
                 f"priority: {self.rng.choice(['critical', 'high', 'medium', 'low'])}"]
        if components:
            lines.append("components: {" + ", ".join(f"{c}: {state}" for c in components) + "}")
        lines += ["updates:", f"  - at: {stamp(start)}", "    status: investigating",
                  f"    message: {{fr: Analyse {self.count}., en: Looking {self.count}.}}"]
        if resolved and end > start + timedelta(minutes=1):
            lines += [f"  - at: {stamp(end)}", "    status: resolved", "    message: {fr: Réglé., en: Fixed.}"]
        lines += ["---", ""]
        name = f"{stamp(start)[:10]}-random-{self.count}.md"
        (self.site / "incidents" / name).write_text("\n".join(lines), encoding="utf-8")
        return f"add {name}"

    def edit_entry(self) -> str:
        path = self.rng.choice(self.entries())
        path.write_text(path.read_text(encoding="utf-8") + f"\nNote {self.rng.randint(1, 999)}.\n",
                        encoding="utf-8")  # the report below the front matter
        return f"edit {path.name}"

    def delete_entry(self) -> str:
        path = self.rng.choice(self.entries())
        path.unlink()
        return f"delete {path.name}"

    def resolve_open(self) -> str:
        at = self.clock.now - timedelta(minutes=1)
        for path in self.entries():
            text = path.read_text(encoding="utf-8")
            if "status: resolved" in text or ("lifecycle:" in text and "lifecycle: incident" not in text):
                continue  # resolved already, or not an incident
            times = [line.split("at: ")[1] for line in text.splitlines() if line.strip().startswith("- at: ")]
            if max(datetime.fromisoformat(t) for t in times) >= at:
                continue
            path.write_text(append_update(text, stamp(at), "resolved", "Réglé."), encoding="utf-8")
            return f"resolve {path.name}"
        return self.add_incident()

    def edit_component(self) -> str:
        self.replace_in("content/components.yaml", r"en: Webhooks[^}]*}", f"en: Webhooks {self.rng.randint(1, 99)}}}")
        return "edit components.yaml"

    def edit_lifecycle(self) -> str:
        self.replace_in("content/lifecycles.yaml", r"en: Monitoring[^}]*}",
                        f"en: Monitoring {self.rng.randint(1, 99)}}}")
        return "edit lifecycles.yaml"

    def edit_settings(self) -> str:
        path = self.site / "content/site.yaml"
        path.write_text(path.read_text(encoding="utf-8") + f"# edited {self.rng.random()}\n", encoding="utf-8")
        return "edit site.yaml"

    def edit_help_page(self) -> str:
        path = self.site / "content/pages/during-an-incident.en.md"
        path.write_text(path.read_text(encoding="utf-8") + f"\nOne more line {self.rng.randint(1, 999)}.\n",
                        encoding="utf-8")
        return "edit help page"

    def edit_template(self) -> str:
        self.replace_in("templates/base.html", "</footer>", f"<!-- {self.rng.randint(1, 999)} --></footer>")
        return "edit base.html"

    def time_passes(self) -> str:
        delta = self.rng.choice([timedelta(minutes=self.rng.randint(1, 59)), timedelta(hours=self.rng.randint(1, 12)),
                                 timedelta(days=self.rng.randint(1, 3))])
        self.clock.now += delta
        return f"time +{delta}"

    def step(self) -> str:
        moves = [(self.add_incident, 5), (self.edit_entry, 5), (self.delete_entry, 2), (self.resolve_open, 3),
                 (self.edit_component, 1), (self.edit_lifecycle, 1), (self.edit_settings, 1),
                 (self.edit_help_page, 1), (self.edit_template, 1), (self.time_passes, 5)]
        move = self.rng.choices([m for m, _ in moves], weights=[w for _, w in moves])[0]
        return move()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_edits_and_clock_moves_keep_incremental_equal_to_full(tmp_path, seed):
    site = copy_site(tmp_path / "site", with_templates=True)
    clock = Clock(DEMO_NOW)
    builder = Builder(site, tmp_path / "out", clock=clock)
    errors, _ = builder.rebuild()
    assert errors == []
    editor = Editor(site, clock, random.Random(seed))
    done: list[str] = []
    incremental = 0
    for n in range(STEPS):
        done.append(editor.step())
        errors, line = builder.rebuild()
        assert errors == [], (f"seed {seed}, steps {done}", [e.format() for e in errors])
        incremental += line.endswith("(incremental)")
        full = build(site, tmp_path / f"full-{n}", builder.moment()[0])
        assert full.ok, (f"seed {seed}, steps {done}", [d.format() for d in full.report.diagnostics])
        mine, reference = tree(builder.out), tree(full.out)
        differing = sorted(set(mine) ^ set(reference)) + [p for p in reference if p in mine and mine[p] != reference[p]]
        assert differing == [], f"seed {seed}: after steps {done}, {len(differing)} files differ: {differing[:8]}"
    assert incremental >= STEPS // 2  # the sequence did exercise incremental rebuilds


def test_a_new_value_in_the_common_context_needs_no_incremental_code(tmp_path, monkeypatch):
    """A value every page shows, added to the common context and used by the base template, is
    recorded like any other read: resolving an incident updates it on every page."""
    real = engine._common_context

    def with_overall_line(state, v):
        common = real(state, v)

        def extended(job, title):
            ctx = common(job, title)
            ctx["overall_line"] = v.t[f"state.{v.facts.overall_state}"]
            return ctx
        return extended

    monkeypatch.setattr(engine, "_common_context", with_overall_line)
    site = copy_site(tmp_path / "site", with_templates=True)
    template = site / "templates/base.html"
    template.write_text(template.read_text(encoding="utf-8").replace(
        "</footer>", '<p class="overall">{{ overall_line }}</p></footer>'), encoding="utf-8")
    clock = Clock(DEMO_NOW)
    builder = Builder(site, tmp_path / "out", clock=clock)
    assert builder.rebuild()[0] == []
    before = (builder.out / "help/index.html").read_text(encoding="utf-8")
    editor = Editor(site, clock, random.Random(0))
    assert editor.resolve_open().startswith("resolve ")
    errors, line = builder.rebuild()
    assert errors == [] and line.endswith("(incremental)")
    after = (builder.out / "help/index.html").read_text(encoding="utf-8")
    assert before != after  # the help page shows the overall state, which the resolution changed
    full = build(site, tmp_path / "full", builder.moment()[0])
    assert tree(builder.out) == tree(full.out)
