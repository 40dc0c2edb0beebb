"""Brute force on /admin/login/: django-axes locks a username+client pair out after
AXES_FAILURE_LIMIT wrong passwords, counted behind PORTAL_NUM_PROXIES proxies."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.factories import ClerkFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
LOGIN = "/admin/login/?next=/admin/"


@pytest.fixture
def clerk_user(clerk_city, settings):
    # A fast hasher: the tests log in dozens of times, and the lockout is not about hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return ClerkFactory(username="clerk-lockout", city=clerk_city)


def _login(client, username: str, password: str, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def test_wrong_passwords_lock_the_account_out_even_for_the_right_password(client, clerk_user):
    for _ in range(4):
        response = _login(client, "clerk-lockout", "wrong")
        assert response.status_code == 200  # the admin form again, with its error
        assert "Please enter the correct username and password" in response.content.decode()
    assert _login(client, "clerk-lockout", "wrong").status_code == 429  # the fifth failure
    locked = _login(client, "clerk-lockout", PASSWORD)
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Login temporarily locked" in html
    assert "after 5 failed login attempts" in html
    assert "try again in 30 minutes" in html
    assert locked["Retry-After"] == "1800"
    assert "_auth_user_id" not in client.session
    assert "127.0.0.1" not in html


def test_lockout_is_per_username_and_client(client, clerk_user, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        _login(client, "clerk-lockout", "wrong", REMOTE_ADDR="203.0.113.9")
    assert _login(client, "clerk-lockout", PASSWORD, REMOTE_ADDR="203.0.113.9").status_code == 429
    # The clerk at their own desk is not locked out by someone guessing elsewhere.
    ok = _login(client, "clerk-lockout", PASSWORD, REMOTE_ADDR="198.51.100.7")
    assert ok.status_code == 302 and ok["Location"] == "/admin/"


def test_a_success_before_the_limit_starts_the_count_again(client, clerk_user, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(2):
        _login(client, "clerk-lockout", "wrong")
    assert _login(client, "clerk-lockout", PASSWORD).status_code == 302
    client.logout()
    for _ in range(2):
        _login(client, "clerk-lockout", "wrong")
    assert _login(client, "clerk-lockout", PASSWORD).status_code == 302


def test_behind_proxies_the_client_address_counts_not_the_proxy(client, clerk_user, settings):
    settings.NUM_PROXIES = 1
    settings.AXES_FAILURE_LIMIT = 2
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for _ in range(2):
        _login(client, "clerk-lockout", "wrong", HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy)
    attacker = _login(
        client, "clerk-lockout", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy
    )
    assert attacker.status_code == 429
    # Another client through the same proxy is not locked out; a forged left-hand entry
    # does not help the attacker either.
    other = _login(client, "clerk-lockout", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)
    assert other.status_code == 302
    client.logout()
    forged = _login(
        client, "clerk-lockout", PASSWORD, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9", **proxy
    )
    assert forged.status_code == 429


def test_attempts_are_kept_without_a_raw_ip(client, clerk_user):
    _login(client, "clerk-lockout", "wrong", REMOTE_ADDR="203.0.113.9")
    store = cache._cache  # local memory (embedded default) or Redis (make test-services)
    keys = list(store.keys()) if hasattr(store, "keys") else store.get_client().keys("*")
    assert keys, "the failed attempt was not counted"
    assert not any("203.0.113.9" in str(key) for key in keys)


def test_the_lockout_applies_to_the_admin_login_url(client, clerk_user, settings):
    settings.AXES_FAILURE_LIMIT = 1
    assert _login(client, "clerk-lockout", "wrong").status_code == 429
    response = client.post(
        reverse("admin:login"), {"username": "clerk-lockout", "password": PASSWORD}
    )
    assert response.status_code == 429
