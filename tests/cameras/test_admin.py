"""The clerk admin for cameras, sharing agreements and snapshots: scoping, audit, actions."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cameras.models import Camera, SharingAgreement, TransparencySnapshot
from core.models import Agency, AuditEvent
from tests.factories import (
    AgencyFactory,
    CameraFactory,
    SharingAgreementFactory,
    StateLawProfileFactory,
    SuperuserFactory,
    TransparencySnapshotFactory,
)
from tests.portal.test_admin import admin_url, form_data, messages_of


@pytest.fixture
def own_agency(clerk_city):
    return AgencyFactory(name="Joliet IL PD", home_city=clerk_city)


@pytest.fixture
def other_agency(other_city):
    return AgencyFactory(name="Berkeley CA PD", state="CA", home_city=other_city)


@pytest.fixture
def own_camera(clerk_city, own_agency):
    return CameraFactory(city=clerk_city, owner=own_agency, address="Larkin Ave at Jefferson St")


@pytest.fixture
def other_camera(other_city, other_agency):
    return CameraFactory(city=other_city, owner=other_agency, address="Shattuck Ave at Center St")


# --- cameras -------------------------------------------------------------------------------


def test_clerk_camera_changelist_shows_only_their_cities_cameras(
    clerk_client, own_camera, other_camera
):
    response = clerk_client.get(admin_url(Camera, "changelist"))
    html = response.content.decode()
    assert list(response.context["cl"].result_list) == [own_camera]
    assert "Larkin Ave at Jefferson St" in html
    assert "Shattuck Ave" not in html
    # The city filter offers only cities that have rows in the clerk's view.
    assert "Berkeley" not in html


def test_superuser_sees_every_camera(client, own_camera, other_camera):
    client.force_login(SuperuserFactory(username="root"))
    response = client.get(admin_url(Camera, "changelist"))
    assert set(response.context["cl"].result_list) == {own_camera, other_camera}


def test_another_citys_camera_urls_redirect_to_the_admin_index(clerk_client, other_camera):
    for view in ("change", "delete", "history"):
        response = clerk_client.get(admin_url(Camera, view, other_camera.pk))
        assert response.status_code == 302, view
        assert response.url == reverse("admin:index")
    response = clerk_client.get(admin_url(Camera, "change", other_camera.pk), follow=True)
    assert f"camera with ID “{other_camera.pk}” doesn\u2019t exist" in messages_of(response)[0]


def test_clerk_cannot_change_or_delete_another_citys_camera(clerk, client, other_camera):
    client.force_login(SuperuserFactory(username="root"))
    data = form_data(client.get(admin_url(Camera, "change", other_camera.pk)))
    data["vendor"] = "Hijacked"
    client.force_login(clerk)

    response = client.post(admin_url(Camera, "change", other_camera.pk), data)
    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    response = client.post(admin_url(Camera, "delete", other_camera.pk), {"post": "yes"})
    assert response.url == reverse("admin:index")
    client.post(
        admin_url(Camera, "changelist"),
        {"action": "delete_selected", "_selected_action": [other_camera.pk], "post": "yes"},
    )
    other_camera.refresh_from_db()
    assert other_camera.vendor == "Flock Safety"
    assert not AuditEvent.objects.exists()


def test_clerk_cannot_create_a_camera_in_another_city(
    clerk_client, clerk_city, other_city, own_agency, other_agency
):
    url = admin_url(Camera, "add")
    data = form_data(clerk_client.get(url))
    assert (data["city"], data["source"]) == (str(clerk_city.pk), "manual")
    data.update(
        latitude="41.525", longitude="-88.0817", address="Essington Rd", directions="[180, 90]"
    )
    data.update(city=str(other_city.pk), owner=str(own_agency.pk))
    response = clerk_client.post(url, data)
    assert response.status_code == 200
    assert "city" in response.context["adminform"].form.errors

    data.update(city="", owner=str(own_agency.pk))
    response = clerk_client.post(url, data)
    assert "city" in response.context["adminform"].form.errors  # required for clerks

    data.update(city=str(clerk_city.pk), owner=str(other_agency.pk))
    response = clerk_client.post(url, data)
    assert "owner" in response.context["adminform"].form.errors
    assert not Camera.objects.exists()

    data.update(owner=str(own_agency.pk))
    response = clerk_client.post(url, data)
    assert response.status_code == 302
    camera = Camera.objects.get()
    assert (camera.city, camera.owner, camera.directions) == (clerk_city, own_agency, [180, 90])
    event = AuditEvent.objects.get(action="camera.create")
    assert event.city == clerk_city
    assert event.changes["address"] == {"old": None, "new": "Essington Rd"}


def test_directions_must_be_compass_bearings(clerk_client, own_camera):
    url = admin_url(Camera, "change", own_camera.pk)
    data = form_data(clerk_client.get(url))
    data["directions"] = "[90, 400]"
    response = clerk_client.post(url, data)
    assert response.status_code == 200
    assert "400" in str(response.context["adminform"].form.errors["directions"])


def test_camera_edit_and_delete_are_audited_with_old_and_new_values(
    clerk_client, clerk, clerk_city, own_camera
):
    url = admin_url(Camera, "change", own_camera.pk)
    data = form_data(clerk_client.get(url))
    data.update(vendor="Motorola Solutions", last_verified="2025-03-01")
    assert clerk_client.post(url, data).status_code == 302
    event = AuditEvent.objects.get(action="camera.change")
    assert event.actor == clerk
    assert event.city == clerk_city
    assert event.object_id == str(own_camera.pk)
    assert event.changes == {
        "vendor": {"old": "Flock Safety", "new": "Motorola Solutions"},
        "last_verified": {"old": None, "new": "2025-03-01"},
    }

    response = clerk_client.post(admin_url(Camera, "delete", own_camera.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Camera.objects.filter(pk=own_camera.pk).exists()
    deleted = AuditEvent.objects.get(action="camera.delete")
    assert deleted.city == clerk_city
    assert deleted.changes["address"] == {"old": "Larkin Ave at Jefferson St", "new": None}


def test_mark_removed_action_removes_only_the_clerks_cameras(
    clerk_client, clerk_city, own_agency, own_camera, other_camera
):
    second = CameraFactory(city=clerk_city, owner=own_agency)
    response = clerk_client.post(
        admin_url(Camera, "changelist"),
        {
            "action": "mark_removed",
            "_selected_action": [own_camera.pk, second.pk, other_camera.pk],
        },
        follow=True,
    )
    assert "2 cameras marked removed." in messages_of(response)
    for camera in (own_camera, second):
        camera.refresh_from_db()
        assert camera.status == Camera.Status.REMOVED
        assert camera.removed_on == timezone.localdate()
    other_camera.refresh_from_db()
    assert other_camera.status == Camera.Status.ACTIVE


def test_camera_list_filters_by_owner_kind_and_status(
    clerk_client, clerk_city, own_camera, own_agency
):
    hoa = AgencyFactory(name="Cedar Ridge HOA IL", kind=Agency.Kind.HOA, home_city=clerk_city)
    hoa_camera = CameraFactory(city=clerk_city, owner=hoa, status=Camera.Status.PLANNED)
    response = clerk_client.get(admin_url(Camera, "changelist"), {"owner__kind": "hoa"})
    assert list(response.context["cl"].result_list) == [hoa_camera]
    response = clerk_client.get(admin_url(Camera, "changelist"), {"status__exact": "active"})
    assert list(response.context["cl"].result_list) == [own_camera]


# --- sharing agreements --------------------------------------------------------------------


@pytest.fixture
def agreements(own_agency, other_agency, clerk_city):
    StateLawProfileFactory(state="IL")
    StateLawProfileFactory(state="CA", forbids_out_of_state_sharing=True)
    fbi = AgencyFactory(name="FBI Chicago", kind=Agency.Kind.FEDERAL, state="IL")
    aurora = AgencyFactory(name="Aurora IL PD")
    return {
        "out_of_state": SharingAgreementFactory(owner=own_agency, recipient=other_agency),
        "federal": SharingAgreementFactory(owner=own_agency, recipient=fbi),
        "in_state": SharingAgreementFactory(owner=own_agency, recipient=aurora),
        "theirs": SharingAgreementFactory(owner=other_agency, recipient=own_agency),
    }


def test_clerk_sees_sharing_owned_by_their_agencies_with_computed_flags(clerk_client, agreements):
    response = clerk_client.get(admin_url(SharingAgreement, "changelist"))
    rows = {a.pk: a for a in response.context["cl"].result_list}
    assert set(rows) == {agreements[k].pk for k in ("out_of_state", "federal", "in_state")}
    out_of_state = rows[agreements["out_of_state"].pk]
    assert out_of_state.recipient_out_of_state is True
    assert out_of_state.federal_recipient is False
    # Illinois (the owner's state) does not forbid out-of-state sharing outright.
    assert out_of_state.forbidden_by_state_law is False
    assert rows[agreements["federal"].pk].federal_recipient is True
    html = response.content.decode()
    assert "out of state" in html.lower()
    assert "icon-yes" in html

    response = clerk_client.get(admin_url(SharingAgreement, "changelist"), {"flag": "federal"})
    assert [a.recipient.name for a in response.context["cl"].result_list] == ["FBI Chicago"]
    theirs = agreements["theirs"]
    response = clerk_client.get(admin_url(SharingAgreement, "change", theirs.pk))
    assert response.url == reverse("admin:index")


def test_forbidden_flag_follows_the_owners_state_law(client, agreements):
    client.force_login(SuperuserFactory(username="root"))
    response = client.get(admin_url(SharingAgreement, "changelist"), {"flag": "forbidden"})
    # California forbids out-of-state sharing: Berkeley CA PD -> Joliet IL PD is flagged.
    assert [a.pk for a in response.context["cl"].result_list] == [agreements["theirs"].pk]


def test_clerk_shares_with_any_agency_but_only_from_their_own(
    clerk_client, own_agency, other_agency, clerk_city
):
    url = admin_url(SharingAgreement, "add")
    data = form_data(clerk_client.get(url))
    data.update(first_seen="2024-04-26", last_seen="2024-04-26", kind="direct")
    data.update(owner=str(other_agency.pk), recipient=str(own_agency.pk))
    response = clerk_client.post(url, data)
    assert "owner" in response.context["adminform"].form.errors
    assert not SharingAgreement.objects.exists()

    data.update(owner=str(own_agency.pk), recipient=str(other_agency.pk))
    response = clerk_client.post(url, data)
    assert response.status_code == 302
    agreement = SharingAgreement.objects.get()
    assert (agreement.owner, agreement.recipient) == (own_agency, other_agency)
    event = AuditEvent.objects.get(action="sharingagreement.create")
    assert event.city == clerk_city
    assert event.changes["recipient"] == {"old": None, "new": "Berkeley CA PD"}


def test_recipient_autocomplete_searches_every_agency_but_owner_only_the_clerks(
    clerk_client, own_agency, other_agency
):
    def autocomplete(field, term):
        response = clerk_client.get(
            reverse("admin:autocomplete"),
            {
                "app_label": "cameras",
                "model_name": "sharingagreement",
                "field_name": field,
                "term": term,
            },
        )
        assert response.status_code == 200
        return [r["text"] for r in response.json()["results"]]

    assert autocomplete("recipient", "Berkeley") == ["Berkeley CA PD"]
    assert autocomplete("owner", "Berkeley") == []
    assert autocomplete("owner", "Joliet") == ["Joliet IL PD"]
    # The camera form's owner picker is scoped like the sharing owner.
    response = clerk_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "cameras", "model_name": "camera", "field_name": "owner", "term": ""},
    )
    assert [r["text"] for r in response.json()["results"]] == ["Joliet IL PD"]


# --- snapshots -----------------------------------------------------------------------------


def test_snapshots_are_scoped_to_the_clerks_agencies(clerk_client, own_agency, other_agency):
    own = TransparencySnapshotFactory(agency=own_agency, captured_on=dt.date(2024, 4, 26))
    other = TransparencySnapshotFactory(agency=other_agency, captured_on=dt.date(2024, 4, 26))
    response = clerk_client.get(admin_url(TransparencySnapshot, "changelist"))
    assert list(response.context["cl"].result_list) == [own]
    response = clerk_client.get(admin_url(TransparencySnapshot, "change", other.pk))
    assert response.url == reverse("admin:index")

    url = admin_url(TransparencySnapshot, "change", own.pk)
    data = form_data(clerk_client.get(url))
    data["retention_days"] = "45"
    assert clerk_client.post(url, data).status_code == 302
    event = AuditEvent.objects.get(action="transparencysnapshot.change")
    assert event.city == own_agency.home_city
    assert event.changes == {"retention_days": {"old": 30, "new": 45}}
