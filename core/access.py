"""Who may manage a city's records: the one check services, the admin and views share.

A superuser manages every city, a clerk the cities they clerk for, anyone else none. Services
call ``require_city_manager`` where their rule lives, so a clerk of another city is refused
whether the call comes from the admin, the API, a command or a task.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from core.models import City

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User
    from django_stubs_ext import StrOrPromise


def can_manage_city(
    actor: User | AnonymousUser | None, city: City | None, *, system: bool = False
) -> bool:
    """Whether ``actor`` manages ``city``; ``actor=None`` is the system itself (a command, a
    task, demo data) and passes only where the caller says ``system=True``."""
    if actor is None:
        return system
    if city is None:
        # Rows of no city (an agency-wide import) are a superuser's.
        return bool(actor.is_authenticated and actor.is_active and actor.is_superuser)
    return City.objects.get_viewable(actor).filter(pk=city.pk).exists()


def require_city_manager(
    actor: User | AnonymousUser | None,
    city: City | None,
    *,
    system: bool = False,
    message: StrOrPromise | None = None,
) -> None:
    """Raise PermissionDenied unless ``actor`` manages ``city`` (see ``can_manage_city``)."""
    if not can_manage_city(actor, city, system=system):
        raise PermissionDenied(message or _("You do not manage this city."))


def is_superuser(actor: User | AnonymousUser | None) -> bool:
    """Whether ``actor`` is an active, signed-in superuser."""
    return bool(
        actor is not None and actor.is_authenticated and actor.is_active and actor.is_superuser
    )
