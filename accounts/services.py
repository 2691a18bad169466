"""Writes for users and their roles; seed_demo, the admin and the sign-up flows call these.

A role is a Django group of the same name (see ``accounts.models.Role``); the groups and their
model permissions are kept by ``accounts.roles.sync_role_groups`` after every migrate.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_append, audit_record, audit_snapshot

from .models import Role, User
from .selectors import forget_role_names, user_role_names

if TYPE_CHECKING:  # territory sits above accounts: its models are only named here
    from territory.models import Directorate, Municipality

UPDATABLE_FIELDS = frozenset(
    {
        "email",
        "first_name",
        "last_name",
        "municipality",
        "directorate",
        "is_staff",
        "is_superuser",
        "is_active",
        "is_demo",
    }
)


# What the audit trail keeps of a user: privileges and bindings, never the password hash, the
# last login or contact data.
USER_AUDIT_FIELDS = (
    "username",
    "municipality",
    "directorate",
    "is_staff",
    "is_superuser",
    "is_active",
    "is_demo",
)


def user_audit_state(user: User) -> dict:
    """What ``user_audit`` compares: the audited fields and the sorted role names, as stored."""
    stored = User.objects.filter(pk=user.pk).first() if user.pk else None
    if stored is None:
        return {}
    return {
        "fields": audit_snapshot(stored, only=USER_AUDIT_FIELDS),
        "roles": sorted(user_role_names(stored)),
    }


def user_audit(*, user: User, actor: User | None, before: dict | None) -> None:
    """Records a user's creation (``before`` empty or None) or the change of their privileges,
    bindings or roles since ``before`` (``user_audit_state``), in their municipality's chain
    (the one they left, if they left every one). Deployment-wide users have no chain."""
    before = before or {}
    roles_before = before.get("roles", [])
    roles_after = sorted(user_role_names(user))
    extra = {"roles": [roles_before, roles_after]} if roles_before != roles_after else {}
    action = "update" if before else "create"
    if user.municipality_id is not None:
        audit_record(
            instance=user,
            action=action,
            actor=actor,
            before=before.get("fields"),
            only=USER_AUDIT_FIELDS,
            extra=extra,
        )
        return
    municipality_id = before.get("fields", {}).get("municipality")
    if municipality_id is None:
        return
    after = audit_snapshot(user, only=USER_AUDIT_FIELDS)
    changes = {
        name: [before["fields"].get(name), value]
        for name, value in after.items()
        if before["fields"].get(name) != value
    }
    audit_append(
        municipality_id=municipality_id,
        action=action,
        object_type=user._meta.label_lower,
        object_id=str(user.pk),
        object_repr=str(user),
        changes={**changes, **extra},
        actor=actor,
    )


def _clean_roles(roles: Iterable[str]) -> list[str]:
    roles = list(dict.fromkeys(str(role) for role in roles))
    unknown = [role for role in roles if role not in Role.values]
    if unknown:
        raise ValidationError(
            _("Unknown role: %(roles)s. The roles are: %(known)s.")
            % {"roles": ", ".join(unknown), "known": ", ".join(Role.values)},
            code="unknown_role",
        )
    return roles


def _validate(user: User, roles: list[str]) -> None:
    """The rules every user keeps, whether created or updated."""
    errors: dict[str, list[str]] = {}
    # No query when the user has no directorate: the descriptor sees the empty key.
    directorate = user.directorate
    if directorate is not None:
        if user.municipality_id is None:
            user.municipality = directorate.municipality
        elif directorate.municipality_id != user.municipality_id:
            errors.setdefault("directorate", []).append(
                _("The directorate belongs to another municipality.")
            )
    if Role.DIRECTORATE_STAFF in roles and user.directorate_id is None:
        errors.setdefault("directorate", []).append(
            _("Directorate staff must be bound to a directorate.")
        )
    if Role.MUNICIPAL_STAFF in roles and user.municipality_id is None:
        errors.setdefault("municipality", []).append(
            _("Municipal staff must be bound to a municipality.")
        )
    if user.is_superuser and not user.is_staff:
        errors.setdefault("is_staff", []).append(_("A superuser must also be staff."))
    if errors:
        raise ValidationError(errors)
    user.full_clean(exclude=["password"])


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    email: str = "",
    municipality: Municipality | None = None,
    directorate: Directorate | None = None,
    roles: Iterable[str] = (),
    is_staff: bool = False,
    is_superuser: bool = False,
    is_demo: bool = False,
    first_name: str = "",
    last_name: str = "",
    skip_password_validation: bool = False,
    actor: User | None = None,
) -> User:
    """Creates a user with these roles. ``password=None`` leaves the password unusable (e.g.
    someone invited who sets it through a reset link); a given password must pass the
    validators in ``AUTH_PASSWORD_VALIDATORS`` unless ``skip_password_validation`` (seed_demo's
    published password, which is similar to some demo usernames).

    A directorate with no municipality binds the user to the directorate's municipality.
    """
    roles = _clean_roles(roles)
    user = User(
        username=User.normalize_username(username.strip()),
        email=User.objects.normalize_email(email.strip()),
        first_name=first_name,
        last_name=last_name,
        municipality=municipality,
        directorate=directorate,
        is_staff=is_staff,
        is_superuser=is_superuser,
        is_demo=is_demo,
    )
    _validate(user, roles)
    if password is None:
        user.set_unusable_password()
    else:
        if not skip_password_validation:
            validate_password(password, user)
        user.set_password(password)
    user.save()
    _set_roles(user=user, roles=roles)
    user_audit(user=user, actor=actor, before=None)
    return user


@transaction.atomic
def user_update(
    *,
    user: User,
    password: str | None = None,
    skip_password_validation: bool = False,
    actor: User | None = None,
    **fields: Any,
) -> User:
    """Changes the given fields (any of ``UPDATABLE_FIELDS``) and, if given, the password.
    Changes of privileges and bindings are audited; the password never is."""
    unknown = set(fields) - UPDATABLE_FIELDS
    if unknown:
        raise TypeError(f"user_update() got unexpected fields: {', '.join(sorted(unknown))}")
    before = user_audit_state(user)
    for name, value in fields.items():
        setattr(user, name, value)
    _validate(user, list(user.groups.values_list("name", flat=True)))
    if password is not None:
        if not skip_password_validation:
            validate_password(password, user)
        user.set_password(password)
    user.save()
    user_audit(user=user, actor=actor, before=before)
    return user


@transaction.atomic
def user_set_roles(*, user: User, roles: Iterable[str], actor: User | None = None) -> User:
    """Gives the user exactly these roles (groups that are not roles are kept); audited."""
    before = user_audit_state(user)
    _set_roles(user=user, roles=roles)
    user_audit(user=user, actor=actor, before=before)
    return user


def _set_roles(*, user: User, roles: Iterable[str]) -> User:
    roles = _clean_roles(roles)
    if Role.DIRECTORATE_STAFF in roles and user.directorate_id is None:
        raise ValidationError(
            {"directorate": _("Directorate staff must be bound to a directorate.")}
        )
    if Role.MUNICIPAL_STAFF in roles and user.municipality_id is None:
        raise ValidationError(
            {"municipality": _("Municipal staff must be bound to a municipality.")}
        )
    groups = [Group.objects.get_or_create(name=role)[0] for role in roles]
    user.groups.remove(*user.groups.filter(name__in=Role.values).exclude(name__in=roles))
    user.groups.add(*groups)
    forget_role_names(user)
    return user
