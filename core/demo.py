"""The demo's fixed names and seed, shared by every app's demo builder (``portal.demo`` writes
the cities, agencies, cameras and sharing; ``searches.demo``, ``hearings.demo`` and
``petitions.demo`` add audits, hearings and petitions to the same places)."""

import datetime as dt

SEED = 20261122
DEMO_SOURCE = "demo"
# A fixed "today" for the demo keeps the plan the same whenever and wherever it is built.
AS_OF = dt.date(2026, 11, 1)
DEMO_PASSWORD = "demo-password-1234"  # noqa: S105 - published in the README for the demo only

MAIN_CITY = "prairie-junction-il"
HARBOR_CITY = "harbor-vista-ca"
ALDER_CITY = "alder-bend-or"
ASTER_CITY = "lake-aster-mn"

PRAIRIE_PD = "Prairie Junction IL PD"
PRAIRIE_SO = "Kestrel County IL SO"
PRAIRIE_HOA = "Willow Creek Homeowners Association"
PRAIRIE_STORE = "Big Box Home Improvement Store #1234"
PRAIRIE_HOUSING = "Maple Terrace Apartments"
HARBOR_PD = "Harbor Vista CA PD"
ALDER_PD = "Alder Bend OR PD"
ASTER_PD = "Lake Aster MN PD"
