import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from cameras.models import Camera, SharingAgreement, TransparencySnapshot
from core.demo import HARBOR_PD, PRAIRIE_HOA, PRAIRIE_HOUSING, PRAIRIE_PD, PRAIRIE_STORE, SEED
from core.models import Agency, AuditEvent, City, CityClerk, StateLawProfile
from core.names import parse_agency_name
from core.permissions import CLERKS_GROUP
from portal.demo import demo_plan


def _agency(name):
    return Agency.objects.get(normalized_name=parse_agency_name(name).key)


def _counts():
    user_model = get_user_model()
    return {
        model.__name__: model.objects.count()
        for model in (
            City,
            Agency,
            Camera,
            SharingAgreement,
            TransparencySnapshot,
            StateLawProfile,
            CityClerk,
            AuditEvent,
            user_model,
        )
    }


def test_plan_is_deterministic_and_depends_on_the_seed():
    assert demo_plan() == demo_plan(SEED)
    assert demo_plan(SEED + 1).cameras != demo_plan(SEED).cameras


def test_generated_agency_names_normalize_to_distinct_agencies_in_their_state():
    plan = demo_plan()
    keys = [parse_agency_name(name).key for name in plan.generated_agencies]
    assert len(keys) == len(set(keys))
    for name in plan.generated_agencies:
        assert parse_agency_name(name).state == name.split()[-2], name


@pytest.mark.django_db
def test_seed_demo_builds_the_cities_cameras_and_sharing(capsys):
    call_command("seed_demo")
    assert "Demo data loaded." in capsys.readouterr().out

    prairie = City.objects.get(slug="prairie-junction-il")
    police = _agency(PRAIRIE_PD)
    assert (police.kind, police.state, police.home_city) == ("police", "IL", prairie)
    cameras = Camera.objects.filter(city=prairie, owner=police)
    assert cameras.filter(status=Camera.Status.ACTIVE).count() == 80
    assert cameras.filter(status=Camera.Status.PLANNED, planned_on__isnull=False).exists()
    assert cameras.filter(status=Camera.Status.REMOVED, removed_on__isnull=False).exists()
    assert any(len(c.directions) > 1 for c in cameras)
    assert set(cameras.values_list("vendor", flat=True)) >= {"Flock Safety", "Genetec"}
    for private, kind in (
        (PRAIRIE_HOA, "hoa"),
        (PRAIRIE_STORE, "business"),
        (PRAIRIE_HOUSING, "housing"),
    ):
        owner = _agency(private)
        assert owner.kind == kind
        assert Camera.objects.filter(city=prairie, owner=owner).exists()
        assert SharingAgreement.objects.filter(owner=owner, recipient=police).exists()

    shared = SharingAgreement.objects.with_flags().filter(owner=police)
    assert shared.count() > 200
    assert shared.filter(federal_recipient=True).exists()
    assert shared.filter(recipient_out_of_state=True).count() > 100
    assert shared.filter(kind=SharingAgreement.Kind.NATIONAL).exists()
    assert shared.filter(kind=SharingAgreement.Kind.STATEWIDE).exists()
    # Illinois asks for a written declaration instead of forbidding out-of-state sharing.
    assert not shared.filter(forbidden_by_state_law=True).exists()
    illinois = StateLawProfile.objects.get(state="IL")
    assert illinois.requires_written_declaration and not illinois.restricts_sharing
    assert SharingAgreement.objects.filter(recipient=police).count() > 50

    harbor = SharingAgreement.objects.with_flags().filter(owner=_agency(HARBOR_PD))
    out_of_state = harbor.get(recipient_out_of_state=True, recipient__state="AZ")
    assert out_of_state.forbidden_by_state_law is True
    federal = harbor.get(federal_recipient=True)
    assert federal.recipient.name == "U.S. Border Patrol"
    assert federal.forbidden_by_state_law is True
    assert harbor.filter(recipient__state="CA", forbidden_by_state_law=False).exists()

    aster = Camera.objects.filter(city__slug="lake-aster-mn")
    assert aster.exists() and not aster.exclude(status=Camera.Status.PLANNED).exists()

    snapshots = list(TransparencySnapshot.objects.filter(agency=police).order_by("captured_on"))
    assert len(snapshots) == 18
    assert len({s.retention_days for s in snapshots}) == 2
    assert snapshots[0].total_cameras < snapshots[-1].total_cameras == 80
    assert len({s.searches_30d for s in snapshots}) > 10
    assert (
        snapshots[-1].external_organizations_count == shared.filter(ended_on__isnull=True).count()
    )


@pytest.mark.django_db
def test_seed_demo_twice_changes_nothing_and_makes_scoped_demo_accounts(capsys):
    call_command("seed_demo")
    first = _counts()
    last_change = Camera.objects.order_by("-updated_at").values_list("updated_at", flat=True)[0]
    capsys.readouterr()

    call_command("seed_demo")

    assert "already present" in capsys.readouterr().out
    assert _counts() == first
    assert (
        Camera.objects.order_by("-updated_at").values_list("updated_at", flat=True)[0]
        == last_change
    )

    users = get_user_model().objects
    admin = users.get(username="admin")
    assert admin.is_superuser and admin.check_password("demo-password-1234")
    for username, slug in (
        ("clerk.prairie", "prairie-junction-il"),
        ("clerk.harbor", "harbor-vista-ca"),
    ):
        clerk = users.get(username=username)
        assert clerk.is_staff and not clerk.is_superuser
        assert clerk.check_password("demo-password-1234")
        assert clerk.groups.filter(name=CLERKS_GROUP).exists()
        assert list(City.objects.get_viewable(clerk).values_list("slug", flat=True)) == [slug]


@pytest.mark.django_db
def test_seed_demo_refuses_production_unless_forced_and_never_makes_accounts(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo")
    assert not Camera.objects.exists()

    call_command("seed_demo", "--force")

    assert Camera.objects.filter(source="demo").exists()
    assert not get_user_model().objects.exists()
