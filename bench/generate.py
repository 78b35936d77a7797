"""Generate a synthetic statusgen site of N entries for benchmarks: `python bench/generate.py 10000 DIR`.

The site reuses the demo's settings and lifecycles, with more components and N entries spread
over the years before NOW, a mix of incidents, maintenance and known issues of every priority.
"""

from __future__ import annotations

import random
import shutil
import sys
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NOW = datetime.fromisoformat("2026-11-20T15:00:00+01:00")
COMPONENTS = ["payments-api", "dashboard", "invoicing", "webhooks", "bank-sync", "email-delivery", "mobile-app"]
WORDS = ("latence paiement serveur réseau base données carte facture webhook banque synchronisation "
         "export tableau bord application mobile erreur délai fournisseur certificat file attente").split()
EN_WORDS = ("latency payment server network database card invoice webhook bank sync export dashboard "
            "application mobile error delay provider certificate queue").split()


def sentence(rng: random.Random, words: list[str], n: int) -> str:
    text = " ".join(rng.choice(words) for _ in range(n))
    return text[:1].upper() + text[1:] + "."


def message(rng: random.Random, words: list[str]) -> str:
    if rng.random() < 0.2:  # some messages use Markdown
        return f"{sentence(rng, words, 8)}\n\n- **{rng.choice(words)}** {sentence(rng, words, 5)}\n- {sentence(rng, words, 6)}"
    return sentence(rng, words, rng.randint(8, 25))


def text_block(key: str, indent: str, fr: str, en: str) -> str:
    def block(value: str) -> str:
        lines = value.split("\n")
        return "|\n" + "\n".join(f"{indent}    {line}" if line else "" for line in lines)
    return f"{indent}{key}:\n{indent}  fr: {block(fr)}\n{indent}  en: {block(en)}\n"


def incident(rng: random.Random, start: datetime, lifecycle: str) -> tuple[str, datetime]:
    flows = {
        "incident": [["investigating", "identified", "monitoring", "resolved"], ["investigating", "resolved"],
                     ["identified", "identified", "monitoring", "resolved"]],
        "ticket": [["submitted", "in_review", "in_engineering", "resolved_pending_deploy", "resolved_deployed"],
                   ["submitted", "in_review", "waiting_customer", "in_engineering", "resolved_deployed"]],
        "maintenance": [["scheduled", "in_progress", "completed"], ["scheduled", "cancelled"]],
    }
    statuses = rng.choice(flows[lifecycle])
    priority = rng.choice(["critical", "high", "medium", "low"])
    comps = rng.sample(COMPONENTS, rng.randint(1, 3))
    lines = ["---"]
    lines.append(text_block("title", "", sentence(rng, WORDS, 5), sentence(rng, EN_WORDS, 5)).rstrip("\n"))
    lines.append(f"lifecycle: {lifecycle}")
    if lifecycle != "maintenance":
        lines.append(f"priority: {priority}")
    lines.append(f"components: [{', '.join(comps)}]")
    lines.append(text_block("impact", "", sentence(rng, WORDS, 12), sentence(rng, EN_WORDS, 12)).rstrip("\n"))
    if lifecycle == "maintenance":
        window = start + timedelta(days=2)
        lines.append(f"scheduled: {{start: {window.isoformat()}, end: {(window + timedelta(hours=3)).isoformat()}}}")
    lines.append("updates:")
    at = start
    for status in statuses:
        lines.append(f"  - at: {at.isoformat()}")
        lines.append(f"    status: {status}")
        lines.append(text_block("message", "    ", message(rng, WORDS), message(rng, EN_WORDS)).rstrip("\n"))
        at += timedelta(minutes=rng.randint(10, 240))
    if lifecycle == "incident" and priority in ("critical", "high"):
        lines.append(text_block("root_cause", "", sentence(rng, WORDS, 10), sentence(rng, EN_WORDS, 10)).rstrip("\n"))
    lines.append("---")
    if rng.random() < 0.1:
        lines.append(f"## Rapport\n\n{sentence(rng, WORDS, 40)}\n\n| étape | heure |\n|---|---|\n| début | 10:00 |\n")
    return "\n".join(lines) + "\n", start


def generate(count: int, dest: Path, seed: int = 7) -> Path:
    rng = random.Random(seed)
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(REPO / "content", dest / "content")
    (dest / "incidents").mkdir(parents=True)
    span_minutes = int(timedelta(days=max(90, count // 8)).total_seconds() // 60)
    for n in range(count):
        lifecycle = rng.choices(["incident", "maintenance", "ticket"], weights=[70, 15, 15])[0]
        start = NOW - timedelta(days=3, minutes=rng.randint(0, span_minutes))
        start = start.replace(second=0, microsecond=0)
        text, _ = incident(rng, start, lifecycle)
        (dest / "incidents" / f"{start.date().isoformat()}-synthetic-{n:05d}.md").write_text(text, encoding="utf-8")
    return dest


if __name__ == "__main__":
    generate(int(sys.argv[1]), Path(sys.argv[2]))
