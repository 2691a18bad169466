"""Service status as JSON: the API and the CSV import validate rows with these serializers,
so both apply the same rules. Places are given by their public codes."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from contracts.models import Contract
from territory.models import PublicSpace, ServiceArea, ServiceType

from ..models import KnownIssue, WorkLog


class _ScopedSlugField(serializers.SlugRelatedField):
    """A code looked up among the municipality's rows only (from the serializer context)."""

    def get_queryset(self):
        return self.queryset.filter(municipality=self.context["municipality"])


class _LocatedSerializer(serializers.ModelSerializer):
    service = _ScopedSlugField(
        source="service_type", slug_field="code", queryset=ServiceType.objects.all()
    )
    space = _ScopedSlugField(
        slug_field="code", queryset=PublicSpace.objects.all(), required=False, allow_null=True
    )
    service_area = _ScopedSlugField(
        slug_field="code", queryset=ServiceArea.objects.all(), required=False, allow_null=True
    )
    id = serializers.IntegerField(read_only=True)

    def validate(self, attrs):
        space, area = attrs.get("space"), attrs.get("service_area")
        if space is None and area is None:
            raise serializers.ValidationError(
                {"space": [_("Give a public space or a service area.")]}
            )
        if area is not None and area.service_type_id != attrs["service_type"].pk:
            raise serializers.ValidationError(
                {"service_area": [_("The service area belongs to another service.")]}
            )
        return attrs


class WorkLogSerializer(_LocatedSerializer):
    contract = _ScopedSlugField(
        slug_field="number", queryset=Contract.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = WorkLog
        fields = [
            "id",
            "service",
            "space",
            "service_area",
            "contract",
            "item_code",
            "done_on",
            "description",
            "reported_by",
            "external_id",
            "created_at",
        ]
        read_only_fields = ["created_at"]
        # The natural key is checked by the service (a repeat returns the existing row).
        validators = []


class KnownIssueSerializer(_LocatedSerializer):
    class Meta:
        model = KnownIssue
        fields = [
            "id",
            "service",
            "space",
            "service_area",
            "item_code",
            "since",
            "description",
            "status",
            "reported_by",
            "external_id",
            "created_at",
        ]
        read_only_fields = ["created_at"]
        validators = []
