from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from committees.models import Allocation

from .selectors import history_about


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
