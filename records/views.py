"""Public records pages, mounted at /records-requests/ (app "records"): request templates filled
in for an agency, the public log and one request's page, filing a request, and the pages the
emailed links open (confirm; manage: record the response, upload the file received).

An emailed link's GET shows what the button will do; only the POST acts (mail scanners open
links). No page here shows a requester's email.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.models import Agency, StateLawProfile
from core.pages import paginate
from core.selectors import records_law_get
from core.services import ServiceError
from hearings.abuse import RateLimited, client_ip
from hearings.tokens import TokenInvalid
from records import services
from records.forms import (
    FileRequestForm,
    ReceivedFileForm,
    ResponseForm,
    TemplateChoiceForm,
    default_range,
)
from records.letters import letter_build, letters_build
from records.models import RecordsRequest
from records.selectors import (
    RECORDS_CONFIRM,
    RECORDS_MANAGE,
    RecordsRequestFilter,
    manage_token,
    public_text,
    records_request_from_link,
    records_request_get,
    records_request_list,
)

PAGE_SIZE = 50
BAD_LINK = _("This link is not valid or has expired.")
RATE_LIMITED = _("Too many requests from your connection or email address; try again in an hour.")


def _agency_law(agency: Agency) -> StateLawProfile | None:
    return records_law_get(state=agency.home_city.state if agency.home_city else agency.state)


def _letters_form(request: HttpRequest) -> TemplateChoiceForm:
    start, end = default_range()
    data = request.GET.copy()
    data.setdefault("start", start.isoformat())
    data.setdefault("end", end.isoformat())
    return TemplateChoiceForm(data if "agency" in request.GET else None, initial=data)


def templates_page(request: HttpRequest) -> HttpResponse:
    form = _letters_form(request)
    context: dict = {"form": form, "letters": [], "law": None}
    if form.is_bound and form.is_valid():
        agency = form.cleaned_data["agency"]
        law = _agency_law(agency)
        context.update(
            agency=agency,
            law=law,
            query=request.GET.urlencode(),
            letters=letters_build(
                agency=agency,
                law=law,
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
            ),
        )
    return render(request, "records/templates.html", context, status=400 if form.errors else 200)


def template_download(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in RecordsRequest.Kind.values:
        raise Http404
    form = _letters_form(request)
    if not (form.is_bound and form.is_valid()):
        return redirect("records:templates")
    agency = form.cleaned_data["agency"]
    law = _agency_law(agency)
    letter = letter_build(
        kind=kind,
        agency=agency,
        law=law,
        start=form.cleaned_data["start"],
        end=form.cleaned_data["end"],
    )
    response = HttpResponse(letter.text, content_type="text/plain; charset=utf-8")
    name = f"records-request-{kind}-{agency.slug}.txt"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _with_public_text(rows):
    for row in rows:
        row.note_public = public_text(row.public_note)
        row.reference_public = public_text(row.reference)
    return rows


def log(request: HttpRequest) -> HttpResponse:
    filterset = RecordsRequestFilter(request.GET or None, queryset=records_request_list())
    page = paginate(request, filterset.qs, per_page=PAGE_SIZE)
    _with_public_text(page.object_list)
    return render(request, "records/log.html", {"filter": filterset, "page": page})


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    records_request = records_request_get(pk=pk)
    if records_request is None:
        raise Http404
    _with_public_text([records_request])
    law = records_law_get(state=records_request.city.state)
    return render(request, "records/detail.html", {"records_request": records_request, "law": law})


@require_http_methods(["GET", "POST"])
def file_request(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = FileRequestForm(request.POST)
        if form.honeypot_tripped:
            return redirect("records:sent")
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.records_request_file(
                    city=data["city"],
                    agency=data["agency"],
                    kind=data["kind"],
                    sent_on=data["sent_on"],
                    reference=data["reference"],
                    email=data["email"],
                    language=data["language"],
                    ip=client_ip(request),
                )
            except RateLimited:
                form.add_error(None, RATE_LIMITED)
                status = 429
            except ServiceError as exc:
                form.add_error(None, str(exc))
                status = 400
            else:
                return redirect("records:sent")
        else:
            status = 400
    else:
        form = FileRequestForm(
            initial={
                "language": (get_language() or "en")[:2],
                "city": request.GET.get("city"),
                "kind": request.GET.get("kind"),
            }
        )
    return render(request, "records/file.html", {"form": form}, status=status)


def sent(request: HttpRequest) -> HttpResponse:
    return render(request, "records/sent.html")


def _bad_link(request: HttpRequest, message=BAD_LINK, status: int = 400) -> HttpResponse:
    return render(request, "records/link_invalid.html", {"message": message}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        if request.method != "POST":
            records_request = records_request_from_link(token=token, purpose=RECORDS_CONFIRM)
            return render(request, "records/confirm.html", {"records_request": records_request})
        records_request, _changed = services.records_request_confirm(token=token)
    except TokenInvalid:
        return _bad_link(request)
    return redirect("records:manage", token=manage_token(records_request))


@never_cache
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, token: str) -> HttpResponse:
    """The requester's private page: record the agency's response, upload what it sent."""
    try:
        records_request = records_request_from_link(token=token, purpose=RECORDS_MANAGE)
    except TokenInvalid:
        return _bad_link(request)
    response_form = ResponseForm(
        initial={
            "status": records_request.status,
            "response_on": records_request.response_on,
            "public_note": records_request.public_note,
        }
    )
    file_form = ReceivedFileForm(
        initial={"import_kind": services.DEFAULT_IMPORT_KIND.get(records_request.kind)}
    )
    done, status = "", 200
    if request.method == "POST" and "file" in request.FILES:
        file_form = ReceivedFileForm(request.POST, request.FILES)
        if file_form.is_valid():
            try:
                services.records_request_attach(
                    records_request=records_request,
                    file=file_form.cleaned_data["file"],
                    import_kind=file_form.cleaned_data["import_kind"],
                    actor=None,
                    run=False,
                )
            except ServiceError as exc:
                file_form.add_error("file", str(exc))
                status = 400
            else:
                done = "file"
        else:
            status = 400
    elif request.method == "POST":
        response_form = ResponseForm(request.POST)
        if response_form.is_valid():
            data = response_form.cleaned_data
            try:
                services.records_request_respond(
                    records_request=records_request,
                    status=data["status"],
                    response_on=data["response_on"],
                    due_on=data["due_on"],
                    public_note=data["public_note"],
                )
            except ServiceError as exc:
                response_form.add_error(None, str(exc))
                status = 400
            else:
                done = "response"
        else:
            status = 400
    return render(
        request,
        "records/manage.html",
        {
            "records_request": records_request,
            "response_form": response_form,
            "file_form": file_form,
            "done": done,
        },
        status=status,
    )
