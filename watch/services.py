"""Writing the change log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.models import Agency, City
from watch.models import ChangeEvent


def change_record(
    *,
    kind: str,
    key: str,
    occurred_on: dt.date,
    city: City | None = None,
    agency: Agency | None = None,
    other_agency: Agency | None = None,
    out_of_state: bool = False,
    federal: bool = False,
    forbidden: bool = False,
    data: dict[str, Any] | None = None,
) -> ChangeEvent | None:
    """Record one change, once: returns the new event, or None if ``key`` was recorded before."""
    event, created = ChangeEvent.objects.get_or_create(
        key=key[:255],
        defaults={
            "kind": kind,
            "occurred_on": occurred_on,
            "city": city,
            "agency": agency,
            "other_agency": other_agency,
            "out_of_state": out_of_state,
            "federal": federal,
            "forbidden": forbidden,
            "data": data or {},
        },
    )
    return event if created else None
