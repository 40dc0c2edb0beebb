"""Reads of petitions and signatures for pages, the API and clerk exports.

Public reads go through ``Petition.objects.public()`` (never pending, unconfirmed or rejected
petitions) and read only public columns of signatures: counts by ZIP code, and the names and
comments of signers who chose to show them. Emails and IP hashes are never selected here
except in ``signatures_for_record``, the clerk's export.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from core.models import City
from hearings.tokens import TokenInvalid, mailbox_tag, token_read
from petitions.models import Petition, Signature

# How many recent public names a petition page and the API show.
PUBLIC_NAMES_SHOWN = 20
# Token purposes: each signs with its own salt, so a confirm link can never withdraw.
PETITION_CONFIRM = "petition-confirm"
SIGNATURE_CONFIRM = "signature-confirm"
SIGNATURE_WITHDRAW = "signature-withdraw"
# Digits of a ZIP code a link's page shows the link's holder.
ZIP_DIGITS_SHOWN = 3


@dataclass(frozen=True)
class PublicSigner:
    name: str
    comment: str
    signed_at: dt.datetime


@dataclass(frozen=True)
class LinkedSignature:
    """What the page an emailed link opens shows of the signature: enough for its holder to
    recognize it, no more (the link may have been forwarded)."""

    petition: Petition
    name: str
    zip_code: str
    status: str
    show_name: bool


def mask_name(name: str) -> str:
    """ "Rosa Delgado" -> "Rosa D."; a one-word name keeps its first letter only."""
    words = name.split()
    if not words:
        return ""
    if len(words) == 1:
        return f"{words[0][0]}."
    return " ".join([words[0], *(f"{word[0]}." for word in words[1:])])


def mask_zip(zip_code: str) -> str:
    return zip_code[:ZIP_DIGITS_SHOWN] + "•" * max(0, len(zip_code) - ZIP_DIGITS_SHOWN)


def _link_max_age(purpose: str) -> int | None:
    # Confirm links expire; a withdraw link works for as long as the petition is open.
    return None if purpose == SIGNATURE_WITHDRAW else settings.HEARINGS_CONFIRM_MAX_AGE


def signature_from_link(*, token: str, purpose: str, lock: bool = False) -> Signature:
    """The signature an emailed link was made for, locked for update when ``lock``;
    ``TokenInvalid`` for a forged, expired or foreign link or a signature that is gone."""
    max_age = _link_max_age(purpose)
    pk = token_read(purpose=purpose, token=token, max_age=max_age)
    rows = Signature.objects.select_related("petition__city")
    signature = (rows.select_for_update() if lock else rows).filter(pk=pk).first()
    if signature is None:
        raise TokenInvalid("no such signature")
    # The link names the mailbox it was sent to; a row re-used by another address refuses it.
    token_read(
        purpose=purpose,
        token=token,
        max_age=max_age,
        extra=mailbox_tag(signature.email_normalized),
    )
    return signature


def signature_for_link_page(*, token: str, purpose: str) -> LinkedSignature:
    """The masked signature a confirm or withdraw link's page names; ``TokenInvalid`` as for
    ``signature_from_link``."""
    signature = signature_from_link(token=token, purpose=purpose)
    return LinkedSignature(
        petition=signature.petition,
        name=mask_name(signature.name),
        zip_code=mask_zip(signature.zip_code),
        status=signature.status,
        show_name=signature.show_name,
    )


def petition_from_link(*, token: str, lock: bool = False) -> Petition:
    """The petition its creator's confirm link was made for, locked for update when ``lock``;
    ``TokenInvalid`` for any bad link."""
    max_age = _link_max_age(PETITION_CONFIRM)
    pk = token_read(purpose=PETITION_CONFIRM, token=token, max_age=max_age)
    rows = Petition.objects.select_related("city")
    petition = (rows.select_for_update() if lock else rows).filter(pk=pk).first()
    if petition is None:
        raise TokenInvalid("no such petition")
    token_read(
        purpose=PETITION_CONFIRM,
        token=token,
        max_age=max_age,
        extra=mailbox_tag(petition.creator_email_normalized),
    )
    return petition


def petition_list(*, city: City | None = None, status: str | None = None) -> QuerySet[Petition]:
    """Published petitions, open ones first (ending soonest), then the rest, newest first."""
    qs = Petition.objects.public().select_related("city", "hearing", "hearing__city")
    if city is not None:
        qs = qs.filter(city=city)
    if status:
        qs = qs.filter(status=status)
    return qs.open_first()


def petition_get_public(*, slug: str) -> Petition:
    """One published petition by slug; ``Petition.DoesNotExist`` for anything else."""
    published = Petition.objects.public().select_related("city", "hearing", "hearing__city")
    return published.get(slug=slug)


def petition_zip_counts(*, petition: Petition) -> list[tuple[str, int]]:
    """Confirmed signatures per ZIP code, most first."""
    rows = (
        Signature.objects.confirmed()
        .filter(petition=petition)
        .values("zip_code")
        .annotate(n=Count("pk"))
        .order_by("-n", "zip_code")
    )
    return [(row["zip_code"], row["n"]) for row in rows]


def petition_public_signers(
    *, petition: Petition, limit: int = PUBLIC_NAMES_SHOWN
) -> list[PublicSigner]:
    """The most recent confirmed signers who chose to show their name (and comment)."""
    rows = (
        Signature.objects.confirmed()
        .filter(petition=petition, show_name=True)
        .order_by("-confirmed_at", "-pk")
        .values_list("name", "public_comment", "confirmed_at")[:limit]
    )
    return [PublicSigner(name, comment, at) for name, comment, at in rows]


def petitions_with_public_details(
    petitions: Iterable[Petition], *, names: int = PUBLIC_NAMES_SHOWN
) -> list[Petition]:
    """Attach ``zip_counts`` and ``public_signers`` to each petition with two queries for the
    whole batch (the API lists many petitions per page or download chunk)."""
    petitions = list(petitions)
    ids = [p.pk for p in petitions]
    zips: dict[int, list[tuple[str, int]]] = defaultdict(list)
    signers: dict[int, list[PublicSigner]] = defaultdict(list)
    if ids:
        zip_rows = (
            Signature.objects.confirmed()
            .filter(petition_id__in=ids)
            .values("petition_id", "zip_code")
            .annotate(n=Count("pk"))
            .order_by("petition_id", "-n", "zip_code")
        )
        for row in zip_rows:
            zips[row["petition_id"]].append((row["zip_code"], row["n"]))
        recent = (
            Signature.objects.confirmed()
            .filter(petition_id__in=ids, show_name=True)
            .annotate(
                rank=Window(
                    RowNumber(),
                    partition_by=[F("petition_id")],
                    order_by=[F("confirmed_at").desc(), F("pk").desc()],
                )
            )
            .filter(rank__lte=names)
            .order_by("petition_id", "rank")
            .values_list("petition_id", "name", "public_comment", "confirmed_at")
        )
        for petition_id, name, comment, at in recent:
            signers[petition_id].append(PublicSigner(name, comment, at))
    # For the page and the API serializer; mypy knows only the attributes the model declares.
    for petition in petitions:
        petition.zip_counts = zips.get(petition.pk, [])  # type: ignore[attr-defined]
        petition.public_signers = signers.get(petition.pk, [])  # type: ignore[attr-defined]
    return petitions


def city_open_petitions(*, city: City, limit: int = 3) -> tuple[list[Petition], int]:
    """A city's open petitions (up to ``limit``) and how many petitions it has published."""
    published = petition_list(city=city)
    open_ones = list(published.filter(status=Petition.Status.OPEN)[:limit])
    return open_ones, published.count()


def petition_cities() -> QuerySet[City]:
    """Cities with published petitions, each with ``petition_count`` and ``open_count``."""
    public = Q(petitions__status__in=Petition.PUBLIC_STATUSES)
    return (
        City.objects.annotate(
            petition_count=Count("petitions", filter=public),
            open_count=Count("petitions", filter=Q(petitions__status=Petition.Status.OPEN)),
        )
        .filter(petition_count__gt=0)
        .order_by("name", "state")
    )


def signatures_for_record(*, petition: Petition) -> QuerySet[Signature]:
    """The confirmed signatures of a petition for the clerk's official record, in the order
    they were confirmed."""
    return Signature.objects.confirmed().filter(petition=petition).order_by("confirmed_at", "pk")


def open_petitions(*, limit: int = 3) -> tuple[list[Petition], int]:
    """Petitions open for signatures in every city, ending soonest first (up to ``limit``), and
    how many are open in all; the same published petitions ``/petitions/`` lists."""
    open_ones = petition_list(status=Petition.Status.OPEN)
    return list(open_ones.order_by("ends_at", "pk")[:limit]), open_ones.count()
