"""Public forms of the records pages. They validate input; the services decide the rest."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Agency, City, ImportJob
from hearings.abuse import HoneypotMixin
from records.models import RecordsRequest
from records.services import IMPORT_KINDS


def _agency_label(agency: Agency) -> str:
    return f"{agency.name} ({agency.home_city.name})" if agency.home_city else agency.name


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _agency_label(obj)


def _agencies():
    return (
        Agency.objects.filter(home_city__isnull=False)
        .select_related("home_city")
        .order_by("home_city__name", "name")
    )


def _fresh_agencies(form: forms.Form) -> None:
    field = form.fields["agency"]
    assert isinstance(field, forms.ModelChoiceField)  # declared on the form
    field.queryset = _agencies()


class DateInput(forms.DateInput):
    """A native date picker; its value must be ISO whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):
        super().__init__(attrs=attrs, format=format)


class TemplateChoiceForm(forms.Form):
    """Which agency the request templates are filled in for, and the date range they ask about."""

    agency = AgencyChoiceField(
        label=_("Agency"),
        queryset=_agencies(),
        to_field_name="slug",
        empty_label=_("Choose an agency"),
        help_text=_("The agency the request goes to; its state's law fills in the citation."),
    )
    start = forms.DateField(label=_("From"), widget=DateInput())
    end = forms.DateField(label=_("To"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _fresh_agencies(self)

    def clean(self):
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The start of the date range is after its end."))
        return data


def default_range(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last full year up to today, the usual span of an audit request."""
    today = today or timezone.localdate()
    return today.replace(year=today.year - 1), today


class FileRequestForm(HoneypotMixin, forms.Form):
    city = forms.ModelChoiceField(
        label=_("City"),
        queryset=City.objects.order_by("name", "state"),
        to_field_name="slug",
        empty_label=_("Choose a city"),
    )
    agency = AgencyChoiceField(
        label=_("Agency the request went to"),
        queryset=_agencies(),
        to_field_name="slug",
        empty_label=_("Choose an agency"),
    )
    kind = forms.ChoiceField(label=_("What you asked for"), choices=RecordsRequest.Kind.choices)
    sent_on = forms.DateField(label=_("Date you sent it"), widget=DateInput())
    reference = forms.CharField(
        label=_("The agency's reference number"),
        required=False,
        max_length=100,
        help_text=_("If the agency gave one. Shown publicly."),
    )
    email = forms.EmailField(
        label=_("Your email"),
        help_text=_(
            "Never shown. We email you a link to publish the request, and a reminder on its "
            "due date."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    language = forms.ChoiceField(label=_("Language of the emails"), choices=settings.LANGUAGES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _fresh_agencies(self)


class ResponseForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=RecordsRequest.Status.choices)
    response_on = forms.DateField(
        label=_("Date of the response"), required=False, widget=DateInput()
    )
    due_on = forms.DateField(
        label=_("New due date"),
        required=False,
        widget=DateInput(),
        help_text=_("Only for an extension: the date the agency gave."),
    )
    public_note = forms.CharField(
        label=_("Public note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the public page. Do not include personal details."),
    )


IMPORT_KIND_CHOICES = [(kind.value, kind.label) for kind in ImportJob.Kind if kind in IMPORT_KINDS]


class ReceivedFileForm(forms.Form):
    import_kind = forms.ChoiceField(label=_("What the file holds"), choices=IMPORT_KIND_CHOICES)
    file = forms.FileField(label=_("File the agency sent"))
