"""The tamper-evident audit trail: one hash chain of entries per municipality.

Each entry stores a keyed hash (HMAC-SHA256, see ``audit.chain``) of its own fields plus the
previous entry's hash, so changing, removing or reordering any stored entry breaks the chain
from that point on (``python manage.py verify_audit``), and without the key nobody can
recompute it. Sequence numbers are gap-free per municipality: every record belongs to one
municipality, the chain is verified per municipality, and writers of one municipality never
wait for another's.

Entries are append-only. The model refuses to update or delete a stored entry and its queryset
refuses ``update()`` and ``delete()``; whoever bypasses Django (raw SQL) is exactly what the
hash chain detects. The municipality and the actor are protected: a user who appears in the
trail is deactivated, never deleted (the admin says so), and the hash covers the username
snapshot, so the entry reads the same whatever later happens to the account.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    pass


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit entries are append-only.")

    def delete(self):
        raise AppendOnlyError("Audit entries are append-only.")

    def for_object(self, instance):
        return self.filter(object_type=instance._meta.label_lower, object_id=str(instance.pk))

    def about(self, instance):
        """Entries of the object and of its parts (a contract's obligations)."""
        label = f"{instance._meta.label_lower}:{instance.pk}"
        return self.filter(
            models.Q(object_type=instance._meta.label_lower, object_id=str(instance.pk))
            | models.Q(parent=label)
        )


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("updated")
        DELETE = "delete", _("deleted")
        # Privileged acts that are neither a plain create nor an update of the object's data.
        ISSUE = "issue", _("issued")
        REVOKE = "revoke", _("revoked")
        REVIEW = "review", _("reviewed")
        ANONYMISE = "anonymise", _("anonymised")

    municipality = models.ForeignKey(
        "territory.Municipality", on_delete=models.PROTECT, related_name="audit_entries"
    )
    sequence = models.PositiveBigIntegerField(_("sequence"))
    created_at = models.DateTimeField(_("when"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    # What the hash covers: the username at the time, or the job's name for system writes.
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    is_system = models.BooleanField(_("system"), default=False)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    # "app_label.model:pk" of the object this one is part of (an obligation's contract).
    parent = models.CharField(_("part of"), max_length=120, blank=True)
    changes = models.JSONField(_("changes"), default=dict)
    previous_hash = models.CharField(_("previous hash"), max_length=64, blank=True)
    hash = models.CharField(_("hash"), max_length=64)
    # How ``hash`` was computed (audit.chain): 1 unkeyed SHA-256 (before the key), 2 HMAC.
    hash_version = models.PositiveSmallIntegerField(_("hash version"))

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["municipality", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "sequence"], name="audit_entry_sequence_unique"
            )
        ]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["parent"]),
        ]

    def __str__(self):
        return f"#{self.sequence} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit entries are append-only.")
