"""One shape of audit diffs: the helper every writer uses, the admin's display of it, and the
data migration that converted rows stored in the older shapes."""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from portal.audit import audit_change, audit_diff, audit_entries
from portal.models import AuditEvent
from tests.factories import SuperuserFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("portal.migrations.0006_auditevent_changes_one_shape")


def test_audit_diff_keeps_changed_fields_and_hides_private_values():
    assert audit_diff(
        before={"status": "open", "goal": 10, "clerk_email": "a@example.org"},
        after={"status": "closed", "goal": 10, "clerk_email": "b@example.org"},
    ) == {"status": {"old": "open", "new": "closed"}, "clerk_email": {"changed": True}}
    # A creation keeps every field, a deletion too.
    assert audit_diff(before=None, after={"goal": 10}) == {"goal": {"old": None, "new": 10}}
    assert audit_diff(before={"goal": 10}, after=None) == {"goal": {"old": 10, "new": None}}
    assert audit_change(None, dt.date(2025, 3, 1)) == {"old": None, "new": "2025-03-01"}


OLD_ROWS = [
    # (action, stored changes, changes after the migration)
    (
        "statelaw.update",
        {"retention_limit_days": [None, 30], "forbidden_uses": [["a", "b"], ["a"]]},
        {
            "retention_limit_days": {"old": None, "new": 30},
            "forbidden_uses": {"old": ["a", "b"], "new": ["a"]},
        },
    ),
    (
        "comment.reject",
        {"status": ["published", "rejected"], "reason": "Off topic"},
        {"status": {"old": "published", "new": "rejected"}, "reason": "Off topic"},
    ),
    (
        "searches.rules_changed",
        {"version": [3, 4], "operation": "delete", "object": "searches.reason:1"},
        {"version": {"old": 3, "new": 4}, "operation": "delete", "object": "searches.reason:1"},
    ),
    (
        "camera.delete",
        {"address": {"old": "Larkin Ave"}, "vendor": {"old": "Flock Safety"}},
        {
            "address": {"old": "Larkin Ave", "new": None},
            "vendor": {"old": "Flock Safety", "new": None},
        },
    ),
    (
        "camera.remove",
        {"status": "removed", "removed_on": "2024-05-01"},
        {
            "status": {"old": None, "new": "removed"},
            "removed_on": {"old": None, "new": "2024-05-01"},
        },
    ),
    (
        "petition.close",
        {"status": "closed", "signature_count": 12},
        {"status": {"old": None, "new": "closed"}, "signature_count": 12},
    ),
    # Context, not field changes: left as stored.
    ("agency.merge", {"merged": ["Joliet PD", "Joliet Police"]}, None),
    ("agency.alias", {"alias": "City of Joliet Police"}, None),
    ("import.run", {"status": "succeeded", "read": 10}, None),
    # Already in the one shape: left as stored.
    ("camera.change", {"vendor": {"old": "A", "new": "B"}, "clerk_email": {"changed": True}}, None),
    ("hearing.update", {"title": {"old": "A", "new": "B"}}, None),
]


def test_the_migration_converts_rows_of_the_older_shapes():
    events = [
        AuditEvent.objects.create(action=a, object_type="x", changes=c) for a, c, _ in OLD_ROWS
    ]
    migration.forwards(apps, None)
    for event, (action, stored, expected) in zip(events, OLD_ROWS, strict=True):
        event.refresh_from_db()
        assert event.changes == (expected if expected is not None else stored), action
    # Running it again changes nothing.
    migration.forwards(apps, None)
    assert [AuditEvent.objects.get(pk=e.pk).changes for e in events] == [e.changes for e in events]


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
    page = client.get(reverse("admin:portal_auditevent_change", args=[event.pk]))
    html = page.content.decode()
    assert '<table class="audit-changes">' in html
    assert (
        '<tr><th scope="row">vendor</th><td>Flock Safety</td>'
        "<td>Motorola &lt;Solutions&gt;</td></tr>"
    ) in html
    assert '<th scope="row">last_verified</th><td>—</td><td>2025-03-01</td>' in html
    assert "changed (the value is private and not kept)" in html
    assert '<th scope="row">merged</th><td></td>' in html
