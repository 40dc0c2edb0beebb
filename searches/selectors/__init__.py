"""Reads of search audits, by concern: ``stats`` (figures from the rollups), ``explorer``
(search rows, filtered, sorted and paged), ``coverage`` (which days and agencies are audited)
and ``rules`` (the classification rules and the state laws behind a flag)."""
