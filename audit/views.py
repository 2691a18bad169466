from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from committees.models import Allocation

from .selectors import audit_head, history_about


@require_GET
def allocation_history(request, pk):
    """The public change history of one allocation: when and what, never who by name."""
    allocation = get_object_or_404(
        Allocation.objects.select_related("colonia"), pk=pk, municipality=request.municipality
    )
    return render(
        request,
        "audit/allocation_history.html",
        {"allocation": allocation, "panel": {"rows": history_about(allocation)}},
    )


@require_GET
@never_cache
def head(request):
    """The latest head of the municipality's audit chain, signed with the audit key. Anyone may
    keep a copy: ``verify_audit --head SEQUENCE:HASH`` later shows whether the chain still
    contains it unchanged, and the signature shows the portal published it."""
    return JsonResponse(audit_head(municipality=request.municipality))
