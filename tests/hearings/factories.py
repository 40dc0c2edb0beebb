"""factory_boy factories for hearings, agenda items, comments and engagement settings."""

import datetime as dt

import factory
from django.utils import timezone

from hearings.abuse import email_normalize
from hearings.models import AgendaDocument, AgendaItem, CityEngagementSettings, Comment, Hearing
from tests.factories import CityFactory


class EngagementSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CityEngagementSettings
        django_get_or_create = ("city",)

    city = factory.SubFactory(CityFactory)
    moderation_mode = CityEngagementSettings.Moderation.PRE
    resident_zip_codes = "60431 60432 60433"


class HearingFactory(factory.django.DjangoModelFactory):
    """A council hearing in ten days whose comment window is open now."""

    class Meta:
        model = Hearing

    city = factory.SubFactory(CityFactory)
    title = factory.Sequence(lambda n: f"Renewal of the camera contract, part {n}")
    slug = factory.Sequence(lambda n: f"camera-contract-{n}")
    body_kind = Hearing.Body.COUNCIL
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=10))
    location = "City Hall, 150 W Jefferson St, Council Chambers"
    comment_opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    comment_closes_at = factory.LazyAttribute(lambda o: o.starts_at - dt.timedelta(hours=24))


class PastHearingFactory(HearingFactory):
    status = Hearing.Status.HELD
    starts_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=20))
    comment_opens_at = factory.LazyAttribute(lambda o: o.starts_at - dt.timedelta(days=14))


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    hearing = factory.SubFactory(HearingFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Agenda item {n}")
    description = "Staff recommend renewing the agreement for two years."


class AgendaDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaDocument

    item = factory.SubFactory(AgendaItemFactory)
    title = "Staff report"
    url = "https://example.org/staff-report.pdf"


class CommentFactory(factory.django.DjangoModelFactory):
    """A comment row written directly; tests of the flow go through the services."""

    class Meta:
        model = Comment

    item = factory.SubFactory(AgendaItemFactory)
    name = factory.Sequence(lambda n: f"Commenter {n}")
    email = factory.Sequence(lambda n: f"commenter{n}@example.org")
    email_normalized = factory.LazyAttribute(lambda o: email_normalize(o.email))
    address_or_zip = "60431"
    is_resident = True
    position = Comment.Position.OPPOSE
    text = "Please do not renew the contract."
    consent_public_record = True
    status = Comment.Status.PUBLISHED
    confirmed_at = factory.LazyFunction(timezone.now)
    ip_hash = "f" * 64
