"""Anonymous API limits: a burst rate and a sustained daily rate, keyed by client address.

The address is kept only as a keyed hash in the cache, and ``X-Forwarded-For`` is trusted only
when ``REST_FRAMEWORK["NUM_PROXIES"]`` says how many proxies stand in front of the portal;
otherwise any client could dodge the limit by sending a made-up header.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle


class PortalAnonThrottle(AnonRateThrottle):
    def get_rate(self) -> str | None:
        # Read the rates on each request rather than at import, so settings overrides apply.
        if self.scope is None:
            return None
        # The stubs type the rates as numbers; DRF's rates are texts such as "100/day".
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)  # type: ignore[return-value]

    def get_ident(self, request) -> str:
        if api_settings.NUM_PROXIES is None:
            address = request.META.get("REMOTE_ADDR", "")
        else:
            address = super().get_ident(request) or ""
        key = settings.HASH_KEY.encode()
        return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()[:32]


class AnonBurstThrottle(PortalAnonThrottle):
    scope = "anon_burst"


class AnonSustainedThrottle(PortalAnonThrottle):
    scope = "anon_sustained"
