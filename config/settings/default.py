"""The settings of manage.py, wsgi.py, asgi.py and celery.py when DJANGO_SETTINGS_MODULE is not
set. They fail closed: the embedded development settings (base) only while DEBUG is turned on
in the environment or in .env, as the Makefile's targets (`make run`) do; otherwise the
production settings, which stop with a clear message without SECRET_KEY and ALLOWED_HOSTS. A
deployment that forgets DJANGO_SETTINGS_MODULE never runs with DEBUG on or a published key.
"""

from .base import env  # reads .env first

if env.bool("DEBUG", default=False):
    from .base import *  # noqa: F403
else:
    from .production import *  # noqa: F403
