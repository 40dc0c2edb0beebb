"""One shape of audit diffs: the helper every writer uses and the admin's display of it."""

import datetime as dt

import pytest
from django.urls import reverse

from core.audit import audit_change, audit_diff, audit_entries
from core.models import AuditEvent
from tests.factories import SuperuserFactory

pytestmark = pytest.mark.django_db


def test_audit_diff_keeps_changed_fields_and_hides_private_values():
    assert audit_diff(
        before={"status": "open", "goal": 10, "clerk_email": "a@example.org"},
        after={"status": "closed", "goal": 10, "clerk_email": "b@example.org"},
    ) == {"status": {"old": "open", "new": "closed"}, "clerk_email": {"changed": True}}
    # A creation keeps every field, a deletion too.
    assert audit_diff(before=None, after={"goal": 10}) == {"goal": {"old": None, "new": 10}}
    assert audit_diff(before={"goal": 10}, after=None) == {"goal": {"old": 10, "new": None}}
    assert audit_change(None, dt.date(2025, 3, 1)) == {"old": None, "new": "2025-03-01"}


def test_audit_entries_tell_changes_from_context():
    assert audit_entries(
        {"status": {"old": "a", "new": "b"}, "clerk_email": {"changed": True}, "merged": ["X"]}
    ) == [
        ("status", "change", "a", "b"),
        ("clerk_email", "private", None, None),
        ("merged", "context", None, ["X"]),
    ]


def test_the_admin_shows_a_before_and_after_table(client):
    root = SuperuserFactory(username="root")
    client.force_login(root)
    event = AuditEvent.objects.create(
        action="camera.change",
        object_type="cameras.camera",
        changes={
            "vendor": {"old": "Flock Safety", "new": "Motorola <Solutions>"},
            "last_verified": {"old": None, "new": "2025-03-01"},
            "clerk_email": {"changed": True},
            "merged": ["Joliet PD"],
        },
    )
    page = client.get(reverse("admin:core_auditevent_change", args=[event.pk]))
    html = page.content.decode()
    assert '<table class="audit-changes">' in html
    assert (
        '<tr><th scope="row">vendor</th><td>Flock Safety</td>'
        "<td>Motorola &lt;Solutions&gt;</td></tr>"
    ) in html
    assert '<th scope="row">last_verified</th><td>—</td><td>2025-03-01</td>' in html
    assert "changed (the value is private and not kept)" in html
    assert '<th scope="row">merged</th><td></td>' in html
