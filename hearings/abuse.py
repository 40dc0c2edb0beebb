"""Abuse controls shared by every public form: client IPs and their keyed hashes, rate limits
(Django cache counters, Redis in production), a honeypot field, and email normalization.

Raw IPs are never stored: ``ip_hash`` keys an HMAC with ``settings.HASH_KEY`` so the hash can't
be reversed by hashing the IPv4 space, and ``hearings.privacy`` blanks old hashes.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import time
from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

# Providers that deliver "name+tag@" to "name@": the tag does not make a second mailbox.
# Gmail (also googlemail.com) additionally ignores dots in the local part; nobody else
# documents that, so dots are kept everywhere else. Yahoo uses "-" for disposable addresses,
# which are separate mailboxes, so Yahoo is left alone.
GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})
PLUS_TAG_DOMAINS = frozenset(
    {
        *GMAIL_DOMAINS,
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "fastmail.com",
        "fastmail.fm",
        "icloud.com",
        "me.com",
        "mac.com",
        "proton.me",
        "protonmail.com",
        "protonmail.ch",
        "pm.me",
    }
)


def email_normalize(email: str) -> str:
    """The mailbox an address delivers to, for "one per person" checks (never for sending)."""
    email = (email or "").strip().lower()
    local, sep, domain = email.rpartition("@")
    if not sep or not local or not domain:
        return email
    if domain in PLUS_TAG_DOMAINS:
        local = local.split("+", 1)[0] or local
    if domain in GMAIL_DOMAINS:
        local = local.replace(".", "")
        domain = "gmail.com"
    return f"{local}@{domain}"


def client_ip(request: HttpRequest) -> str:
    """The client's IP: REMOTE_ADDR, or the address ``NUM_PROXIES`` trusted proxies saw.

    Only the entries our own proxies appended to X-Forwarded-For are trusted; anything to their
    left is whatever the client chose to send.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = getattr(settings, "NUM_PROXIES", 0)
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            candidate = forwarded[-proxies]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                pass
    return remote


def ip_hash(ip: str) -> str:
    """A keyed hash of an IP address; blank for a blank IP."""
    if not ip:
        return ""
    key = settings.HASH_KEY.encode()
    return hmac.new(key, f"ip:{ip}".encode(), hashlib.sha256).hexdigest()


class RateLimited(Exception):
    """Too many attempts from one IP or email in the current window."""

    def __init__(self, *, scope: str, retry_after: int):
        super().__init__(f"rate limited: {scope}")
        self.scope = scope
        self.retry_after = retry_after


def _digest(value: str) -> str:
    # Cache keys must not carry emails or IPs in the clear (Redis is not private storage).
    return hmac.new(settings.HASH_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()[:32]


def rate_limit_hit(*, scope: str, key: str, limit: int, window: int) -> None:
    """Count one attempt for ``key`` in a fixed window of ``window`` seconds; raise
    ``RateLimited`` once more than ``limit`` attempts were made in it."""
    now = time.time()
    bucket = int(now // window)
    cache_key = f"ratelimit:{scope}:{_digest(key)}:{bucket}"
    if cache.add(cache_key, 1, timeout=window + 1):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.add(cache_key, 1, timeout=window + 1)
            count = 1
    if count > limit:
        raise RateLimited(scope=scope, retry_after=max(1, int((bucket + 1) * window - now)))


def rate_limit_check(*, scope: str, key: str) -> None:
    """``rate_limit_hit`` with the limit and window of ``settings.HEARINGS_RATE_LIMITS[scope]``."""
    if not key:
        return
    limit, window = settings.HEARINGS_RATE_LIMITS[scope]
    rate_limit_hit(scope=scope, key=key, limit=limit, window=window)


HONEYPOT_FIELD = "website"

if TYPE_CHECKING:
    # What the mixin is mixed into (a Form), for the checker only.
    _FormBase = forms.BaseForm
else:
    _FormBase = object


class HoneypotMixin(_FormBase):
    """Adds a field people never see or fill; bots filling every field trip it.

    Render it with ``{% include "hearings/includes/honeypot.html" %}`` (hidden by CSS, out of
    the tab order and the accessibility tree). A view that finds ``form.honeypot_tripped``
    answers as if the submission was accepted and saves nothing, so bots learn nothing.
    """

    honeypot_field_name = HONEYPOT_FIELD

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[self.honeypot_field_name] = forms.CharField(
            label=_("Leave this field empty"),
            required=False,
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
        )

    @property
    def honeypot_tripped(self) -> bool:
        return bool((self.data.get(self.add_prefix(self.honeypot_field_name)) or "").strip())

    @property
    def honeypot(self):
        return self[self.honeypot_field_name]

    def visible_fields(self):
        return [f for f in super().visible_fields() if f.name != self.honeypot_field_name]
