from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .registry import sections_for
from .sections import role_labels


@never_cache
@login_required
@require_GET
def home(request):
    """Where every login lands: the role's work queues and the pages of its job, as the apps
    declare them (``workspace.registry``). A user with no role sees their own account."""
    return render(
        request,
        "workspace/home.html",
        {
            "sections": sections_for(request),
            "role_labels": role_labels(request),
        },
    )
