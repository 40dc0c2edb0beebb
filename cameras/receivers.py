"""Cameras' part of core events: when duplicate agencies merge, their cameras, sharing
agreements and transparency snapshots move to the surviving agency."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.dispatch import receiver

from cameras.models import Camera, SharingAgreement, TransparencySnapshot
from core.models import Agency
from core.signals import agency_merging


def _owner_or_recipient(agency: Agency) -> models.Q:
    return models.Q(owner=agency) | models.Q(recipient=agency)


@receiver(agency_merging, dispatch_uid="cameras.agency_merging")
def move_camera_rows(sender: Any, *, source: Agency, target: Agency, **kwargs: Any) -> None:
    """Repoint ``source``'s cameras, agreements and snapshots to ``target``: an agreement that
    would then join an agency to itself goes, one that duplicates a twin of ``target`` widens
    the twin's seen dates and goes, a snapshot of a day ``target`` already has goes."""
    Camera.objects.filter(owner=source).update(owner=target)
    for agreement in SharingAgreement.objects.filter(_owner_or_recipient(source)):
        owner = target if agreement.owner_id == source.pk else agreement.owner
        recipient = target if agreement.recipient_id == source.pk else agreement.recipient
        if owner.pk == recipient.pk:
            agreement.delete()
            continue
        twin = (
            SharingAgreement.objects.filter(owner=owner, recipient=recipient, kind=agreement.kind)
            .exclude(pk=agreement.pk)
            .first()
        )
        if twin:
            twin.first_seen = min(twin.first_seen, agreement.first_seen)
            twin.last_seen = max(twin.last_seen, agreement.last_seen)
            twin.save(update_fields=["first_seen", "last_seen", "updated_at"])
            agreement.delete()
        else:
            agreement.owner, agreement.recipient = owner, recipient
            agreement.save(update_fields=["owner", "recipient", "updated_at"])
    taken = set(
        TransparencySnapshot.objects.filter(agency=target).values_list("captured_on", flat=True)
    )
    TransparencySnapshot.objects.filter(agency=source, captured_on__in=taken).delete()
    TransparencySnapshot.objects.filter(agency=source).update(agency=target)
