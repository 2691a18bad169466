from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from config.settings import base
from territory.tests.factories import MunicipalityFactory


def test_the_portal_speaks_spanish_of_mexico_first():
    assert base.LANGUAGE_CODE == "es-mx"
    assert [code for code, _ in base.LANGUAGES] == ["es-mx", "en"]


def test_compiled_catalogues_are_committed_and_complete():
    import polib

    for domain in ("django", "djangojs"):
        po_path = Path(settings.BASE_DIR, "locale", "es_MX", "LC_MESSAGES", f"{domain}.po")
        catalogue = polib.pofile(str(po_path))
        missing = [entry.msgid for entry in catalogue.untranslated_entries()]
        fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
        assert missing == [] and fuzzy == [], (domain, missing[:5], fuzzy[:5])
        assert po_path.with_suffix(".mo").exists()


@pytest.mark.django_db
@override_settings(LANGUAGE_CODE="es-mx")
def test_a_request_without_preference_gets_spanish(client):
    MunicipalityFactory(is_default=True)
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="es-mx">' in html
    assert "Vigila tu ciudad" in html


@pytest.mark.django_db
def test_the_language_switcher_changes_the_language(client):
    MunicipalityFactory(is_default=True)
    client.post(reverse("set_language"), {"language": "es-mx", "next": "/"})
    assert "Vigila tu ciudad" in client.get(reverse("home")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Watch your city" in client.get(reverse("home")).content.decode()


def test_every_string_the_scripts_show_is_in_the_javascript_catalogue():
    """The scripts take their strings through short names for gettext (``t``, ``plural``):
    core's makemessages reads those names too, so each string reaches djangojs.po."""
    import re

    import polib

    catalogue = polib.pofile(
        str(Path(settings.BASE_DIR, "locale", "es_MX", "LC_MESSAGES", "djangojs.po"))
    )
    msgids = {entry.msgid for entry in catalogue if not entry.obsolete}
    call = re.compile(r"""\b(?:t|gettext|plural|ngettext)\(\s*(["'])((?:\\.|(?!\1).)+)\1""")
    shown = set()
    for script in Path(settings.BASE_DIR, "static").rglob("*.js"):
        if "vendor" in script.parts:
            continue
        for match in call.finditer(script.read_text()):
            shown.add(match.group(2).replace("\\'", "'").replace('\\"', '"'))
    assert shown, "no strings found: the pattern no longer matches the scripts"
    assert sorted(shown - msgids) == []
