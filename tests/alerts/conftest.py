import pytest

from tests.alerts.helpers import SITE


@pytest.fixture(autouse=True)
def _https_site(settings):
    """Alert emails link to the site's public https address (List-Unsubscribe needs one)."""
    settings.PORTAL_SITE_URL = SITE
