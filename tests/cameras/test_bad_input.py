"""Camera files that are damaged or hostile: a NUL in a CSV row, JSON nested too deep or
holding escaped control characters. Row errors name the file's line; file errors write nothing."""

from __future__ import annotations

import pytest

from cameras.models import Camera
from core.models import ImportJob, ImportRowError
from tests.cameras.test_importers import run_import
from tests.factories import CityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    return CityFactory()


def test_a_nul_in_a_camera_row_rejects_that_row_with_its_line(city):
    rows = "".join(f"41.{n:04d},-88.1,Flock Safety,c{n}\n" for n in range(3000))  # > 64 KB
    content = "lat,lng,vendor,id\n" + rows + "41.9,-88.2,Flo\x00ck,bad\n"
    job = run_import(ImportJob.Kind.CAMERAS, content.encode(), city=city)
    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert (job.rows_read, job.rows_created, job.rows_rejected) == (3001, 3000, 1)
    error = ImportRowError.objects.get(job=job)
    assert error.line == 3002
    assert error.message == "the row holds a control character (U+0000), which is not text"
    assert "\x00" not in error.excerpt


def test_deeply_nested_geojson_fails_with_a_clear_message(city):
    content = b'{"type": "FeatureCollection", "features": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    job = run_import(ImportJob.Kind.CAMERAS, content, name="cams.geojson", city=city)
    assert job.status == ImportJob.Status.FAILED
    assert "nests more than 64 levels" in job.error
    assert Camera.objects.count() == 0


def test_an_escaped_nul_in_json_fails_with_its_line(city):
    content = (
        b'{"type": "FeatureCollection", "features": [\n{"type": "Feature", "properties": '
        b'{"name": "x\\u0000"}, "geometry": {"type": "Point", "coordinates": [-88.1, 41.5]}}]}'
    )
    job = run_import(ImportJob.Kind.CAMERAS, content, name="cams.geojson", city=city)
    assert job.status == ImportJob.Status.FAILED
    assert "control character (\\u0000) at line 2" in job.error
