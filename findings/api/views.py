"""``/api/v1/service-status/work-logs/`` and ``/known-issues/``: contractor and directorate
systems post what was done and what is known, authenticated by a token per client system
(``Authorization: Token <token>``). Errors are JSON, as DRF renders them."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions, generics, permissions, status
from rest_framework.response import Response

from ..api_clients import api_client_for_token
from ..models import KnownIssue, Source, WorkLog
from ..service_status import known_issue_create, work_log_create
from .serializers import KnownIssueSerializer, WorkLogSerializer


class ApiClientTokenAuthentication(authentication.TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key):
        client = api_client_for_token(token=key)
        if client is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        return (client, client)


class IsApiClient(permissions.BasePermission):
    def has_permission(self, request, view):
        from ..models import ApiClient

        return isinstance(request.auth, ApiClient)


class _ServiceStatusView(generics.ListCreateAPIView):
    authentication_classes = [ApiClientTokenAuthentication]
    permission_classes = [IsApiClient]
    model = None
    create_service = None

    def get_serializer_context(self):
        context = super().get_serializer_context()
        client = getattr(self.request, "auth", None)
        if client is not None:
            context["municipality"] = client.municipality
        return context

    def get_queryset(self):
        client = self.request.auth
        queryset = (
            self.model.objects.filter(municipality=client.municipality)
            .select_related("service_type", "space", "service_area")
            .order_by("-id")
        )
        if client.company_id or client.directorate_id:
            queryset = queryset.filter(api_client=client)
        return queryset

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        client = request.auth
        # What the client may write about, and as whom it reports (its own ``reported_by``,
        # whatever the payload says), are the service's rules: the same for every caller.
        try:
            row, created = type(self).create_service(
                municipality=client.municipality,
                source=Source.API,
                api_client=client,
                **serializer.validated_data,
            )
        except DjangoValidationError as error:
            raise exceptions.ValidationError(
                error.message_dict if hasattr(error, "error_dict") else error.messages
            ) from error
        return Response(
            self.get_serializer(row).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class WorkLogListCreate(_ServiceStatusView):
    serializer_class = WorkLogSerializer
    model = WorkLog
    create_service = staticmethod(work_log_create)

    def get_queryset(self):
        return super().get_queryset().select_related("contract")


class KnownIssueListCreate(_ServiceStatusView):
    serializer_class = KnownIssueSerializer
    model = KnownIssue
    create_service = staticmethod(known_issue_create)
