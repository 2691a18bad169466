"""Reads about the territory: which municipality, which colonia, which spaces."""

from django.core.cache import cache

from .models import Municipality

MUNICIPALITY_HOSTS_CACHE_KEY = "territory:municipality-hosts:v1"


def _host_map() -> dict[str, Municipality | None]:
    """Host name → municipality, cached so that a request costs no query to find it."""
    mapping = cache.get(MUNICIPALITY_HOSTS_CACHE_KEY)
    if mapping is None:
        mapping = {"": None}
        for municipality in Municipality.objects.all():
            for host in municipality.host_list:
                mapping[host] = municipality
            mapping.setdefault(f"{municipality.slug}.localhost", municipality)
            if municipality.is_default:
                mapping[""] = municipality
        cache.set(MUNICIPALITY_HOSTS_CACHE_KEY, mapping, 300)
    return mapping


def municipality_for_host(host: str) -> Municipality | None:
    """The municipality a host name selects, else the default one (None if there is none)."""
    mapping = _host_map()
    return mapping.get(host.lower(), mapping.get(""))


def forget_municipality_hosts() -> None:
    """Call after creating or changing a municipality."""
    cache.delete(MUNICIPALITY_HOSTS_CACHE_KEY)
