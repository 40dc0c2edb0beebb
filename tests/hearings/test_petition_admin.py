"""The clerk admin for petitions and signatures: the review queue, decisions through the
services, delivery and response, the record export, scoping and read-only signatures."""

import datetime as dt

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.utils import timezone

from core.models import AuditEvent
from hearings.models import OutboundEmail
from petitions.models import Petition, Signature
from tests.hearings.petition_factories import OpenPetitionFactory, PetitionFactory
from tests.hearings.test_petition_services import make_hearing, sign, sign_and_confirm
from tests.helpers import csv_rows
from tests.portal.test_admin import admin_url, form_data, messages_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(clerk_city):
    return PetitionFactory(city=clerk_city, title="Require a council vote on new cameras")


@pytest.fixture
def open_petition(clerk_city):
    return OpenPetitionFactory(city=clerk_city, title="End out-of-state sharing")


@pytest.fixture
def elsewhere(other_city):
    return PetitionFactory(city=other_city, title="Berkeley petition")


def test_queue_lists_pending_first_and_only_the_clerks_city(
    clerk_client, pending, open_petition, elsewhere, clerk_city
):
    closed = OpenPetitionFactory(city=clerk_city, status="closed", closed_at=timezone.now())
    response = clerk_client.get(admin_url(Petition, "changelist"))
    assert list(response.context["cl"].result_list) == [pending, open_petition, closed]
    assert "Berkeley petition" not in response.content.decode()
    assert clerk_client.get(admin_url(Petition, "change", elsewhere.pk)).status_code == 302


def test_approving_in_the_change_form_publishes_through_the_service(clerk_client, clerk, pending):
    url = admin_url(Petition, "change", pending.pk)
    data = form_data(clerk_client.get(url))
    ends = timezone.localtime() + dt.timedelta(days=30)
    data.update(
        decision="approve",
        signature_goal="300",
        ends_at_0=ends.strftime("%Y-%m-%d"),
        ends_at_1="12:00:00",
    )
    response = clerk_client.post(url, data, follow=True)
    assert response.status_code == 200
    pending.refresh_from_db()
    assert pending.status == Petition.Status.OPEN
    assert pending.signature_goal == 300
    assert timezone.localtime(pending.ends_at).date() == ends.date()
    assert AuditEvent.objects.filter(action="petition.approve", actor=clerk).count() == 1
    assert OutboundEmail.objects.filter(key=f"petition-{pending.pk}-published").exists()


def test_rejecting_needs_a_reason(clerk_client, pending):
    url = admin_url(Petition, "change", pending.pk)
    data = {**form_data(clerk_client.get(url)), "decision": "reject", "rejection_reason": ""}
    response = clerk_client.post(url, data)
    assert response.status_code == 200
    assert "Give the creator a reason" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Petition.Status.PENDING
    data["rejection_reason"] = "It names a private person."
    clerk_client.post(url, data)
    pending.refresh_from_db()
    assert pending.status == Petition.Status.REJECTED
    assert pending.rejection_reason == "It names a private person."


def test_reject_action_asks_for_one_reason_then_rejects(clerk_client, pending, clerk_city):
    second = PetitionFactory(city=clerk_city)
    url = admin_url(Petition, "changelist")
    base = {"action": "reject_selected", ACTION_CHECKBOX_NAME: [pending.pk, second.pk]}
    asked = clerk_client.post(url, base)
    assert "Reject and email the reason" in asked.content.decode()
    clerk_client.post(url, {**base, "post": "yes", "reason": "Duplicate of an open petition."})
    assert set(Petition.objects.values_list("status", flat=True)) == {"rejected"}
    assert OutboundEmail.objects.filter(key__endswith="-rejected").count() == 2


def test_approve_action_skips_what_is_not_pending(clerk_client, pending, open_petition):
    response = clerk_client.post(
        admin_url(Petition, "changelist"),
        {"action": "approve_selected", ACTION_CHECKBOX_NAME: [pending.pk, open_petition.pk]},
        follow=True,
    )
    assert "1 petition reviewed." in messages_of(response)
    pending.refresh_from_db()
    assert pending.status == Petition.Status.OPEN


def test_linking_a_hearing_and_recording_the_response(clerk_client, clerk, open_petition):
    hearing = make_hearing(open_petition.city, title="Council: data sharing")
    url = admin_url(Petition, "change", open_petition.pk)
    data = {**form_data(clerk_client.get(url)), "hearing": str(hearing.pk)}
    clerk_client.post(url, data)
    open_petition.refresh_from_db()
    assert open_petition.status == Petition.Status.DELIVERED
    assert open_petition.hearing == hearing
    data = {**form_data(clerk_client.get(url)), "response": "The council ended the agreement."}
    clerk_client.post(url, data)
    open_petition.refresh_from_db()
    assert open_petition.status == Petition.Status.RESPONDED
    assert open_petition.response == "The council ended the agreement."
    actions = set(AuditEvent.objects.filter(actor=clerk).values_list("action", flat=True))
    assert {"petition.deliver", "petition.respond"} <= actions


def test_a_hearing_of_another_city_is_not_offered(clerk_client, open_petition, other_city):
    foreign = make_hearing(other_city, title="Berkeley hearing")
    url = admin_url(Petition, "change", open_petition.pk)
    data = {**form_data(clerk_client.get(url)), "hearing": str(foreign.pk)}
    response = clerk_client.post(url, data)
    assert "Select a valid choice" in response.content.decode()
    open_petition.refresh_from_db()
    assert open_petition.hearing is None and open_petition.is_open


def test_record_export_has_names_and_zips_formula_safe_and_is_audited(
    clerk_client, clerk, open_petition
):
    sign_and_confirm(
        open_petition,
        "a@example.org",
        name="=2+3",
        zip_code="60431",
        show_name=True,
        comment="@evil",
    )
    sign_and_confirm(open_petition, "b@example.org", name="Bo Lee", zip_code="60432")
    sign(open_petition, "unconfirmed@example.org", name="Not Counted")
    response = clerk_client.get(admin_url(Petition, "record", open_petition.pk))
    rows = csv_rows(response)
    assert [(r["name"], r["zip_code"]) for r in rows] == [("'=2+3", "60431"), ("Bo Lee", "60432")]
    assert rows[0]["public_comment"] == "'@evil"
    assert rows[0]["name_shown_publicly"] == "yes"
    body = response.getvalue().decode()
    assert "example.org" not in body and "Not Counted" not in body
    assert AuditEvent.objects.filter(action="petition.export_signatures", actor=clerk).exists()


def test_record_export_of_another_city_is_refused(clerk_client, other_city):
    foreign = OpenPetitionFactory(city=other_city)
    response = clerk_client.get(admin_url(Petition, "record", foreign.pk))
    assert response.status_code == 404


def test_signatures_are_read_only_and_scoped(clerk_client, open_petition, other_city):
    own = sign(open_petition, "own.signer@example.org", name="Own Signer")
    foreign_petition = OpenPetitionFactory(city=other_city)
    sign(foreign_petition, "foreign.signer@example.org", name="Foreign Signer")
    response = clerk_client.get(admin_url(Signature, "changelist"))
    html = response.content.decode()
    assert list(response.context["cl"].result_list) == [own]
    # The clerk of the petition's city sees the email; nobody else's.
    assert "own.signer@example.org" in html and "foreign.signer" not in html
    detail = clerk_client.get(admin_url(Signature, "change", own.pk))
    assert detail.status_code == 200 and 'name="name"' not in detail.content.decode()
    assert (
        clerk_client.post(admin_url(Signature, "change", own.pk), {"name": "x"}).status_code == 403
    )
    assert clerk_client.get(admin_url(Signature, "add")).status_code == 403
