"""The publishing examples of docs/deploy.md and the pre-commit hooks: valid, and their commands work.

Commands are read from the example files themselves and run, as the CI would run them, in a
copy of the demo site at its demo date (SOURCE_DATE_EPOCH). Left out is only what cannot run
here: installing statusgen (this environment has it), the checkout, setup, upload and deploy
actions, and the aws CLI, replaced by a fake bucket that follows its sync rules.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from conftest import REPO, copy_site

EXAMPLES = REPO / "docs" / "examples"
DEMO_NOW = "2026-11-20T15:00:00+01:00"
DEMO_EPOCH = 1795183200
LATE_EPOCH = DEMO_EPOCH + 3 * 86400  # the open demo incident is overdue for an update by then
OPEN = "incidents/2026-11-20-intermittent-terminal-payment-declines.md"
# The one line of each job that the test environment stands in for.
INSTALL = 'python -m pip install "$STATUSGEN"'


# --- helpers ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def bin_dir(tmp_path_factory) -> Path:
    """A folder with a `statusgen` command: the console script beside this Python, or a shim."""
    script = Path(sys.executable).with_name("statusgen")
    if script.exists():
        return script.parent
    folder = tmp_path_factory.mktemp("bin")
    shim = folder / "statusgen"
    shim.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m statusgen "$@"\n')
    shim.chmod(0o755)
    return folder


def ci_env(bin_dir: Path, epoch: int = DEMO_EPOCH, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "CI_"))}
    env.update(PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", SOURCE_DATE_EPOCH=str(epoch), **extra)
    return env


def sh(command: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    # GitHub's default shell for run steps; GitLab runs each script line much the same way.
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", command],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def run_commands(commands: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run each command in turn, skipping only the statusgen install; stop at the first failure."""
    ran = [c for c in commands if c.strip() != INSTALL]
    assert len(commands) - len(ran) == 1, f"expected exactly one install line in {commands}"
    assert ran, "nothing to run"
    for command in ran:
        proc = sh(command, cwd, env)
        if proc.returncode:
            break
    return proc


def break_incident(site: Path) -> None:
    path = site / OPEN
    text = path.read_text(encoding="utf-8")
    assert "status: identified" in text
    path.write_text(text.replace("status: identified", "status: identifed", 1), encoding="utf-8")


def load_yaml(path: Path):
    with path.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


# --- GitHub Pages -----------------------------------------------------------------------------

GITHUB = EXAMPLES / "github-pages.yml"
LOCAL_ACTIONS = ("actions/checkout@", "actions/setup-python@")  # the site copy and this venv stand in


def github_workflow() -> dict:
    data = load_yaml(GITHUB)
    # YAML 1.1 reads the bare key `on` as True; GitHub reads it as "on".
    data["on"] = data.pop(True, data.get("on"))
    return data


def github_job(job: str) -> tuple[list[str], list[dict]]:
    """The job's run: commands, and its steps that use an action other than checkout/setup."""
    commands, others = [], []
    for step in github_workflow()["jobs"][job]["steps"]:
        assert ("run" in step) != ("uses" in step), step
        if "run" in step:
            assert "${{" not in step["run"], "run steps take values through env:, not expressions"
            commands.append(step["run"])
        elif not step["uses"].startswith(LOCAL_ACTIONS):
            others.append(step)
    return commands, others


def test_github_workflow_shape():
    data = github_workflow()
    assert set(data["on"]) == {"push", "pull_request", "schedule", "workflow_dispatch"}
    cron = data["on"]["schedule"][0]["cron"]
    assert len(cron.split()) == 5, cron
    jobs = data["jobs"]
    assert set(jobs) == {"validate", "due", "build", "deploy"}
    for name, job in jobs.items():
        assert job["runs-on"] == "ubuntu-latest", name
        for step in job["steps"]:
            if "uses" in step:
                assert re.fullmatch(r"actions/[a-z-]+@v\d+", step["uses"]), step["uses"]
    assert "schedule" in jobs["due"]["if"] and "pull_request" not in jobs["due"]["if"]
    assert "needs" not in jobs["build"], "publishing must not wait for the strict validation"
    deploy = jobs["deploy"]
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]
    assert "pull_request" in deploy["if"]  # pull requests build but never deploy


@pytest.mark.parametrize("job", ["validate", "build", "due"])
def test_github_job_commands_pass_on_the_demo_site(job, tmp_path, bin_dir):
    site = copy_site(tmp_path / "site")
    commands, others = github_job(job)
    proc = run_commands(commands, site, ci_env(bin_dir))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    if job != "build":
        assert others == []
        return
    [upload] = others
    assert upload["uses"].startswith("actions/upload-pages-artifact@")
    published = site / upload["with"]["path"]
    assert (published / "index.html").is_file() and (published / "404.html").is_file()
    assert published.resolve() == (site / "output").resolve()


def test_github_validate_annotates_a_broken_incident(tmp_path, bin_dir):
    site = copy_site(tmp_path / "site")
    break_incident(site)
    proc = run_commands(github_job("validate")[0], site, ci_env(bin_dir))
    assert proc.returncode == 1
    assert re.match(rf"::error file={re.escape(OPEN)},line=\d+,.*title=unknown-status::", proc.stdout), proc.stdout


def test_github_build_publishes_nothing_from_a_broken_site(tmp_path, bin_dir):
    site = copy_site(tmp_path / "site")
    break_incident(site)
    proc = run_commands(github_job("build")[0], site, ci_env(bin_dir))
    assert proc.returncode == 1
    assert f"{OPEN}:" in proc.stderr and "error [unknown-status]" in proc.stderr
    assert not (site / "output").exists()


def test_github_scheduled_due_fails_when_an_update_is_overdue(tmp_path, bin_dir):
    site = copy_site(tmp_path / "site")
    proc = run_commands(github_job("due")[0], site, ci_env(bin_dir, epoch=LATE_EPOCH))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "2026-11-20-intermittent-terminal-payment-declines" in proc.stdout


# --- GitLab Pages -----------------------------------------------------------------------------

GITLAB = EXAMPLES / "gitlab-pages.yml"


def gitlab_commands(job: str) -> list[str]:
    data = load_yaml(GITLAB)
    return data["default"]["before_script"] + data[job]["script"]


def test_gitlab_pipeline_shape():
    data = load_yaml(GITLAB)
    assert "python -m pip install" in data["default"]["before_script"][0]
    assert data["variables"]["STATUSGEN"].startswith("statusgen @ ")
    pages = data["pages"]
    assert pages["stage"] == "deploy" and pages["needs"] == []
    assert pages["artifacts"]["paths"] == ["public"]
    assert pages["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"}]
    assert data["due"]["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "schedule"'}]
    assert data["validate"]["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "push"'}]


@pytest.mark.parametrize("job", ["validate", "pages", "due"])
def test_gitlab_job_commands_pass_on_the_demo_site(job, tmp_path, bin_dir):
    site = copy_site(tmp_path / "site")
    proc = run_commands(gitlab_commands(job), site, ci_env(bin_dir))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    if job == "pages":
        assert (site / "public" / "index.html").is_file() and (site / "public" / "404.html").is_file()
        assert not (site / "output").exists()


def test_gitlab_validate_fails_on_a_broken_incident(tmp_path, bin_dir):
    site = copy_site(tmp_path / "site")
    break_incident(site)
    proc = run_commands(gitlab_commands("validate"), site, ci_env(bin_dir))
    assert proc.returncode == 1
    assert re.search(rf"^{re.escape(OPEN)}:\d+: error \[unknown-status\]", proc.stdout, re.M), proc.stdout


# --- any bucket behind a CDN ------------------------------------------------------------------

# `aws s3 sync SRC DST [--delete] [--exclude P | --include P]... [--cache-control V] [--content-type V]`
# into a folder, by the CLI's rules: filters in order, the last match wins, patterns relative to
# SRC with `*` crossing folders; a file is uploaded when missing, of another size or newer; types
# are guessed from Python's built-in table (the least a machine has) when not given.
FAKE_AWS = r'''
import fnmatch, json, mimetypes, os, sys, time
from pathlib import Path

args, bucket_dir = sys.argv[1:], Path(os.environ["FAKE_S3"])
assert args[:2] == ["s3", "sync"], args
src, dst, rest = args[2], args[3], args[4:]
assert dst.startswith("s3://"), dst
dst_dir = bucket_dir / dst[len("s3://"):]
meta_file = bucket_dir / "meta.json"
meta = json.loads(meta_file.read_text()) if meta_file.exists() else {}
filters, options, delete, i = [], {}, False, 0
while i < len(rest):
    if rest[i] == "--delete":
        delete, i = True, i + 1
    elif rest[i] in ("--exclude", "--include"):
        filters.append((rest[i], rest[i + 1])); i += 2
    elif rest[i] in ("--cache-control", "--content-type"):
        options[rest[i]] = rest[i + 1]; i += 2
    else:
        sys.exit(f"fake aws: unsupported option {rest[i]}")

def wanted(rel):
    keep = True
    for kind, pattern in filters:
        if fnmatch.fnmatchcase(rel, pattern):
            keep = kind == "--include"
    return keep

def key(rel):
    return str((dst_dir / rel).relative_to(bucket_dir))

types = mimetypes.MimeTypes()
local = {p.relative_to(src).as_posix(): p for p in Path(src).rglob("*") if p.is_file()}
for rel, path in sorted(local.items()):
    if not wanted(rel):
        continue
    old, target = meta.get(key(rel)), dst_dir / rel
    if old and target.exists() and target.stat().st_size == path.stat().st_size \
            and path.stat().st_mtime <= old["uploaded"]:
        continue
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(path.read_bytes())
    meta[key(rel)] = {"uploaded": time.time(), "cache_control": options.get("--cache-control"),
                      "content_type": options.get("--content-type")
                      or types.guess_type(rel)[0] or "binary/octet-stream"}
if delete and dst_dir.exists():
    for path in [p for p in dst_dir.rglob("*") if p.is_file()]:
        rel = path.relative_to(dst_dir).as_posix()
        if rel not in local and wanted(rel):
            path.unlink()
            meta.pop(key(rel), None)
meta_file.write_text(json.dumps(meta))
'''


def fake_aws(folder: Path) -> Path:
    folder.mkdir()
    aws = folder / "aws"
    aws.write_text(f"#!{sys.executable}\n{FAKE_AWS}")
    aws.chmod(0o755)
    return folder


def test_bucket_sync_uploads_the_site_with_cache_headers(tmp_path, bin_dir):
    site = copy_site(tmp_path / "site")
    env = ci_env(bin_dir, FAKE_S3=str(tmp_path / "s3"), BUCKET="s3://status.example.com")
    env["PATH"] = f"{fake_aws(tmp_path / 'fake')}{os.pathsep}{env['PATH']}"
    bucket = tmp_path / "s3" / "status.example.com"
    # What an earlier publication left: a page since deleted, and a stylesheet pages may still name.
    for stale in ("incidents/gone/index.html", "assets/style.0000000000.css"):
        (bucket / stale).parent.mkdir(parents=True, exist_ok=True)
        (bucket / stale).write_text("old")

    build = sh("statusgen build", site, env)
    assert build.returncode == 0, build.stderr
    proc = sh(f"sh {shlex.quote(str(EXAMPLES / 's3-sync.sh'))}", site, env)
    assert proc.returncode == 0, proc.stdout + proc.stderr

    built = {p.relative_to(site / "output").as_posix() for p in (site / "output").rglob("*") if p.is_file()}
    uploaded = {p.relative_to(bucket).as_posix() for p in bucket.rglob("*") if p.is_file()}
    assert uploaded == built - {".statusgen-build"} | {"assets/style.0000000000.css"}
    meta = json.loads((tmp_path / "s3" / "meta.json").read_text())
    expected_types = {"html": "text/html", "css": "text/css", "json": "application/json",
                      "atom": "application/atom+xml", "rss": "application/rss+xml",
                      "ics": "text/calendar; charset=utf-8", "svg": "image/svg+xml",
                      "xml": ("text/xml", "application/xml"), "txt": "text/plain",
                      "csv": "text/csv"}
    for rel in built - {".statusgen-build"}:
        object_meta = meta[f"status.example.com/{rel}"]
        expected = expected_types[rel.rsplit(".", 1)[1]]
        assert object_meta["content_type"] in (expected if isinstance(expected, tuple) else (expected,)), rel
        if re.fullmatch(r"assets/style\.[0-9a-f]+\.css", rel):
            assert object_meta["cache_control"] == "public, max-age=31536000, immutable", rel
        else:
            assert object_meta["cache_control"] == "public, max-age=60", rel


def test_bucket_sync_refuses_without_a_build(tmp_path, bin_dir):
    site = copy_site(tmp_path / "site")
    env = ci_env(bin_dir, FAKE_S3=str(tmp_path / "s3"), BUCKET="s3://status.example.com")
    env["PATH"] = f"{fake_aws(tmp_path / 'fake')}{os.pathsep}{env['PATH']}"
    proc = sh(f"sh {shlex.quote(str(EXAMPLES / 's3-sync.sh'))}", site, env)
    assert proc.returncode == 1 and "run statusgen build first" in proc.stderr
    assert not (tmp_path / "s3").exists()


# --- pre-commit -------------------------------------------------------------------------------

HOOKS = REPO / ".pre-commit-hooks.yaml"
# The keys pre-commit's manifest schema knows (pre-commit/clientlib.py): a typo is an error there too.
MANIFEST_KEYS = {"id", "name", "entry", "language", "alias", "files", "exclude", "types", "types_or",
                 "exclude_types", "additional_dependencies", "args", "always_run", "fail_fast",
                 "pass_filenames", "description", "language_version", "log_file", "require_serial",
                 "stages", "verbose", "minimum_pre_commit_version"}


def hooks() -> dict[str, dict]:
    data = load_yaml(HOOKS)
    assert isinstance(data, list)
    return {hook["id"]: hook for hook in data}


def hook_command(hook_id: str, args: list[str]) -> list[str]:
    """What pre-commit runs with pass_filenames: false: the entry, split like a shell, then args."""
    return shlex.split(hooks()[hook_id]["entry"]) + args


def run_hook(hook_id: str, site: Path, env: dict[str, str], args: list[str] = ()) -> subprocess.CompletedProcess:
    return subprocess.run(hook_command(hook_id, list(args)), cwd=site, env=env, capture_output=True,
                          text=True, timeout=120)


def test_hook_manifest():
    found = hooks()
    assert set(found) == {"statusgen-validate", "statusgen-validate-strict"}
    for hook in found.values():
        assert set(hook) <= MANIFEST_KEYS, set(hook) - MANIFEST_KEYS
        assert {"id", "name", "entry", "language"} <= set(hook)
        assert hook["language"] == "python" and hook["pass_filenames"] is False
        files = re.compile(hook["files"])
        for path in ("incidents/2026-11-20-x.md", "content/site.yaml", "content/pages/a.fr.md",
                     "templates/base.html"):
            assert files.search(path), path
        for path in ("README.md", "docs/deploy.md", "output/index.html", "tests/sites/x/incidents/a.md"):
            assert not files.search(path), path
    assert found["statusgen-validate"]["entry"] == "statusgen validate"
    assert found["statusgen-validate-strict"]["entry"] == "statusgen validate --strict"
    # language: python installs this repository; its console script must be the entry's command.
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert "statusgen" in scripts


@pytest.mark.parametrize("hook_id", ["statusgen-validate", "statusgen-validate-strict"])
@pytest.mark.parametrize("how", ["args", "SOURCE_DATE_EPOCH"])
def test_hook_passes_on_the_demo_site(hook_id, how, tmp_path, bin_dir):
    site = copy_site(tmp_path / "site")
    if how == "args":
        env = ci_env(bin_dir)
        del env["SOURCE_DATE_EPOCH"]
        proc = run_hook(hook_id, site, env, ["--now", DEMO_NOW])
    else:
        proc = run_hook(hook_id, site, ci_env(bin_dir))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 errors, 0 warnings" in proc.stdout


@pytest.mark.parametrize("hook_id", ["statusgen-validate", "statusgen-validate-strict"])
def test_hook_refuses_a_broken_incident_with_its_line(hook_id, tmp_path, bin_dir):
    site = copy_site(tmp_path / "site")
    break_incident(site)
    proc = run_hook(hook_id, site, ci_env(bin_dir), ["--now", DEMO_NOW])
    assert proc.returncode == 1
    line = next(l for l in proc.stdout.splitlines() if l.startswith(f"{OPEN}:"))
    assert re.fullmatch(rf"{re.escape(OPEN)}:\d+: error \[unknown-status\] updates\[\d+\]\.status: "
                        r"unknown status 'identifed' .*\(did you mean 'identified'\?\)", line), line


def test_only_the_strict_hook_refuses_a_warning(tmp_path, bin_dir):
    site = copy_site(tmp_path / "site")
    env = ci_env(bin_dir, epoch=LATE_EPOCH)  # the open incident is overdue: a warning
    relaxed, strict = run_hook("statusgen-validate", site, env), run_hook("statusgen-validate-strict", site, env)
    assert relaxed.returncode == 0 and "warning [update-overdue]" in relaxed.stdout
    assert strict.returncode == 1 and "warning [update-overdue]" in strict.stdout


# --- the guide --------------------------------------------------------------------------------

def test_deploy_guide_names_only_files_that_exist():
    guide = (REPO / "docs" / "deploy.md").read_text(encoding="utf-8")
    named = set(re.findall(r"\((examples/[\w./-]+)\)", guide))
    assert {"examples/github-pages.yml", "examples/gitlab-pages.yml", "examples/s3-sync.sh"} <= named
    for rel in named:
        assert (REPO / "docs" / rel).is_file(), rel
