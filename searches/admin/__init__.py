"""Admin of search audits: fetched audit sources (sources.py), classification rules (rules.py),
scrub patterns and the review of reasons (scrub.py)."""

from searches.admin import rules, scrub, sources  # noqa: F401
