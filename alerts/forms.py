from django import forms
from django.utils.translation import gettext_lazy as _

from territory.models import ServiceType


class FollowForm(forms.Form):
    """Follow a place by e-mail: a link to confirm is sent, nothing is stored until then."""

    email = forms.EmailField(
        label=_("Your e-mail"),
        max_length=254,
        error_messages={
            "invalid": _("Enter a valid e-mail address."),
            "required": _("Enter your e-mail address."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    accept_privacy_notice = forms.BooleanField(
        label=_("I have read and accept the privacy notice"),
        error_messages={"required": _("You must accept the privacy notice to follow a place.")},
    )

    def __init__(self, *args, services=None, **kwargs):
        super().__init__(*args, **kwargs)
        if services is not None:
            self.fields["service"] = forms.ModelChoiceField(
                label=_("Which service"),
                queryset=services,
                required=False,
                empty_label=_("Every service"),
                to_field_name="code",
                help_text=_("Follow everything in the colonia, or only one service."),
            )
            self.order_fields(["service", "email", "accept_privacy_notice"])

    @staticmethod
    def colonia_services(municipality):
        return ServiceType.objects.for_municipality(municipality).order_by("name")
