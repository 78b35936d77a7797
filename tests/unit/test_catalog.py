"""statusgen/catalog.py: diagnostics of catalogued rules, whose repeated words are kept once."""

from __future__ import annotations

from statusgen import catalog


def test_diagnostics_with_the_same_words_share_them():
    words = "".join(["one text for every language; ", "readers of en see it as written"])
    again = "".join(["one text for every language; ", "readers of en see it as written"])
    assert words == again and words is not again
    first = catalog.diag("missing-translation", "incidents/a.md", 3, "title", words, "write it per language")
    second = catalog.diag("missing-translation", "incidents/b.md", 8, "title", again, "write it per language")
    assert first.message is second.message
    assert (second.path, second.line, second.level) == ("incidents/b.md", 8, "warning")


def test_the_shared_words_are_bounded(monkeypatch):
    monkeypatch.setattr(catalog, "_TEXTS", {})
    monkeypatch.setattr(catalog, "_TEXTS_KEPT", 10)
    made = [catalog.diag("missing-translation", f"incidents/{n}.md", n, f"updates[{n}].message",
                         f"message {n}") for n in range(40)]
    assert len(catalog._TEXTS) <= 10
    assert [d.message for d in made] == [f"message {n}" for n in range(40)]
