"""Atom feeds of a place's public changes (the same events as the e-mail digests)."""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from .selectors import Place, area_place, colonia_place, place_events, space_place


def _municipality(request):
    municipality = getattr(request, "municipality", None)
    if municipality is None:
        raise Http404(_("No municipality is served at this address."))
    return municipality


class PlaceFeed(Feed):
    feed_type = Atom1Feed

    def find(self, request, **kwargs) -> Place | None:
        raise NotImplementedError

    def get_object(self, request, **kwargs) -> Place:
        place = self.find(request, municipality=_municipality(request), **kwargs)
        if place is None:
            raise Http404(_("There is no such place to follow."))
        return place

    def title(self, place: Place) -> str:
        return _("Changes at %(place)s") % {"place": place.name}

    def subtitle(self, place: Place) -> str:
        return _(
            "Complaints and their status, problems found and fixed, and surveillance cards "
            "filed at %(place)s."
        ) % {"place": place.name}

    def link(self, place: Place) -> str:
        return place.page_url

    def feed_url(self, place: Place) -> str:
        return place.feed_url

    def items(self, place: Place):
        return place_events(place)

    def item_title(self, event) -> str:
        return event.title

    def item_description(self, event) -> str:
        return event.text

    def item_link(self, event) -> str:
        return event.url

    def item_guid(self, event) -> str:
        # The same change (a complaint's update) is one entry in every feed that shows it.
        return f"tag:villaguard.mx,2026:{event.key}"

    item_guid_is_permalink = False

    def item_pubdate(self, event):
        return event.at

    def item_updateddate(self, event):
        return event.at


class SpaceFeed(PlaceFeed):
    def find(self, request, *, municipality, code):
        return space_place(municipality=municipality, code=code)


class AreaFeed(PlaceFeed):
    def find(self, request, *, municipality, pk):
        return area_place(municipality=municipality, pk=pk)


class ColoniaFeed(PlaceFeed):
    def find(self, request, *, municipality, pk, service=None):
        return colonia_place(municipality=municipality, pk=pk, service_code=service)
