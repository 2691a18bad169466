import uuid

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.selectors import STAFF_ROLES, role_holders
from core.forms import MultiplePhotoField
from core.photos import validate_photo
from territory.models import Colonia, PublicSpace, ServiceType

from .models import CardTemplate, CardTemplateItem, Guardian, GuardianApplication, Visit
from .selectors import services_for_guardian, spaces_for_guardian

Kind = CardTemplateItem.Kind


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class GuardianApplicationForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(label=_("E-mail"))
    phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    colonia = forms.ModelChoiceField(label=_("Your colonia"), queryset=Colonia.objects.none())
    service_types = forms.ModelMultipleChoiceField(
        label=_("Services you want to watch"),
        queryset=ServiceType.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    motivation = forms.CharField(
        label=_("Why do you want to be a guardian?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    accept_privacy_notice = forms.BooleanField(
        label=_("I have read and accept the privacy notice"),
        error_messages={"required": _("You must accept the privacy notice to sign up.")},
    )

    spaces = forms.ModelMultipleChoiceField(
        label=_("Public spaces you want to watch"),
        queryset=PublicSpace.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, municipality, space=None, **kwargs):
        """``space``: the public space the citizen came from ("Become a guardian of this
        space"): offered, ticked, with its colonia chosen. Without it, no space is offered."""
        if space is not None:
            kwargs.setdefault("initial", {"spaces": [space.pk], "colonia": space.colonia_id})
        super().__init__(*args, **kwargs)
        self.fields["full_name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["colonia"].queryset = Colonia.objects.for_municipality(municipality).only(
            "id", "name"
        )
        self.fields["service_types"].queryset = ServiceType.objects.for_municipality(municipality)
        if space is None:
            del self.fields["spaces"]
        else:
            self.fields["spaces"].queryset = PublicSpace.objects.for_municipality(
                municipality
            ).filter(pk=space.pk)
            self.order_fields(["full_name", "email", "phone", "colonia", "spaces"])


class ApplicationReviewForm(forms.Form):
    appointed_on_visit = forms.ModelChoiceField(
        label=_("Appointed on visit"), queryset=Visit.objects.none(), required=False
    )
    is_lead = forms.BooleanField(label=_("Lead guardian of the colonia"), required=False)

    def __init__(self, *args, municipality, colonia=None, **kwargs):
        super().__init__(*args, **kwargs)
        visits = Visit.objects.for_municipality(municipality).select_related("colonia")
        if colonia is not None:
            visits = visits.filter(colonia=colonia)
        self.fields["appointed_on_visit"].queryset = visits


class VisitForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput)
    colonia = forms.ModelChoiceField(label=_("Colonia"), queryset=Colonia.objects.none())
    space_codes = forms.CharField(
        label=_("Spaces visited"),
        required=False,
        help_text=_("Codes of the spaces, separated by commas, e.g. AC-Z11-0001."),
    )
    staff_present = forms.ModelMultipleChoiceField(
        label=_("Staff present"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    people_contacted = forms.IntegerField(label=_("People contacted"), min_value=0)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea)
    photos = MultiplePhotoField(label=_("Photos (up to 3)"))

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality = municipality
        self.fields["colonia"].queryset = Colonia.objects.for_municipality(municipality).only(
            "id", "name"
        )
        self.fields["staff_present"].queryset = role_holders(
            *STAFF_ROLES, municipality=municipality, include_inactive=True
        ).order_by("first_name", "username")

    def clean_space_codes(self):
        codes = [c.strip() for c in self.cleaned_data["space_codes"].split(",") if c.strip()]
        spaces = list(
            PublicSpace.objects.for_municipality(self.municipality).filter(code__in=codes)
        )
        missing = sorted(set(codes) - {s.code for s in spaces})
        if missing:
            raise ValidationError(
                _("No public space has the code %(codes)s."), params={"codes": ", ".join(missing)}
            )
        return spaces


class GuardianChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        name = obj.user.get_full_name() or obj.user.get_username()
        lead = f" ({_('lead')})" if obj.is_lead else ""
        return f"{name}{lead} · {obj.colonia.name}"


class ApplicantChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} · {obj.colonia.name} ({_('applicant')})"


class VisitPlanForm(forms.Form):
    """Plan a visit for a date to come; its brief becomes public at a link to share."""

    date = forms.DateField(label=_("Date"), widget=DateInput)
    colonia = forms.ModelChoiceField(label=_("Colonia"), queryset=Colonia.objects.none())
    space_codes = forms.CharField(
        label=_("Spaces to visit"),
        required=False,
        help_text=_("Codes of the spaces, separated by commas, e.g. AC-Z11-0001."),
    )
    guardians_invited = GuardianChoiceField(
        label=_("Guardians invited"),
        queryset=Guardian.private_objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    public_note = forms.CharField(
        label=_("Message for the community"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Public: shown on the brief you share. No personal data."),
    )
    notes = forms.CharField(
        label=_("Internal notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen by staff only."),
    )

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality = municipality
        self.fields["date"].widget.attrs["min"] = timezone.localdate().isoformat()
        self.fields["colonia"].queryset = Colonia.objects.for_municipality(municipality).only(
            "id", "name"
        )
        self.fields["guardians_invited"].queryset = (
            Guardian.private_objects.for_municipality(municipality)
            .active()
            .select_related("user", "colonia")
            .order_by("colonia__name", "user__first_name", "user__last_name", "id")
        )

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date < timezone.localdate():
            raise ValidationError(_("Choose today or a date to come."))
        return date

    clean_space_codes = VisitForm.clean_space_codes


class VisitDoneForm(VisitForm):
    """Record a planned visit as carried out: the recording form without its colonia."""

    def __init__(self, *args, visit, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "date": min(visit.date, timezone.localdate()),
                "space_codes": ", ".join(space.code for space in visit.spaces.all()),
                "notes": visit.notes,
            },
        )
        super().__init__(*args, municipality=visit.municipality, **kwargs)
        del self.fields["colonia"]


class AttendanceForm(forms.Form):
    """The attendance checklist of a training session."""

    guardians = GuardianChoiceField(
        label=_("Guardians who came"),
        queryset=Guardian.private_objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    applications = ApplicantChoiceField(
        label=_("Applicants who came"),
        queryset=GuardianApplication.private_objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, checklist, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "guardians": sorted(checklist["guardian_ids"]),
                "applications": sorted(checklist["application_ids"]),
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["guardians"].queryset = checklist["guardians"]
        self.fields["applications"].queryset = checklist["applications"]


class EvaluationForm(forms.Form):
    def __init__(self, *args, evaluation, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(evaluation.questions.all())
        for number, question in enumerate(self.questions, start=1):
            self.fields[f"q{question.pk}"] = forms.TypedChoiceField(
                label=f"{number}. {question.text}",
                choices=[(c.pk, c.text) for c in question.choices.all()],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose an answer.")},
            )

    def answers(self) -> dict[int, int]:
        return {q.pk: self.cleaned_data.get(f"q{q.pk}") for q in self.questions}


YES_NO = [("yes", _("Yes")), ("no", _("No"))]
RATINGS = [(str(n), str(n)) for n in range(1, 6)]


def _item_field(item: CardTemplateItem) -> forms.Field:
    common = {"label": item.text, "required": False, "help_text": item.help_text}
    if item.kind == Kind.YES_NO:
        return forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect, **common)
    if item.kind == Kind.RATING:
        return forms.ChoiceField(
            choices=RATINGS, widget=forms.RadioSelect(attrs={"class": "rating"}), **common
        )
    if item.kind == Kind.COUNT:
        return forms.IntegerField(
            min_value=0,
            max_value=100000,
            widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            **common,
        )
    if item.kind == Kind.CHOICE:
        return forms.ChoiceField(choices=item.choice_pairs, widget=forms.RadioSelect, **common)
    if item.kind == Kind.MULTI_CHOICE:
        return forms.MultipleChoiceField(
            choices=item.choice_pairs, widget=forms.CheckboxSelectMultiple, **common
        )
    if item.kind == Kind.PHOTO:
        return forms.FileField(
            widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
            **common,
        )
    return forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), **common)


class CardForm(forms.Form):
    """The card for every service the guardian watches: one fieldset per card template, of
    which only the chosen service's is enabled (and validated)."""

    client_id = forms.UUIDField(widget=forms.HiddenInput)
    space = forms.ModelChoiceField(label=_("Public space"), queryset=PublicSpace.objects.none())
    service_type = forms.ModelChoiceField(label=_("Service"), queryset=ServiceType.objects.none())
    observed_on = forms.DateField(label=_("Date observed"), widget=DateInput)
    photos = MultiplePhotoField(
        label=_("Photos (up to 3)"),
        help_text=_("JPEG, PNG or WebP, at most 5 MB each. Location data is removed."),
    )

    def __init__(self, *args, guardian, templates: list[CardTemplate], **kwargs):
        super().__init__(*args, **kwargs)
        self.guardian = guardian
        self.templates = templates
        self.fields["space"].queryset = spaces_for_guardian(guardian=guardian).order_by("name")
        self.fields["service_type"].queryset = services_for_guardian(guardian=guardian)
        self.fields["observed_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        if not self.is_bound:
            self.initial.setdefault("client_id", uuid.uuid4())
            self.initial.setdefault("observed_on", timezone.localdate())
            if templates:
                self.initial.setdefault("service_type", templates[0].service_type_id)
        self.sections = []
        for template in templates:
            rows = []
            for item in template.items.all():
                name = self.item_field_name(template, item)
                self.fields[name] = _item_field(item)
                total_name = None
                if item.kind == Kind.COUNT and item.has_total:
                    total_name = f"{name}-total"
                    self.fields[total_name] = forms.IntegerField(
                        label=item.total_label or _("Out of"),
                        min_value=0,
                        max_value=100000,
                        required=False,
                        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                    )
                rows.append((item, name, total_name))
            self.sections.append((template, rows))
        self.chosen_template: CardTemplate | None = None

    @staticmethod
    def item_field_name(template, item) -> str:
        return f"t{template.pk}-item-{item.pk}"

    def bound_sections(self):
        """[(template, is_chosen, [(item, bound field, bound total field)])] for the page."""
        chosen = self.selected_service_id()
        return [
            (
                template,
                template.service_type_id == chosen,
                [(item, self[name], self[total] if total else None) for item, name, total in rows],
            )
            for template, rows in self.sections
        ]

    def selected_service_id(self) -> int | None:
        value = self.data.get("service_type") if self.is_bound else None
        value = value or self.initial.get("service_type")
        try:
            return int(getattr(value, "pk", value))
        except (TypeError, ValueError):
            return self.templates[0].service_type_id if self.templates else None

    def _template_for(self, service: ServiceType) -> CardTemplate | None:
        """The version the page showed (the offline queue may send an older one), else the
        current one."""
        submitted = self.data.get("template")
        if submitted:
            template = (
                CardTemplate.objects.filter(
                    pk=submitted if str(submitted).isdigit() else 0,
                    service_type=service,
                )
                .prefetch_related("items")
                .first()
            )
            if template is not None:
                return template
        return next((t for t in self.templates if t.service_type_id == service.pk), None)

    def clean(self):
        cleaned = super().clean()
        service = cleaned.get("service_type")
        if service is None:
            return cleaned
        template = self._template_for(service)
        if template is None:
            self.add_error("service_type", _("There is no card for this service yet."))
            return cleaned
        self.chosen_template = template
        for item in template.items.all():
            name = self.item_field_name(template, item)
            if name not in self.fields:
                # An older version the page did not render: its answers arrive by the same name.
                field = self.fields[name] = _item_field(item)
                try:
                    cleaned[name] = field.clean(
                        field.widget.value_from_datadict(self.data, self.files, name)
                    )
                except ValidationError as error:
                    self.add_error(name, error)
            if item.kind == Kind.PHOTO:
                upload = self.files.get(name)
                if upload:
                    try:
                        validate_photo(upload)
                    except ValidationError as error:
                        self.add_error(name, error)
                continue
            if item.kind == Kind.COUNT and item.has_total:
                number = cleaned.get(name)
                total = cleaned.get(f"{name}-total")
                if (number is None) != (total is None):
                    self.add_error(name, _("Give both numbers."))
                elif number is not None and number > total:
                    self.add_error(name, _("It cannot be more than the total."))
        return cleaned

    def answers(self) -> dict[int, object]:
        template = self.chosen_template
        result = {}
        for item in template.items.all():
            name = self.item_field_name(template, item)
            value = self.cleaned_data.get(name)
            if item.kind == Kind.COUNT and item.has_total:
                total = self.cleaned_data.get(f"{name}-total")
                value = None if value is None or total is None else (value, total)
            result[item.pk] = value
        return result

    def item_photos(self) -> dict[int, object]:
        template = self.chosen_template
        return {
            item.pk: self.files.get(self.item_field_name(template, item))
            for item in template.items.all()
            if item.kind == Kind.PHOTO
        }

    def add_service_errors(self, error: ValidationError) -> None:
        """Places a service's ValidationError on the fields it names."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for key, messages in error.message_dict.items():
            if key.startswith("item-") and self.chosen_template is not None:
                name = f"t{self.chosen_template.pk}-{key}"
                field = name if name in self.fields else None
            else:
                field = key if key in self.fields else None
            for message in messages:
                self.add_error(field, message)


class CardReviewForm(forms.Form):
    note = forms.CharField(
        label=_("Review note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
