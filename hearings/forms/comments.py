"""The public comment form, one per agenda item on the hearing page."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hearings.abuse import HoneypotMixin
from hearings.models import CityEngagementSettings, Comment
from hearings.services.comments import MAX_ADDRESS_LENGTH, MAX_NAME_LENGTH


class CommentForm(HoneypotMixin, forms.Form):
    """Fields of ``comment_submit``; the service re-checks everything the form checks."""

    name = forms.CharField(
        label=_("Your name"),
        max_length=MAX_NAME_LENGTH,
        help_text=_("Published with your comment, as you write it."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Email"),
        help_text=_("Private. We email you a link to confirm your comment."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    address = forms.CharField(
        label=_("ZIP code or street address"),
        max_length=MAX_ADDRESS_LENGTH,
        help_text=_("Private. The public only sees whether you live in the city."),
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )
    position = forms.ChoiceField(
        label=_("Your position"), choices=Comment.Position.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(label=_("Your comment"), widget=forms.Textarea(attrs={"rows": 6}))
    wants_to_speak = forms.BooleanField(
        label=_("I want to speak in person at the meeting"), required=False
    )
    consent = forms.BooleanField(
        label=_("I understand that my comment becomes part of the public record."),
        required=True,
        error_messages={"required": _("Comments can only be received for the public record.")},
    )

    def __init__(self, *args, rules: CityEngagementSettings, **kwargs):
        super().__init__(*args, **kwargs)
        self.rules = rules
        limit = rules.comment_max_length
        text_field = self.fields["text"]
        assert isinstance(text_field, forms.CharField)  # declared above
        text_field.max_length = limit
        text_field.widget.attrs["maxlength"] = str(limit)
        text_field.help_text = _("Up to %(n)s characters.") % {"n": limit}
        text_field.validators.append(MaxLengthValidator(limit))
        # The default disclaimer is a catalogue msgid, shown in the reader's language; a city's
        # own wording stays as the clerk wrote it.
        disclaimer = rules.public_record_disclaimer
        self.fields["consent"].help_text = gettext(disclaimer) if disclaimer else ""
