from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Company, Contract, Obligation


class CompanyForm(forms.ModelForm):
    """RFCs are written in capitals; accept them typed in lower case."""

    class Meta:
        model = Company
        fields = [
            "municipality",
            "legal_name",
            "rfc",
            "contact_name",
            "email",
            "phone",
            "contact_public",
            "address",
            "website",
        ]

    def clean_rfc(self):
        return self.cleaned_data["rfc"].strip().upper()


class ContractForm(forms.ModelForm):
    class Meta:
        model = Contract
        fields = [
            "municipality",
            "number",
            "lot",
            "title",
            "company",
            "service_type",
            "directorate",
            "procurement_method",
            "monthly_amount",
            "total_amount",
            "amounts_include_vat",
            "start_date",
            "end_date",
            "description",
            "spaces",
            "service_areas",
        ]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The contract cannot end before it starts."))
        return cleaned


class ObligationForm(forms.ModelForm):
    class Meta:
        model = Obligation
        fields = ["contract", "task", "frequency_days", "response_time_hours", "notes"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("frequency_days") is None and cleaned.get("response_time_hours") is None:
            raise forms.ValidationError(
                _("Give how often the task is due (days) or how fast it must be answered (hours).")
            )
        return cleaned
