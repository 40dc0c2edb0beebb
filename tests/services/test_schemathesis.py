"""Property-based checks of every API operation against the OpenAPI schema (schemathesis), on
the demo data: no 5xx, every status code, content type, header and body as documented.

Runs under `make test-services` (PORTAL_SERVICES=1), bounded to stay near two minutes on two
cores: ``SCHEMATHESIS_MAX_EXAMPLES`` (default 10) cases per operation; 25 take about five.
"""

import os

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import negative_data_rejection, positive_data_acceptance

from portal.wsgi import application

pytestmark = [pytest.mark.services, pytest.mark.django_db]

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "10"))
# Operations whose query parameters depend on each other in a way OpenAPI cannot say: compare
# needs exactly one of `cities`, `agencies` or `state`, and known slugs; its 400 is documented,
# and tests/compare/test_api.py checks each refusal and its message.
INTERDEPENDENT_PARAMETERS = {"/api/v1/compare/"}


def _schema() -> dict:
    # Built in-process by the generator /api/schema/ serves; no database needed to collect.
    return SchemaGenerator().get_schema(request=None, public=True)


schema = schemathesis.openapi.from_dict(_schema())
schema.app = application  # calls go through the WSGI app in this process and transaction


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """The demo's cities, cameras, audits, hearings and petitions, loaded once for all the
    operations inside a transaction rolled back at the end (each case runs in a savepoint)."""
    # The WSGI app closes "old" connections around each request, and inside a transaction
    # every connection looks old (autocommit differs): Django's test client detaches this
    # handler for the same reason.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("seed_demo", verbosity=0)
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _unthrottled(demo_data, db, settings):
    # Throttling would answer most generated cases with a 429; tests/portal cover the 429.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_matches_the_schema(case):
    # Filters take an empty or unparseable optional value as absent (an HTML form sends empty
    # fields; DRF falls back to the default page size), so "invalid data accepted" is by design.
    # Responses are gzipped for clients that ask (GZipMiddleware); the WSGI transport does not
    # inflate them, so ask for the plain body the schema describes.
    excluded = [negative_data_rejection]
    if case.path in INTERDEPENDENT_PARAMETERS:
        excluded.append(positive_data_acceptance)
    case.call_and_validate(headers={"Accept-Encoding": "identity"}, excluded_checks=excluded)
