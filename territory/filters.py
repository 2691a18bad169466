"""Filters of public spaces (django-filter), shared by the map page, its list and the map API.

The query-string forms of the API (bounding box, zoom, "near me") live here too: they are
filters of the same spaces, validated the same way, and their errors become the API's 400s.
"""

import math

import django_filters
from django import forms
from django.contrib.gis.geos import Polygon
from django.utils.translation import gettext_lazy as _

from .models import Colonia, PublicSpace, ServiceType
from .responsible import space_responsible

# Below this zoom the map gets centroids (points); from it on, simplified polygons.
POLYGON_MIN_ZOOM = 15
# Polygons for a larger box than this (in degrees, each side) are refused at polygon zoom.
MAX_POLYGON_BBOX_DEGREES = 0.5
MAX_ZOOM = 22


def _scoped(model):
    def queryset(request):
        municipality = getattr(request, "municipality", None)
        if municipality is None:
            return model.objects.none()
        return model.objects.for_municipality(municipality)

    return queryset


def _responsible_choices(name: str):
    # Companies and contracts belong to the contracts app, asked through the registry.
    def queryset(request):
        municipality = getattr(request, "municipality", None)
        choices = getattr(space_responsible(), name)
        return choices(municipality).none() if municipality is None else choices(municipality)

    return queryset


class BBoxField(forms.CharField):
    """``minlon,minlat,maxlon,maxlat`` in WGS84 (RFC 7946 order) → a Polygon."""

    default_error_messages = {
        "format": _(
            "Give the box as four numbers separated by commas: "
            "west, south, east, north (longitudes and latitudes)."
        ),
        "range": _("Longitudes go from -180 to 180 and latitudes from -90 to 90."),
        "order": _("The minimum of the box must not be greater than its maximum."),
    }

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        parts = value.split(",")
        try:
            numbers = [float(part) for part in parts]
        except ValueError:
            raise forms.ValidationError(self.error_messages["format"], code="format") from None
        if len(numbers) != 4 or not all(math.isfinite(n) for n in numbers):
            raise forms.ValidationError(self.error_messages["format"], code="format")
        min_lon, min_lat, max_lon, max_lat = numbers
        if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180):
            raise forms.ValidationError(self.error_messages["range"], code="range")
        if not (-90 <= min_lat <= 90 and -90 <= max_lat <= 90):
            raise forms.ValidationError(self.error_messages["range"], code="range")
        if min_lon > max_lon or min_lat > max_lat:
            raise forms.ValidationError(self.error_messages["order"], code="order")
        bbox = Polygon.from_bbox((min_lon, min_lat, max_lon, max_lat))
        bbox.srid = 4326
        return bbox


class BBoxFilter(django_filters.Filter):
    field_class = BBoxField

    def filter(self, qs, value):
        return qs if value is None else qs.in_bbox(value)


class ZoomFilter(django_filters.Filter):
    """The map's zoom: it chooses the geometry sent (see ``spaces_geojson``), not the rows."""

    field_class = forms.IntegerField

    def filter(self, qs, value):
        return qs


class PublicSpaceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Code or name"), method="filter_text", max_length=100, strip=True
    )
    service = django_filters.ModelChoiceFilter(
        label=_("Service"),
        queryset=_scoped(ServiceType),
        method="filter_service",
        empty_label=_("All services"),
    )
    company = django_filters.ModelChoiceFilter(
        label=_("Company"),
        queryset=_responsible_choices("company_choices"),
        method="filter_company",
        empty_label=_("All companies"),
    )
    contract = django_filters.ModelChoiceFilter(
        label=_("Contract"),
        queryset=_responsible_choices("contract_choices"),
        method="filter_contract",
        empty_label=_("All contracts"),
    )
    colonia = django_filters.ModelChoiceFilter(
        label=_("Colonia"),
        queryset=_scoped(Colonia),
        field_name="colonia",
        empty_label=_("All colonias"),
    )

    class Meta:
        model = PublicSpace
        fields: list[str] = []

    def filter_text(self, queryset, name, value):
        return queryset.matching_text(value) if value else queryset

    def filter_service(self, queryset, name, value):
        return queryset.served_in_force(service_type=value)

    def filter_company(self, queryset, name, value):
        return queryset.served_in_force(company=value)

    def filter_contract(self, queryset, name, value):
        return queryset.covered_by(value)


class ViewportForm(forms.Form):
    def clean(self):
        cleaned_data = super().clean()
        bbox, zoom = cleaned_data.get("bbox"), cleaned_data.get("zoom")
        if bbox is not None and zoom is not None and zoom >= POLYGON_MIN_ZOOM:
            min_lon, min_lat, max_lon, max_lat = bbox.extent
            if max(max_lon - min_lon, max_lat - min_lat) > MAX_POLYGON_BBOX_DEGREES:
                self.add_error(
                    "bbox",
                    forms.ValidationError(
                        _("The box is too large for this zoom: zoom in or ask for a lower zoom."),
                        code="too_large",
                    ),
                )
        return cleaned_data


class PublicSpaceViewportFilter(PublicSpaceFilter):
    """The map layer's filters: the list's, plus the viewport and the zoom."""

    bbox = BBoxFilter(label=_("Bounding box"))
    zoom = ZoomFilter(label=_("Zoom"), min_value=0, max_value=MAX_ZOOM)

    class Meta(PublicSpaceFilter.Meta):
        form = ViewportForm


class NearestQueryForm(forms.Form):
    lat = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90)
    lon = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180)
    limit = forms.IntegerField(label=_("How many"), min_value=1, max_value=50, required=False)

    def clean_limit(self):
        return self.cleaned_data["limit"] or 10
