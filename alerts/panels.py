"""What alerts add to the space, area and colonia pages (see territory.panels): the "Follow
this place" button and the place's Atom feed. No query: the links come from the object."""

from .constants import FollowKind
from .selectors import Place


def _panel(place: Place) -> dict:
    return {
        "template": "alerts/panels/follow.html",
        "slot": "actions",
        "context": {"follow_url": place.follow_url, "feed_url": place.feed_url},
    }


def space_follow_panel(*, space) -> dict:
    return _panel(Place(FollowKind.SPACE, space.municipality_id, space=space))


def area_follow_panel(*, area) -> dict:
    return _panel(Place(FollowKind.AREA, area.municipality_id, area=area))


def colonia_follow_panel(*, colonia) -> dict:
    return _panel(Place(FollowKind.COLONIA, colonia.municipality_id, colonia=colonia))
