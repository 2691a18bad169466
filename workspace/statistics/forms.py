"""The statistics pages' filters: period (from and to month), service, colonia, directorate,
and the dimension the figures are split by."""

from __future__ import annotations

import datetime

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from territory.models import Colonia, Directorate, ServiceType

from .registry import COLONIA, DIRECTORATE, MONTH, SERVICE, SUBJECT, Statistic
from .selectors import Filters, Scope

BY_LABELS = {
    MONTH: _("Month"),
    SERVICE: _("Service"),
    COLONIA: _("Colonia"),
    DIRECTORATE: _("Directorate"),
    SUBJECT: _("Company"),
}


class MonthField(forms.CharField):
    """A month as ``YYYY-MM`` (what ``<input type="month">`` sends), cleaned to its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-01"})
    default_error_messages = {
        "invalid": _("Enter a month as year and month, for example 2026-01."),
    }

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            year, month = (int(part) for part in value.strip().split("-"))
            return datetime.date(year, month, 1)
        except (TypeError, ValueError):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


SELECTED = format_html("{}", " selected")


class PlainSelect(forms.Select):
    """A ``<select>`` whose options are joined in Python: a metro municipality's ~1,000
    colonias through the option template cost a tenth of a second on every page."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (
                    option["value"],
                    SELECTED if option["selected"] else "",
                    option["label"],
                )
                for _group, choices, _index in widget["optgroups"]
                for option in choices
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), options
        )


class StatisticsFilterForm(forms.Form):
    start = MonthField(label=_("From month"), required=False)
    end = MonthField(label=_("To month"), required=False)
    service = forms.ModelChoiceField(
        label=_("Service"), widget=PlainSelect, queryset=ServiceType.objects.none(), required=False
    )
    colonia = forms.ModelChoiceField(
        label=_("Colonia"), widget=PlainSelect, queryset=Colonia.objects.none(), required=False
    )
    directorate = forms.ModelChoiceField(
        label=_("Directorate"),
        widget=PlainSelect,
        queryset=Directorate.objects.none(),
        required=False,
    )
    by = forms.ChoiceField(label=_("Split by"), required=False)

    def __init__(self, *args, statistic: Statistic, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.statistic = statistic
        municipality = scope.municipality
        dimensions = statistic.dimensions
        self.fields["by"].choices = [
            (dimension, statistic.subject_label if dimension == SUBJECT else BY_LABELS[dimension])
            for dimension in dimensions
            if dimension != DIRECTORATE or scope.directorate_id is None
        ]
        self.fields["by"].initial = statistic.default_by
        if SERVICE in dimensions:
            services = ServiceType.objects.filter(municipality=municipality)
            if scope.directorate_id is not None:
                services = services.filter(directorates=scope.directorate_id)
            self.fields["service"].queryset = services.order_by("name")
        else:
            del self.fields["service"]
        if COLONIA in dimensions:
            self.fields["colonia"].queryset = Colonia.objects.filter(
                municipality=municipality
            ).order_by("name")
        else:
            del self.fields["colonia"]
        # Directorate staff see their own directorate only: no choice to make.
        if scope.directorate_id is None and (DIRECTORATE in dimensions or SERVICE in dimensions):
            self.fields["directorate"].queryset = Directorate.objects.filter(
                municipality=municipality
            ).order_by("name")
        else:
            del self.fields["directorate"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", _("The last month comes before the first one."))
            cleaned.pop("end", None)
        return cleaned

    def filters_and_by(self) -> tuple[Filters, str]:
        """The filters from the fields that are valid (an invalid one is left out, its error
        shown), and the dimension to split by."""
        data = getattr(self, "cleaned_data", {}) or {}

        def pk(name):
            value = data.get(name)
            return value.pk if value is not None else None

        filters = Filters(
            start=data.get("start"),
            end=data.get("end"),
            service_id=pk("service"),
            colonia_id=pk("colonia"),
            directorate_id=pk("directorate"),
        )
        return filters, data.get("by") or self.statistic.default_by
