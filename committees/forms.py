"""Server-rendered forms for committee members, civil employees and staff. They only check
input; the views hand the cleaned data to the services."""

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from core.forms import PHOTO_ACCEPT, MultiplePhotoField
from core.photos import validate_photo
from territory.models import Colonia

from .models import (
    Activity,
    Allocation,
    CitizenCommittee,
    CivilEmployee,
    CommitteeMember,
    Forum,
    Institution,
    Need,
    PlanningCommittee,
    Program,
    PublicWork,
    WorkProgress,
)
from .selectors import allocatable_needs, requisitionable_needs
from .validators import validate_evidence, validate_pdf


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _communities(municipality, participant):
    colonias = Colonia.objects.for_municipality(municipality).order_by("name")
    if participant.is_staff:
        return colonias
    return colonias.filter(pk__in=participant.colonia_ids)


class NeedForm(forms.ModelForm):
    class Meta:
        model = Need
        fields = [
            "colonia",
            "category",
            "description",
            "people_affected",
            "estimated_cost",
            "evidence",
            "forum",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, municipality, participant, **kwargs):
        super().__init__(*args, **kwargs)
        communities = _communities(municipality, participant)
        self.fields["colonia"].queryset = communities
        self.fields["forum"].queryset = (
            Forum.objects.for_municipality(municipality)
            .filter(colonia__in=communities)
            .select_related("colonia")
            .order_by("-starts_at")
        )
        self.fields["evidence"].widget = forms.FileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}
        )

    def clean_evidence(self):
        """A photo is kept without its metadata (EXIF, GPS), as card and complaint photos are."""
        evidence = self.cleaned_data.get("evidence")
        if isinstance(evidence, UploadedFile):  # a new upload, not the stored file
            validate_evidence(evidence)  # need_create/need_update re-encode photos
        return evidence


class NeedStatusForm(forms.Form):
    to_status = forms.ChoiceField(label=_("New status"), choices=Need.Status.choices)
    priority = forms.IntegerField(
        label=_("Priority set by the committee"),
        required=False,
        min_value=1,
        max_value=99,
        help_text=_("1 is the most urgent. Needed to prioritise."),
    )
    reason = forms.CharField(
        label=_("Reason or note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed to reject."),
    )

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if choices is not None:
            self.fields["to_status"].choices = choices


class ForumForm(forms.ModelForm):
    photos = MultiplePhotoField(label=_("Photos (at most 3)"))

    class Meta:
        model = Forum
        fields = [
            "kind",
            "title",
            "starts_at",
            "place",
            "colonia",
            "committee",
            "facilitator",
            "agenda",
            "capacity",
            "attendance_women",
            "attendance_men",
            "attendance_total",
            "summary",
            "minutes",
        ]
        widgets = {
            "starts_at": DateTimeInput(),
            "agenda": forms.Textarea(attrs={"rows": 4}),
            "summary": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, municipality, participant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starts_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        self.fields["colonia"].queryset = _communities(municipality, participant)
        committees = CitizenCommittee.objects.for_municipality(municipality)
        if not participant.is_staff:
            committees = committees.filter(pk__in=participant.committee_ids)
        self.fields["committee"].queryset = committees
        self.fields["facilitator"].queryset = CivilEmployee.objects.filter(
            association__municipality=municipality
        )
        self.fields["minutes"].widget = forms.FileInput(attrs={"accept": "application/pdf"})
        self.fields["attendance_total"].required = False

    def clean(self):
        data = super().clean()
        women = data.get("attendance_women") or 0
        men = data.get("attendance_men") or 0
        total = data.get("attendance_total")
        if total is None:
            data["attendance_total"] = women + men
        elif total < women + men:
            self.add_error("attendance_total", _("The total cannot be less than women plus men."))
        return data


class AgreementForm(forms.Form):
    description = forms.CharField(label=_("Agreement"), required=False, max_length=1000)
    owner = forms.CharField(label=_("Who is responsible"), required=False, max_length=200)
    due_on = forms.DateField(label=_("Due date"), required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        if data.get("description") and not data.get("owner"):
            self.add_error("owner", _("Say who is responsible for the agreement."))
        if not data.get("description") and (data.get("owner") or data.get("due_on")):
            self.add_error("description", _("Write the agreement."))
        return data


AgreementFormSet = forms.formset_factory(AgreementForm, extra=3, max_num=20)


class RequisitionForm(forms.Form):
    institution = forms.ModelChoiceField(
        label=_("Institution"), queryset=Institution.objects.none()
    )
    program = forms.ModelChoiceField(
        label=_("Program"), queryset=Program.objects.none(), required=False
    )
    subject = forms.CharField(label=_("Subject"), max_length=250)
    needs = forms.ModelMultipleChoiceField(
        label=_("Prioritised needs to include"),
        queryset=Need.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = Institution.objects.for_municipality(municipality)
        self.fields["program"].queryset = Program.objects.filter(
            institution__municipality=municipality
        ).select_related("institution")
        self.fields["needs"].queryset = requisitionable_needs(municipality)
        self.fields["needs"].label_from_instance = lambda need: (
            f"{need.colonia.name} · {need.get_category_display()} · {need.description[:80]}"
            f" · {need.people_affected} · ${need.estimated_cost:,.2f}"
        )

    def clean(self):
        data = super().clean()
        program, institution = data.get("program"), data.get("institution")
        if program and institution and program.institution_id != institution.pk:
            self.add_error("program", _("The program belongs to another institution."))
        return data


class RequisitionAnswerForm(forms.Form):
    approved = forms.TypedChoiceField(
        label=_("Answer"),
        choices=[("yes", _("Approved")), ("no", _("Rejected"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    answered_on = forms.DateField(label=_("Date of the answer"), widget=DateInput())
    approved_amount = forms.DecimalField(
        label=_("Approved amount (MXN)"), required=False, min_value=0, decimal_places=2
    )
    notes = forms.CharField(
        label=_("Notes or reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


# --- Civil employees ------------------------------------------------------------------------


class ActivityForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = ["done_on", "colonia", "kind", "description", "people_reached"]
        widgets = {
            "done_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "people_reached": _("How many people you informed or met; 0 if you do not know."),
        }

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["colonia"].queryset = communities
        self.fields["colonia"].required = True
        self.fields["colonia"].error_messages["invalid_choice"] = _(
            "Choose one of the communities you are assigned to."
        )

    def _post_clean(self):
        # The service checks the assignment and the rest when it saves.
        pass


class AssignmentForm(forms.Form):
    employee = forms.ModelChoiceField(
        label=_("Civil employee"), queryset=CivilEmployee.objects.none()
    )
    colonia = forms.ModelChoiceField(label=_("Community"), queryset=Colonia.objects.none())
    starts_on = forms.DateField(label=_("From"), widget=DateInput())
    ends_on = forms.DateField(label=_("Until"), required=False, widget=DateInput())

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employee"].queryset = CivilEmployee.objects.filter(
            association__municipality=municipality
        ).order_by("full_name")
        self.fields["colonia"].queryset = Colonia.objects.for_municipality(municipality).order_by(
            "name"
        )


class AssignmentEndForm(forms.Form):
    ends_on = forms.DateField(label=_("Last day"), widget=DateInput())


# --- Distribution and works -----------------------------------------------------------------


class AllocationForm(forms.ModelForm):
    completes_need = forms.BooleanField(
        label=_("This delivery completes the need"),
        required=False,
        help_text=_("The need is then marked delivered; otherwise it is marked in execution."),
    )

    class Meta:
        model = Allocation
        fields = [
            "colonia",
            "need",
            "committee",
            "item",
            "quantity",
            "unit",
            "value",
            "delivered_on",
            "source",
            "program",
            "work",
            "signed_by",
        ]
        widgets = {"delivered_on": DateInput()}

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["colonia"].queryset = Colonia.objects.for_municipality(municipality).order_by(
            "name"
        )
        need = self.fields["need"]
        need.queryset = allocatable_needs(municipality)
        need.label_from_instance = lambda n: (
            f"{n.colonia.name} · {n.get_category_display()} · {n.description[:70]}"
            f" ({n.get_status_display()})"
        )
        need.error_messages["invalid_choice"] = _(
            "Choose a need of this municipality that is prioritised, approved or in execution."
        )
        self.fields["committee"].queryset = CitizenCommittee.objects.for_municipality(municipality)
        self.fields["program"].queryset = Program.objects.filter(
            institution__municipality=municipality
        ).select_related("institution")
        self.fields["work"].queryset = PublicWork.objects.for_municipality(municipality)
        for name in ("colonia", "committee", "program", "work"):
            self.fields[name].error_messages["invalid_choice"] = _(
                "Choose one of the options of this municipality."
            )
        self.fields["quantity"].min_value = None
        self.fields["quantity"].widget.attrs["min"] = "0.01"
        self.fields["quantity"].widget.attrs["step"] = "0.01"

    def _post_clean(self):
        # The service checks the rules and saves; see services.allocation_check.
        pass


class WorkProgressForm(forms.ModelForm):
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": PHOTO_ACCEPT}),
        help_text=_("A JPEG, PNG or WebP photo of the work, at most 5 MB."),
    )

    class Meta:
        model = WorkProgress
        fields = ["reported_on", "percent", "note"]
        widgets = {"reported_on": DateInput()}

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo:
            validate_photo(photo)
        return photo

    def _post_clean(self):
        pass


# --- Closing a forum, COPLADEM sessions, agreements and registrations ------------------------


def _minutes_pdf_field() -> forms.FileField:
    return forms.FileField(
        label=_("Minutes (PDF)"),
        required=False,
        validators=[validate_pdf],
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )


class ForumCloseForm(forms.Form):
    attendance_women = forms.IntegerField(label=_("Women attending"), min_value=0)
    attendance_men = forms.IntegerField(label=_("Men attending"), min_value=0)
    attendance_total = forms.IntegerField(
        label=_("Total attending"),
        min_value=0,
        required=False,
        help_text=_("Leave empty when it is women plus men."),
    )
    capacity = forms.IntegerField(
        label=_("Capacity of the place"),
        min_value=1,
        required=False,
        help_text=_("How many people the place holds; the attendance cannot be higher."),
    )
    summary = forms.CharField(
        label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    minutes = _minutes_pdf_field()

    def clean(self):
        data = super().clean()
        women = data.get("attendance_women") or 0
        men = data.get("attendance_men") or 0
        total = data.get("attendance_total")
        if total is not None and total < women + men:
            self.add_error("attendance_total", _("The total cannot be less than women plus men."))
        return data


class PlanningSessionForm(forms.Form):
    body = forms.ModelChoiceField(label=_("Committee"), queryset=PlanningCommittee.objects.none())
    held_on = forms.DateField(label=_("Date"), widget=DateInput())
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    agenda = forms.CharField(label=_("Agenda"), widget=forms.Textarea(attrs={"rows": 3}))
    attendance = forms.IntegerField(label=_("Attendance"), min_value=0)
    minutes_text = forms.CharField(
        label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    minutes = _minutes_pdf_field()

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        bodies = PlanningCommittee.objects.for_municipality(municipality).order_by(
            F("parent_id").asc(nulls_first=True), "name"
        )
        self.fields["body"].queryset = bodies
        if not self.is_bound and "body" not in self.initial:
            # COPLADEM itself (no parent) comes first and is the usual choice.
            self.initial["body"] = bodies.values_list("pk", flat=True).first()
        self.fields["body"].error_messages["invalid_choice"] = _(
            "Choose one of the options of this municipality."
        )


class AgreementDoneForm(forms.Form):
    done_on = forms.DateField(label=_("Done on"), widget=DateInput())
    note = forms.CharField(
        label=_("How it was fulfilled"), widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence = forms.FileField(
        label=_("Evidence (photo or PDF)"),
        validators=[validate_evidence],
        widget=forms.ClearableFileInput(attrs={"accept": PHOTO_ACCEPT + ",application/pdf"}),
    )


class CommitteeRegistrationForm(forms.Form):
    assembly_date = forms.DateField(label=_("Date of the constituent assembly"), widget=DateInput())
    assembly_place = forms.CharField(label=_("Place of the assembly"), max_length=200)
    assembly_attendance = forms.IntegerField(label=_("Attendance at the assembly"), min_value=1)
    registration_number = forms.CharField(label=_("Registration number"), max_length=60)
    registered_on = forms.DateField(label=_("Registered on"), widget=DateInput())


class OfficerForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    position = forms.ChoiceField(
        label=_("Position"), choices=CommitteeMember.Position.choices, required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("full_name") and not data.get("position"):
            self.add_error("position", _("Choose the position."))
        return data


OfficerFormSet = forms.formset_factory(OfficerForm, extra=4, max_num=15)
