"""A small comparison: the searches tests' audit scenario (Prairie Junction IL, with an audit,
and Harbor Vista CA) plus cameras, sharing, snapshots, hearings and petitions, and two more
Illinois cities without audits (one without a population, one small)."""

import datetime as dt

import pytest

from cameras.models import Camera
from tests.factories import (
    AgencyFactory,
    CameraFactory,
    CityFactory,
    SharingAgreementFactory,
    TransparencySnapshotFactory,
)
from tests.hearings.factories import (
    AgendaItemFactory,
    CommentFactory,
    HearingFactory,
    PastHearingFactory,
)
from tests.hearings.petition_factories import OpenPetitionFactory, PetitionFactory
from tests.searches.factories import audit_scenario


@pytest.fixture
def scenario(db):
    from core.models import Agency

    audit = audit_scenario()
    prairie, harbor = audit["city"], audit["harbor_city"]
    pd = Agency.objects.get(name="Prairie Junction IL PD")
    hoa = Agency.objects.get(name="Willow Creek Homeowners Association")
    harbor_pd = Agency.objects.get(name="Harbor Vista CA PD")
    wisconsin = Agency.objects.get(name="Bramble WI PD")
    hsi = Agency.objects.get(name="Homeland Security Investigations")
    sheriff = Agency.objects.get(name="Kestrel County IL SO")

    CameraFactory.create_batch(3, city=prairie, owner=pd)
    CameraFactory(city=prairie, owner=hoa)
    CameraFactory(city=prairie, owner=pd, status=Camera.Status.REMOVED)
    CameraFactory.create_batch(2, city=harbor, owner=harbor_pd)

    SharingAgreementFactory(owner=pd, recipient=wisconsin)
    SharingAgreementFactory(owner=pd, recipient=hsi)
    SharingAgreementFactory(owner=pd, recipient=sheriff)
    SharingAgreementFactory(owner=hoa, recipient=pd)
    SharingAgreementFactory(owner=pd, recipient=harbor_pd, ended_on=dt.date(2025, 1, 1))
    SharingAgreementFactory(owner=harbor_pd, recipient=pd)

    # The PD's older snapshot is superseded; the HOA keeps plates longest.
    TransparencySnapshotFactory(agency=pd, captured_on=dt.date(2025, 1, 1), retention_days=30)
    TransparencySnapshotFactory(
        agency=pd, captured_on=dt.date(2026, 6, 1), retention_days=14, hotlist_hits_30d=87
    )
    TransparencySnapshotFactory(
        agency=hoa, captured_on=dt.date(2026, 5, 1), retention_days=60, hotlist_hits_30d=None
    )
    TransparencySnapshotFactory(
        agency=harbor_pd, captured_on=dt.date(2026, 6, 1), retention_days=30, hotlist_hits_30d=12
    )

    hearing = HearingFactory(city=prairie)
    item = AgendaItemFactory(hearing=hearing)
    CommentFactory.create_batch(2, item=item)
    CommentFactory(item=item, status="pending")
    PastHearingFactory(city=prairie)
    OpenPetitionFactory(city=prairie, signature_count=5)
    PetitionFactory(city=prairie, signature_count=3)  # pending review: not public

    unknown = CityFactory(name="Oak Ridge", state="IL", slug="oak-ridge-il", population=None)
    CameraFactory.create_batch(2, city=unknown, owner=AgencyFactory(home_city=unknown))
    small = CityFactory(name="Elm Falls", state="IL", slug="elm-falls-il", population=5_000)
    CameraFactory.create_batch(4, city=small, owner=AgencyFactory(home_city=small))
    return {**audit, "prairie": prairie, "unknown": unknown, "small": small}
