"""Texts written in one or several languages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

LANGUAGE_MARK = "<!-- lang:"  # a line '<!-- lang: en -->' starts the English part of a report


@dataclass(frozen=True)
class LocalText:
    """A text per language; a plain string is stored under the key '*' (every language)."""

    values: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def plain(cls, text: str) -> "LocalText":
        return cls({"*": text})

    def get(self, lang: str, default_lang: str) -> str:
        """The text in lang, else the default language, else any language present."""
        values = self.values
        for key in (lang, "*", default_lang):
            if key in values:
                return values[key]
        return next(iter(values.values()), "")

    def get_with_lang(self, lang: str, default_lang: str) -> tuple[str, str]:
        """Like get, with the language the text is written in; a plain '*' text counts as the default language."""
        values = self.values
        if lang in values:
            return values[lang], lang
        if "*" in values:
            return values["*"], default_lang
        if default_lang in values:
            return values[default_lang], default_lang
        for key, text in values.items():
            return text, key
        return "", lang

    def languages(self) -> set[str]:
        return {k for k in self.values if k != "*"}

    def __bool__(self) -> bool:
        # Asked of every text of every item of every feed and page: worked out once (the text is frozen).
        filled = self.__dict__.get("_filled")
        if filled is None:
            filled = self.__dict__["_filled"] = any(v.strip() for v in self.values.values())
        return filled


def language_mark(line: str) -> str | None:
    """The language a '<!-- lang: en -->' line starts, or None when the line is not such a mark."""
    stripped = line.strip()
    if stripped.startswith(LANGUAGE_MARK) and stripped.endswith("-->"):
        return stripped[len(LANGUAGE_MARK):-3].strip()
    return None


def language_parts(body: str) -> list[tuple[str, int, str]]:
    """A report cut at its language marks: (language, or '' before the first mark; line offset of the
    part's first line; the part's text without its mark)."""
    parts: list[tuple[str, int, str]] = []
    lang, start, lines = "", 0, []
    for offset, line in enumerate(body.split("\n")):
        mark = language_mark(line) if LANGUAGE_MARK in line else None
        if mark is None:
            lines.append(line)
            continue
        parts.append((lang, start, "\n".join(lines)))
        lang, start, lines = mark, offset + 1, []
    parts.append((lang, start, "\n".join(lines)))
    return parts
