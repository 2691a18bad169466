from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from .roles import sync_role_groups

        # Runs after Django's own post_migrate handlers (which create the permissions),
        # because accounts comes after django.contrib.auth in INSTALLED_APPS.
        post_migrate.connect(sync_role_groups, dispatch_uid="accounts.sync_role_groups")
