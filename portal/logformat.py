"""Structured logs for production: one JSON object a line, from the standard library alone."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re

# The attributes every LogRecord has; anything else was passed in ``extra=`` and is kept.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
# Residents' confirm and withdraw links carry their token in the path; access logs mask it.
_TOKEN_PATH = re.compile(r"(/(?:confirm|withdraw)/)[^/\s?\"]+")


def mask_tokens(text: str) -> str:
    """Replace the token of a confirm or withdraw link in ``text`` with ``***``."""
    return _TOKEN_PATH.sub(r"\1***", text)


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", ...extra, "exc_info"}`` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        # Extras such as Django's ``request`` repr carry the path too, so mask the whole line.
        return mask_tokens(json.dumps(entry, default=str, ensure_ascii=False))


class MaskTokensFilter(logging.Filter):
    """Masks confirm and withdraw tokens in a record's message (Django's "Bad Request: /...",
    gunicorn's access log)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_tokens(record.getMessage())
        record.args = None
        return True
