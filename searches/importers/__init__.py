"""Search-audit importers: layouts, readers, row parsing and loading (see ``audit.run``)."""
