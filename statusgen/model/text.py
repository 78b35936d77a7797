"""Texts written in one or several languages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping


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
        return any(v.strip() for v in self.values.values())
