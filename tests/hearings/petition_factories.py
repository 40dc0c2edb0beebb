"""factory_boy factories for petitions and signatures."""

import datetime as dt

import factory
from django.utils import timezone

from hearings.abuse import email_normalize
from petitions.models import Petition, Signature
from tests.factories import CityFactory


class PetitionFactory(factory.django.DjangoModelFactory):
    """A pending petition; ``OpenPetitionFactory`` for one that takes signatures."""

    class Meta:
        model = Petition

    city = factory.SubFactory(CityFactory)
    title = factory.Sequence(lambda n: f"End camera data sharing, request {n}")
    slug = factory.Sequence(lambda n: f"end-camera-data-sharing-{n}")
    action = "End the city's sharing of license plate reader data with out-of-state agencies."
    background = "The city's cameras are searchable by hundreds of agencies in other states."
    target_body = "City Council"
    creator_name = "Ada Resident"
    creator_email = factory.Sequence(lambda n: f"creator{n}@example.org")
    creator_email_normalized = factory.LazyAttribute(lambda o: email_normalize(o.creator_email))
    status = Petition.Status.PENDING
    signature_goal = 100


class OpenPetitionFactory(PetitionFactory):
    status = Petition.Status.OPEN
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    ends_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=30))


class SignatureFactory(factory.django.DjangoModelFactory):
    """A signature row written directly (no count change); tests of counts use the services."""

    class Meta:
        model = Signature

    petition = factory.SubFactory(OpenPetitionFactory)
    name = factory.Sequence(lambda n: f"Signer {n}")
    email = factory.Sequence(lambda n: f"signer{n}@example.org")
    email_normalized = factory.LazyAttribute(lambda o: email_normalize(o.email))
    zip_code = "60431"
    status = Signature.Status.UNCONFIRMED
