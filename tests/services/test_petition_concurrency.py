"""Concurrent signing and confirming on PostgreSQL: two requests at once, each on its own
database connection, count a signature once and leave one row per mailbox.

Each test widens the race on purpose (a pause inside the transaction, after the row was read
or written, until the other request waits on this one's lock), so the locks and the unique
constraint are what keep the result right.
"""

import contextlib
import threading

import pytest
from django.db import connection, connections

from hearings.models import OutboundEmail
from petitions import services as services
from petitions.models import Petition, Signature
from tests.hearings.petition_factories import OpenPetitionFactory
from tests.hearings.test_petition_services import sign, token_in
from tests.waiting import wait_until

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

PAUSE = 0.4


@pytest.fixture(autouse=True)
def _postgresql():
    if connection.vendor != "postgresql":
        pytest.fail("the concurrency tests need DATABASE_URL pointing at PostgreSQL")


def run_together(*calls):
    """Run each call in its own thread (and database connection), released at once."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)
    errors: list[BaseException] = []

    def worker(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    return results


def _blocking_another() -> bool:
    """Another connection waits for a lock this thread's connection holds."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks"
            " WHERE NOT granted AND pg_backend_pid() = ANY(pg_blocking_pids(pid)))"
        )
        return cursor.fetchone()[0]


def slowed(monkeypatch, target, name):
    """Make ``target.name`` pause before doing its work, inside the caller's transaction: until
    the other request is seen waiting on this one's lock (the race is met for sure), or PAUSE
    seconds when it never waits, as it would not were nothing locked."""
    original = getattr(target, name)

    def slow(*args, **kwargs):
        with contextlib.suppress(TimeoutError):
            wait_until(_blocking_another, timeout=PAUSE, interval=0.01)
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, slow)


def test_two_simultaneous_confirmations_count_once(monkeypatch):
    petition = OpenPetitionFactory()
    signature = sign(petition, "ana@example.org")
    token = token_in(OutboundEmail.objects.get(to="ana@example.org"), "signatures/confirm")
    # Both requests would read "unconfirmed" before either saves, were the row not locked.
    slowed(monkeypatch, Signature, "save")

    results = run_together(
        lambda: services.signature_confirm(token=token),
        lambda: services.signature_confirm(token=token),
    )

    assert sorted(changed for _signature, changed in results) == [False, True]
    petition.refresh_from_db()
    signature.refresh_from_db()
    assert signature.status == Signature.Status.CONFIRMED
    assert petition.signature_count == 1
    assert petition.signature_count == petition.signatures.confirmed().count()


def test_two_simultaneous_signatures_from_one_mailbox_make_one_row(monkeypatch):
    petition = OpenPetitionFactory()
    # The first insert stays uncommitted a while, so the second one meets it.
    slowed(monkeypatch, services, "audit_record")

    first, second = run_together(
        lambda: sign(petition, "A.B+x@gmail.com", name="Ann Bee", ip="10.0.0.1"),
        lambda: sign(petition, "ab@gmail.com", name="Ann Bee", ip="10.0.0.2"),
    )

    assert first.pk == second.pk
    assert Signature.objects.filter(petition=petition).count() == 1
    row = Signature.objects.get(petition=petition)
    assert row.email_normalized == "ab@gmail.com"

    # Both emailed links confirm the same row; it counts once.
    confirm = OutboundEmail.objects.get(key=f"signature-{row.pk}-confirm")
    token = token_in(confirm, "signatures/confirm")
    run_together(
        lambda: services.signature_confirm(token=token),
        lambda: services.signature_confirm(token=token),
    )
    petition.refresh_from_db()
    assert petition.signature_count == 1 == Signature.objects.filter(status="confirmed").count()


def test_many_signers_confirming_at_once_keep_the_count_exact(monkeypatch):
    petition = OpenPetitionFactory(signature_goal=8)
    tokens = []
    for n in range(8):
        signature = sign(petition, f"s{n}@example.org", ip=f"10.1.0.{n}")
        email = OutboundEmail.objects.get(key=f"signature-{signature.pk}-confirm")
        tokens.append(token_in(email, "signatures/confirm"))

    run_together(*(lambda t=t: services.signature_confirm(token=t) for t in tokens))

    petition = Petition.objects.get(pk=petition.pk)
    assert petition.signature_count == 8 == petition.signatures.confirmed().count()
    # Every milestone was crossed by some confirmation; each was emailed exactly once.
    assert petition.milestones_sent == [10, 25, 50, 75, 100]
    milestone_emails = OutboundEmail.objects.filter(key__contains="-milestone-")
    assert milestone_emails.count() == len(set(milestone_emails.values_list("key", flat=True)))
    assert milestone_emails.filter(key=f"petition-{petition.pk}-milestone-100").count() == 1
