"""The clerk admin for the core models: scoping to a clerk's cities, audit, merge, imports."""

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from cameras.models import Camera, SharingAgreement
from core.models import (
    Agency,
    AgencyAlias,
    AuditEvent,
    City,
    CityClerk,
    ImportJob,
    ImportRowError,
    StateLawProfile,
)
from core.permissions import CLERKS_GROUP
from tests.factories import (
    AgencyFactory,
    CameraFactory,
    ClerkFactory,
    StateLawProfileFactory,
    SuperuserFactory,
    UserFactory,
)

# --- helpers shared with tests/cameras/test_admin.py ---------------------------------------


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def form_data(response) -> dict:
    """The POST data a browser sends back for an admin add/change form as it was rendered."""
    data: dict = {}

    def add_form(form):
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if isinstance(value, bool):
                if value:
                    data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            elif value is not None:
                data[key] = str(value)

    add_form(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add_form(formset.management_form)
        for form in formset.forms:
            add_form(form)
    return data


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture
def superuser(db):
    return SuperuserFactory(username="root")


@pytest.fixture
def super_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def own_agency(clerk_city):
    return AgencyFactory(name="Joliet IL PD", home_city=clerk_city)


@pytest.fixture
def other_agency(other_city):
    return AgencyFactory(name="Berkeley CA PD", state="CA", home_city=other_city)


# --- the site ------------------------------------------------------------------------------


def test_admin_index_names_the_clerk_admin(clerk_client):
    response = clerk_client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "ALPR Transparency Portal — clerk admin" in response.content.decode()


def test_clerk_group_grants_model_permissions_but_no_user_management(clerk):
    assert clerk.groups.filter(name=CLERKS_GROUP).exists()
    assert clerk.has_perm("cameras.add_camera")
    assert clerk.has_perm("core.add_agency")
    assert not clerk.has_perm("core.delete_agency")
    assert not clerk.has_perm("auth.change_user")


# --- agencies ------------------------------------------------------------------------------


def test_clerk_changelist_lists_only_their_cities_agencies(clerk_client, own_agency, other_agency):
    AgencyFactory(name="Nowhere PD", state="", home_city=None)
    response = clerk_client.get(admin_url(Agency, "changelist"))
    html = response.content.decode()
    assert "Joliet IL PD" in html
    assert "Berkeley CA PD" not in html
    assert "Nowhere PD" not in html
    assert list(response.context["cl"].result_list) == [own_agency]


def test_superuser_sees_every_agency(super_client, own_agency, other_agency):
    response = super_client.get(admin_url(Agency, "changelist"))
    assert set(response.context["cl"].result_list) == {own_agency, other_agency}


def test_another_citys_agency_url_redirects_the_clerk_to_the_admin_index(
    clerk_client, other_agency
):
    for view in ("change", "history"):
        response = clerk_client.get(admin_url(Agency, view, other_agency.pk))
        assert response.status_code == 302
        assert response.url == reverse("admin:index")
    # Clerks may not delete agencies at all, so Django refuses before looking the row up.
    assert clerk_client.get(admin_url(Agency, "delete", other_agency.pk)).status_code == 403
    response = clerk_client.get(admin_url(Agency, "change", other_agency.pk), follow=True)
    assert f"agency with ID “{other_agency.pk}” doesn\u2019t exist" in messages_of(response)[0]
    assert "Berkeley CA PD" not in response.content.decode()


def test_clerk_cannot_post_changes_to_another_citys_agency(
    clerk_client, super_client, other_agency, clerk
):
    data = form_data(super_client.get(admin_url(Agency, "change", other_agency.pk)))
    data["name"] = "Hijacked PD"
    clerk_client.force_login(clerk)
    response = clerk_client.post(admin_url(Agency, "change", other_agency.pk), data)
    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    other_agency.refresh_from_db()
    assert other_agency.name == "Berkeley CA PD"
    assert not AuditEvent.objects.exists()


def test_agency_edit_is_audited_and_the_old_spelling_kept_as_an_alias(
    clerk_client, own_agency, clerk, clerk_city
):
    url = admin_url(Agency, "change", own_agency.pk)
    data = form_data(clerk_client.get(url))
    data.update(name="Joliet Police Department IL", kind=Agency.Kind.SHERIFF)
    data["notes"] = "Corrected from the city's website."
    response = clerk_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    own_agency.refresh_from_db()
    assert own_agency.name == "Joliet Police Department IL"
    assert own_agency.kind == Agency.Kind.SHERIFF
    change = AuditEvent.objects.get(action="agency.change")
    assert change.actor == clerk
    assert change.city == clerk_city
    assert change.changes["kind"] == {"old": "police", "new": "sheriff"}
    assert change.changes["notes"] == {"old": "", "new": "Corrected from the city's website."}
    # Same normalized key ("il:joliet pd"), so no alias is needed for this rename.
    assert not AgencyAlias.objects.filter(agency=own_agency).exists()

    data.update(name="Joliet Township IL PD")
    clerk_client.post(url, data)
    own_agency.refresh_from_db()
    assert own_agency.normalized_name == "il:joliet twp pd"
    alias = AgencyAlias.objects.get(agency=own_agency)
    assert alias.normalized_name == "il:joliet pd"
    assert AuditEvent.objects.filter(action="agency.alias", changes__alias=alias.name).exists()


def test_renaming_an_agency_to_another_agencys_name_is_refused(
    clerk_client, own_agency, other_agency
):
    url = admin_url(Agency, "change", own_agency.pk)
    data = form_data(clerk_client.get(url))
    data["name"] = "Berkeley CA Police Department"
    response = clerk_client.post(url, data)
    assert response.status_code == 200
    assert "already refers to Berkeley CA PD" in str(response.context["adminform"].form.errors)
    own_agency.refresh_from_db()
    assert own_agency.name == "Joliet IL PD"


def test_alias_inline_adds_a_spelling_through_the_service(clerk_client, own_agency, clerk):
    url = admin_url(Agency, "change", own_agency.pk)
    data = form_data(clerk_client.get(url))
    data["aliases-0-name"] = "City of Joliet Police"
    response = clerk_client.post(url, data)
    assert response.status_code == 302
    alias = AgencyAlias.objects.get(agency=own_agency)
    assert alias.name == "City of Joliet Police"
    assert alias.normalized_name == "city of joliet pd"
    event = AuditEvent.objects.get(action="agency.alias")
    assert event.actor == clerk
    assert event.changes == {"alias": "City of Joliet Police"}


def test_alias_inline_refuses_a_spelling_of_another_agency(clerk_client, own_agency, other_agency):
    url = admin_url(Agency, "change", own_agency.pk)
    data = form_data(clerk_client.get(url))
    data["aliases-0-name"] = "Berkeley CA Police Department"
    response = clerk_client.post(url, data)
    assert response.status_code == 200
    assert "belongs to Berkeley CA PD; merge the agencies instead" in response.content.decode()
    assert not AgencyAlias.objects.exists()


def test_clerk_adds_an_agency_only_in_their_cities(clerk_client, clerk_city, other_city):
    url = admin_url(Agency, "add")
    data = form_data(clerk_client.get(url))
    data.update(name="Cedar Ridge HOA IL", slug="cedar-ridge-hoa-il", kind=Agency.Kind.HOA)
    data["home_city"] = str(other_city.pk)
    response = clerk_client.post(url, data)
    assert response.status_code == 200
    assert "home_city" in response.context["adminform"].form.errors
    assert not Agency.objects.filter(slug="cedar-ridge-hoa-il").exists()

    data["home_city"] = ""
    response = clerk_client.post(url, data)
    assert "home_city" in response.context["adminform"].form.errors

    data["home_city"] = str(clerk_city.pk)
    response = clerk_client.post(url, data)
    assert response.status_code == 302
    agency = Agency.objects.get(slug="cedar-ridge-hoa-il")
    assert agency.normalized_name == "il:cedar ridge hoa"
    assert agency.home_city == clerk_city
    event = AuditEvent.objects.get(action="agency.create")
    assert event.city == clerk_city
    assert event.changes["name"] == {"old": None, "new": "Cedar Ridge HOA IL"}


def test_merge_action_asks_which_agency_to_keep_then_merges(
    clerk_client, own_agency, clerk_city, clerk
):
    duplicate = AgencyFactory(name="Joliet PD", state="", home_city=clerk_city)
    camera = CameraFactory(city=clerk_city, owner=duplicate)
    changelist = admin_url(Agency, "changelist")
    selection = {"action": "merge_agencies", "_selected_action": [own_agency.pk, duplicate.pk]}

    response = clerk_client.post(changelist, selection)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Pick the agency to keep" in html
    assert 'name="target"' in html
    assert "Joliet IL PD" in html
    assert "Joliet PD" in html
    assert Agency.objects.filter(pk=duplicate.pk).exists()

    response = clerk_client.post(
        changelist, {**selection, "post": "yes", "target": own_agency.pk}, follow=True
    )
    assert "Merged 1 agency into Joliet IL PD." in messages_of(response)
    assert not Agency.objects.filter(pk=duplicate.pk).exists()
    camera.refresh_from_db()
    assert camera.owner == own_agency
    assert AgencyAlias.objects.filter(agency=own_agency, normalized_name="joliet pd").exists()
    event = AuditEvent.objects.get(action="agency.merge")
    assert event.actor == clerk
    assert event.changes == {"merged": ["Joliet PD"]}


def test_clerk_cannot_merge_another_citys_agency(clerk_client, own_agency, other_agency):
    response = clerk_client.post(
        admin_url(Agency, "changelist"),
        {
            "action": "merge_agencies",
            "_selected_action": [own_agency.pk, other_agency.pk],
            "post": "yes",
            "target": own_agency.pk,
        },
        follow=True,
    )
    assert "Select at least two agencies to merge." in messages_of(response)
    assert Agency.objects.filter(pk=other_agency.pk).exists()
    assert not AuditEvent.objects.filter(action="agency.merge").exists()


# --- cities --------------------------------------------------------------------------------


def test_clerk_sees_and_edits_only_their_city_without_the_clerk_inline(
    clerk_client, clerk_city, other_city
):
    response = clerk_client.get(admin_url(City, "changelist"))
    assert list(response.context["cl"].result_list) == [clerk_city]
    assert "Berkeley" not in response.content.decode()

    response = clerk_client.get(admin_url(City, "change", clerk_city.pk))
    assert response.context["inline_admin_formsets"] == []
    assert "name" not in response.context["adminform"].form.fields  # read-only for clerks
    assert clerk_client.get(admin_url(City, "change", other_city.pk)).status_code == 302
    assert clerk_client.get(admin_url(City, "add")).status_code == 403


def test_city_audit_hides_private_contact_values(clerk_client, clerk_city):
    url = admin_url(City, "change", clerk_city.pk)
    data = form_data(clerk_client.get(url))
    data.update(clerk_email="clerk@joliet.example", population="150500")
    assert clerk_client.post(url, data).status_code == 302
    event = AuditEvent.objects.get(action="city.change")
    assert event.city == clerk_city
    assert event.changes["clerk_email"] == {"changed": True}
    assert event.changes["population"] == {"old": 150000, "new": 150500}
    assert "clerk@joliet.example" not in str(event.changes)


def test_superuser_names_a_clerk_through_the_city_inline(super_client, clerk_city):
    newcomer = UserFactory(username="newclerk")
    url = admin_url(City, "change", clerk_city.pk)
    response = super_client.get(url)
    assert "clerks of this city" in response.content.decode().lower()
    data = form_data(response)
    data["clerk_memberships-0-user"] = str(newcomer.pk)
    response = super_client.post(url, data)
    assert response.status_code == 302
    assert CityClerk.objects.filter(user=newcomer, city=clerk_city).exists()
    newcomer.refresh_from_db()
    assert newcomer.is_staff
    assert newcomer.groups.filter(name=CLERKS_GROUP).exists()
    event = AuditEvent.objects.get(action="cityclerk.create")
    assert event.city == clerk_city
    assert event.changes["user"] == {"old": None, "new": "newclerk"}


# --- state law profiles --------------------------------------------------------------------


def test_clerk_reads_only_their_states_law_profile_and_cannot_change_it(
    clerk_client, clerk_city, clerk
):
    illinois = StateLawProfileFactory(state="IL")
    california = StateLawProfileFactory(
        state="CA", statute_citation="Cal. Civ. Code 1798.90.5", forbids_federal_sharing=True
    )
    response = clerk_client.get(admin_url(StateLawProfile, "changelist"))
    assert list(response.context["cl"].result_list) == [illinois]
    assert clerk_client.get(admin_url(StateLawProfile, "change", california.pk)).status_code == 302

    # Law profiles are superusers' (tests/portal/test_law_profile_admin.py): a clerk reads.
    url = admin_url(StateLawProfile, "change", illinois.pk)
    response = clerk_client.get(url)
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert clerk_client.post(url, {"retention_limit_days": "30"}).status_code == 403
    illinois.refresh_from_db()
    assert illinois.retention_limit_days is None
    assert not AuditEvent.objects.filter(action__startswith="statelaw").exists()


# --- import jobs ---------------------------------------------------------------------------


JOB_FILE = b"src_agency,external_agency\nJoliet IL PD,Aurora IL PD\n"


def make_job(*, city, created_by=None, status=ImportJob.Status.SUCCEEDED, **fields):
    job = ImportJob(
        kind=ImportJob.Kind.SHARING,
        status=status,
        city=city,
        created_by=created_by,
        original_name=fields.pop("original_name", "sharing.csv"),
        **fields,
    )
    job.file.save(job.original_name, ContentFile(JOB_FILE), save=False)
    job.save()
    return job


def test_clerk_sees_their_cities_jobs_and_their_own(clerk_client, clerk, clerk_city, other_city):
    own = make_job(city=clerk_city, original_name="joliet.csv")
    mine_elsewhere = make_job(city=None, created_by=clerk, original_name="mine.csv")
    make_job(city=other_city, original_name="berkeley.csv")
    response = clerk_client.get(admin_url(ImportJob, "changelist"))
    assert set(response.context["cl"].result_list) == {own, mine_elsewhere}
    assert "berkeley.csv" not in response.content.decode()


def test_upload_form_offers_only_the_clerks_cities(clerk_client, clerk_city, other_city):
    response = clerk_client.get(admin_url(ImportJob, "add"))
    html = response.content.decode()
    assert list(response.context["form"].fields["city"].queryset) == [clerk_city]
    assert response.context["form"].fields["city"].required
    assert response.context["form"]["city"].value() == clerk_city.pk  # their only city
    assert "Berkeley" not in html
    assert 'enctype="multipart/form-data"' in html
    assert escape("Partial file: don't mark missing cameras removed") in html


def test_clerk_cannot_upload_an_import_for_another_city(clerk_client, other_city):
    upload = SimpleUploadedFile("sharing.csv", b"src_agency,external_agency\nA IL PD,B IL PD\n")
    response = clerk_client.post(
        admin_url(ImportJob, "add"),
        {"kind": ImportJob.Kind.SHARING, "file": upload, "city": other_city.pk},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in str(response.context["form"].errors["city"])
    assert not ImportJob.objects.exists()


def test_upload_creates_a_job_that_runs_and_shows_its_counts(
    clerk_client, clerk, clerk_city, django_capture_on_commit_callbacks
):
    # A clerk's import changes only their cities' agencies' sharing (core/import_scope.py).
    AgencyFactory(name="Joliet IL PD", home_city=clerk_city)
    content = (
        b"src_agency,external_agency\n"
        b"Joliet IL PD,Aurora IL PD\n"
        b"Joliet IL PD,Chicago IL PD\n"
        b"Joliet IL PD,Joliet IL PD\n"
    )
    upload = SimpleUploadedFile("agency_access20240426.csv", content, content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = clerk_client.post(
            admin_url(ImportJob, "add"),
            {"kind": ImportJob.Kind.SHARING, "file": upload, "city": clerk_city.pk},
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == admin_url(ImportJob, "change", job.pk)
    job.refresh_from_db()
    assert job.city == clerk_city
    assert job.created_by == clerk
    assert job.original_name == "agency_access20240426.csv"
    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert (job.rows_read, job.rows_created, job.rows_rejected) == (3, 2, 1)
    assert SharingAgreement.objects.filter(owner__name="Joliet IL PD").count() == 2

    response = clerk_client.get(response.url)
    html = response.content.decode()
    assert 'http-equiv="refresh"' not in html
    assert "Succeeded" in html
    assert "1 rejected row" in html
    row_error = job.row_errors.get()
    assert row_error.line == 4
    assert row_error.message in html


def test_upload_of_an_empty_file_is_refused(clerk_client, clerk_city):
    upload = SimpleUploadedFile("empty.csv", b"")
    response = clerk_client.post(
        admin_url(ImportJob, "add"),
        {"kind": ImportJob.Kind.SHARING, "file": upload, "city": clerk_city.pk},
    )
    assert response.status_code == 200
    assert "empty" in str(response.context["form"].errors["file"])
    assert not ImportJob.objects.exists()


def test_upload_turns_form_fields_into_the_options_of_its_kind(clerk_client, clerk_city):
    fields = {
        "city": clerk_city.pk,
        "partial": "on",
        "agency": "Joliet IL PD",
        "date": "2024-04-26",
    }
    clerk_client.post(
        admin_url(ImportJob, "add"),
        {**fields, "kind": ImportJob.Kind.CAMERAS, "file": SimpleUploadedFile("c.csv", b"x")},
    )
    clerk_client.post(
        admin_url(ImportJob, "add"),
        {
            **fields,
            "kind": ImportJob.Kind.PORTAL_METRICS,
            "file": SimpleUploadedFile("m.csv", b"x"),
        },
    )
    jobs = {job.kind: job for job in ImportJob.objects.all()}
    # A camera import takes no date; the agency names the owner of rows that name none.
    assert jobs["cameras"].options == {"partial": True, "owner": "Joliet IL PD"}
    assert jobs["portal_metrics"].options == {"date": "2024-04-26"}


def test_running_job_page_refreshes_itself_and_a_failed_one_shows_why(clerk_client, clerk_city):
    running = make_job(city=clerk_city, status=ImportJob.Status.RUNNING)
    html = clerk_client.get(admin_url(ImportJob, "change", running.pk)).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in html
    assert "page reloads every 3 seconds" in html

    failed = make_job(
        city=clerk_city,
        status=ImportJob.Status.FAILED,
        error="Missing columns: expected src_agency, external_agency; found name, notes.",
        rows_read=0,
    )
    response = clerk_client.get(admin_url(ImportJob, "change", failed.pk))
    html = response.content.decode()
    assert "http-equiv" not in html
    assert "Missing columns: expected src_agency, external_agency; found name, notes." in html
    assert "Failed" in html
    assert 'name="_save"' not in html  # a job is read-only


def test_job_page_lists_the_first_500_row_errors_with_the_total(clerk_client, clerk_city):
    job = make_job(city=clerk_city, rows_read=600, rows_rejected=501)
    ImportRowError.objects.bulk_create(
        ImportRowError(job=job, line=n + 2, message=f"Blank agency name on row {n}")
        for n in range(501)
    )
    response = clerk_client.get(admin_url(ImportJob, "change", job.pk))
    html = response.content.decode()
    assert "501 rejected rows" in html
    assert "Showing the first 500 of 501." in html
    assert "Blank agency name on row 499" in html
    assert "Blank agency name on row 500" not in html
    assert f"{admin_url(ImportRowError, 'changelist')}?job__id__exact={job.pk}" in html

    response = clerk_client.get(admin_url(ImportRowError, "changelist"), {"job__id__exact": job.pk})
    assert response.context["cl"].result_count == 501


def test_job_pages_of_another_city_are_out_of_reach(clerk_client, other_city):
    job = make_job(city=other_city)
    ImportRowError.objects.create(job=job, line=3, message="Bad coordinates")
    response = clerk_client.get(admin_url(ImportJob, "change", job.pk))
    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    response = clerk_client.get(admin_url(ImportRowError, "changelist"))
    assert response.context["cl"].result_count == 0


def test_a_job_cannot_be_edited_even_by_its_clerk(clerk_client, clerk_city):
    job = make_job(city=clerk_city)
    response = clerk_client.post(admin_url(ImportJob, "change", job.pk), {"status": "failed"})
    assert response.status_code == 403
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED


def test_run_again_starts_a_new_job_from_a_failed_jobs_file(clerk_client, clerk, clerk_city):
    failed = make_job(city=clerk_city, status=ImportJob.Status.FAILED, error="boom")
    finished = make_job(city=clerk_city)
    response = clerk_client.post(
        admin_url(ImportJob, "changelist"),
        {"action": "run_again", "_selected_action": [failed.pk, finished.pk]},
        follow=True,
    )
    messages = messages_of(response)
    assert "Started 1 new import job." in messages
    assert "1 selected job had not failed and was left alone." in messages
    new = ImportJob.objects.exclude(pk__in=[failed.pk, finished.pk]).get()
    assert (new.kind, new.city, new.created_by) == (failed.kind, clerk_city, clerk)
    assert new.original_name == failed.original_name
    # The new job stored the same bytes as the failed one.
    assert new.sha256 == hashlib.sha256(JOB_FILE).hexdigest()
    failed.refresh_from_db()
    assert failed.status == ImportJob.Status.FAILED


# --- audit log -----------------------------------------------------------------------------


def test_audit_log_is_scoped_read_only_and_filterable(clerk_client, clerk, clerk_city, other_city):
    AuditEvent.objects.create(action="camera.change", city=clerk_city, object_repr="#1 Main St")
    AuditEvent.objects.create(action="camera.change", city=other_city, object_repr="#2 Shattuck")
    AuditEvent.objects.create(action="agency.merge", city=clerk_city, object_repr="Joliet IL PD")
    response = clerk_client.get(admin_url(AuditEvent, "changelist"))
    html = response.content.decode()
    assert response.context["cl"].result_count == 2
    assert "#1 Main St" in html
    assert "#2 Shattuck" not in html

    response = clerk_client.get(admin_url(AuditEvent, "changelist"), {"action": "agency.merge"})
    assert [e.object_repr for e in response.context["cl"].result_list] == ["Joliet IL PD"]

    event = AuditEvent.objects.get(object_repr="#1 Main St")
    html = clerk_client.get(admin_url(AuditEvent, "change", event.pk)).content.decode()
    assert 'name="_save"' not in html
    assert clerk_client.get(admin_url(AuditEvent, "add")).status_code == 403
    assert clerk_client.post(admin_url(AuditEvent, "delete", event.pk)).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_a_clerk_without_cities_sees_no_rows(client, own_agency, other_agency, clerk_city):
    CameraFactory(city=clerk_city, owner=own_agency)
    client.force_login(ClerkFactory(username="no-city"))  # in the group, no CityClerk row
    for model in (Agency, City, Camera, SharingAgreement, ImportJob, AuditEvent):
        response = client.get(admin_url(model, "changelist"))
        assert response.status_code == 200
        assert response.context["cl"].result_count == 0, model
