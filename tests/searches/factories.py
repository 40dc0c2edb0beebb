"""factory_boy factories for search audits, shared by the searches tests.

S1 and S2 may append a factory at the end of this file.
"""

from __future__ import annotations

import datetime as dt

import factory

from searches.models import Reason, ReasonCategory, Search, SearchFlag
from searches.normalize import reason_key
from tests.factories import AgencyFactory


class ReasonCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReasonCategory
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))
    kind = ReasonCategory.Kind.OFFENSE
    priority = 50


class ReasonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reason
        django_get_or_create = ("key",)

    text = factory.Sequence(lambda n: f"case 25-{n:05d} stolen vehicle")
    offense_text = ""
    key = factory.LazyAttribute(lambda o: reason_key(o.text, o.offense_text))
    category = None
    flags = 0


class SearchFactory(factory.django.DjangoModelFactory):
    """A search whose category and flags are set directly, as classification would set them."""

    class Meta:
        model = Search

    source_agency = factory.SubFactory(AgencyFactory)
    searching_agency = factory.LazyAttribute(lambda o: o.source_agency)
    searched_at = dt.datetime(2026, 5, 10, 14, 30, tzinfo=dt.UTC)
    reason = factory.SubFactory(ReasonFactory)
    category = factory.LazyAttribute(lambda o: o.reason.category)
    flags = factory.LazyAttribute(lambda o: o.reason.flags)
    case_number_present = False
    networks_searched = 12
    devices_searched = 400
    search_type = "search"
    dedupe_key = factory.Sequence(lambda n: f"test-{n}")
    external_id = factory.LazyAttribute(lambda o: o.dedupe_key)
    searcher_hash = factory.Sequence(lambda n: f"{n % 7:032x}")


def flags_of(*names: str) -> int:
    value = 0
    for name in names:
        value |= SearchFlag[name.upper()]
    return value


def rebuild_rollups() -> None:
    """Rebuild every rollup table from the searches, through the classification part's
    ``rollups_rebuild_all`` (the real path pages read from)."""
    from searches.services.rollups import rollups_rebuild_all

    rollups_rebuild_all()


# --- A small audit scenario shared by the selector, page and API tests --------------------------

IL_CITATION = "625 ILCS 5/2-130"
IL_URL = "https://www.ilga.gov/legislation/ilcs/fulltext.asp?DocName=062500050K2-130"
CA_CITATION = "Cal. Civ. Code § 1798.90.55"
CA_URL = "https://leginfo.legislature.ca.gov/faces/codes_displaySection.xhtml?sectionNum=1798.90.55"


def _law(state: str, **values):
    from core.models import StateLawProfile

    profile, _created = StateLawProfile.objects.update_or_create(state=state, defaults=values)
    return profile


def audit_scenario() -> dict:
    """Prairie Junction IL PD's audit over March-May 2026 (with a gap) plus Harbor Vista CA
    PD's audit showing the Prairie PD searching California cameras. Categories and flags are
    set as classification would set them; rollups are rebuilt at the end.

    Counts by hand: Prairie audit 22 searches: 8 stolen vehicle, 5 vague, 3 blank, 3
    immigration (2 out-of-state, 1 federal), 1 reproductive care (out of state), 2 "warrant".
    """
    from core.models import Agency
    from tests.factories import CityFactory

    _law(
        "IL",
        statute_citation=IL_CITATION,
        statute_url=IL_URL,
        forbidden_uses=["immigration", "reproductive_care"],
        forbids_out_of_state_sharing=False,
        forbids_federal_sharing=False,
    )
    _law(
        "CA",
        statute_citation=CA_CITATION,
        statute_url=CA_URL,
        forbidden_uses=[],
        forbids_out_of_state_sharing=True,
        forbids_federal_sharing=True,
    )
    city = CityFactory(name="Prairie Junction", state="IL", slug="prairie-junction-il")
    pd = AgencyFactory(name="Prairie Junction IL PD", home_city=city)
    hoa = AgencyFactory(
        name="Willow Creek Homeowners Association", kind=Agency.Kind.HOA, home_city=city
    )
    sheriff = AgencyFactory(name="Kestrel County IL SO", kind=Agency.Kind.SHERIFF)
    wisconsin = AgencyFactory(name="Bramble WI PD", state="WI")
    hsi = AgencyFactory(name="Homeland Security Investigations", kind=Agency.Kind.FEDERAL, state="")
    harbor_city = CityFactory(name="Harbor Vista", state="CA", slug="harbor-vista-ca")
    harbor = AgencyFactory(name="Harbor Vista CA PD", state="CA", home_city=harbor_city)

    def category(slug: str, name: str, kind: str, priority: int, flags: int = 0):
        # The default rules may already hold these slugs; pin the values the tests assert.
        found, _created = ReasonCategory.objects.update_or_create(
            slug=slug,
            defaults={"name": name, "kind": kind, "priority": priority, "flags": int(flags)},
        )
        return found

    concern, offense, other = (
        ReasonCategory.Kind.CONCERN,
        ReasonCategory.Kind.OFFENSE,
        ReasonCategory.Kind.OTHER,
    )
    cat = {
        "immigration": category("immigration", "Immigration", concern, 10, SearchFlag.IMMIGRATION),
        "reproductive": category(
            "reproductive-care", "Reproductive care", concern, 11, SearchFlag.REPRODUCTIVE_CARE
        ),
        "stolen": category("stolen-vehicle", "Stolen vehicle", offense, 50),
        "warrant": category("warrant", "Warrant", offense, 51),
        "vague": category("vague", "Vague", other, 90, SearchFlag.VAGUE),
        "blank": category("blank", "Blank", other, 95, SearchFlag.BLANK),
    }

    def reason(text: str, category: str) -> Reason:
        c = cat[category]
        return ReasonFactory(text=text, category=c, flags=c.flags)

    stolen = reason("stolen vehicle 25-00412", "stolen")
    inv = reason("inv", "vague")
    blank = reason("", "blank")
    ice = reason("ICE WARRANT", "immigration")
    hsi_reason = reason("HSI assist", "immigration")
    abortion = reason("abortion investigation", "reproductive")
    warrant = reason('=HYPERLINK("http://x")warrant', "warrant")

    out_il = SearchFlag.OUT_OF_STATE
    forbidden = SearchFlag.FORBIDDEN_USE

    def at(month: int, day: int, hour: int = 12) -> dt.datetime:
        return dt.datetime(2026, month, day, hour, 0, tzinfo=dt.UTC)

    rows = []
    # Prairie PD's own searches and the sheriff's: stolen vehicles, vague, blank, warrants.
    for n, day in enumerate([1, 2, 3, 4, 5, 6]):
        rows.append((pd, at(3, day), stolen, 0, 300 + n, f"{n % 3:032x}"))
    for n, day in enumerate([15, 16]):
        rows.append((sheriff, at(4, day), stolen, 0, 200 + n, "a" * 32))
    for n, day in enumerate([2, 3, 4, 20, 21]):
        rows.append((pd, at(4, day), inv, 0, 100 + n, f"{n % 2:032x}"))
    for day in (1, 2, 3):
        rows.append((pd, at(5, day), blank, 0, 50, ""))
    rows.append((sheriff, at(5, 4), warrant, 0, 90, "b" * 32))
    rows.append((sheriff, at(5, 5), warrant, 0, 95, "b" * 32))
    # Flagged: immigration from Wisconsin and HSI, reproductive care from Wisconsin.
    rows.append((wisconsin, at(3, 10, 9), ice, forbidden | out_il, 48_000, "c" * 32))
    rows.append((wisconsin, at(4, 10, 9), ice, forbidden | out_il, 47_000, "c" * 32))
    rows.append((hsi, at(5, 10, 9), hsi_reason, forbidden | SearchFlag.FEDERAL, 12_000, "d" * 32))
    rows.append((wisconsin, at(5, 11, 9), abortion, forbidden | out_il, 83_000, "e" * 32))
    searches = []
    for searcher, when, why, extra, devices, who in rows:
        searches.append(
            SearchFactory(
                source_agency=pd,
                searching_agency=searcher,
                searched_at=when,
                reason=why,
                flags=why.flags | extra,
                devices_searched=devices,
                networks_searched=devices // 40,
                searcher_hash=who,
            )
        )
    # Harbor Vista's audit: the Prairie PD searched California cameras (sharing CA forbids).
    harbor_rows = [
        SearchFactory(
            source_agency=harbor,
            searching_agency=pd,
            searched_at=at(5, 20 + n),
            reason=stolen,
            flags=stolen.flags | SearchFlag.FORBIDDEN_SHARING | out_il,
            devices_searched=700,
            searcher_hash=f"{n:032x}",
        )
        for n in range(2)
    ]
    harbor_rows.append(
        SearchFactory(
            source_agency=harbor, searching_agency=harbor, searched_at=at(5, 25), reason=inv
        )
    )
    rebuild_rollups()
    return {
        "city": city,
        "pd": pd,
        "hoa": hoa,
        "sheriff": sheriff,
        "wisconsin": wisconsin,
        "hsi": hsi,
        "harbor": harbor,
        "harbor_city": harbor_city,
        "categories": cat,
        "searches": searches,
        "harbor_searches": harbor_rows,
    }


PORTAL_AUDIT_HEADER_CSV = "id,userId,searchDate,networkCount,reason,offenseType\n"


def portal_audit_import(agency, rows: list[str], name: str = "audit.csv"):
    """Import ``rows`` (portal audit CSV lines) as ``agency``'s audit through a real job."""
    from django.core.files.base import ContentFile

    from core.imports import import_job_create, import_job_run
    from core.models import ImportJob

    job = import_job_create(
        kind=ImportJob.Kind.AUDIT,
        file=ContentFile((PORTAL_AUDIT_HEADER_CSV + "".join(rows)).encode(), name=name),
        original_name=name,
        options={"agency": agency.name},
        run=False,
    )
    job = import_job_run(job=job)
    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    return job


def add_flagged_searches(scenario: dict, n: int = 30) -> None:
    """``n`` more immigration searches (forbidden by Illinois law) of the scenario's police by a
    Wisconsin agency, one a minute from 2026-02-01 08:00 UTC; rollups rebuilt."""
    reason = Search.objects.filter(reason__text="ICE WARRANT").first().reason
    for i in range(n):
        SearchFactory(
            source_agency=scenario["pd"],
            searching_agency=scenario["wisconsin"],
            searched_at=dt.datetime(2026, 2, 1, 8, i, tzinfo=dt.UTC),
            reason=reason,
            flags=reason.flags | 64 | 256,
        )
    rebuild_rollups()
