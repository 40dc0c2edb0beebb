"""The admin home is a dashboard of what waits for the clerk, counted in their cities only:
comments to moderate, petitions to review, failed imports and failing audit sources."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import ImportJob
from hearings.models import Comment
from portal.admin_dashboard import clerk_dashboard
from searches.models import AuditFetch, AuditSource
from tests.factories import AgencyFactory, SuperuserFactory
from tests.hearings.factories import AgendaItemFactory, CommentFactory, HearingFactory
from tests.hearings.petition_factories import PetitionFactory

pytestmark = pytest.mark.django_db

ADMIN_HOME = reverse("admin:index")


def source(agency, *statuses: str) -> AuditSource:
    """An audit source whose fetches ended with ``statuses``, oldest first."""
    found = AuditSource.objects.create(agency=agency, url=f"https://example.org/{agency.slug}.csv")
    start = timezone.now() - dt.timedelta(days=len(statuses))
    for n, status in enumerate(statuses):
        fetch = AuditFetch.objects.create(source=found, status=status, error=f"{status} {n}")
        AuditFetch.objects.filter(pk=fetch.pk).update(started_at=start + dt.timedelta(days=n))
    return found


@pytest.fixture
def work(clerk, clerk_city, other_city):
    mine = AgendaItemFactory(hearing=HearingFactory(city=clerk_city, title="Joliet renewal"))
    theirs = AgendaItemFactory(hearing=HearingFactory(city=other_city, title="Berkeley ban"))
    CommentFactory.create_batch(2, item=mine, status=Comment.Status.PENDING)
    CommentFactory(item=mine, status=Comment.Status.PUBLISHED)
    CommentFactory.create_batch(3, item=theirs, status=Comment.Status.PENDING)
    PetitionFactory(city=clerk_city, status="pending", title="Joliet petition")
    PetitionFactory.create_batch(2, city=other_city, status="pending")
    PetitionFactory(city=clerk_city, status="unconfirmed")
    for city in (clerk_city, other_city, other_city):
        ImportJob.objects.create(kind="audit", status="failed", city=city, error="Bad header")
    ImportJob.objects.create(kind="audit", status="succeeded", city=clerk_city)
    old = ImportJob.objects.create(kind="audit", status="failed", city=clerk_city)
    ImportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=45))
    # A clerk also sees the jobs they started, as in the import list.
    ImportJob.objects.create(kind="cameras", status="failed", created_by=clerk)
    joliet_pd = AgencyFactory(name="Joliet IL PD", home_city=clerk_city)
    source(joliet_pd, "imported", "failed")
    source(AgencyFactory(name="Joliet Township", home_city=clerk_city), "failed", "imported")
    source(AgencyFactory(name="Berkeley CA PD", home_city=other_city), "failed")


def counts(user) -> dict[str, int]:
    return {block.key: block.count for block in clerk_dashboard(user=user)}


def test_a_clerk_counts_only_their_cities_work(clerk, work):
    assert counts(clerk) == {"comments": 2, "petitions": 1, "imports": 2, "sources": 1, "pages": 0}


def test_a_superuser_counts_every_city(work):
    root = SuperuserFactory(username="root")
    assert counts(root) == {"comments": 5, "petitions": 3, "imports": 4, "sources": 2, "pages": 0}


def test_the_admin_home_shows_the_clerks_dashboard(clerk_client, work):
    html = clerk_client.get(ADMIN_HOME).content.decode()
    block_re = r'class="module dash-(\w+)".*?class="dash-count[^"]*">([^<]+)<'
    blocks = dict(re.findall(block_re, html, re.S))
    assert blocks == {
        "comments": "2", "petitions": "1", "imports": "2", "sources": "1",
        "pages": "Every active transparency page changed within its expected interval.",
    }  # fmt: skip
    assert "Joliet petition" in html and "Joliet IL PD" in html and "Joliet renewal" in html
    assert "Berkeley" not in html
    pending = reverse("admin:hearings_comment_changelist") + "?status__exact=pending"
    assert f'href="{pending}"' in html
    # Django's list of records is still below.
    assert 'id="content-main"' in html and "app-hearings" in html


def test_nothing_waiting_says_so(clerk_client):
    html = clerk_client.get(ADMIN_HOME).content.decode()
    assert "No comment waits for you." in html and "No petition waits for review." in html
