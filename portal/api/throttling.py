"""Anonymous API limits: a burst rate and a sustained daily rate, keyed by client address."""

from rest_framework.throttling import AnonRateThrottle


class AnonBurstThrottle(AnonRateThrottle):
    scope = "anon_burst"


class AnonSustainedThrottle(AnonRateThrottle):
    scope = "anon_sustained"
