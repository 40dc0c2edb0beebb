"""Normalizing the values of audit rows: reasons as written, their keys, and searcher hashes.

These are pure functions shared by the importers, the classifier and ``classify_reasons``, so
that a reason read from a file and the same reason typed by a reporter get the same key.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from functools import lru_cache
from urllib.parse import unquote, unquote_plus

from django.conf import settings

from searches.scrub import Scrubber

WHITESPACE = re.compile(r"\s+")
PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
# Redactions in records-request exports: "***", "**", "[REDACTED]", "(redacted)".
REDACTED = re.compile(r"^\s*(\*+|[\[(]?\s*redacted\s*[\])]?)\s*$", re.I)
SEARCHER_HASH_CHARS = 32
OFFENSE_TEXT_MAX = 500


def is_redacted(value: str | None) -> bool:
    """True for blank cells and redaction marks such as ``***``."""
    if not value:
        return True
    # Most cells are plain words: decide those without a regex.
    first = value[0]
    if first.isalnum() and first not in "rR":
        return False
    return not value.strip() or bool(REDACTED.match(value))


def reason_text(
    raw: str | None, *, url_encoded: bool = False, scrubber: Scrubber | None = None
) -> str:
    """The reason as written: trimmed, internal whitespace collapsed to one space, and with
    ``scrubber`` plates, phones, emails and dates of birth replaced by markers (before anything
    keys, classifies, stores or shows it).

    With ``url_encoded`` (the transparency portal's CSV sends reasons form-encoded, e.g.
    ``Person+Crime``) ``+`` and ``%xx`` are decoded first; other sources keep a literal ``+``
    (``ICE+ERO`` in a records request is what the officer typed). ``%xx`` escapes alone are
    decoded everywhere, since no one types ``%20``.
    """
    if not raw:
        return ""
    text = raw
    if url_encoded:
        text = unquote_plus(text)
    elif "%" in text and PERCENT_ESCAPE.search(text):
        text = unquote(text)
    if not text.isprintable() or "  " in text or text != text.strip():
        text = WHITESPACE.sub(" ", text).strip()
    if scrubber is not None:
        text = scrubber.scrub(text).text
    return text


def offense_text(raw: str | None) -> str:
    """Offense type(s) as written (several joined by ", "), whitespace collapsed, capped."""
    if not raw or is_redacted(raw):
        return ""
    return WHITESPACE.sub(" ", raw).strip()[:OFFENSE_TEXT_MAX]


def reason_key(text: str, offense_text: str = "") -> str:
    """SHA-1 hex of a (reason, offense type) pair: the key of :class:`searches.models.Reason`."""
    return hashlib.sha1(f"{text}\x1f{offense_text}".encode(), usedforsecurity=False).hexdigest()


@lru_cache(maxsize=65536)
def _keyed_hash(key: str, value: str) -> str:
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()[:SEARCHER_HASH_CHARS]


def searcher_hash(raw: str | None) -> str:
    """A keyed hash (HMAC-SHA256 with ``settings.HASH_KEY``) of a user id or officer name, so
    distinct searchers can be counted without keeping who they are; "" when blank or redacted.

    Case and spacing are folded first: "J. Smith" and "j.  smith " are one searcher.
    """
    if raw is None or is_redacted(raw):
        return ""
    return _keyed_hash(settings.HASH_KEY, WHITESPACE.sub(" ", raw).strip().casefold())
