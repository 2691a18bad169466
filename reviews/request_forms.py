"""The staff's forms of a transparency request: its filing, and its answer."""

from django import forms
from django.utils.translation import gettext_lazy as _


class DateInput(forms.DateInput):
    input_type = "date"


class RequestFileForm(forms.Form):
    folio = forms.CharField(
        label=_("Folio"),
        max_length=40,
        help_text=_("The number the Plataforma Nacional de Transparencia gave the request."),
    )
    filed_on = forms.DateField(label=_("Filed on"), widget=DateInput)


class RequestAnswerForm(forms.Form):
    answered_on = forms.DateField(label=_("Answered on"), widget=DateInput)
    answer = forms.CharField(
        label=_("Answer"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    document = forms.FileField(
        label=_("Document received (PDF)"),
        required=False,
        help_text=_("It is attached to the contract and published with it."),
    )
    document_title = forms.CharField(
        label=_("Title of the document"), max_length=200, required=False
    )
