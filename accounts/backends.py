from django.conf import settings
from django.contrib.auth.backends import ModelBackend


class PortalBackend(ModelBackend):
    """Django's backend, refusing the seed_demo logins unless DEBUG or ALLOW_DEMO_USERS."""

    def user_can_authenticate(self, user):
        if getattr(user, "is_demo", False) and not (settings.DEBUG or settings.ALLOW_DEMO_USERS):
            return False
        return super().user_can_authenticate(user)
