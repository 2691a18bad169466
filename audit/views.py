from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .selectors import audit_head


@require_GET
@never_cache
def head(request):
    """The latest head of the municipality's audit chain, signed with the audit key. Anyone may
    keep a copy: ``verify_audit --head SEQUENCE:HASH`` later shows whether the chain still
    contains it unchanged, and the signature shows the portal published it."""
    return JsonResponse(audit_head(municipality=request.municipality))
