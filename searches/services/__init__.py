"""Writes of search audits: reclassification (``reclassification``), the rollup tables
(``rollups``), scheduled audit fetches (``fetch``) and scrubbing stored reasons (``scrubbing``).
Imports are the import framework's (``searches.importers``); the classifier itself is pure
(``searches.classifier``)."""
