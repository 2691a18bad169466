from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")
    # core.demo: the demo logins, and the table seed_demo prints of them.
    demo_seeders = ["accounts.demo.seed_users"]
    demo_logins = ["accounts.demo.print_logins"]
    # ARCO rights: see accounts.privacy.arco.
    personal_data_exporters = ["accounts.privacy.arco.export_account"]
    personal_data_anonymisers = ["accounts.privacy.arco.anonymise_account"]

    def ready(self):
        from .roles import sync_role_groups
        from .selectors import remember_roles_at_login

        # The role groups are rebuilt after every migrate (and test flush); see accounts.roles.
        post_migrate.connect(sync_role_groups, dispatch_uid="accounts.sync_role_groups")
        user_logged_in.connect(remember_roles_at_login, dispatch_uid="accounts.remember_roles")
