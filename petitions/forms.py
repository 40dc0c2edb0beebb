"""Public forms for starting and signing petitions. They validate input only; the services
decide everything else (rate limits, duplicates, whether the petition is open)."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from core.models import City
from hearings.abuse import HoneypotMixin
from petitions.models import Petition, Signature

ZIP_RE = re.compile(r"^\s*(\d{5})(?:-\d{4})?\s*$")


class PetitionStartForm(HoneypotMixin, forms.Form):
    city = forms.ModelChoiceField(
        label=_("City"),
        queryset=City.objects.order_by("name", "state"),
        empty_label=_("Choose a city"),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=Petition._meta.get_field("title").max_length,
        help_text=_(
            "A short, neutral title, e.g. “End sharing of camera data with out-of-state agencies”."
        ),
    )
    action = forms.CharField(
        label=_("What the petition asks"),
        max_length=Petition._meta.get_field("action").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One or two sentences saying exactly what you want the body to do."),
    )
    background = forms.CharField(
        label=_("Why it matters"),
        max_length=Petition._meta.get_field("background").max_length,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("The facts behind your request. Link to the portal's pages where you can."),
    )
    target_body = forms.CharField(
        label=_("Addressed to"),
        max_length=Petition._meta.get_field("target_body").max_length,
        required=False,
        help_text=_("Leave empty to address the city's council."),
    )
    creator_name = forms.CharField(
        label=_("Your name"),
        max_length=Petition._meta.get_field("creator_name").max_length,
        help_text=_("Shown on the petition as its creator."),
    )
    creator_email = forms.EmailField(
        label=_("Your email"),
        help_text=_("Never shown. We email you a link to confirm, and news about the petition."),
    )

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        if len(title) < 10:
            raise forms.ValidationError(_("Use at least 10 characters for the title."))
        return title


class SignatureForm(HoneypotMixin, forms.Form):
    name = forms.CharField(
        label=_("Your name"),
        max_length=Signature._meta.get_field("name").max_length,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Your email"),
        help_text=_("Never shown. We email you a link: your signature counts once you follow it."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    zip_code = forms.CharField(
        label=_("ZIP code"),
        max_length=10,
        help_text=_("Only counts per ZIP code are published."),
        widget=forms.TextInput(
            attrs={"autocomplete": "postal-code", "inputmode": "numeric", "size": 10}
        ),
    )
    show_name = forms.BooleanField(
        label=_("Show my name on the petition's page"),
        required=False,
    )
    comment = forms.CharField(
        label=_("Public comment (optional)"),
        required=False,
        max_length=Signature._meta.get_field("public_comment").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown next to your name, only if you chose to show your name."),
    )

    def clean_zip_code(self) -> str:
        match = ZIP_RE.match(self.cleaned_data["zip_code"])
        if not match:
            raise forms.ValidationError(_("Enter a five-digit ZIP code, e.g. 60431."))
        return match.group(1)
