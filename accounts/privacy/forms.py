from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import ArcoRequest


class ArcoRequestForm(forms.Form):
    """A logged-in person asks to exercise one of their ARCO rights."""

    kind = forms.ChoiceField(label=_("Right"), choices=ArcoRequest.Kind.choices)
    note = forms.CharField(
        label=_("What do you ask for?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=2000,
    )


class ComplaintArcoRequestForm(ArcoRequestForm):
    """Someone who reported a complaint without an account proves it is theirs with its
    tracking code and the e-mail they reported with."""

    complaint_code = forms.CharField(label=_("Complaint tracking code"), max_length=12)
    email = forms.EmailField(label=_("E-mail you reported with"))

    field_order = ["complaint_code", "email", "kind", "note"]
