"""Public forms for alerts. They validate input only; the services decide the rest (rate
limits, existing subscriptions, the private-address guard)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from alerts.models import Subscription, Topic
from core.models import Agency, City
from hearings.abuse import HoneypotMixin


class TopicsFrequencyMixin(forms.Form):
    topics = forms.MultipleChoiceField(
        label=_("What to hear about"),
        choices=Topic.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one topic.")},
    )
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=Subscription.Frequency.choices,
        initial=Subscription.Frequency.DAILY,
        widget=forms.RadioSelect,
    )
    language = forms.ChoiceField(label=_("Language of the emails"), choices=settings.LANGUAGES)


class TargetMixin(forms.Form):
    city = forms.ModelChoiceField(
        label=_("City"),
        queryset=City.objects.order_by("name", "state"),
        required=False,
        empty_label=_("Choose a city"),
        to_field_name="slug",
    )
    agency = forms.ModelChoiceField(
        label=_("or an agency"),
        queryset=Agency.objects.order_by("name"),
        required=False,
        empty_label=_("Choose an agency"),
        to_field_name="slug",
        help_text=_("Its sharing partners, policies and audits, wherever it is based."),
    )

    def clean(self):
        data = super().clean() or {}
        if bool(data.get("city")) == bool(data.get("agency")):
            raise forms.ValidationError(_("Choose a city or an agency (one of them)."))
        return data


class SubscribeForm(HoneypotMixin, TargetMixin, TopicsFrequencyMixin):
    email = forms.EmailField(
        label=_("Your email"),
        help_text=_("Never shown. We email you a link: alerts start once you follow it."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    field_order = ["email", "city", "agency", "topics", "frequency", "language"]


class SubscriptionChangeForm(TopicsFrequencyMixin):
    """One subscription on the manage page (prefixed by its id)."""


class ManageLinkForm(HoneypotMixin, forms.Form):
    email = forms.EmailField(
        label=_("Your email"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class WebhookForm(HoneypotMixin, TargetMixin, forms.Form):
    url = forms.URLField(
        label=_("Webhook URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("A public https:// address of your newsroom's server that accepts POSTs."),
    )
    email = forms.EmailField(
        label=_("Your email"),
        help_text=_("Never shown. We email you a link: nothing is sent to the URL before."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    topics = TopicsFrequencyMixin.base_fields["topics"]
    field_order = ["url", "email", "city", "agency", "topics"]
