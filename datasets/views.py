"""The /data/ page (snapshots, license, data dictionary) and the snapshot files' downloads."""

from __future__ import annotations

import datetime as dt
import mimetypes

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from datasets.columns import TYPE_LABELS
from datasets.selectors import CHECKSUMS, MANIFEST, snapshot_get, snapshot_list
from datasets.services import SQLITE_NAME
from datasets.tables import TABLES

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "parquet": "application/vnd.apache.parquet",
    "sqlite": "application/vnd.sqlite3",
}


def data_index(request: HttpRequest) -> HttpResponse:
    dictionary = [
        {
            "table": table,
            "columns": [
                {"column": column, "type_label": TYPE_LABELS[column.type]}
                for column in table.columns()
            ],
        }
        for table in TABLES
    ]
    return render(
        request,
        "datasets/data.html",
        {
            "snapshots": snapshot_list(),
            "dictionary": dictionary,
            "sqlite_name": SQLITE_NAME,
            "section": "data",
        },
    )


def data_file(request: HttpRequest, day: str, name: str) -> HttpResponseBase:
    """One file of a snapshot, whole: ``Content-Length``, a strong ``ETag`` (its SHA-256),
    ``Last-Modified`` and 304 to a client that has it. Only files the manifest lists (and the
    manifest and checksum list themselves) are served."""
    try:
        snapshot = snapshot_get(dt.date.fromisoformat(day))
    except ValueError:
        snapshot = None
    if snapshot is None:
        raise Http404
    entry = snapshot.file(name)
    if entry is None and name not in (MANIFEST, CHECKSUMS):
        raise Http404
    path = snapshot.directory / name
    last_modified = int(snapshot.created_at.timestamp())
    etag = (
        f'"{entry.sha256}"' if entry else f'"{int(path.stat().st_mtime_ns)}-{path.stat().st_size}"'
    )
    not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if not_modified is not None:
        return not_modified
    # Parquet and SQLite are compressed or binary and every file has its exact size: the gzip
    # middleware would drop Content-Length (and make the download a chunked stream).
    request.META.pop("HTTP_ACCEPT_ENCODING", None)
    content_type = (
        CONTENT_TYPES.get(entry.format, "application/octet-stream")
        if entry
        else mimetypes.guess_type(name)[0] or "text/plain; charset=utf-8"
    )
    response = FileResponse(
        open(path, "rb"),  # noqa: SIM115 - FileResponse closes it
        as_attachment=entry is not None,
        # The manifest's name, so that ``sha256sum -c SHA256SUMS`` checks the downloads.
        filename=name,
        content_type=content_type,
    )
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = "public, max-age=86400"
    if entry:
        response["X-Row-Count"] = str(entry.rows)
    return response
