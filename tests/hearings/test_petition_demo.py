"""The demo petitions: what they hold, that a second run adds nothing, and that the same run
makes the same rows."""

import io

import pytest

from hearings.models import Hearing, OutboundEmail
from petitions.demo import demo_petitions_build
from petitions.models import Petition, Signature
from tests.factories import CityFactory
from tests.hearings.test_petition_services import make_hearing

pytestmark = pytest.mark.django_db


@pytest.fixture
def cities():
    prairie = CityFactory(name="Prairie Junction", state="IL", slug="prairie-junction-il")
    harbor = CityFactory(name="Harbor Vista", state="CA", slug="harbor-vista-ca")
    return prairie, harbor


def test_demo_petitions_cover_every_public_state_and_the_review_queue(cities):
    prairie, _ = cities
    held = make_hearing(
        prairie,
        title="Proposal to remove the city's license plate reader cameras",
        status=Hearing.Status.HELD,
    )
    out = io.StringIO()
    assert demo_petitions_build(stdout=out) == 4
    assert "petitions: 4 (4 new)" in out.getvalue()

    main = Petition.objects.get(slug="end-out-of-state-camera-data-sharing")
    assert main.city == prairie and main.is_open
    assert 120 <= main.signature_count <= 140
    assert main.signature_count == main.signatures.confirmed().count()
    assert main.signatures.filter(status="unconfirmed").exists()
    assert main.signatures.filter(status="withdrawn").exists()
    assert main.signatures.confirmed().filter(show_name=True).exists()
    assert main.signatures.confirmed().values("zip_code").distinct().count() >= 4

    responded = Petition.objects.get(slug="publish-monthly-alpr-search-audits")
    assert responded.status == Petition.Status.RESPONDED and responded.response
    assert responded.hearing == held
    assert responded.closed_at < responded.delivered_at < responded.responded_at

    pending = Petition.objects.get(status=Petition.Status.PENDING)
    assert pending.city == prairie and pending.signature_count == 0
    # Loading the demo emails nobody, and its addresses are example.org ones.
    assert not OutboundEmail.objects.exists()
    assert not Signature.objects.exclude(email__endswith="@example.org").exists()


def test_demo_petitions_are_idempotent_and_deterministic(cities):
    demo_petitions_build()
    first = list(
        Signature.objects.order_by("email").values_list("email", "name", "zip_code", "status")
    )
    assert demo_petitions_build() == 0
    assert Petition.objects.count() == 4
    Petition.objects.all().delete()
    demo_petitions_build()
    again = list(
        Signature.objects.order_by("email").values_list("email", "name", "zip_code", "status")
    )
    assert again == first


def test_demo_petitions_skip_missing_cities(db):
    assert demo_petitions_build() == 0
    assert not Petition.objects.exists()
