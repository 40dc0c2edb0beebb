"""What one import may change: the single ownership check every importer asks.

An import acts for its uploader. Jobs without one (management commands, scheduled fetches run
by the system) and superusers' jobs are unrestricted. A clerk's job may change only data owned
by the cities the clerk manages:

* an agency's own data (its transparency snapshots, status tags, notes, audited searches)
  belongs to the agency's home city;
* a camera belongs to its city, and may not be given an owner that is another city's agency;
* a sharing agreement belongs to its owner's city (the agency whose cameras are searched); an
  agreement whose owner belongs to no city may be recorded from the recipient's side, by the
  recipient's clerk ("Receiving Network Data From" on their own page). Agencies first seen in a
  file are created without a city, as counterparties.

Importers ask at the point where they resolve the owning agency or city and turn a refusal into
a row error on the file's line; the rest of the file imports. The scope also collects the cities
whose data the import changed, so that the import's audit events reach those cities' clerks.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils.translation import gettext as _

from core.models import City

if TYPE_CHECKING:
    from core.models import Agency, ImportJob


class ImportScope:
    """The city ids an import may change (``None``: any) and the city ids it did change."""

    def __init__(self, city_ids: Iterable[int] | None = None):
        self.city_ids: frozenset[int] | None = None if city_ids is None else frozenset(city_ids)
        self.touched: set[int] = set()
        self._city_names: dict[int, str] = {}

    @classmethod
    def for_user(cls, user) -> ImportScope:
        """No user (a command) or an active superuser: unrestricted; anyone else: the cities
        they manage (none for an inactive user or a staff member without a city)."""
        if user is None:
            return cls()
        if user.is_superuser and user.is_active:
            return cls()
        return cls(City.objects.get_viewable(user).values_list("pk", flat=True))

    @classmethod
    def for_job(cls, job: ImportJob) -> ImportScope:
        """The scope of the user who uploaded ``job``."""
        return cls.for_user(job.created_by)

    @property
    def restricted(self) -> bool:
        return self.city_ids is not None

    def owns_city(self, city_id: int | None) -> bool:
        return self.city_ids is None or (city_id is not None and city_id in self.city_ids)

    def is_foreign(self, agency: Agency) -> bool:
        """Whether ``agency`` belongs to a city outside this scope (no city is not foreign)."""
        return agency.home_city_id is not None and not self.owns_city(agency.home_city_id)

    # --- refusals: "" when allowed, else the row error ----------------------------------------

    def agency_refusal(self, agency: Agency) -> str:
        """Why this import may not change ``agency``'s own data, or ""."""
        if self.owns_city(agency.home_city_id):
            return ""
        return self._outside(agency.name, agency.home_city_id)

    def camera_refusal(
        self,
        *,
        camera_id: str,
        current_city_id: int | None,
        exists: bool,
        city_id: int | None,
        owner: Agency | None,
    ) -> str:
        """Why this import may not create or change a camera (``current_city_id``: its city
        now, when it ``exists``; ``city_id``: its city after the import; ``owner``: the owner
        the row gives it), or ""."""
        if exists and not self.owns_city(current_city_id):
            return _("camera %(id)s belongs to %(city)s, outside your cities") % {
                "id": camera_id,
                "city": self._city_name(current_city_id),
            }
        if not self.owns_city(city_id):
            return _("camera %(id)s would not be in one of your cities; choose your city") % {
                "id": camera_id
            }
        if owner is not None and self.is_foreign(owner):
            return _("the owner %(outside)s") % {
                "outside": self._outside(owner.name, owner.home_city_id)
            }
        return ""

    def agreement_refusal(self, *, owner: Agency, recipient: Agency) -> str:
        """Why this import may not create, change or end ``owner``'s sharing with
        ``recipient``, or ""."""
        if self.owns_city(owner.home_city_id):
            return ""
        if owner.home_city_id is None and self.owns_city(recipient.home_city_id):
            return ""
        if owner.home_city_id is None:
            return _(
                "neither %(owner)s nor %(recipient)s is an agency of your cities: their "
                "sharing is not yours to change"
            ) % {"owner": owner.name, "recipient": recipient.name}
        return _("%(outside)s: its sharing is not yours to change") % {
            "outside": self._outside(owner.name, owner.home_city_id)
        }

    def agreements(self, prefix: str = "") -> Q:
        """The sharing agreements this import may change, as a filter (``prefix``: the lookup
        path to the agreement); the same rule as ``agreement_refusal``."""
        if self.city_ids is None:
            return Q()
        ids = sorted(self.city_ids)
        return Q(**{f"{prefix}owner__home_city__in": ids}) | Q(
            **{f"{prefix}owner__home_city__isnull": True, f"{prefix}recipient__home_city__in": ids}
        )

    # --- what changed ----------------------------------------------------------------------

    def touch(self, *city_ids: int | None) -> None:
        """Note cities whose data this import changed (``None`` is ignored)."""
        self.touched.update(c for c in city_ids if c is not None)

    # --- messages ----------------------------------------------------------------------------

    def _city_name(self, city_id: int | None) -> str:
        if city_id is None:
            return _("no city")
        if city_id not in self._city_names:
            city = City.objects.filter(pk=city_id).only("name", "state").first()
            self._city_names[city_id] = str(city) if city else str(city_id)
        return self._city_names[city_id]

    def _outside(self, name: str, city_id: int | None) -> str:
        if city_id is None:
            return _("%(name)s belongs to no city you manage; a superuser sets its home city") % {
                "name": name
            }
        return _("%(name)s belongs to %(city)s, outside your cities") % {
            "name": name,
            "city": self._city_name(city_id),
        }
