"""Production logs: one JSON object a line, tokens of residents' links masked everywhere."""

import json
import logging

from portal.logformat import JsonFormatter, MaskTokensFilter, mask_tokens


def _record(msg, *args, **extra):
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, msg, args, None)
    record.__dict__.update(extra)
    return record


def test_json_lines_carry_level_logger_message_and_extras():
    line = JsonFormatter().format(_record("Import %s took %ss", 7, 12, job_id=7))
    entry = json.loads(line)
    assert "\n" not in line
    assert (entry["level"], entry["logger"], entry["message"]) == (
        "WARNING", "django.request", "Import 7 took 12s"
    )  # fmt: skip
    assert entry["job_id"] == 7
    assert entry["time"].endswith("+00:00")


def test_exceptions_stay_on_one_line():
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = _record("failed")
        record.exc_info = sys.exc_info()
    line = JsonFormatter().format(record)
    assert "\n" not in line and "ValueError: boom" in json.loads(line)["exc_info"]


def test_confirm_and_withdraw_tokens_are_masked():
    path = "/petitions/signatures/confirm/AbC123xyz.tok-en/"
    assert mask_tokens(f"GET {path} 200") == "GET /petitions/signatures/confirm/***/ 200"
    assert mask_tokens("/hearings/comments/withdraw/t0k3n/?x=1") == (
        "/hearings/comments/withdraw/***/?x=1"
    )
    line = JsonFormatter().format(_record("Bad Request: %s", path, request=f"<GET '{path}'>"))
    assert "AbC123xyz" not in line
    record = _record("Bad Request: %s", path)
    MaskTokensFilter().filter(record)
    assert record.getMessage() == "Bad Request: /petitions/signatures/confirm/***/"
