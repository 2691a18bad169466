from django import forms
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy as _

from core.uploads import validate_document

from .models import ReportedBy

EVIDENCE_EXTENSIONS = ["pdf", "jpg", "jpeg", "png", "webp"]
MAX_EVIDENCE_BYTES = 5 * 1024 * 1024


class FindingActionForm(forms.Form):
    """One form for every answer of a directorate (and the Sindicatura's reopening)."""

    ACTIONS = [
        ("acknowledge", _("Acknowledge")),
        ("answer", _("Answer")),
        ("resolve", _("Mark as resolved")),
        ("dispute", _("Dispute")),
        ("reopen", _("Reopen")),
    ]

    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text=_("Required to dispute or reopen."),
    )
    attachment = forms.FileField(
        label=_("Evidence (PDF or photo, at most 5 MB)"),
        required=False,
    )

    def clean_attachment(self):
        """The same check as every uploaded document; the services re-encode photos."""
        attachment = self.cleaned_data.get("attachment")
        if attachment:
            validate_document(
                attachment, extensions=EVIDENCE_EXTENSIONS, max_bytes=MAX_EVIDENCE_BYTES
            )
        return attachment


class ServiceStatusUploadForm(forms.Form):
    KINDS = [("work-logs", _("Work logs")), ("known-issues", _("Known issues"))]

    kind = forms.ChoiceField(label=_("What the file holds"), choices=KINDS)
    file = forms.FileField(
        label=_("CSV file (UTF-8)"), validators=[FileExtensionValidator(["csv", "txt"])]
    )
    reported_by = forms.ChoiceField(
        label=_("Reported by"), choices=ReportedBy.choices, initial=ReportedBy.DIRECTORATE
    )
