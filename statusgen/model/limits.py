"""What a text may hold: characters that feeds and terminals cannot carry, and Markdown that renders in bounded time.

Validation reports what these functions find; rendering uses the same functions to stay safe when a text
reaches it unchecked (a build with --ignore, a test, a future caller).

python-markdown recurses once per level of nested lists and quotes, and several of its inline patterns
scan forward from an opening mark to the end of the paragraph ('[' to its ']', '](' to its ')', a run of
backticks to an equal run) or of the whole text (an HTML-looking '<' to its '>'), so unclosed marks cost
time in the square of their number. `markdown_problem` estimates that cost in one linear pass, in
microseconds of python-markdown's time on the reference machine, and refuses texts above a budget.
"""

from __future__ import annotations

import bisect
import re

# Surrogates cannot be encoded; noncharacters and C0/C1 controls (but tab and newline) are not allowed in
# XML 1.0 feeds, and controls drive terminals (colours, cursor moves, window titles). One class with a
# range runs ten times faster than one listing the last two code points of every plane: beyond U+1FFFE
# it also matches characters that are fine, which is_forbidden then tells apart.
_SUSPECT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 but tab and newline, DEL, C1
                      "\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff\U0001fffe-\U0010ffff]")

# Years of the timestamps statusgen accepts: any of them plus any duration it accepts (ten years at most)
# stays a valid datetime in every time zone, and 1970 minus the 90 days of the status page too.
FIRST_YEAR, LAST_YEAR = 1971, 9000

MAX_NESTING = 16  # levels of lists and block quotes
MARKDOWN_BUDGET = 500_000  # estimated microseconds to render one text

# Costs in microseconds, measured on python-markdown 3.x (see tests/test_hostile_input.py for the cases).
_LINE_COST = 80  # each non-blank line: a block, list item or heading
_CELL_COST = 60  # each '|': a table cell
_SCAN_COST = 1.5  # each character python-markdown's Python loops read after '[', '](' or backticks
_MARK_DENSITY = 700  # marks x paragraph length / this: each inline match copies the paragraph
_HTML_SCAN = 6  # html.parser's regex reads on from a '<' at about 150 ns a character
_FENCE_SCAN = 400  # the fenced-code regex searches again from the start after each block

# Below this length every scan together stays far under the budget: only nesting needs a look.
_ALWAYS_CHEAP = 400
_CONTAINER_MARKS = (">", "*", "+", "-", ".", ")", "\t", "    ")
_CONTAINER = re.compile(r"(?:>|[*+-](?=[ \t])|[0-9]{1,9}[.)](?=[ \t]))[ \t]*")
_FENCE = re.compile(r"^(`{3,}|~{3,})")
_INLINE_MARKS = "\\`*_[]<>&!"
_SCANNED = re.compile(r"\\.|`+|[\[\]()]", re.DOTALL)
_TAG_START = re.compile(r"<[A-Za-z/!?]")


def is_forbidden(char: str) -> bool:
    code = ord(char)
    return code < 0x1FFFE or code & 0xFFFE == 0xFFFE


def first_forbidden(text: str) -> str | None:
    """The first character of text that a feed or a terminal cannot take, or None."""
    if not _SUSPECT.search(text):
        return None  # nearly always: one search in C
    for match in _SUSPECT.finditer(text):
        if is_forbidden(match.group()):
            return match.group()
    return None


def strip_forbidden(text: str) -> str:
    if not _SUSPECT.search(text):
        return text
    return _SUSPECT.sub(lambda m: "" if is_forbidden(m.group()) else m.group(), text)


def describe_character(char: str) -> str:
    """'the control character U+001B', 'the noncharacter U+FFFE'..."""
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        kind = "lone surrogate"
    elif code < 0x20 or 0x7F <= code <= 0x9F:
        kind = "control character"
    else:
        kind = "noncharacter"
    return f"the {kind} U+{code:04X}"


def forbidden_characters(text: str) -> list[tuple[int, str]]:
    """(line offset, description) of the first forbidden character of each line that holds one."""
    found: list[tuple[int, str]] = []
    last_line = -1
    for match in _SUSPECT.finditer(text):
        if not is_forbidden(match.group()):
            continue
        line = text.count("\n", 0, match.start())
        if line != last_line:
            found.append((line, describe_character(match.group())))
            last_line = line
    return found


def nesting_depth(line: str) -> int:
    """How many lists and block quotes a line opens or continues (4 columns of indent count as one)."""
    stripped = line.lstrip(" \t")
    indent = len(line[: len(line) - len(stripped)].expandtabs(4))
    depth, pos = indent // 4, len(line) - len(stripped)
    while depth <= MAX_NESTING:
        match = _CONTAINER.match(line, pos)
        if not match:
            break
        depth, pos = depth + 1, match.end()
    return depth


def markdown_problem(text: str) -> tuple[int, str] | None:
    """(line offset, message) when a Markdown text nests too deeply or would take too long to render."""
    if len(text) <= _ALWAYS_CHEAP:
        if sum(map(text.count, _CONTAINER_MARKS)) <= MAX_NESTING:
            return None  # not even enough marks and indents to nest too deep: most messages
        lines = text.split("\n")
        deep = next((i for i, line in enumerate(lines) if nesting_depth(line) > MAX_NESTING), None)
        return None if deep is None else (deep, _TOO_DEEP)
    lines = text.split("\n")
    fenced, fence_scan = _fences(lines)
    deep, block_cost = _blocks(lines, fenced)
    if deep is not None:
        return deep, _TOO_DEEP
    costs = {"lines": block_cost, "fences": fence_scan // _FENCE_SCAN}
    worst = (0, 0)  # (cost, first line) of the costliest paragraph
    if block_cost <= MARKDOWN_BUDGET:
        for start, paragraph in _paragraphs(lines, fenced):
            worst = max(worst, (_paragraph_cost(paragraph, costs), start))
            if sum(costs.values()) > MARKDOWN_BUDGET:
                break  # the verdict is known
        costs["tags"] = _tag_scan(lines, fenced) // _HTML_SCAN
    if sum(costs.values()) <= MARKDOWN_BUDGET:
        return None
    cause = max(costs, key=costs.__getitem__)
    line = worst[1] if cause in _PARAGRAPH_CAUSES else 0
    return line, f"this text would take too long to render: {_CAUSES[cause]}"


_TOO_DEEP = (f"lists and block quotes nest more than {MAX_NESTING} levels deep here; "
             f"statusgen renders at most {MAX_NESTING}")
_CAUSES = {
    "lines": f"too many lines, list items or table cells (or too deeply nested); keep each text under "
             f"about {MARKDOWN_BUDGET // _LINE_COST} lines",
    "brackets": "'[' left open or closed far away",
    "links": "'(' after '](' left open or closed far away",
    "backticks": "runs of backticks left open",
    "marks": "a paragraph dense with Markdown marks (\\ ` * _ [ ] < > & !)",
    "tags": "'<' not closed by '>'",
    "fences": "code fences (```) left open or too many of them",
}
_PARAGRAPH_CAUSES = ("brackets", "links", "backticks", "marks")


def _blocks(lines: list[str], fenced: set[int]) -> tuple[int | None, int]:
    """The first line nested too deeply (None when none is), and what building the blocks costs:
    each line, more when nested (python-markdown parses a nested block once per level), and each cell."""
    cost = 0
    for index, line in enumerate(lines):
        if index in fenced:
            cost += _LINE_COST
        elif line.strip():
            depth = nesting_depth(line)
            if depth > MAX_NESTING:
                return index, cost
            cost += _LINE_COST * (1 + depth) + _CELL_COST * line.count("|")
            if cost > MARKDOWN_BUDGET:
                break  # the verdict is known; deeper lines further on change nothing to it
    return None, cost


def _paragraphs(lines: list[str], fenced: set[int]):
    """(first line offset, text) of each run of non-blank lines outside code fences: the unit python-markdown's
    inline patterns scan (a little larger, which only overestimates)."""
    start, run = 0, []
    for index, line in enumerate(lines):
        if line.strip() and index not in fenced:
            if not run:
                start = index
            run.append(line)
        elif run:
            yield start, "\n".join(run)
            run = []
    if run:
        yield start, "\n".join(run)


def _paragraph_cost(paragraph: str, costs: dict[str, int]) -> int:
    """What python-markdown's inline patterns cost on one paragraph, added to costs by cause."""
    marks = sum(paragraph.count(mark) for mark in _INLINE_MARKS) * len(paragraph) // _MARK_DENSITY
    found = {"marks": marks}
    if marks <= MARKDOWN_BUDGET:  # otherwise the verdict is known: spare the finer count
        found.update((cause, int(scanned * _SCAN_COST)) for cause, scanned in _scans(paragraph).items())
    for cause, cost in found.items():
        costs[cause] = costs.get(cause, 0) + cost
    return sum(found.values())


def _scans(paragraph: str) -> dict[str, int]:
    """Characters read forward from each '[' to its ']', from each '](' to its ')' and from each run of
    backticks to its equal, or to the paragraph's end when there is none."""
    end = len(paragraph)
    brackets: list[int] = []  # positions of open '['
    parens: list[tuple[int, bool]] = []  # open '(' and whether it starts a link target
    ticks: dict[int, int] = {}  # run length -> position of the run waiting for its equal
    scanned = {"brackets": 0, "links": 0, "backticks": 0}
    previous, previous_end = "", -1
    for match in _SCANNED.finditer(paragraph):
        token, pos = match.group(), match.start()
        if token[0] == "`":
            opened = ticks.pop(len(token), None)
            if opened is None:
                ticks[len(token)] = pos
            else:
                scanned["backticks"] += pos - opened
        elif token == "[":
            brackets.append(pos)
        elif token == "]" and brackets:
            scanned["brackets"] += pos - brackets.pop()
        elif token == "(":
            parens.append((pos, previous == "]" and pos == previous_end))
        elif token == ")" and parens:
            opened, is_link = parens.pop()
            if is_link:
                scanned["links"] += pos - opened
        previous, previous_end = token, match.end()
    scanned["brackets"] += sum(end - pos for pos in brackets)
    scanned["links"] += sum(end - pos for pos, is_link in parens if is_link)
    scanned["backticks"] += sum(end - pos for pos in ticks.values())
    return scanned


def _tag_scan(lines: list[str], fenced: set[int]) -> int:
    """Characters html.parser reads from each '<' that may open a tag to the next '>', outside code fences."""
    outside = "\n".join(line for index, line in enumerate(lines) if index not in fenced)
    total = 0
    for match in _TAG_START.finditer(outside):
        close = outside.find(">", match.start())
        total += (close if close >= 0 else len(outside)) - match.start()
        if total > MARKDOWN_BUDGET * _HTML_SCAN:
            break  # already over budget: stop before the scan itself turns quadratic
    return total


def _fences(lines: list[str]) -> tuple[set[int], int]:
    """The lines inside fenced code blocks (python-markdown leaves them alone), and the characters the
    fenced-code preprocessor scans: each unclosed fence to the end, each block from the text's start.

    A fence opens a block only if an identical fence line closes it later.
    """
    if not any(line.startswith(("```", "~~~")) for line in lines):
        return set(), 0
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    closers: dict[str, list[int]] = {}
    for index, line in enumerate(lines):
        match = _FENCE.match(line)
        if match and line.rstrip(" ") == match.group():
            closers.setdefault(match.group(), []).append(index)
    inside: set[int] = set()
    scanned, index = 0, 0
    while index < len(lines):
        match = _FENCE.match(lines[index])
        if not match:
            index += 1
            continue
        candidates = closers.get(match.group(), [])
        after = bisect.bisect_right(candidates, index)
        if after == len(candidates):
            scanned += offsets[-1] - offsets[index]
            index += 1
            continue
        close = candidates[after]
        inside.update(range(index, close + 1))
        scanned += offsets[close]
        index = close + 1
    return inside, scanned
