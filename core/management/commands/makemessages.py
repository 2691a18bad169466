"""Django's makemessages, also reading the names the portal's scripts give gettext.

Every script in static/ takes its strings from Django's JavaScript catalogue through short
local names (``var t = window.gettext || …``; ``function plural(one, many, n)`` for ngettext),
which xgettext does not know: their strings never reached djangojs.po, so the map, the card
form and the complaint form spoke English on a Spanish page. For the djangojs domain those
names are keywords too (Django's documented way: extend ``xgettext_options``).
"""

from django.core.management.commands import makemessages

SCRIPT_KEYWORDS = ["--keyword=t", "--keyword=plural:1,2"]


class Command(makemessages.Command):
    def handle(self, *args, **options):
        if options.get("domain") == "djangojs":
            self.xgettext_options = [*makemessages.Command.xgettext_options, *SCRIPT_KEYWORDS]
        return super().handle(*args, **options)
