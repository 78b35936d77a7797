"""Every failure is a diagnostic: site templates, links and special files, the disk, and genuine bugs."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import DEMO_NOW, REPO, build_site
from statusgen.cli import main
from statusgen.output import Writer

NOW = DEMO_NOW.isoformat()
SECRET = "STATUSGEN_TEST_SECRET=do-not-publish"


def run(site: Path, *args: str, env: dict | None = None):
    return CliRunner().invoke(main, [*args, "--root", str(site), "--now", NOW], env=env)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def built(scratch_site: Path) -> tuple[Path, dict[str, bytes]]:
    """A scratch site with a good build in output/, and the bytes of that build."""
    out = build_site(scratch_site, scratch_site / "output", DEMO_NOW)
    return scratch_site, snapshot(out)


def extend(block: str, body: str, base: str = "entry.html") -> str:
    return f'{{% extends "default/{base}" %}}{{% block {block} %}}\n\n{body}{{% endblock %}}\n'


# (case, template file, its text, expected diagnostic line)
TEMPLATE_CASES = [
    ("undefined name", "index.html", extend("main", "{{ nope }}", "index.html"),
     "templates/index.html:3: error [template-runtime] 'nope' is undefined"),
    ("unknown filter", "entry.html", extend("main", "{{ 1 | nofilter }}"),
     "templates/entry.html:3: error [template-syntax] No filter named 'nofilter'."),
    ("division by zero", "history.html", extend("main", "{{ 1 / 0 }}", "history.html"),
     "templates/history.html:3: error [template-runtime] ZeroDivisionError: division by zero"),
    ("missing include", "entry.html", extend("main", '{% include "missing.html" %}'),
     "templates/entry.html:3: error [template-runtime] no template named 'missing.html'"),
    ("bad operand", "component.html", extend("main", '{{ component.name + 1 }}', "component.html"),
     "templates/component.html:3: error [template-runtime]"),
    ("macro override lacking a macro", "macros.html", (REPO / "templates/macros.html").read_text(encoding="utf-8")
     .replace("macro entry_card", "macro entry_kard"),
     "error [template-runtime] the template 'macros.html' (imported on line 2 in 'index.html') does not export"),
    ("macro with other arguments", "macros.html", (REPO / "templates/macros.html").read_text(encoding="utf-8")
     .replace("{% macro entry_line(", "{% macro entry_line(only_one) %}{% endmacro %}{% macro unused(", 1),
     "error [template-runtime] TypeError: macro 'entry_line' takes not more than 1 argument(s)"),
]


@pytest.mark.parametrize("case, name, text, expected", TEMPLATE_CASES, ids=[c[0] for c in TEMPLATE_CASES])
def test_template_errors_are_reported_by_validate_and_refused_by_build(built, case, name, text, expected):
    site, before = built
    (site / "templates").mkdir(exist_ok=True)
    (site / "templates" / name).write_text(text, encoding="utf-8")
    checked = run(site, "validate")
    assert checked.exit_code == 1, checked.output
    assert expected in checked.output
    assert "Traceback" not in checked.output
    result = run(site, "build")
    assert result.exit_code == 1, result.output
    assert expected in result.output
    assert "Traceback" not in result.output
    assert snapshot(site / "output") == before


def test_a_template_error_validate_could_not_meet_is_a_diagnostic_in_build(built):
    """validate renders a sample of pages; a template failing on one other entry still fails cleanly."""
    site, before = built
    last = sorted(p.stem for p in (site / "incidents").glob("*.md"))[3]
    (site / "templates").mkdir()
    (site / "templates" / "entry.html").write_text(
        extend("main", f"{{% if entry.id == '{last}' %}}{{{{ entry.nope }}}}{{% endif %}}"), encoding="utf-8")
    result = run(site, "build")
    assert result.exit_code == 1, result.output
    assert "templates/entry.html:3: error [template-runtime]" in result.output
    assert "Traceback" not in result.output
    assert snapshot(site / "output") == before


def _link(target: str):
    def make(site: Path, rel: str) -> None:
        path = site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, path)
    return make


def _fifo(site: Path, rel: str) -> None:
    (site / rel).parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(site / rel)


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "outside" / "secret.env"
    path.parent.mkdir()
    path.write_text(SECRET + "\n", encoding="utf-8")
    return path


# (case, path in the site, how it is made; "{secret}" is a file outside the site)
LINK_CASES = [
    ("stylesheet linked outside", "templates/assets/style.css", _link("{secret}")),
    ("stylesheet linked to the environment", "templates/assets/style.css", _link("/proc/self/environ")),
    ("page template linked", "templates/base.html", _link("{secret}")),
    ("template folder linked", "templates/assets", _link("{secret_dir}")),
    ("templates linked", "templates", _link("{secret_dir}")),
    ("fifo template", "templates/entry.html", _fifo),
    ("fifo asset", "templates/assets/logo.svg", _fifo),
    ("content linked", "content", _link("{content}")),
    ("help page linked", "content/pages/secret.fr.md", _link("{secret}")),
    ("entry linked", "incidents/2026-11-20-secret.md", _link("{secret}")),
    ("fifo entry", "incidents/2026-11-20-fifo.md", _fifo),
    ("settings linked", "content/components.yaml", _link("{secret}")),
]


@pytest.mark.parametrize("case, rel, make", LINK_CASES, ids=[c[0] for c in LINK_CASES])
def test_links_and_special_files_are_refused_and_never_published(built, secret_file, tmp_path, case, rel, make):
    site, before = built
    target = site / rel
    if rel == "content":
        moved = tmp_path / "real-content"
        (site / "content").rename(moved)
    elif target.exists() and not target.is_dir():
        target.unlink()
    if callable(make) and make is not _fifo:
        make_target = make.__closure__[0].cell_contents.format(
            secret=secret_file, secret_dir=secret_file.parent, content=tmp_path / "real-content")
        _link(make_target)(site, rel)
    else:
        make(site, rel)
    checked = run(site, "validate")
    assert checked.exit_code == 1, checked.output
    top = rel if rel in ("templates", "content") else rel
    assert f"{top}:1: error [not-a-file]" in checked.output
    result = run(site, "build")
    assert result.exit_code == 1
    assert snapshot(site / "output") == before
    assert not any(SECRET.encode() in data for data in snapshot(site / "output").values())


def test_os_errors_are_one_line_naming_the_path(built, monkeypatch):
    site, before = built
    for code, advice in [(errno.ENOSPC, "free some disk space"), (errno.EROFS, "read-only"),
                         (errno.ENOENT, "disappeared")]:
        def fail(self, rel, data, code=code):
            raise OSError(code, os.strerror(code), str(self.folder / rel))

        monkeypatch.setattr(Writer, "write", fail)
        result = run(site, "build")
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        lines = [line for line in result.output.splitlines() if line.startswith("Error: ")]
        assert len(lines) == 1 and "index.html" in lines[0] or "style." in lines[0], result.output
        assert advice in lines[0]
        assert snapshot(site / "output") == before


def test_a_bug_is_one_line_and_debug_shows_the_traceback(built, monkeypatch):
    site, before = built
    import statusgen.commands.build as build_module

    def broken(*args, **kwargs):
        raise RuntimeError("something statusgen did not expect")

    monkeypatch.setattr(build_module, "render_site", broken)
    result = run(site, "build")
    assert result.exit_code == 70
    assert "internal error (RuntimeError: something statusgen did not expect)" in result.output
    assert "--debug" in result.output and "Traceback" not in result.output
    assert snapshot(site / "output") == before
    debugged = run(site, "build", env={"STATUSGEN_DEBUG": "1"})
    assert isinstance(debugged.exception, RuntimeError)
    # --debug sets the variable for the whole process (serve's rebuilds read it too): set it through
    # the monkeypatch first ("0": off), so that its absence is put back for the tests that follow.
    monkeypatch.setenv("STATUSGEN_DEBUG", "0")
    flagged = CliRunner().invoke(main, ["--debug", "build", "--root", str(site), "--now", NOW])
    assert isinstance(flagged.exception, RuntimeError)


def test_debug_mode_does_not_outlive_the_test_that_asked_for_it():
    assert "STATUSGEN_DEBUG" not in os.environ


def test_a_closed_pipe_is_quiet(demo_root):
    proc = subprocess.run(f"{sys.executable} -m statusgen validate --now {NOW} --format json | head -c 10",
                          shell=True, cwd=demo_root, capture_output=True, text=True, timeout=60)
    assert proc.stderr == ""


# Site templates are files of the repository like any other: a pull request may carry hostile ones.
SANDBOX_CASES = [
    ("a way to the os module", '{{ cycler.__init__.__globals__.os.popen("echo pwned-by-template").read() }}',
     "error [template-runtime] access to attribute '__init__' of 'type' object is unsafe"),
    ("the globals of a built-in", '{{ lipsum.__globals__.os.popen("id").read() }}',
     "error [template-runtime] access to attribute '__globals__'"),
    ("a list of a billion items", "{{ range(10**9) | list | length }}",
     "error [template-runtime] OverflowError: Range too big."),
]


@pytest.mark.parametrize("case, body, expected", SANDBOX_CASES, ids=[c[0] for c in SANDBOX_CASES])
def test_site_templates_run_in_the_sandbox(built, case, body, expected):
    site, before = built
    (site / "templates").mkdir()
    (site / "templates" / "404.html").write_text(extend("main", body, "404.html"), encoding="utf-8")
    checked = run(site, "validate")
    assert checked.exit_code == 1, checked.output
    assert "templates/404.html:3: " + expected in checked.output
    result = run(site, "build")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert snapshot(site / "output") == before
    assert not any(b"pwned-by-template" in data or b"uid=" in data for data in snapshot(site / "output").values())


def test_a_hard_link_is_refused_like_a_symbolic_link(built, secret_file):
    site, before = built
    (site / "templates").mkdir()
    os.link(secret_file, site / "templates" / "leak.html")
    (site / "templates" / "404.html").write_text(extend("main", '{% include "leak.html" %}', "404.html"),
                                                 encoding="utf-8")
    checked = run(site, "validate")
    assert checked.exit_code == 1
    assert "templates/leak.html:1: error [not-a-file] is a hard link" in checked.output
    assert run(site, "build").exit_code == 1
    assert not any(SECRET.encode() in data for data in snapshot(site / "output").values())


def test_due_on_a_site_that_does_not_validate_says_so(scratch_site):
    (scratch_site / "content" / "components.yaml").write_text("", encoding="utf-8")
    result = run(scratch_site, "due")
    assert result.exit_code == 1
    assert "content/components.yaml:1: error [empty-file]" in result.output
    assert "the site does not validate, so what is due cannot be told" in result.output
