"""Importers of camera, sharing and transparency-metrics files.

Each module's ``run(*, job, stream, report)`` is registered by kind in
``core.imports.IMPORTERS``; ``base`` holds the readers they share (encoding detection,
streaming CSV with line numbers, JSON) and ``command`` the management commands' common part.
"""
