"""Signed links in emails (confirm a comment, withdraw a signature, ...).

Each purpose signs with its own salt, so a token made to confirm can never withdraw. Tokens carry
the row's primary key and an optional ``extra`` string (e.g. the normalized email) that must match
when the reader passes it, which ties a link to the row it was made for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core import signing
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from core.services import ServiceError

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

SALT_PREFIX = "hearings.tokens."


class TokenInvalid(Exception):
    """The token is malformed, forged, made for another purpose, or expired."""


class StaffLinkRefused(ServiceError):
    """A signed-in clerk or admin followed a resident's emailed link."""


def link_actor(user: User | AnonymousUser | None) -> User | None:
    """Who acts through an emailed link, for the audit log: the signed-in user, or None for
    the resident holding the link. Staff are refused: a link acts for the resident it was
    mailed to, and clerks change comments and signatures through moderation, on their name."""
    if user is None or not user.is_authenticated:
        return None
    if user.is_staff or user.is_superuser or user.clerk_memberships.exists():
        raise StaffLinkRefused(
            _(
                "You are signed in as portal staff. A resident's emailed link works only for "
                "that resident; use the moderation tools in the admin instead."
            )
        )
    return user


def mailbox_tag(email_normalized: str) -> str:
    """A short keyed digest of a mailbox that ties a link to it. Tokens are signed, not
    encrypted: the address itself must not ride in URLs (server logs, browser history)."""
    return salted_hmac("petitions.mailbox", email_normalized).hexdigest()[:20]


def _signer(purpose: str) -> signing.TimestampSigner:
    if not purpose:
        raise ValueError("a token needs a purpose")
    return signing.TimestampSigner(salt=SALT_PREFIX + purpose)


def token_make(*, purpose: str, pk: int, extra: str = "") -> str:
    """A URL-safe signed token for row ``pk`` and ``purpose``."""
    return _signer(purpose).sign_object({"pk": int(pk), "x": extra}, compress=True)


def token_read(
    *, purpose: str, token: str, max_age: int | None = None, extra: str | None = None
) -> int:
    """The primary key a token was made for; raises ``TokenInvalid`` otherwise."""
    try:
        payload = _signer(purpose).unsign_object(token, max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise TokenInvalid(str(exc)) from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("pk"), int):
        raise TokenInvalid("malformed token")
    if extra is not None and payload.get("x") != extra:
        raise TokenInvalid("token made for another row")
    return payload["pk"]
