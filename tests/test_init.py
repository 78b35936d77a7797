"""`statusgen init`: a new site that validates and builds at once, in the languages asked for."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from statusgen.cli import main
from statusgen.commands.init import STARTER, keep_languages, starter_languages
from statusgen.loading.lifecycles import load_lifecycles

REPO = Path(__file__).resolve().parents[1]
NOW = "2026-11-20T15:00:00+01:00"
LANGUAGE_SETS = [((), ("fr", "en")), (("en",), ("en",)), (("fr",), ("fr",)), (("en", "fr"), ("en", "fr"))]


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every path under folder with its bytes (None for a folder)."""
    return {p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else None)
            for p in sorted(folder.rglob("*"))}


def language_mappings(value):
    """Every mapping of the YAML data whose keys are all starter languages: the localised texts."""
    if isinstance(value, dict):
        if value and set(value) <= set(starter_languages()):
            yield value
        else:
            for item in value.values():
                yield from language_mappings(item)
    elif isinstance(value, list):
        for item in value:
            yield from language_mappings(item)


@pytest.mark.parametrize("options, languages", LANGUAGE_SETS)
def test_new_site_validates_and_builds_in_each_language_set(tmp_path, options, languages):
    root = tmp_path / "new" / "site"  # neither folder exists yet
    flags = [arg for lang in options for arg in ("--language", lang)]
    created = run("init", str(root), *flags)
    assert created.exit_code == 0, created.output
    assert f"created a statusgen site in {root} ({', '.join(languages)}):" in created.output

    checked = run("validate", "--root", str(root), "--now", NOW, "--strict")
    assert checked.exit_code == 0, checked.output
    assert checked.output.strip() == "ok: 0 entries checked, 0 errors, 0 warnings"
    built = run("build", "--root", str(root), "--now", NOW)
    assert built.exit_code == 0, built.output
    for lang in languages[1:]:
        assert (root / "output" / lang / "help" / "report-an-incident" / "index.html").is_file()

    settings = yaml.safe_load((root / "content/site.yaml").read_text(encoding="utf-8"))
    assert settings["languages"] == list(languages)
    pages = sorted(p.name for p in (root / "content/pages").iterdir())
    assert pages == sorted(f"{slug}.{lang}.md" for slug in ("report-an-incident", "during-an-incident",
                                                            "follow-a-known-issue") for lang in languages)
    for name in ("site.yaml", "components.yaml", "lifecycles.yaml"):
        data = yaml.safe_load((root / "content" / name).read_text(encoding="utf-8"))
        texts = list(language_mappings(data))
        assert texts and all(set(text) == set(languages) for text in texts), name


def test_starter_files_are_complete_and_neutral():
    languages = starter_languages()
    assert languages == ("en", "fr")
    slugs = {p.name.split(".")[0] for p in (STARTER / "content/pages").glob("*.md")}
    for slug in slugs:
        for lang in languages:
            assert (STARTER / "content/pages" / f"{slug}.{lang}.md").is_file()
    for path in STARTER.rglob("*"):
        if path.is_file():
            assert "orbeline" not in path.read_text(encoding="utf-8").lower(), path
    for name in ("site.yaml", "components.yaml", "lifecycles.yaml"):
        data = yaml.safe_load((STARTER / "content" / name).read_text(encoding="utf-8"))
        assert all(set(text) == set(languages) for text in language_mappings(data)), name


def _process(lifecycles, priorities):
    """The lifecycles and priorities without their wording: what the validator and templates rely on."""
    def plain(obj, **more):
        return dataclasses.replace(obj, label=None, **more)
    return ({lid: plain(lc, statuses={sid: plain(s, description=None) for sid, s in lc.statuses.items()})
             for lid, lc in lifecycles.items()},
            {pid: plain(p, description=None) for pid, p in priorities.items()})


def test_starter_process_is_the_demo_process(tmp_path):
    assert run("init", str(tmp_path / "site")).exit_code == 0
    starter = load_lifecycles(tmp_path / "site", ("fr", "en"))
    demo = load_lifecycles(REPO, ("fr", "en"))
    assert starter[2] == [] and demo[2] == []
    assert _process(*starter[:2]) == _process(*demo[:2])
    assert list(starter[1]) == ["critical", "high", "medium", "low"]


def test_refuses_to_overwrite_and_writes_nothing(tmp_path):
    root = tmp_path / "site"
    (root / "incidents").mkdir(parents=True)
    (root / ".gitignore").write_bytes(b"node_modules/\r\n")
    (root / "incidents" / "notes.txt").write_bytes(b"kept\n")
    before = snapshot(root)
    result = run("init", str(root))
    assert result.exit_code == 1
    assert result.output == (f"Error: {root}: refusing to overwrite .gitignore; nothing was written "
                             "(run statusgen init in a new or empty folder)\n")
    assert snapshot(root) == before


def test_refuses_a_second_init_naming_the_files(tmp_path):
    root = tmp_path / "site"
    assert run("init", str(root)).exit_code == 0
    (root / "content/site.yaml").write_bytes(b"title: edited\n")
    before = snapshot(root)
    result = run("init", str(root), "--language", "en")
    assert result.exit_code == 1
    assert "refusing to overwrite .gitignore, .pre-commit-config.yaml, content/components.yaml and " in result.output
    assert snapshot(root) == before


def test_refuses_a_file_where_a_folder_goes(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    (root / "content").write_bytes(b"not a folder\n")
    result = run("init", str(root))
    assert result.exit_code == 1
    assert "refusing to overwrite content;" in result.output
    assert snapshot(root) == {"content": b"not a folder\n"}


def test_refuses_a_linked_folder(tmp_path):
    root, elsewhere = tmp_path / "site", tmp_path / "elsewhere"
    root.mkdir()
    elsewhere.mkdir()
    (root / "incidents").symlink_to(elsewhere, target_is_directory=True)
    result = run("init", str(root))
    assert result.exit_code == 1 and "refusing to overwrite incidents;" in result.output
    assert list(elsewhere.iterdir()) == [] and [p.name for p in root.iterdir()] == ["incidents"]


def test_writes_beside_unrelated_files(tmp_path):
    (tmp_path / "README.md").write_bytes(b"# Our status site\n")
    result = run("init", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "README.md").read_bytes() == b"# Our status site\n"
    assert (tmp_path / "incidents/.gitkeep").is_file()


def test_unsupported_language_is_a_usage_error(tmp_path):
    result = run("init", str(tmp_path / "site"), "--language", "de")
    assert result.exit_code == 2
    assert "no starter texts in 'de'; statusgen init has texts in en, fr only" in result.output
    assert not (tmp_path / "site").exists()


def test_now_is_accepted_and_checked(tmp_path):
    assert run("init", str(tmp_path / "a"), "--now", NOW).exit_code == 0
    bad = run("init", str(tmp_path / "b"), "--now", "yesterday")
    assert bad.exit_code == 2 and "--now: 'yesterday' is not an ISO 8601 time" in bad.output
    assert not (tmp_path / "b").exists()


def test_prints_files_and_next_steps(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("init", "site", "-l", "en")
    lines = result.output.splitlines()
    assert lines[0] == "created a statusgen site in site (en):"
    assert "  .gitignore" in lines and "  content/site.yaml" in lines and "  incidents/.gitkeep" in lines
    assert "  1. cd site" in lines
    assert ("  2. replace the values marked CHANGE ME in .pre-commit-config.yaml, content/components.yaml, "
            "content/site.yaml") in lines
    assert any("statusgen serve" in line for line in lines)
    assert any("statusgen new incident" in line for line in lines)
    here = run("init", "-l", "fr", "--now", NOW)
    assert here.exit_code == 0 and "cd " not in here.output
    assert (tmp_path / "content/site.yaml").is_file()


def test_git_ignores_the_output_and_leftovers(tmp_path):
    assert run("init", str(tmp_path)).exit_code == 0
    ignored = (tmp_path / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert {"/output/", ".output.*", ".statusgen-*"} <= set(ignored)
    hooks = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    defined = {hook["id"] for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    used = [hook["id"] for repo in hooks["repos"] for hook in repo["hooks"]]
    assert used == ["statusgen-validate"] and set(used) <= defined
    assert hooks["repos"][0]["rev"].startswith("v") and "@" not in hooks["repos"][0]["rev"]


def test_git_sees_only_the_sources_after_a_build(tmp_path):
    assert run("init", str(tmp_path)).exit_code == 0
    assert run("build", "--root", str(tmp_path), "--now", NOW).exit_code == 0
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True, timeout=60)
    status = subprocess.run(["git", "status", "--porcelain", "-uall"], cwd=tmp_path, capture_output=True,
                            text=True, check=True, timeout=60).stdout
    untracked = sorted(line[3:] for line in status.splitlines())
    assert untracked == sorted(snapshot_files(tmp_path, skip=("output", ".git", ".statusgen-work-output")))


def snapshot_files(folder: Path, skip: tuple[str, ...]) -> list[str]:
    return [rel for rel, data in snapshot(folder).items() if data is not None and rel.split("/")[0] not in skip]


def test_first_incident_on_a_new_site(tmp_path):
    root = tmp_path / "site"
    assert run("init", str(root)).exit_code == 0
    new = run("new", "incident", "--root", str(root), "--now", NOW, "--no-input", "-t", "Pages lentes",
              "--title-in", "en", "Slow pages", "-p", "high", "-c", "web-app", "-m", "Nous enquêtons.",
              "--message-in", "en", "We are investigating.", "--impact", "Les pages sont lentes.")
    assert new.exit_code == 0, new.output
    checked = run("validate", "--root", str(root), "--now", NOW)
    assert checked.exit_code == 0, checked.output
    # The one text left in French only is the one validate warns of: English readers would see French.
    assert checked.output.splitlines() == [
        "incidents/2026-11-20-pages-lentes.md:8: warning [missing-translation] impact: one text for every language; "
        "readers of en see it as written (write it per language: {fr: ..., en: ...})",
        "ok: 1 entries checked, 0 errors, 1 warning"]


def test_help():
    result = run("init", "--help")
    assert result.exit_code == 0
    assert "Usage: main init [OPTIONS] [DIR]" in result.output or "init [OPTIONS] [DIR]" in result.output
    assert "--language" in result.output and "--now" in result.output


def test_keep_languages_keeps_comments_and_refuses_flow_texts():
    text = "# settings\ntitle:  # CHANGE ME\n  fr: Titre\n  en: Title\nlanguages: [fr, en]  # default first\n"
    kept = "# settings\ntitle:  # CHANGE ME\n  en: Title\nlanguages: [en]  # default first\n"
    assert keep_languages(text, ("en",)) == kept
    with pytest.raises(ValueError, match="line 1: write texts one language per line"):
        keep_languages("title: {fr: Titre, en: Title}\n", ("en",))


def test_installed_command_starts_a_site(tmp_path):
    exe = Path(sys.executable).with_name("statusgen")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "statusgen"]
    env = {**os.environ, "CI": "true"}
    for args, cwd in ((["init", "site"], tmp_path), (["validate", "--strict", "--now", NOW], tmp_path / "site"),
                      (["build", "--now", NOW], tmp_path / "site")):
        proc = subprocess.run(command + args, cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                              timeout=120, env=env)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tmp_path / "site/output/index.html").is_file()
    proc = subprocess.run([sys.executable, "-m", "statusgen", "init", "site"], cwd=tmp_path, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=120)
    assert proc.returncode == 1 and "refusing to overwrite" in proc.stderr and "Traceback" not in proc.stderr
