"""The outbox's extra headers: links in them are placeholders in the stored row and signed
tokens in the sent message; a header value with a line break is refused (header injection)."""

import pytest
from django.core import mail

from hearings.models import OutboundEmail
from hearings.outbox import PLACEHOLDER_PREFIX, EmailLink, email_queue
from hearings.tokens import token_read

pytestmark = pytest.mark.django_db


def test_header_links_are_placeholders_when_stored_and_tokens_when_sent(
    clerk_city, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        email_queue(
            key="test-headers",
            to="rosa@example.org",
            subject="Hello",
            template="alerts/email/manage",
            context={
                "manage_url": EmailLink(
                    url_name="alerts:manage", purpose="alerts-manage", pk=7, absolute=True
                )
            },
            headers={"List-Unsubscribe": "<{manage_url}>", "X-Plain": "as is"},
        )
    stored = OutboundEmail.objects.get(key="test-headers").headers
    assert PLACEHOLDER_PREFIX in stored["List-Unsubscribe"]
    sent = mail.outbox[0].extra_headers
    assert PLACEHOLDER_PREFIX not in sent["List-Unsubscribe"]
    assert sent["X-Plain"] == "as is"
    token = sent["List-Unsubscribe"].rstrip("/>").rsplit("/", 1)[1]
    assert token_read(purpose="alerts-manage", token=token) == 7
    assert token in mail.outbox[0].body


def test_a_header_with_a_line_break_is_refused(clerk_city):
    with pytest.raises(ValueError, match="line break"):
        email_queue(
            key="test-injection",
            to="rosa@example.org",
            subject="Hello",
            template="alerts/email/manage",
            context={},
            headers={"X-Note": "one\r\nBcc: victim@example.org"},
        )
    assert not OutboundEmail.objects.filter(key="test-injection").exists()
