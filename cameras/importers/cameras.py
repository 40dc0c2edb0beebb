"""Camera locations: OpenStreetMap Overpass JSON, GeoJSON, or CSV with latitude/longitude.

Job options: ``owner`` (agency for rows that name none), ``source`` (the name re-imports
match on; default ``osm`` for OpenStreetMap ids, else ``csv-<city>``/``geojson-<city>``) and
``partial`` (the file is not the whole list, so nothing is marked removed).

Line numbers: CSV rows carry their line in the file (1 is the header). JSON has no useful lines,
so a row error's line is the 1-based position of the element or feature in its array. Overpass
elements without tags (the nodes of ways) are geometry, not records, and are not counted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import IO, Any

from django.utils.translation import gettext as _

from cameras.importers.base import (
    excerpt,
    is_null,
    load_json,
    normalize_header,
    parse_date,
    read_csv,
    sniff_text,
)
from cameras.importers.directions import DirectionError, parse_directions
from cameras.models import Camera
from cameras.services import CameraRecord, camera_import
from core.import_scope import ImportScope
from core.imports import ImportFileError, ImportReport, import_job_heartbeat, job_date
from core.models import ImportJob

LAT_KEYS = ("latitude", "lat", "y")
LON_KEYS = ("longitude", "lon", "lng", "long", "x")
ID_KEYS = ("id", "camera_id", "source_id", "osm_id", "node_id")
VENDOR_KEYS = ("manufacturer", "brand", "vendor", "make")
OWNER_KEYS = ("operator", "owner", "owner_agency", "agency")
DIRECTION_KEYS = ("camera_direction", "direction", "heading", "bearing")
ADDRESS_KEYS = ("address", "description", "location", "location_description", "addr_full")
INSTALLED_KEYS = ("installed", "installed_on", "install_date", "date_installed", "start_date")
TYPE_KEYS = ("camera_type", "type")
ALPR_TYPES = {"alpr", "anpr", "lpr"}
OSM_ID = re.compile(r"^(node|way|relation)/\d+$")
FLOCK = re.compile(r"^\s*flock(\s*safety|\s*group|safety)?\b", re.I)
SIX_PLACES = Decimal("0.000001")

STATUSES: dict[str, set[str]] = {
    Camera.Status.ACTIVE: {"active", "in service", "operational", "installed", "live", "online"},
    Camera.Status.PLANNED: {"planned", "proposed", "pending", "approved", "ordered"},
    Camera.Status.REMOVED: {
        "removed", "inactive", "decommissioned", "out of service", "disabled", "retired",
    },
}  # fmt: skip
TYPES: dict[str, set[str]] = {
    Camera.Type.ALPR: {"alpr", "lpr", "anpr", "license plate reader", "plate reader"},
    Camera.Type.VIDEO: {"video"},
    Camera.Type.MOBILE: {"mobile", "vehicle", "vehicle-mounted"},
}


class RowError(ValueError):
    pass


def normalize_vendor(text: str) -> str:
    """One spelling for Flock Safety; every other vendor as written."""
    text = " ".join((text or "").split())
    return "Flock Safety" if FLOCK.match(text) else text[:100]


def _first(fields: Mapping[str, str], keys: tuple[str, ...]) -> str:
    for key in keys:
        value = fields.get(key)
        if not is_null(value):
            return str(value).strip()
    return ""


def _coordinate(value: Any, *, low: int, high: int, what: str) -> Decimal:
    if value is None or (isinstance(value, str) and is_null(value)):
        raise RowError(_("%s is missing") % what)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise RowError(
            _("%(what)s “%(value)s” is not a number") % {"what": what, "value": str(value)[:40]}
        ) from None
    if not number.is_finite() or not low <= number <= high:
        raise RowError(_("%(what)s %(value)s is out of range") % {"what": what, "value": value})
    return number.quantize(SIX_PLACES, rounding=ROUND_HALF_UP)


def _lookup(table: dict[str, set[str]], value: str) -> str:
    wanted = value.strip().lower()
    return next((key for key, words in table.items() if wanted in words), "")


def _record(
    *, line: int, fields: Mapping[str, Any], latitude: Any, longitude: Any, source_id: str
) -> CameraRecord:
    """A CameraRecord from one row of normalized keys; RowError says what is wrong."""
    surveillance = _first(fields, ("surveillance_type",))
    if surveillance and surveillance.lower() not in ALPR_TYPES:
        raise RowError(_("not a license plate reader (surveillance:type=%s)") % surveillance[:40])
    lat = _coordinate(latitude, low=-90, high=90, what=_("latitude"))
    lon = _coordinate(longitude, low=-180, high=180, what=_("longitude"))
    if lat == 0 and lon == 0:
        raise RowError(_("the location 0, 0 is a placeholder, not a camera"))
    direction_text = _first(fields, DIRECTION_KEYS)
    try:
        directions = parse_directions(direction_text)
    except DirectionError as exc:
        raise RowError(_("bad direction: %s") % exc) from None
    status_text = _first(fields, ("status",))
    status = _lookup(STATUSES, status_text) if status_text else ""
    if status_text and not status:
        raise RowError(_("unknown status “%s”") % status_text[:40])
    installed_text = _first(fields, INSTALLED_KEYS)
    try:
        installed_on = parse_date(installed_text) if installed_text else None
    except ValueError as exc:
        raise RowError(_("bad installation date: %s") % exc) from None
    address = _first(fields, ADDRESS_KEYS)
    if not address:
        address = " ".join(
            p
            for p in (_first(fields, ("addr_housenumber",)), _first(fields, ("addr_street",)))
            if p
        )
    owner = _first(fields, OWNER_KEYS)
    if len(owner) > 255:
        raise RowError(_("the owner name is longer than 255 characters"))
    return CameraRecord(
        line=line,
        source_id=(source_id or f"@{lat},{lon}")[:100],
        latitude=lat,
        longitude=lon,
        directions=directions,
        direction_text=direction_text[:100],
        vendor=normalize_vendor(_first(fields, VENDOR_KEYS)),
        owner=owner,
        status=status,
        address=" ".join(address.split())[:255],
        installed_on=installed_on,
        camera_type=_lookup(TYPES, _first(fields, TYPE_KEYS)),
        excerpt=excerpt(v for v in fields.values() if not isinstance(v, dict | list)),
    )


Parsed = Iterator[tuple[int, CameraRecord | None, str, str, str]]  # line, record, error, id, text


def _parse(line: int, fields: dict[str, Any], lat: Any, lon: Any, source_id: str) -> tuple:
    try:
        record = _record(line=line, fields=fields, latitude=lat, longitude=lon, source_id=source_id)
    except RowError as exc:
        return line, None, str(exc), source_id, excerpt(str(v) for v in fields.values())
    return line, record, "", source_id, ""


def _flatten(properties: Mapping[str, Any]) -> dict[str, Any]:
    """GeoJSON properties or OSM tags with normalized keys; osmtogeojson nests tags."""
    flat: dict[str, Any] = {}
    for key, value in properties.items():
        if isinstance(value, dict):
            flat.update(_flatten(value))
        elif value is not None:
            flat[normalize_header(key)] = value if isinstance(value, int | float) else str(value)
    return flat


def _overpass(data: dict) -> Parsed:
    elements = data.get("elements")
    if not isinstance(elements, list):
        raise ImportFileError(_("The Overpass result has no list of elements."))
    for index, element in enumerate(elements, start=1):
        if not isinstance(element, dict) or not element.get("tags"):
            continue  # untagged nodes are the geometry of ways, not cameras
        kind, osm_id = element.get("type", "node"), element.get("id", "")
        point = element if "lat" in element else element.get("center") or {}
        yield _parse(
            index, _flatten(element["tags"]), point.get("lat"), point.get("lon"), f"{kind}/{osm_id}"
        )


def _geojson(data: dict) -> Parsed:
    features = data.get("features")
    if not isinstance(features, list):
        raise ImportFileError(_("The GeoJSON FeatureCollection has no list of features."))
    for index, feature in enumerate(features, start=1):
        if not isinstance(feature, dict):
            yield index, None, _("not a GeoJSON feature"), "", ""
            continue
        fields = _flatten(feature.get("properties") or {})
        source_id = str(feature.get("id") or _first(fields, ID_KEYS) or "").strip()
        geometry = feature.get("geometry") or {}
        coordinates = geometry.get("coordinates")
        if (
            geometry.get("type") != "Point"
            or not isinstance(coordinates, list)
            or len(coordinates) < 2
        ):
            kind = geometry.get("type") or _("no geometry")
            yield index, None, _("only Point features are cameras (found %s)") % kind, source_id, ""
            continue
        yield _parse(index, fields, coordinates[1], coordinates[0], source_id)


def _csv(stream: IO[bytes]) -> Parsed:
    table = read_csv(stream)
    columns = table.require(
        {"latitude": LAT_KEYS, "longitude": LON_KEYS}, what=_("a camera list (CSV)")
    )
    for row in table.rows:
        source_id = _first(row.data, ID_KEYS)
        if row.error:
            yield row.line, None, row.error, source_id, row.excerpt()
            continue
        yield _parse(
            row.line,
            row.data,
            row.data[columns["latitude"]],
            row.data[columns["longitude"]],
            source_id,
        )


def _default_source(fmt: str, ids: list[str], job: ImportJob) -> str:
    if fmt == "osm" or (ids and all(OSM_ID.match(i) for i in ids)):
        return "osm"
    return f"{fmt}-{job.city.slug}"[:32] if job.city else fmt


def run(*, job: ImportJob, stream: IO[bytes], report: ImportReport, scope: ImportScope) -> None:
    """Import one camera file into ``job``'s report (see the module docstring for options);
    rows changing cameras outside ``scope`` are rejected."""
    options = job.options or {}
    head = sniff_text(stream).lstrip()
    if head.startswith(("{", "[")):
        data = load_json(stream)
        if isinstance(data, dict) and "elements" in data:
            fmt, parsed = "osm", _overpass(data)
        elif isinstance(data, dict) and data.get("type") == "FeatureCollection":
            fmt, parsed = "geojson", _geojson(data)
        else:
            raise ImportFileError(
                _("This JSON is neither an Overpass result nor a GeoJSON FeatureCollection.")
            )
    else:
        fmt, parsed = "csv", _csv(stream)

    records: list[CameraRecord] = []
    keep_ids: list[str] = []
    for line, record, error, source_id, text in parsed:
        if record is None:
            report.read += 1
            report.reject(line=line, message=error, excerpt=text)
            if source_id:
                keep_ids.append(source_id)
        else:
            records.append(record)
    import_job_heartbeat(job=job)
    source = (options.get("source") or "").strip()[:32] or _default_source(
        fmt, [r.source_id for r in records], job
    )
    result = camera_import(
        records=records,
        source=source,
        seen_on=job_date(job),
        city=job.city,
        default_owner=(options.get("owner") or "").strip(),
        full=not options.get("partial"),
        keep_ids=keep_ids,
        actor=job.created_by,
        scope=scope,
    )
    report.add(result)
