"""CSV cells that spreadsheets will not execute: formula-looking text gets a leading quote."""

from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        # Negative numbers stay numbers; anything else that looks like a formula is neutralized.
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value
