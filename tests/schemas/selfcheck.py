"""Self-check of the schemas in this folder against their own examples.

Run from anywhere: python tests/schemas/selfcheck.py
Needs jsonschema >= 4.18 (for `referencing`); runs the Atom checks only when the
`jing` command is installed (Debian package jing). Not a pytest module on purpose:
the project's tests decide how to use these schemas; this only shows they work.
"""

from __future__ import annotations

import copy
import json
import pathlib
import shutil
import subprocess
import sys

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource

HERE = pathlib.Path(__file__).resolve().parent
SP = HERE / "statuspage"
BASE = "https://statusgen.invalid/schemas/statuspage/"


def load_registry() -> Registry:
    """Every schema of statuspage/, registered under its $id."""
    resources = []
    for path in sorted(SP.glob("*.schema.json")):
        resource = Resource.from_contents(json.loads(path.read_text()))
        resources.append((resource.id(), resource))
    return Registry().with_resources(resources)


def retrieve_from_files(uri: str) -> Resource:
    """Lazily map an $id under BASE to the file of the same name (nothing is fetched)."""
    if not uri.startswith(BASE):
        raise NoSuchResource(ref=uri)
    path = SP / uri[len(BASE):]
    if not path.is_file():
        raise NoSuchResource(ref=uri)
    return Resource.from_contents(json.loads(path.read_text()))


def validator(name: str, registry: Registry) -> Draft202012Validator:
    schema = json.loads((SP / name).read_text())
    return Draft202012Validator(
        schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def example_pairs():
    """(schema file name, example path) for every example: incidents/unresolved.json -> incidents-unresolved.schema.json."""
    for path in sorted((SP / "examples").rglob("*.json")):
        rel = path.relative_to(SP / "examples").with_suffix("")
        yield rel.as_posix().replace("/", "-") + ".schema.json", path


def errors(v: Draft202012Validator, doc) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in v.iter_errors(doc)]


def main() -> int:
    failures = 0

    def check(label: str, ok: bool, detail: str = "") -> None:
        nonlocal failures
        print(("ok   " if ok else "FAIL ") + label + (f"  [{detail}]" if detail and not ok else ""))
        failures += not ok

    # 1. Every schema is a valid draft 2020-12 schema.
    for path in sorted(SP.glob("*.schema.json")):
        try:
            Draft202012Validator.check_schema(json.loads(path.read_text()))
            check(f"metaschema {path.name}", True)
        except Exception as exc:  # noqa: BLE001
            check(f"metaschema {path.name}", False, str(exc)[:200])

    # 2. Every example validates, with refs resolved two ways: a preloaded registry,
    #    and a registry that only knows how to read the files lazily.
    preloaded = load_registry()
    lazy = Registry(retrieve=retrieve_from_files)
    for schema_name, example in example_pairs():
        doc = json.loads(example.read_text())
        for how, reg in (("preloaded", preloaded), ("from files", lazy)):
            errs = errors(validator(schema_name, reg), doc)
            check(f"{example.relative_to(HERE)} vs {schema_name} ({how} refs)", not errs, "; ".join(errs[:3]))

    # 3. Broken documents are rejected (one change each to a valid example).
    def load(name):
        return json.loads((SP / "examples" / name).read_text())

    def broken(label, schema_name, example, mutate):
        doc = copy.deepcopy(load(example))
        mutate(doc)
        errs = errors(validator(schema_name, preloaded), doc)
        check(f"rejects {label}", bool(errs), "accepted")
        if errs:
            print("       " + errs[0][:150])

    broken("page without time_zone", "status.schema.json", "status.json",
           lambda d: d["page"].pop("time_zone"))
    broken("unknown status indicator", "status.schema.json", "status.json",
           lambda d: d["status"].update(indicator="ok"))
    broken("timestamp without zone", "status.schema.json", "status.json",
           lambda d: d["page"].update(updated_at="2024-09-17T10:08:17"))
    broken("timestamp with a space", "components.schema.json", "components.json",
           lambda d: d["components"][0].update(created_at="2024-09-17 10:08:17Z"))
    broken("bad component status", "components.schema.json", "components.json",
           lambda d: d["components"][0].update(status="down"))
    broken("group without components", "components.schema.json", "components.json",
           lambda d: d["components"][2].pop("components"))
    broken("component without group_id", "components.schema.json", "components.json",
           lambda d: d["components"][0].pop("group_id"))
    broken("start_date as date-time", "components.schema.json", "components.json",
           lambda d: d["components"][3].update(start_date="2021-01-14T00:00:00Z"))
    broken("incident with impact maintenance", "incidents.schema.json", "incidents.json",
           lambda d: d["incidents"][0].update(impact="maintenance"))
    broken("incident without incident_updates", "incidents.schema.json", "incidents.json",
           lambda d: d["incidents"][0].pop("incident_updates"))
    broken("incident with no updates", "incidents.schema.json", "incidents.json",
           lambda d: d["incidents"][0].update(incident_updates=[]))
    broken("incident update with maintenance status", "incidents.schema.json", "incidents.json",
           lambda d: d["incidents"][0]["incident_updates"][0].update(status="in_progress"))
    broken("affected component without new_status", "incidents.schema.json", "incidents.json",
           lambda d: d["incidents"][0]["incident_updates"][1]["affected_components"][0].pop("new_status"))
    broken("resolved incident in unresolved.json", "incidents-unresolved.schema.json",
           "incidents/unresolved.json", lambda d: d["incidents"][0].update(status="resolved"))
    broken("resolved incident in summary", "summary.schema.json", "summary.json",
           lambda d: d["incidents"][0].update(status="resolved"))
    broken("maintenance without scheduled_until", "scheduled-maintenances.schema.json",
           "scheduled-maintenances.json", lambda d: d["scheduled_maintenances"][0].pop("scheduled_until"))
    broken("maintenance with incident status", "scheduled-maintenances.schema.json",
           "scheduled-maintenances.json", lambda d: d["scheduled_maintenances"][0].update(status="resolved"))
    broken("completed maintenance in upcoming.json", "scheduled-maintenances-upcoming.schema.json",
           "scheduled-maintenances/upcoming.json",
           lambda d: d["scheduled_maintenances"][0].update(status="completed"))
    broken("scheduled maintenance in active.json", "scheduled-maintenances-active.schema.json",
           "scheduled-maintenances/active.json",
           lambda d: d["scheduled_maintenances"][0].update(status="scheduled"))
    broken("completed maintenance in summary", "summary.schema.json", "summary.json",
           lambda d: d["scheduled_maintenances"][0].update(status="completed"))
    broken("summary without scheduled_maintenances", "summary.schema.json", "summary.json",
           lambda d: d.pop("scheduled_maintenances"))

    # Extra properties are allowed everywhere.
    doc = load("summary.json")
    doc["extra"] = 1
    doc["page"]["extra"] = 1
    doc["components"][0]["extra"] = 1
    doc["incidents"][0]["incident_updates"][0]["extra"] = 1
    check("accepts unknown extra properties", not errors(validator("summary.schema.json", preloaded), doc))

    # 4. Atom: the hand-written feeds, with jing.
    jing = shutil.which("jing")
    if jing is None:
        print("skip Atom checks: jing is not installed (apt-get install jing)")
    else:
        for feed in sorted((HERE / "atom-examples").glob("*.atom")):
            run = subprocess.run([jing, str(HERE / "atom.rng"), str(feed)], capture_output=True, text=True)
            want_valid = feed.name.startswith("valid")
            detail = run.stdout.strip().splitlines()[0] if run.stdout.strip() else ""
            check(f"jing {'accepts' if want_valid else 'rejects'} {feed.name}",
                  (run.returncode == 0) == want_valid, detail)

    print(f"{failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
