"""factory_boy factories shared by every test module."""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from cameras.models import Camera, SharingAgreement, TransparencySnapshot
from core.models import Agency, City, CityClerk, StateLawProfile
from core.names import parse_agency_name


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = City
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Testville {n}")
    state = "IL"
    slug = factory.LazyAttribute(lambda o: f"{o.name.lower().replace(' ', '-')}-{o.state.lower()}")
    population = 150_000
    latitude = Decimal("41.525000")
    longitude = Decimal("-88.081700")


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Testville {n} IL PD")
    normalized_name = factory.LazyAttribute(lambda o: parse_agency_name(o.name).key)
    slug = factory.LazyAttribute(lambda o: o.normalized_name.replace(":", "-").replace(" ", "-"))
    kind = Agency.Kind.POLICE
    state = "IL"


class StateLawProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StateLawProfile
        django_get_or_create = ("state",)

    state = "IL"
    statute_citation = "625 ILCS 5/2-130"
    statute_url = "https://www.ilga.gov/legislation/ilcs/fulltext.asp?DocName=062500050K2-130"
    forbidden_uses = ["immigration", "reproductive_care"]
    requires_written_declaration = True


class CameraFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Camera

    city = factory.SubFactory(CityFactory)
    owner = factory.SubFactory(AgencyFactory)
    latitude = factory.Sequence(lambda n: Decimal("41.500000") + Decimal(n % 500) / 10000)
    longitude = factory.Sequence(lambda n: Decimal("-88.100000") + Decimal(n % 500) / 10000)
    directions = [90]
    vendor = "Flock Safety"
    status = Camera.Status.ACTIVE
    source = "manual"
    source_id = factory.Sequence(lambda n: f"cam-{n}")


class SharingAgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SharingAgreement

    owner = factory.SubFactory(AgencyFactory)
    recipient = factory.SubFactory(AgencyFactory)
    kind = SharingAgreement.Kind.DIRECT
    first_seen = dt.date(2024, 4, 26)
    last_seen = dt.date(2024, 4, 26)
    source = "test"


class TransparencySnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TransparencySnapshot

    agency = factory.SubFactory(AgencyFactory)
    captured_on = dt.date(2024, 4, 26)
    retention_days = 30
    total_cameras = 12
    lpr_cameras = 12
    vehicles_detected_30d = 250_000
    searches_30d = 400
    hotlist_hits_30d = 80


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        # Save the hashed password; a user saved without it is logged out at once.
        if create:
            instance.save()


class ClerkFactory(UserFactory):
    """A staff user in the Clerks group, scoped to ``city``."""

    is_staff = True

    @factory.post_generation
    def city(self, create, extracted, **kwargs):
        from core.permissions import clerk_group

        self.save()
        self.groups.add(clerk_group())
        if extracted is not None:
            CityClerk.objects.get_or_create(user=self, city=extracted)


class SuperuserFactory(UserFactory):
    """A superuser, saved after its password is set so a login's session stays valid."""

    is_staff = True
    is_superuser = True

    @factory.post_generation
    def persist(self, create, extracted, **kwargs):
        if create:
            self.save()
