import datetime as dt
import re

import pytest

from hearings.models import OutboundEmail
from hearings.outbox import email_bodies
from records.models import RecordsRequest
from tests.factories import AgencyFactory

EMAIL = "resident.private@example.net"


@pytest.fixture
def agency(clerk_city):
    return AgencyFactory(name="Joliet IL PD", home_city=clerk_city, state="IL")


def link_in(email: OutboundEmail, name: str) -> str:
    """The path of the ``/records-requests/<name>/<token>/`` link in an email as sent."""
    text, _html = email_bodies(email)
    match = re.search(rf"/records-requests/{name}/[^/\s]+/", text)
    assert match, text
    return match.group(0)


def logged(agency, **fields) -> RecordsRequest:
    values = {
        "city": agency.home_city,
        "agency": agency,
        "kind": RecordsRequest.Kind.AUDIT,
        "sent_on": dt.date(2026, 11, 19),
        "due_on": dt.date(2026, 11, 27),
        "confirmed_at": dt.datetime(2026, 11, 19, tzinfo=dt.UTC),
        **fields,
    }
    return RecordsRequest.objects.create(**values)
