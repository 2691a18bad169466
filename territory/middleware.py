from .selectors import municipality_for_host


class MunicipalityMiddleware:
    """Selects the municipality from the host name (``request.municipality``).

    A host that names no municipality gets the default one, so the portal works unprefixed at
    http://127.0.0.1:8000.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.municipality = municipality_for_host(request.get_host().split(":")[0])
        return self.get_response(request)
