#!/usr/bin/env python
import os
import sys


def main():
    # Without DJANGO_SETTINGS_MODULE: the development settings only with DEBUG=true (the
    # Makefile's targets set it), the production settings otherwise (settings/default.py).
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.default")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 - loads the settings module
    except ImproperlyConfigured as error:
        # A missing SECRET_KEY or ALLOWED_HOSTS: the message says what to set, no traceback.
        sys.exit(f"{os.environ['DJANGO_SETTINGS_MODULE']}: {error}")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
