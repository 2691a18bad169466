"""The client's address, read one way by everything that counts per client: the rate limits of
the public forms (``RATELIMIT_IP_META_KEY``) and the login lockout (``AXES_CLIENT_IP_CALLABLE``).

By default it is the socket's address (``REMOTE_ADDR``) and X-Forwarded-For is ignored: anyone
can write that header, and trusting it would give a forger a fresh allowance per request.
Behind ``TRUSTED_PROXY_COUNT`` reverse proxies, each of which appends the address it was reached
from to X-Forwarded-For, the client is the entry the outermost of them appended: that many
entries from the right. Entries further left were written by the client and are never read.
The portal must then be reachable only through those proxies.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    remote_addr = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if not proxies:
        return remote_addr
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if len(hops) < proxies:
        # The request did not pass through every proxy: only the socket can be trusted.
        return remote_addr
    hop = hops[-proxies]
    try:
        return str(ipaddress.ip_address(hop))
    except ValueError:
        return remote_addr
