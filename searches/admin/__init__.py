"""Admin of search audits: fetched audit sources (sources.py), classification rules (rules.py)."""

from searches.admin import rules, sources  # noqa: F401
