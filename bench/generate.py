"""Generate a synthetic statusgen site of N entries for benchmarks:
`python bench/generate.py 10000 DIR [--profile simple|real] [--components 2400]`.

Both profiles reuse the demo's settings and lifecycles, with N entries spread over the years
before NOW.

- simple: the demo's 7 components, a mix of incidents, maintenance and known issues of every
  priority, bilingual texts, a fifth of the messages in Markdown.
- real: shaped like the imported history of public status pages: hundreds or thousands of
  components in groups (one per data centre, say); a fifth of the entries touch no component,
  most touch one, the 90th percentile three, the 99th about twenty and the largest ~180; four
  updates at the median (99th percentile 16, at most 50), in long runs of the same status;
  single-language texts as imported, a few percent of messages with raw HTML; a few dozen
  entries still open.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import shutil
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


def generate(count: int, dest: Path, seed: int = 7, profile: str = "simple", components: int = 2400) -> Path:
    rng = random.Random(seed)
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(REPO / "content", dest / "content")
    (dest / "incidents").mkdir(parents=True)
    if profile == "real":
        ids = real_components(dest, components)
    span_minutes = int(timedelta(days=max(90, count // 8)).total_seconds() // 60)
    open_left = min(40, count // 100)
    for n in range(count):
        start = NOW - timedelta(days=3, minutes=rng.randint(0, span_minutes))
        start = start.replace(second=0, microsecond=0)
        if profile == "real":
            still_open = n < open_left
            if still_open:  # room for up to 50 updates 20 minutes apart before NOW
                start = (NOW - timedelta(minutes=rng.randint(1030, 1600))).replace(second=0, microsecond=0)
            text = real_entry(rng, start, ids, still_open)
        else:
            lifecycle = rng.choices(["incident", "maintenance", "ticket"], weights=[70, 15, 15])[0]
            text, _ = incident(rng, start, lifecycle)
        (dest / "incidents" / f"{start.date().isoformat()}-synthetic-{n:05d}.md").write_text(text, encoding="utf-8")
    return dest


CITIES = ("ams fra lhr cdg mad mxp waw arn hel osl cph dub bru vie prg zrh ist ath sof buh iad ord dfw lax sea "
          "sjc mia atl yyz gru scl bog lim jnb nbo cai dxb bom del sin hkg nrt icn syd mel akl").split()


def real_components(dest: Path, count: int) -> list[str]:
    """count components, one per data centre, grouped by region of 60."""
    ids, lines = [], ["components:"]
    for n in range(count):
        cid = f"{CITIES[n % len(CITIES)]}-{n:04d}"
        ids.append(cid)
        lines += [f"  - id: {cid}", f"    name: {CITIES[n % len(CITIES)].upper()} data centre {n}",
                  f"    group: Region {n // 60 + 1}"]
    (dest / "content" / "components.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ids


def _affected_count(rng: random.Random) -> int:
    """0 for a fifth; otherwise Pareto-tailed: median 1, 90th percentile ~3, 99th ~20, at most 180."""
    if rng.random() < 0.2:
        return 0
    return min(180, int(rng.paretovariate(1.5)))


def _update_count(rng: random.Random) -> int:
    """Log-normal around 4: 99th percentile ~16, capped at 50."""
    return max(2, min(50, round(math.exp(rng.gauss(math.log(4), 0.6)))))


def _real_message(rng: random.Random) -> str:
    text = sentence(rng, EN_WORDS, rng.randint(8, 30))
    if rng.random() < 0.04:  # raw HTML, as imported from hosted status pages
        return f"{text}<br />{sentence(rng, EN_WORDS, 6)} <a href=\"https://example.com/{rng.randint(1, 999)}\">details</a>"
    return text


def real_entry(rng: random.Random, start: datetime, ids: list[str], still_open: bool) -> str:
    maintenance = not still_open and rng.random() < 0.12
    affected = rng.sample(ids, _affected_count(rng))
    state = rng.choice(["degraded_performance", "partial_outage", "major_outage"])
    lines = ["---", f"title: {sentence(rng, EN_WORDS, 5)}",
             f"lifecycle: {'maintenance' if maintenance else 'incident'}"]
    if not maintenance:
        lines.append(f"priority: {rng.choices(['critical', 'high', 'medium', 'low'], weights=[5, 25, 50, 20])[0]}")
    if affected:
        states = "under_maintenance" if maintenance else state
        lines.append("components: {" + ", ".join(f"{cid}: {states}" for cid in affected) + "}")
    n = _update_count(rng)
    if maintenance:
        window = start + timedelta(days=2)
        lines.append(f"scheduled: {{start: {window.isoformat()}, end: {(window + timedelta(hours=3)).isoformat()}}}")
        statuses = ["scheduled"] * max(1, n - 2) + ["in_progress", "completed"]
    else:
        middle = n - 2
        identified = rng.randint(0, middle)
        statuses = ["investigating"] + ["identified"] * identified + ["monitoring"] * (middle - identified)
        statuses += [] if still_open else ["resolved"]
    lines.append("updates:")
    at = start
    for status in statuses:
        lines += [f"  - at: {at.isoformat()}", f"    status: {status}",
                  f"    message: {json.dumps(_real_message(rng))}"]
        at += timedelta(minutes=rng.randint(1, 20) if still_open else rng.randint(5, 180))
    lines.append("---")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("count", type=int)
    parser.add_argument("dest", type=Path)
    parser.add_argument("--profile", choices=["simple", "real"], default="simple")
    parser.add_argument("--components", type=int, default=2400, help="components of the real profile")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    generate(args.count, args.dest, args.seed, args.profile, args.components)
