"""An update's changes in words, in one language: "Priority raised from High to Critical"."""

from __future__ import annotations

from statusgen.model.changes import TextChange, UpdateChanges

# `v` is the LanguageViews of the page's language (views import this module, not the reverse).


def describe(changes: UpdateChanges, v: "LanguageViews") -> list[str]:
    """One sentence per change, in the order the timeline tells them."""
    t = v.t
    words = []
    if changes.reminder:
        words.append(t["change.reminder"])
    if changes.automatic:
        words.append(t[f"change.automatic.{changes.automatic}"])
    if changes.priority:
        key = "change.priority_raised" if changes.priority.raised else "change.priority_lowered"
        words.append(t[key].format(before=v.text(changes.priority.before.label),
                                   after=v.text(changes.priority.after.label)))
    for change in changes.texts:
        words += _text_change(change, v)
    for change in changes.components:
        component = v.site.components.get(change.component)
        name = v.text(component.name) if component else change.component
        words.append(t["change.component"].format(component=name, before=t[f"state.{change.before}"],
                                                  after=t[f"state.{change.after}"]))
    return words


def _text_change(change: TextChange, v: "LanguageViews") -> list[str]:
    t = v.t
    if change.facet != "title":
        return [t[f"change.{change.facet}.{change.kind}"]]
    if v.text(change.after) != v.text(change.before):
        return [t["change.title"].format(title=v.text(change.after))]
    # The title the page shows is the same: another language's title was set.
    words = []
    for lang in sorted(change.after.languages() | change.before.languages()):
        old, new = change.before.values.get(lang), change.after.values.get(lang)
        if old == new:
            continue
        kind = "added" if old is None else ("removed" if new is None else "changed")
        words.append(t["change.title_in"].format(language=v.language_name(lang), kind=t[f"change.kind.{kind}"]))
    return words
