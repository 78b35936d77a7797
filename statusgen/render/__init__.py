"""Rendering: Site -> files (path, bytes). Pages, feeds, API, calendar and badges; no validation here."""
