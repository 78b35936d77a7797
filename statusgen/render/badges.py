"""Status badges: badges/status.svg for the whole site and badges/<component>.svg, in the default language."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from statusgen.render.state import RenderState
from statusgen.render.urls import badge_file

HEIGHT = 20
PADDING = 6
LABEL_COLOUR = "#555555"
# The theme's state colours (templates/assets/style.css, light mode): white text on each passes WCAG AA.
# The state is also written out in words, so colour is never the only signal.
STATE_COLOURS = {
    "operational": "#1a7f37",
    "under_maintenance": "#1f5fa8",
    "degraded_performance": "#8a5a00",
    "partial_outage": "#b54708",
    "major_outage": "#b42318",
}
# Approximate advance widths of Verdana at 11 px; textLength then fits the text to the box exactly.
_NARROW = set("fijlrtI.,:;'!|()[] ")
_WIDE = set("mwMW@%")
_CAPITAL = 7.6


def text_width(text: str) -> int:
    """An estimate of the width of text at 11 px, in whole pixels (the same text always gets the same width)."""
    width = 0.0
    for char in text:
        if char in _NARROW:
            width += 3.9
        elif char in _WIDE:
            width += 10.5
        elif char.isupper() or char.isdigit():
            width += _CAPITAL
        else:
            width += 6.6
    return round(width)


def badge_svg(label: str, value: str, state: str, colon: str = ": ") -> bytes:
    """A two-part badge: label on grey, state in words on the state's colour; role, title and aria-label."""
    label_text, value_text = text_width(label), text_width(value)
    left, right = label_text + 2 * PADDING, value_text + 2 * PADDING
    width = left + right
    name = f"{label}{colon}{value}"
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{HEIGHT}" '
        f'viewBox="0 0 {width} {HEIGHT}" role="img" aria-label={quoteattr(name)}>\n'
        f"<title>{escape(name)}</title>\n"
        f'<g shape-rendering="crispEdges">'
        f'<rect width="{left}" height="{HEIGHT}" fill="{LABEL_COLOUR}"/>'
        f'<rect x="{left}" width="{right}" height="{HEIGHT}" fill="{STATE_COLOURS[state]}"/></g>\n'
        f'<g fill="#ffffff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" '
        f'font-size="11" aria-hidden="true">\n'
        f'<text x="{left / 2:g}" y="14" textLength="{label_text}" lengthAdjust="spacingAndGlyphs">'
        f"{escape(label)}</text>\n"
        f'<text x="{left + right / 2:g}" y="14" textLength="{value_text}" lengthAdjust="spacingAndGlyphs">'
        f"{escape(value)}</text>\n"
        f"</g>\n</svg>\n"
    )
    return svg.encode("utf-8")


def badge_files(state: RenderState) -> list[tuple[str, bytes]]:
    """The badges of every language: the default language's under badges/, another's under <lang>/badges/."""
    settings = state.site.settings
    facts = state.facts
    overall = facts.overall_state
    files = []
    for lang in settings.languages:
        v = state.views[lang]
        site_name = v.text(settings.company) or v.text(settings.title)
        colon = v.t["colon"]
        files.append((v.urls.file(badge_file("status")),
                      badge_svg(site_name, v.t[f"state.{overall}"], overall, colon)))
        for cid, component in state.site.components.items():
            current = facts.component_state[cid]
            files.append((v.urls.file(badge_file(cid)),
                          badge_svg(v.text(component.name), v.t[f"state.{current}"], current, colon)))
    return files
