"""The demo hearings: built on the camera demo, idempotent, every comment state, both
moderation modes, open and past windows, example.org addresses only."""

import pytest

from hearings.demo import demo_hearings_build
from hearings.models import CityEngagementSettings, Comment, Hearing
from portal.demo import demo_build

pytestmark = pytest.mark.django_db


def test_demo_hearings_are_complete_and_idempotent():
    demo_build(accounts=False)
    assert demo_hearings_build() == 3
    snapshot = sorted(Comment.objects.values_list("item__hearing__slug", "name", "status"))
    assert demo_hearings_build() == 0
    assert sorted(Comment.objects.values_list("item__hearing__slug", "name", "status")) == snapshot

    assert set(Comment.objects.values_list("status", flat=True)) == set(Comment.Status.values)
    assert Comment.objects.exclude(held_reason="").exists()
    assert all(e.endswith("@example.org") for e in Comment.objects.values_list("email", flat=True))
    modes = dict(CityEngagementSettings.objects.values_list("city__slug", "moderation_mode"))
    assert modes == {"prairie-junction-il": "pre", "harbor-vista-ca": "post"}

    removal = Hearing.objects.get(slug="proposal-to-remove-the-citys-license-plate-cameras")
    renewal = Hearing.objects.get(slug="renewal-of-the-county-data-sharing-agreement")
    assert removal.status == "held" and removal.window_state() == "closed"
    assert set(removal.items.values_list("outcome", flat=True)) == {"cameras_removed", "approved"}
    assert removal.items.filter(cameras__isnull=False).exists()
    assert renewal.comments_open()
    assert renewal.items.first().agencies.filter(name="Kestrel County IL SO").exists()
