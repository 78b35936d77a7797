"""statusgen/editing.py: an appended update changes no other byte of the file, and every text written
reads back exactly (through YAML, and through the entry loader)."""

from __future__ import annotations

from dataclasses import fields

import pytest
import yaml

from sitekit import read_entry, t
from statusgen.editing import TextFile, append_update, double_quoted, flow_item, scalar, text_field
from statusgen.errors import StatusgenError

AT = "2026-11-20T11:00:00+01:00"
NEW = f"  - at: {AT}\n    status: monitoring\n    message: Fix deployed.\n"

# (text up to the end of the last update, text after it): the new update goes exactly in between.
FILES = {
    "comments and quoting": (
        "---\n"
        "# Orbeline: paiements\n"
        "title: {fr: 'Paiements « refusés »', en: \"Payments declined\"}   # both languages\n"
        "priority: high\n"
        "components: [api]\n"
        "updates:\n"
        "  - at: 2026-11-20T09:12:00+01:00\n"
        "    status: investigating\n"
        "    message: 'Nous enquêtons.'  # first\n"
        "  - at: 2026-11-20T10:00:00+01:00\n"
        "    status: identified\n"
        "    message: \"Cause trouvée : un fournisseur.\"   # second\n",
        "# after the list, before the next key\n"
        "impact: \"Some payments fail.\"\n"
        "---\n"
        "## Report\n\n---\nA thematic break in the body, not a fence.\n",
    ),
    "literal block then blank line": (
        "---\n"
        "title: T\n"
        "updates:\n"
        "  - at: 2026-11-20T09:12:00+01:00\n"
        "    status: investigating\n"
        "    message: |\n"
        "      Ligne un.\n"
        "      Ligne deux.\n"
        "\n",  # a block scalar ends after its trailing blank lines
        "components: {api: partial_outage}\n"
        "---\n",
    ),
    "updates not last, keys after it": (
        "---\n"
        "updates:\n"
        "  - {at: 2026-11-20T09:12:00+01:00, status: investigating, message: Flow item.}\n",
        "title: T\n"
        "components:\n"
        "  - api\n"
        "---\n",
    ),
    "no final newline": (
        "---\n"
        "title: T\n"
        "components: [api]\n"
        "updates:\n"
        "  - at: 2026-11-20T09:12:00+01:00\n"
        "    status: investigating\n"
        "    message: x\n",
        "---",
    ),
}


@pytest.mark.parametrize("head, tail", FILES.values(), ids=FILES.keys())
def test_append_update_inserts_and_keeps_every_other_byte(head, tail):
    assert append_update(head + tail, AT, "monitoring", "Fix deployed.") == head + NEW + tail


@pytest.mark.parametrize("dash", [0, 2, 6])
def test_the_new_item_follows_the_list_indentation(dash):
    pad, key = " " * dash, " " * (dash + 2)
    head = f"---\ntitle: T\nupdates:\n{pad}- at: 2026-11-20T09:12:00+01:00\n{key}status: investigating\n{key}message: x\n"
    new = f"{pad}- at: {AT}\n{key}status: monitoring\n{key}message:\n{key}  fr: Oui\n{key}  en: 'no'\n"
    assert append_update(head + "---\n", AT, "monitoring", {"fr": "Oui", "en": "no"}) == head + new + "---\n"


@pytest.mark.parametrize("raw, bom, crlf", [
    (b"---\r\ntitle: T\r\nupdates:\r\n  - at: 2026-11-20T09:12:00+01:00\r\n    status: investigating\r\n"
     b"    message: x\r\n---\r\nBody\r\n", False, True),
    (b"\xef\xbb\xbf---\ntitle: T\nupdates:\n  - at: 2026-11-20T09:12:00+01:00\n    status: investigating\n"
     b"    message: x\n---\nBody\n", True, False),
    (b"\xef\xbb\xbf---\r\ntitle: T\r\nupdates:\r\n  - at: 2026-11-20T09:12:00+01:00\r\n    status: investigating\r\n"
     b"    message: x\r\n---\r\nBody\r\n", True, True),
])
def test_line_ends_and_byte_order_mark_are_kept(raw, bom, crlf):
    file = TextFile.decode(raw)
    assert (file.bom, file.crlf) == (bom, crlf)
    edited = file.encode(append_update(file.text, AT, "monitoring", "Fix deployed."))
    end = b"\r\n" if crlf else b"\n"
    cut = raw.index(b"    message: x") + len(b"    message: x") + len(end)
    assert edited == raw[:cut] + NEW.encode().replace(b"\n", end) + raw[cut:]


def test_mixed_line_ends_are_left_as_they_are():
    text = "---\r\ntitle: T\nupdates:\r\n  - at: 2026-11-20T09:12:00+01:00\n    status: investigating\r\n    message: x\r\n"
    file = TextFile.decode(text.encode())
    assert (file.bom, file.crlf, file.text) == (False, False, text)
    assert append_update(text + "---\n", AT, "monitoring", "Fix deployed.") == text + NEW + "---\n"


@pytest.mark.parametrize("text, message", [
    ("title: T\n", "the file has no front matter between '---' lines; run statusgen validate"),
    ("---\ntitle: T\n", "the file has no front matter between '---' lines; run statusgen validate"),
    ("---\ntitle: T\n---\n", "the file has no updates list to append to"),
    ("---\nupdates: []\n---\n", "the file has no updates list to append to"),
    ("---\nupdates: [{at: 2026-11-20T09:12:00+01:00, status: investigating, message: x}]\n---\n",
     "updates is written in flow style [...]; write it as a block list to use this command"),
    ("---\nupdates:\n    -   at: 2026-11-20T09:12:00+01:00\n        status: investigating\n---\n",
     "cannot tell how the updates list is indented; add the update by hand"),
])
def test_append_update_refuses_what_it_cannot_edit_exactly(text, message):
    with pytest.raises(StatusgenError) as caught:
        append_update(text, AT, "monitoring", "x")
    assert str(caught.value) == message


# --- what is written reads back exactly -----------------------------------------------------------

NASTY = [
    "", "plain", "yes", "No", "null", "~", "123", "0x1F", "1.5", "2026-11-20", ": colon", "# hash", "a #b",
    "- dash", "'single'", '"double"', "a: b", "multi\nline", "trailing newline\n", "  leading spaces\nx",
    "---\nx", "x\n---\n", "...", "x\n...\n", "a\u2028b", "x\x85y", "tab\there", "é ü 中文 🚀", "[flow]",
    "{map}", "!tag", "&anchor", "*alias", "%directive", "@at", "`tick", "|", ">", "line\n\n\nblank",
    "\n\nleading newlines", "x\n\n", "ends with spaces   ", "back\\slash", "nul\x00", "bell\x07",
    "crlf\r\nin", "lone\rcr", "\ufeffbom", " ", "\n", "key:", "<<", "?", "x\n  indented\ny",
]


@pytest.mark.parametrize("indent", [0, 4])
@pytest.mark.parametrize("value", NASTY)
def test_text_field_reads_back_exactly(value, indent):
    written = text_field("message", value, indent) + "\n" + " " * indent + "next: 1\n"
    assert yaml.load(written, Loader=yaml.CSafeLoader) == {"message": value, "next": 1}


@pytest.mark.parametrize("pairs", [
    {"fr": "Oui", "en": "no"},
    {"no": "Nei", "on": "x", "pt-BR": "Sim: ok", "y": "multi\nline"},
    [("fr", "# pas un commentaire"), ("en", "a\u2028b")],
])
def test_language_texts_read_back_exactly(pairs):
    written = text_field("title", pairs, 2)
    assert yaml.load(written, Loader=yaml.CSafeLoader) == {"title": dict(pairs)}


@pytest.mark.parametrize("value, indent, written", [
    ("plain", 6, "plain"),
    ("yes", 6, "'yes'"),
    ("", 6, "''"),
    ("multi\nline", 6, "|-\n      multi\n      line"),
    ("x\n", 6, "|\n      x"),
    ("  leading\nx", 6, "|2-\n        leading\n      x"),  # the block states its indentation
    ("a\u2028b", 6, '"a\\u2028b"'),  # a YAML line break, escaped
    ("bell\x07\ttab", 6, '"bell\\x07\\ttab"'),
])
def test_scalar_form(value, indent, written):
    assert scalar(value, indent) == written


@pytest.mark.parametrize("value, written", [
    ("investigating", "investigating"), ("pt-BR", "pt-BR"), ("no", '"no"'), ("on", '"on"'), ("null", '"null"'),
    ("1", '"1"'), ("a b", '"a b"'), ("x:y", '"x:y"'), ("x]", '"x]"'),
])
def test_flow_item(value, written):
    assert flow_item(value) == written
    assert yaml.load(f"[{written}]", Loader=yaml.CSafeLoader) == [value]


def test_double_quoted_escapes():
    assert double_quoted('a"b\\c\nd\u2028\x00') == '"a\\"b\\\\c\\nd\\u2028\\0"'


# --- through the loader: the entry is the same, plus one update ------------------------------------

BEFORE = FILES["comments and quoting"][0] + FILES["comments and quoting"][1]


@pytest.mark.parametrize("message", ["Fix deployed.", "yes", "# not a comment", "Line one\n\n- item\n",
                                     "a\u2028b", {"fr": "Correctif déployé.", "en": "Fix: deployed"}])
def test_the_edited_file_loads_as_the_same_entry_plus_one_update(message):
    before, problems = read_entry(BEFORE)
    assert problems == []
    edited = append_update(BEFORE, AT, "monitoring", message)
    after, problems = read_entry(edited)
    assert problems == []
    ignored = {"updates", "source_hash", "lines"}
    assert {f.name: getattr(after, f.name) for f in fields(after) if f.name not in ignored} == \
           {f.name: getattr(before, f.name) for f in fields(before) if f.name not in ignored}
    assert after.updates[:-1] == before.updates
    added_lines = edited.count("\n") - BEFORE.count("\n")
    assert after.lines == {**before.lines, "impact": before.lines["impact"] + added_lines}  # the one key below
    added = after.updates[-1]
    expected = {"*": message} if isinstance(message, str) else message
    assert (added.at, added.status, dict(added.message.values), added.index) == (
        t("2026-11-20 11:00"), "monitoring", expected, 2)
