"""State law profiles set the flags of every city in their state: superusers change them, through
one service that the admin and ``load_state_laws`` share, audited and reflagged; clerks read."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core.models import AuditEvent, StateLawProfile
from core.services import state_law_profile_delete, state_law_profile_save
from tests.factories import StateLawProfileFactory, SuperuserFactory
from tests.portal.test_admin import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def root_client(client):
    root = SuperuserFactory(username="root")
    client.force_login(root)
    client.user = root
    return client


def change_url(profile) -> str:
    return reverse("admin:core_statelawprofile_change", args=[profile.pk])


def test_a_clerk_cannot_change_add_or_delete_their_states_profile(
    clerk_client, clerk_city, reflagged
):
    illinois = StateLawProfileFactory(state="IL", retention_limit_days=None)
    page = clerk_client.get(change_url(illinois))
    assert page.status_code == 200  # they read it
    data = form_data(page) | {"retention_limit_days": "9999", "forbidden_uses": []}
    assert clerk_client.post(change_url(illinois), data).status_code == 403
    add = reverse("admin:core_statelawprofile_add")
    assert clerk_client.get(add).status_code == 403
    delete = reverse("admin:core_statelawprofile_delete", args=[illinois.pk])
    assert clerk_client.post(delete, {"post": "yes"}).status_code == 403
    illinois.refresh_from_db()
    assert (illinois.retention_limit_days, illinois.forbidden_uses) == (
        None,
        ["immigration", "reproductive_care"],
    )
    assert not AuditEvent.objects.exists() and reflagged == []


def test_a_superuser_change_is_audited_and_reflags_the_state(root_client, reflagged):
    illinois = StateLawProfileFactory(state="IL")
    data = form_data(root_client.get(change_url(illinois)))
    data.update(retention_limit_days="30", forbidden_uses=["immigration"])
    assert root_client.post(change_url(illinois), data).status_code == 302
    illinois.refresh_from_db()
    assert (illinois.retention_limit_days, illinois.forbidden_uses) == (30, ["immigration"])
    event = AuditEvent.objects.get()
    assert (event.action, event.actor) == ("statelaw.update", root_client.user)
    assert event.changes == {
        "retention_limit_days": {"old": None, "new": 30},
        "forbidden_uses": {"old": ["immigration", "reproductive_care"], "new": ["immigration"]},
    }
    assert reflagged == [{"IL"}]


def test_moving_a_profile_to_another_state_reflags_both(root_client, reflagged):
    profile = StateLawProfileFactory(state="IL")
    data = form_data(root_client.get(change_url(profile))) | {"state": "WI"}
    assert root_client.post(change_url(profile), data).status_code == 302
    assert StateLawProfile.objects.get(pk=profile.pk).state == "WI"
    assert reflagged == [{"IL", "WI"}]
    assert AuditEvent.objects.get().changes == {"state": {"old": "IL", "new": "WI"}}


def test_an_unchanged_save_writes_nothing(root_client, reflagged):
    profile = StateLawProfileFactory(state="IL")
    data = form_data(root_client.get(change_url(profile)))
    assert root_client.post(change_url(profile), data).status_code == 302
    assert not AuditEvent.objects.exists() and reflagged == []


def test_a_superuser_deletes_a_profile_with_an_audit_row(root_client, reflagged):
    profile = StateLawProfileFactory(state="IL")
    delete = reverse("admin:core_statelawprofile_delete", args=[profile.pk])
    assert root_client.post(delete, {"post": "yes"}).status_code == 302
    assert not StateLawProfile.objects.filter(pk=profile.pk).exists()
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.changes["state"]) == (
        "statelaw.delete",
        root_client.user,
        {"old": "IL", "new": None},
    )
    assert reflagged == [{"IL"}]


def test_the_service_refuses_clerks_and_accepts_commands(clerk, reflagged):
    profile = StateLawProfileFactory(state="IL")
    profile.retention_limit_days = 5
    with pytest.raises(PermissionDenied):
        state_law_profile_save(profile=profile, fields=["retention_limit_days"], actor=clerk)
    with pytest.raises(PermissionDenied):
        state_law_profile_delete(profile=profile, actor=clerk)
    assert StateLawProfile.objects.get(pk=profile.pk).retention_limit_days is None

    # A management command (no actor) may.
    changes = state_law_profile_save(profile=profile, fields=["retention_limit_days"])
    assert changes == {"retention_limit_days": {"old": None, "new": 5}}
    assert AuditEvent.objects.get().actor is None
    assert reflagged == [{"IL"}]
