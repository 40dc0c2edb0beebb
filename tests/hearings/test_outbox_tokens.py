"""Residents' emailed links stay with residents: the outbox clerks read holds no usable token,
the delivered email does, staff signed in cannot act through a resident's link, and every
confirmation or withdrawal records who did it."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from core.models import AuditEvent
from hearings.models import Comment, OutboundEmail
from hearings.outbox import email_bodies
from hearings.services.comments import comment_confirm
from hearings.tokens import StaffLinkRefused, TokenInvalid, mailbox_tag, token_make, token_read
from petitions import services as petition_services
from petitions.models import Signature
from tests.factories import SuperuserFactory, UserFactory
from tests.hearings.factories import AgendaItemFactory, EngagementSettingsFactory, HearingFactory
from tests.hearings.petition_factories import OpenPetitionFactory
from tests.hearings.test_hearing_services import WITHDRAW_RE, link, submit
from tests.hearings.test_petition_services import sign, sign_and_confirm

pytestmark = pytest.mark.django_db

# Every signed-link path the hearings app mails, with the purpose its token is signed for.
LINK_PATHS = {
    "hearings/comments/confirm": "comment-confirm",
    "hearings/comments/withdraw": "comment-withdraw",
    "petitions/confirm": "petition-confirm",
    "petitions/signatures/confirm": "signature-confirm",
    "petitions/signatures/withdraw": "signature-withdraw",
}
TOKEN_IN_PATH = re.compile("/(" + "|".join(LINK_PATHS) + r")/([^/\s\"'<>]+)/")


def usable_links(text: str) -> dict[str, int]:
    """Tokens in ``text`` that would act on a row, with the row's primary key."""
    usable = {}
    for path, token in TOKEN_IN_PATH.findall(text):
        try:
            usable[token] = token_read(purpose=LINK_PATHS[path], token=token)
        except TokenInvalid:
            continue
    return usable


def usable_tokens(text: str) -> list[str]:
    return list(usable_links(text))


@pytest.fixture
def item(clerk_city):
    EngagementSettingsFactory(city=clerk_city, moderation_mode="post")
    return AgendaItemFactory(hearing=HearingFactory(city=clerk_city), title="Renew the contract")


@pytest.fixture
def published_comment(item, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        comment = submit(item)
    comment_confirm(token=link(mail.outbox[0]))
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    return comment


@pytest.fixture
def petition(clerk_city):
    return OpenPetitionFactory(city=clerk_city, title="End out-of-state sharing")


def test_stored_emails_hold_no_usable_token_but_the_delivered_ones_work(
    item, petition, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        comment = submit(item)
        sign(petition, "ana@example.org")
    stored = list(OutboundEmail.objects.all())
    assert len(stored) == 2
    for email in stored:
        assert "hidden-link-" in email.body_text
        assert usable_tokens(email.body_text + email.body_html) == []
    delivered = "\n".join(message.body for message in mail.outbox)
    assert len(usable_tokens(delivered)) == 4  # confirm and withdraw, comment and signature
    # The delivered comment link confirms the comment it was made for.
    assert comment_confirm(token=link(mail.outbox[0])).pk == comment.pk


def test_text_typed_into_an_email_cannot_borrow_a_link(
    clerk_city, django_capture_on_commit_callbacks
):
    """A placeholder is random per email: a petition title copying one from another email
    (a clerk could read it) stays text in the signer's email."""
    petition = OpenPetitionFactory(city=clerk_city, title="Cameras")
    with django_capture_on_commit_callbacks(execute=True):
        first = sign(petition, "ana@example.org")
    placeholder = re.search(r"hidden-link-\w+", OutboundEmail.objects.get().body_text).group(0)
    petition.title = f"Cameras /petitions/signatures/withdraw/{placeholder}/"
    petition.save()
    with django_capture_on_commit_callbacks(execute=True):
        second = sign(petition, "ben@example.org")
    sent = email_bodies(OutboundEmail.objects.get(to="ben@example.org"))[0]
    assert placeholder in sent  # the copied text stays text
    # Ben's email carries his own two links and none for Ana's signature.
    assert sorted(usable_links(sent).values()) == [second.pk, second.pk]
    assert first.pk != second.pk


def test_the_outbox_admin_shows_no_usable_token(
    clerk_client, item, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submit(item)
    email = OutboundEmail.objects.get()
    page = clerk_client.get(reverse("admin:hearings_outboundemail_change", args=[email.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Renew the contract" in html and "hidden-link-" in html
    assert usable_tokens(html) == []


def test_a_signed_in_clerk_cannot_withdraw_a_comment_with_the_residents_link(
    clerk_client, published_comment
):
    token = link(mail.outbox[-1], WITHDRAW_RE)
    url = reverse("hearings:comment-withdraw", args=[token])
    response = clerk_client.post(url)
    assert response.status_code == 403
    assert "use the moderation tools in the admin" in response.content.decode()
    published_comment.refresh_from_db()
    assert published_comment.status == Comment.Status.PUBLISHED
    assert not AuditEvent.objects.filter(action="comment.withdraw").exists()


def test_a_superuser_cannot_confirm_a_signature_or_withdraw_it_either(
    client, petition, django_capture_on_commit_callbacks
):
    client.force_login(SuperuserFactory(username="root"))
    with django_capture_on_commit_callbacks(execute=True):
        signature = sign(petition, "ana@example.org")
    confirm, withdraw = re.findall(
        r"/petitions/signatures/(?:confirm|withdraw)/[^/\s]+/", mail.outbox[-1].body
    )
    assert client.get(confirm).status_code == 403
    signature.refresh_from_db()
    assert signature.status == Signature.Status.UNCONFIRMED

    signature, _ = petition_services.signature_confirm(token=confirm.split("/")[-2])
    answer = client.post(withdraw)
    assert answer.status_code == 403
    assert "works only for that resident" in answer.content.decode()
    signature.refresh_from_db()
    assert signature.status == Signature.Status.CONFIRMED


def test_the_audit_log_records_who_acted_through_a_link(
    client, published_comment, petition, django_capture_on_commit_callbacks
):
    # The resident, signed out: no actor, as the link's holder acted.
    withdraw = link(mail.outbox[-1], WITHDRAW_RE)
    assert client.post(reverse("hearings:comment-withdraw", args=[withdraw])).status_code == 200
    event = AuditEvent.objects.get(action="comment.withdraw", object_id=str(published_comment.pk))
    assert event.actor is None

    # A signed-in non-staff account is named in the log.
    member = UserFactory(username="resident-account")
    client.force_login(member)
    signature = sign_and_confirm(petition, "ana@example.org")
    token = token_make(
        purpose="signature-withdraw",
        pk=signature.pk,
        extra=mailbox_tag(signature.email_normalized),
    )
    assert client.post(reverse("petitions:signature-withdraw", args=[token])).status_code == 200
    event = AuditEvent.objects.get(action="signature.withdraw", object_id=str(signature.pk))
    assert event.actor == member


def test_services_refuse_staff_actors(published_comment, clerk):
    from hearings.services.comments import comment_withdraw

    token = link(mail.outbox[-1], WITHDRAW_RE)
    with pytest.raises(StaffLinkRefused):
        comment_withdraw(token=token, actor=clerk)
    published_comment.refresh_from_db()
    assert published_comment.status == Comment.Status.PUBLISHED
