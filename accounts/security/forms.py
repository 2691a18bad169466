from django import forms
from django.utils.translation import gettext_lazy as _


class TOTPTokenForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_otp_token(self):
        token = self.cleaned_data["otp_token"].strip().replace(" ", "")
        if not token.isdigit() or len(token) != 6:
            raise forms.ValidationError(_("Enter the 6-digit code your authenticator app shows."))
        return token


class EnrolmentCodeForm(forms.Form):
    enrolment_code = forms.CharField(
        label=_("Enrolment code from your administrator"),
        max_length=40,
        help_text=_("A one-time code, e.g. ABCD-EFGH-JKLM-NPQR. Ask an administrator for one."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )
