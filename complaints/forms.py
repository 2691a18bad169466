from django import forms
from django.contrib.gis.geos import Point
from django.utils.translation import gettext_lazy as _

from core.forms import MultiplePhotoField
from core.photos import MAX_PHOTOS
from territory.models import ServiceType

from .attributes import MAX_STRING, MAX_TEXT, answers_clean
from .constants import QuestionDatatype
from .models import Complaint
from .selectors import Question, questions_by_service
from .services import pending_photos_check


class AnswerField(forms.Field):
    """An answer to a service's question, kept as typed: ``answers_clean`` validates it, the
    same way for the web form and Open311, for the chosen service only."""

    def __init__(self, *, question: Question, **kwargs):
        self.question = question
        super().__init__(required=False, **kwargs)


class MultiAnswerField(AnswerField):
    widget = forms.CheckboxSelectMultiple
    hidden_widget = forms.MultipleHiddenInput

    def to_python(self, value):
        return [str(item) for item in value] if value else []


def answer_field(question: Question) -> AnswerField:
    """The form field that asks ``question``, by its Open311 datatype."""
    options = {"question": question, "label": question.description}
    if question.datatype_description:
        options["help_text"] = question.datatype_description
    datatype = question.datatype
    if datatype == QuestionDatatype.MULTIVALUELIST:
        return MultiAnswerField(
            widget=forms.CheckboxSelectMultiple(choices=question.choices), **options
        )
    if datatype == QuestionDatatype.SINGLEVALUELIST:
        choices = [("", _("Choose an answer")), *question.choices]
        return AnswerField(widget=forms.Select(choices=choices), **options)
    if datatype == QuestionDatatype.TEXT:
        widget = forms.Textarea(attrs={"rows": 3, "maxlength": MAX_TEXT})
    elif datatype == QuestionDatatype.NUMBER:
        widget = forms.TextInput(attrs={"inputmode": "decimal"})
    elif datatype == QuestionDatatype.DATETIME:
        widget = forms.DateTimeInput(attrs={"type": "datetime-local"})
    else:
        widget = forms.TextInput(attrs={"maxlength": MAX_STRING})
    return AnswerField(widget=widget, **options)


class ComplaintForm(forms.Form):
    service_type = forms.ModelChoiceField(
        label=_("Service"), queryset=ServiceType.objects.none(), empty_label=_("Choose a service")
    )
    description = forms.CharField(
        label=_("What is the problem?"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    lat = forms.FloatField(
        label=_("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    lon = forms.FloatField(
        label=_("Longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    address = forms.CharField(
        label=_("Address or reference"),
        required=False,
        max_length=300,
        help_text=_("Street, number, cross streets. Needed if you do not place a pin."),
    )
    photos = MultiplePhotoField(label=_("Photos (up to 3)"))
    reporter_name = forms.CharField(label=_("Your name (optional)"), required=False, max_length=200)
    reporter_email = forms.EmailField(
        label=_("Your e-mail (optional, to be told of each change)"), required=False
    )
    reporter_phone = forms.CharField(
        label=_("Your phone (optional)"), required=False, max_length=40
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)
    pending_photos = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, municipality=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_type"].queryset = ServiceType.objects.for_municipality(municipality)
        # Every service's questions, each named q<service id>-<code>: without JavaScript they
        # are all shown, grouped by service; service-questions.js shows the chosen one's.
        self.questions = questions_by_service(municipality=municipality)
        for service_id, questions in self.questions.items():
            for question in questions:
                self.fields[self.question_field_name(service_id, question.code)] = answer_field(
                    question
                )

    @staticmethod
    def question_field_name(service_id: int, code: str) -> str:
        return f"q{service_id}-{code}"

    def question_groups(self) -> list[dict]:
        """For the template: each service that asks questions, with its bound fields."""
        names = {service.pk: service.name for service in self.fields["service_type"].queryset}
        return [
            {
                "service_id": service_id,
                "service_name": names.get(service_id, ""),
                "fields": [
                    self[self.question_field_name(service_id, question.code)]
                    for question in questions
                ],
            }
            for service_id, questions in self.questions.items()
        ]

    def _clean_answers(self, cleaned: dict) -> None:
        """The chosen service's answers into ``cleaned["attributes"]``; an error on the field
        of each required question left empty or answer not valid."""
        service = cleaned.get("service_type")
        if service is None:
            cleaned["attributes"] = {}
            return

        def values_for(code: str) -> list[str]:
            value = cleaned.get(self.question_field_name(service.pk, code))
            if isinstance(value, list):
                return value
            return [value or ""]

        answers, errors = answers_clean(self.questions.get(service.pk, []), values_for)
        for error in errors:
            self.add_error(self.question_field_name(service.pk, error.code), error.message)
        cleaned["attributes"] = answers

    def clean(self):
        cleaned = super().clean()
        self._clean_answers(cleaned)
        lat, lon = cleaned.get("lat"), cleaned.get("lon")
        if (lat is None) != (lon is None):
            raise forms.ValidationError(_("Give both the latitude and the longitude."))
        if lat is None and not cleaned.get("address", "").strip() and not self.errors:
            raise forms.ValidationError(
                _("Place a pin on the map, use your location, or write the address.")
            )
        if len(cleaned.get("photos") or []) > MAX_PHOTOS:
            raise forms.ValidationError(_("Attach at most 3 photos."))
        if cleaned.get("pending_photos"):
            pending_photos_check(token=cleaned["pending_photos"])
        return cleaned

    @property
    def point(self) -> Point | None:
        lat, lon = self.cleaned_data.get("lat"), self.cleaned_data.get("lon")
        if lat is None or lon is None:
            return None
        return Point(lon, lat, srid=4326)


class NearbyForm(forms.Form):
    service = forms.CharField()
    lat = forms.FloatField(min_value=-90, max_value=90)
    lon = forms.FloatField(min_value=-180, max_value=180)


class FollowForm(forms.Form):
    """Follow an open complaint by e-mail instead of filing a duplicate."""

    email = forms.EmailField(
        label=_("Your e-mail"),
        max_length=254,
        error_messages={"invalid": _("Enter a valid e-mail address.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    accept_privacy_notice = forms.BooleanField(
        label=_("I have read and accept the privacy notice"),
        error_messages={
            "required": _("You must accept the privacy notice to follow the complaint.")
        },
    )


class FixedAnswerForm(forms.Form):
    """The reporter's one answer to "Has it been fixed?"."""

    fixed = forms.TypedChoiceField(
        label=_("Has the problem been fixed?"),
        choices=[("yes", _("Yes, it has been fixed")), ("no", _("No, it has not been fixed"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose yes or no.")},
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen only by the municipality's staff."),
    )


class StatusChangeForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Complaint.Status.choices)
    note = forms.CharField(
        label=_("Note for the reporter (public)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MergeForm(forms.Form):
    into = forms.CharField(label=_("Tracking code of the complaint it duplicates"), max_length=12)
    note = forms.CharField(label=_("Note (public)"), required=False, max_length=2000)


class TrackForm(forms.Form):
    code = forms.CharField(label=_("Tracking code"), max_length=12)


class BriefForm(forms.Form):
    colonia = forms.ModelChoiceField(label=_("Colonia"), queryset=None)
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, municipality=None, **kwargs):
        super().__init__(*args, **kwargs)
        from territory.models import Colonia

        self.fields["colonia"].queryset = Colonia.objects.for_municipality(municipality).only(
            "id", "name"
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] < cleaned["start"]:
            raise forms.ValidationError(_("The end date is before the start date."))
        return cleaned


class ImpactForm(forms.Form):
    colonia = forms.ModelChoiceField(label=_("Colonia"), queryset=None, required=False)
    date = forms.DateField(
        label=_("Reference date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("By default, the day the first surveillance card was filed there."),
    )
    days = forms.IntegerField(
        label=_("Days before and after"), min_value=1, max_value=730, initial=90, required=False
    )

    def __init__(self, *args, municipality=None, **kwargs):
        super().__init__(*args, **kwargs)
        from territory.models import Colonia

        self.fields["colonia"].queryset = Colonia.objects.for_municipality(municipality).only(
            "id", "name"
        )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file from the 072 call centre"))
