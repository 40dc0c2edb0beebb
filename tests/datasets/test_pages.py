"""/data/ (snapshots, license, dictionary, in English and Spanish), its downloads and
/api/v1/datasets/."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.urls import reverse
from django.utils import translation

from datasets import services
from datasets.tables import TABLES, table_get
from tests.factories import CityFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 12, 1)


@pytest.fixture
def snapshot(settings, tmp_path):
    settings.DATASETS_ROOT = str(tmp_path)
    CityFactory(name="Datapage", state="IL")
    tables = [table_get("cities"), table_get("state_laws")]
    services.dataset_snapshot_write(day=DAY - dt.timedelta(days=1), tables=tables)
    return services.dataset_snapshot_write(day=DAY, tables=tables)


def test_data_page_lists_files_license_and_dictionary(client, snapshot):
    html = client.get(reverse("datasets:data-index")).content.decode()
    cities = snapshot.file("cities.csv")
    assert cities is not None
    assert reverse("datasets:data-file", args=["2026-12-01", "cities.csv"]) in html
    assert cities.sha256 in html and snapshot.sqlite.sha256 in html
    assert "2026-11-30" in html  # the earlier snapshot, listed too
    assert "Open Database License" in html and "Private Eyes" in html
    for table in TABLES:  # the dictionary: every table and column, described
        assert f"<code>{table.name}</code>" in html
        for column in table.columns():
            assert f"<code>{column.name}</code>" in html
            assert str(column.description).replace("'", "&#x27;") in html, column.name
    # Linked from every page's footer.
    assert reverse("datasets:data-index") in client.get("/").content.decode()


def test_data_page_in_spanish(client, snapshot):
    client.cookies["django_language"] = "es"
    html = client.get(reverse("datasets:data-index")).content.decode()
    assert "Datos en bloque" in html and "Diccionario de datos" in html
    with translation.override("es"):
        described = [(str(c.description), (t.name, c.name)) for t in TABLES for c in t.columns()]
    with translation.override("en"):
        english = {(t.name, c.name): str(c.description) for t in TABLES for c in t.columns()}
    # "Slug" and "Federal" are the same word in the Spanish catalogue.
    same_word = {"Slug", "Federal"}
    untranslated = [
        name for text, name in described if text == english[name] and text not in same_word
    ]
    assert untranslated == []
    assert described[0][0].replace("'", "&#x27;") in html


def test_no_snapshot_yet(client, settings, tmp_path):
    settings.DATASETS_ROOT = str(tmp_path / "none")
    html = client.get(reverse("datasets:data-index")).content.decode()
    assert "No snapshot has been written yet" in html


def test_download_is_whole_with_length_etag_and_304(client, snapshot):
    entry = snapshot.file("cities.parquet")
    url = reverse("datasets:data-file", args=["2026-12-01", entry.name])
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    body = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert int(response["Content-Length"]) == entry.size == len(body)
    assert hashlib.sha256(body).hexdigest() == entry.sha256
    assert response["ETag"] == f'"{entry.sha256}"'
    assert "Content-Encoding" not in response
    assert response["X-Row-Count"] == "1"
    assert "attachment" in response["Content-Disposition"]
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    later = client.get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert later.status_code == 304
    sums = client.get(reverse("datasets:data-file", args=["2026-12-01", "SHA256SUMS"]))
    assert f"{entry.sha256}  {entry.name}" in b"".join(sums.streaming_content).decode()


@pytest.mark.parametrize(
    "path",
    [
        "/data/2026-12-01/secret.txt",
        "/data/2026-12-02/cities.csv",
        "/data/2026-13-01/cities.csv",
        "/data/2026-12-01/..%2Fmanifest.json",
        "/data/2026-12-01/.tmp-x",
    ],
)
def test_only_listed_files_of_complete_snapshots_are_served(client, snapshot, path):
    (snapshot.directory / "secret.txt").write_text("not listed")
    assert client.get(path).status_code == 404


def test_api_lists_snapshots_with_files_and_links(client, snapshot):
    response = client.get(reverse("api:dataset-list"))
    data = response.json()
    assert [s["date"] for s in data] == ["2026-12-01", "2026-11-30"]
    files = {f["name"]: f for f in data[0]["files"]}
    assert files["cities.csv"]["rows"] == 1
    assert files["cities.csv"]["sha256"] == snapshot.file("cities.csv").sha256
    assert files["cities.csv"]["download_url"].endswith("/data/2026-12-01/cities.csv")
    assert files[services.SQLITE_NAME]["table"] is None
    assert data[0]["license"]["credits"]
    one = client.get(reverse("api:dataset-detail", args=["2026-12-01"]))
    assert one.json()["date"] == "2026-12-01"
    assert client.get(reverse("api:dataset-detail", args=["2026-01-01"])).status_code == 404
    again = client.get(reverse("api:dataset-list"), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
