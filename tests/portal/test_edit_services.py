"""The edits that used to live only in the admin, called as services: each checks the actor's
city itself, writes one audit row of the one diff shape and schedules its side effects."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from cameras.models import Camera, SharingAgreement
from cameras.services import camera_mark_removed, camera_update, sharing_agreement_update
from core.access import can_manage_city, require_city_manager
from core.models import Agency, AgencyAlias, AuditEvent, StateLawProfile
from core.services import (
    ServiceError,
    agency_rename,
    agency_update,
    state_law_profile_delete,
    state_law_profile_save,
)
from tests.factories import (
    AgencyFactory,
    CameraFactory,
    ClerkFactory,
    SharingAgreementFactory,
    StateLawProfileFactory,
    SuperuserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued_reflags(monkeypatch):
    """The states the reflag task was sent (the receiver queues it to run on commit)."""
    from searches import tasks

    queued: list[list[str]] = []
    monkeypatch.setattr(tasks.searches_reflag, "delay", lambda **kw: queued.append(kw["states"]))
    return queued


@pytest.fixture
def own_agency(clerk_city):
    return AgencyFactory(name="Joliet IL PD", home_city=clerk_city, state="IL")


@pytest.fixture
def outsider(other_city):
    return ClerkFactory(username="clerk-berkeley", city=other_city)


def assert_one_shape(changes: dict) -> None:
    for name, entry in changes.items():
        assert set(entry) == {"old", "new"}, (name, entry)


# --- access ----------------------------------------------------------------------------------


def test_one_check_for_every_caller(clerk, clerk_city, other_city, outsider):
    root = SuperuserFactory(username="root")
    assert can_manage_city(clerk, clerk_city) and not can_manage_city(clerk, other_city)
    assert can_manage_city(root, other_city) and can_manage_city(root, None)
    assert not can_manage_city(clerk, None)
    assert not can_manage_city(UserFactory(username="visitor"), clerk_city)
    # ``actor=None`` is the system only where the caller allows it.
    assert can_manage_city(None, clerk_city, system=True)
    assert not can_manage_city(None, clerk_city)
    with pytest.raises(PermissionDenied, match="You do not manage this city"):
        require_city_manager(outsider, clerk_city)
    require_city_manager(clerk, clerk_city)


def test_services_do_not_import_admin_modules():
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    files = [
        *root.glob("*/services.py"),
        *root.glob("*/services/*.py"),
        root / "core" / "audit.py",
        root / "core" / "access.py",
    ]
    assert len(files) >= 6
    for path in files:
        if path.parts[-2] == "tests" or "tests" in path.relative_to(root).parts[:1]:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert "admin" not in node.module.split("."), (path, node.module)
                assert not node.module.startswith("core.admin"), (path, node.module)


# --- agencies --------------------------------------------------------------------------------


def test_rename_keeps_the_old_spelling_as_an_alias(clerk, clerk_city, own_agency):
    agency_rename(agency=own_agency, name="Joliet Township IL PD", actor=clerk)
    own_agency.refresh_from_db()
    assert (own_agency.name, own_agency.normalized_name) == (
        "Joliet Township IL PD",
        "il:joliet twp pd",
    )
    alias = AgencyAlias.objects.get(agency=own_agency)
    assert alias.normalized_name == "il:joliet pd"
    change = AuditEvent.objects.get(action="agency.change")
    assert (change.actor, change.city) == (clerk, clerk_city)
    assert change.changes == {
        "name": {"old": "Joliet IL PD", "new": "Joliet Township IL PD"},
        "normalized_name": {"old": "il:joliet pd", "new": "il:joliet twp pd"},
    }
    assert AuditEvent.objects.filter(action="agency.alias", changes__alias="Joliet IL PD").exists()


def test_rename_to_another_agencys_name_is_refused(clerk, own_agency, other_city):
    AgencyFactory(name="Berkeley CA PD", home_city=other_city, state="CA")
    with pytest.raises(ServiceError, match="already refers to Berkeley CA PD"):
        agency_rename(agency=own_agency, name="Berkeley CA Police Department", actor=clerk)
    assert Agency.objects.get(pk=own_agency.pk).name == "Joliet IL PD"
    assert not AuditEvent.objects.exists()


def test_a_new_state_or_kind_reflags_on_commit(
    clerk, own_agency, reflagged, queued_reflags, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        agency_update(agency=own_agency, data={"name": own_agency.name}, actor=clerk)
    assert reflagged == [] and queued_reflags == []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        agency_update(agency=own_agency, data={"state": "WI"}, actor=clerk)
        assert queued_reflags == []  # nothing leaves the transaction before it commits
    assert callbacks
    assert reflagged == [{"IL", "WI"}]
    assert queued_reflags == [["IL", "WI"]]
    event = AuditEvent.objects.get(action="agency.change")
    assert event.changes == {"state": {"old": "IL", "new": "WI"}}


def test_a_clerk_of_another_city_is_refused_by_the_agency_service(outsider, own_agency):
    with pytest.raises(PermissionDenied):
        agency_rename(agency=own_agency, name="Joliet Township IL PD", actor=outsider)
    with pytest.raises(PermissionDenied):
        # Nor may a clerk move an agency into a city they do not manage.
        agency_update(
            agency=AgencyFactory(name="Stray IL PD", home_city=None),
            data={"notes": "x"},
            actor=outsider,
        )
    assert Agency.objects.get(pk=own_agency.pk).name == "Joliet IL PD"
    assert not AuditEvent.objects.exists()


def test_a_clerk_cannot_give_away_their_agency(clerk, own_agency, other_city):
    with pytest.raises(PermissionDenied):
        agency_update(agency=own_agency, data={"home_city": other_city}, actor=clerk)
    assert not AuditEvent.objects.exists()


# --- state law profiles ----------------------------------------------------------------------


def test_law_profile_save_and_delete_are_audited_in_one_shape_and_reflag(
    reflagged, queued_reflags, django_capture_on_commit_callbacks
):
    root = SuperuserFactory(username="root")
    profile = StateLawProfileFactory(state="IL", retention_limit_days=None)
    profile.retention_limit_days, profile.state = 30, "WI"
    with django_capture_on_commit_callbacks(execute=True):
        changes = state_law_profile_save(
            profile=profile, fields=["retention_limit_days", "state", "summary"], actor=root
        )
    assert changes == {
        "retention_limit_days": {"old": None, "new": 30},
        "state": {"old": "IL", "new": "WI"},
    }
    assert AuditEvent.objects.get(action="statelaw.update").changes == changes
    with django_capture_on_commit_callbacks(execute=True):
        state_law_profile_delete(profile=profile, actor=root)
    deleted = AuditEvent.objects.get(action="statelaw.delete")
    assert deleted.changes == {
        "state": {"old": "WI", "new": None},
        "statute_citation": {"old": profile.statute_citation, "new": None},
    }
    assert not StateLawProfile.objects.filter(pk=profile.pk).exists()
    assert reflagged == [{"IL", "WI"}, {"WI"}]
    assert queued_reflags == [["IL", "WI"], ["WI"]]


def test_law_profile_services_refuse_clerks(clerk):
    profile = StateLawProfileFactory(state="IL")
    with pytest.raises(PermissionDenied):
        state_law_profile_delete(profile=profile, actor=clerk)
    assert StateLawProfile.objects.filter(pk=profile.pk).exists()


# --- cameras and sharing ---------------------------------------------------------------------


def test_camera_edit_writes_one_audit_row(clerk, clerk_city, own_agency):
    camera = CameraFactory(city=clerk_city, owner=own_agency, address="Larkin Ave")
    camera_update(
        camera=camera,
        data={"vendor": "Motorola Solutions", "last_verified": dt.date(2025, 3, 1)},
        actor=clerk,
    )
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.city) == ("camera.change", clerk, clerk_city)
    assert event.changes == {
        "vendor": {"old": "Flock Safety", "new": "Motorola Solutions"},
        "last_verified": {"old": None, "new": "2025-03-01"},
    }
    # An edit that changes nothing writes nothing.
    camera_update(camera=camera, data={"vendor": "Motorola Solutions"}, actor=clerk)
    assert AuditEvent.objects.count() == 1


def test_a_new_camera_is_audited_with_its_fields(clerk, clerk_city, own_agency):
    camera = Camera(city=clerk_city, owner=own_agency, latitude=41.5, longitude=-88.1)
    camera_update(camera=camera, data={"address": "Essington Rd"}, actor=clerk)
    event = AuditEvent.objects.get()
    assert (event.action, event.object_id) == ("camera.create", str(camera.pk))
    assert event.changes == {"address": {"old": None, "new": "Essington Rd"}}


def test_a_clerk_of_another_city_is_refused_by_the_camera_service(
    outsider, clerk_city, own_agency, other_city
):
    camera = CameraFactory(city=clerk_city, owner=own_agency, vendor="Flock Safety")
    with pytest.raises(PermissionDenied):
        camera_update(camera=camera, data={"vendor": "Motorola Solutions"}, actor=outsider)
    with pytest.raises(PermissionDenied):
        # Moving the camera into the outsider's city does not help: the stored row is checked.
        camera_update(camera=camera, data={"city": other_city}, actor=outsider)
    assert Camera.objects.get(pk=camera.pk).vendor == "Flock Safety"
    assert not AuditEvent.objects.exists()


def test_sharing_edit_writes_one_audit_row_and_refuses_outsiders(
    clerk, clerk_city, outsider, own_agency, other_city
):
    recipient = AgencyFactory(name="Berkeley CA PD", home_city=other_city, state="CA")
    agreement = SharingAgreementFactory(owner=own_agency, recipient=recipient)
    with pytest.raises(PermissionDenied):
        sharing_agreement_update(
            agreement=agreement, data={"ended_on": dt.date(2025, 1, 1)}, actor=outsider
        )
    sharing_agreement_update(
        agreement=agreement, data={"ended_on": dt.date(2025, 1, 1)}, actor=clerk
    )
    event = AuditEvent.objects.get()
    assert (event.action, event.city) == ("sharingagreement.change", clerk_city)
    assert event.changes == {"ended_on": {"old": None, "new": "2025-01-01"}}
    assert SharingAgreement.objects.get(pk=agreement.pk).ended_on == dt.date(2025, 1, 1)


def test_bulk_removal_audits_each_cameras_own_old_values(clerk, clerk_city, own_agency):
    planned = CameraFactory(city=clerk_city, owner=own_agency, status=Camera.Status.PLANNED)
    active = CameraFactory(city=clerk_city, owner=own_agency, status=Camera.Status.ACTIVE)
    assert (
        camera_mark_removed(cameras=Camera.objects.all(), actor=clerk, on=dt.date(2024, 5, 1)) == 2
    )
    by_camera = {e.object_id: e.changes for e in AuditEvent.objects.filter(action="camera.remove")}
    for camera in (planned, active):
        assert by_camera[str(camera.pk)] == {
            "status": {"old": camera.status, "new": "removed"},
            "removed_on": {"old": None, "new": "2024-05-01"},
        }
        assert_one_shape(by_camera[str(camera.pk)])
