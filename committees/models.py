"""We Unite to Plan Development: COPLADEM, citizen committees, civil employees, forums,
community needs, requisitions, allocations and public works.

Communities are ``territory.Colonia`` rows (colonias and rural localities with population and a
rural flag). Members' contact data (phone, e-mail, address) live on the member rows and are never
rendered by public pages: public reads go through ``public_objects``, which defers them.
"""

from django.conf import settings
from django.contrib.gis.db import models
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.uploads import RandomName
from territory.models import Colonia, MunicipalityScoped
from territory.querysets import MunicipalityScopedQuerySet

from .validators import validate_evidence, validate_pdf

CONTACT_FIELDS = ("phone", "email", "address")


class PublicMemberQuerySet(models.QuerySet):
    def current(self):
        return self.filter(ceased_on__isnull=True)


class PublicMemberManager(models.Manager.from_queryset(PublicMemberQuerySet)):
    """Members without their contact data: the only manager public pages use."""

    def get_queryset(self):
        return super().get_queryset().defer(*CONTACT_FIELDS)


# --- COPLADEM ------------------------------------------------------------------------------


class PlanningCommittee(MunicipalityScoped):
    """COPLADEM (no parent) or one of its sub-committees on planning and development."""

    name = models.CharField(_("name"), max_length=200)
    theme = models.CharField(_("theme"), max_length=200, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subcommittees",
    )
    installed_on = models.DateField(_("installed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("planning committee (COPLADEM)")
        verbose_name_plural = _("planning committees (COPLADEM)")
        ordering = ["parent_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="unique_planning_name")
        ]

    def __str__(self):
        return self.name


class PlanningMember(models.Model):
    class Position(models.TextChoices):
        PRESIDENT = "president", _("President")
        TECHNICAL_SECRETARY = "technical_secretary", _("Technical secretary")
        COORDINATOR = "coordinator", _("Coordinator")
        VOCAL = "vocal", _("Member (vocal)")

    body = models.ForeignKey(
        PlanningCommittee,
        verbose_name=_("committee"),
        on_delete=models.CASCADE,
        related_name="members",
    )
    full_name = models.CharField(_("full name"), max_length=200)
    position = models.CharField(_("position"), max_length=30, choices=Position.choices)
    organisation = models.CharField(_("organisation or office"), max_length=200, blank=True)
    designated_on = models.DateField(_("designated on"))
    ceased_on = models.DateField(_("ceased on"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="planning_memberships",
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)

    objects = models.Manager()
    public_objects = PublicMemberManager()

    class Meta:
        verbose_name = _("COPLADEM member")
        verbose_name_plural = _("COPLADEM members")
        ordering = ["body", "position", "full_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ceased_on__isnull=True) | Q(ceased_on__gte=F("designated_on")),
                name="planning_member_ceased_after_designated",
            )
        ]

    def __str__(self):
        return f"{self.full_name} ({self.get_position_display()})"


class PlanningSession(models.Model):
    body = models.ForeignKey(
        PlanningCommittee,
        verbose_name=_("committee"),
        on_delete=models.CASCADE,
        related_name="sessions",
    )
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    agenda = models.TextField(_("agenda"))
    minutes = models.FileField(
        _("minutes (PDF)"),
        upload_to=RandomName("committees/minutes/"),
        blank=True,
        validators=[validate_pdf],
    )
    attendance = models.PositiveIntegerField(_("attendance"), default=0)
    minutes_text = models.TextField(_("minutes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("COPLADEM session")
        verbose_name_plural = _("COPLADEM sessions")
        ordering = ["-held_on"]

    def __str__(self):
        return f"{self.body} · {self.held_on:%Y-%m-%d}"


# --- Committees of Citizen Participation ---------------------------------------------------


class CitizenCommitteeQuerySet(MunicipalityScopedQuerySet):
    def for_public_list(self):
        officers = CommitteeMember.public_objects.current().order_by("position", "full_name")
        return self.prefetch_related(
            "communities", models.Prefetch("members", queryset=officers, to_attr="officers")
        )


class CitizenCommittee(MunicipalityScoped):
    class Status(models.TextChoices):
        IN_FORMATION = "in_formation", _("In formation")
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")
        DISSOLVED = "dissolved", _("Dissolved")

    name = models.CharField(_("name"), max_length=200)
    communities = models.ManyToManyField(
        Colonia, verbose_name=_("communities"), related_name="citizen_committees"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.IN_FORMATION
    )
    assembly_date = models.DateField(_("constituent assembly"), null=True, blank=True)
    assembly_place = models.CharField(_("place of the assembly"), max_length=200, blank=True)
    assembly_attendance = models.PositiveIntegerField(
        _("attendance at the assembly"), null=True, blank=True
    )
    registration_number = models.CharField(_("registration number"), max_length=60, blank=True)
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    registration_certificate = models.FileField(
        _("registration certificate (PDF)"),
        upload_to=RandomName("committees/certificates/"),
        blank=True,
        validators=[validate_pdf],
    )

    objects = CitizenCommitteeQuerySet.as_manager()

    class Meta:
        verbose_name = _("committee of citizen participation")
        verbose_name_plural = _("committees of citizen participation")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="unique_committee_name")
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("committees:committee_detail", kwargs={"pk": self.pk})

    @property
    def is_registered(self) -> bool:
        return bool(
            self.registration_number and self.registered_on and self.status == self.Status.ACTIVE
        )


class CommitteeMember(models.Model):
    class Position(models.TextChoices):
        PRESIDENT = "president", _("President")
        SECRETARY = "secretary", _("Secretary")
        TREASURER = "treasurer", _("Treasurer")
        VOCAL = "vocal", _("Member (vocal)")

    class ChosenBy(models.TextChoices):
        ASSEMBLY = "assembly", _("Elected in a community assembly")
        SUBSTITUTION = "substitution", _("Substitute chosen by the committee")

    committee = models.ForeignKey(
        CitizenCommittee,
        verbose_name=_("committee"),
        on_delete=models.CASCADE,
        related_name="members",
    )
    full_name = models.CharField(_("full name"), max_length=200)
    position = models.CharField(_("position"), max_length=20, choices=Position.choices)
    designated_on = models.DateField(_("designated on"))
    chosen_by = models.CharField(
        _("how chosen"), max_length=20, choices=ChosenBy.choices, default=ChosenBy.ASSEMBLY
    )
    ceased_on = models.DateField(_("ceased on"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="committee_memberships",
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)

    objects = models.Manager()
    public_objects = PublicMemberManager()

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        ordering = ["committee", "position", "full_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ceased_on__isnull=True) | Q(ceased_on__gte=F("designated_on")),
                name="committee_member_ceased_after_designated",
            )
        ]

    def __str__(self):
        return f"{self.full_name} ({self.get_position_display()})"


# --- Civil associations and civil employees ------------------------------------------------


class CivilAssociation(MunicipalityScoped):
    name = models.CharField(_("name"), max_length=250)
    rfc = models.CharField(_("RFC"), max_length=13, blank=True)
    purpose = models.TextField(_("purpose"), blank=True)

    class Meta:
        verbose_name = _("civil association")
        verbose_name_plural = _("civil associations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="unique_association")
        ]

    def __str__(self):
        return self.name


class CivilEmployee(models.Model):
    """A member of a civil association hired by the municipality to inform and organise."""

    association = models.ForeignKey(
        CivilAssociation,
        verbose_name=_("civil association"),
        on_delete=models.PROTECT,
        related_name="employees",
    )
    full_name = models.CharField(_("full name"), max_length=200)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="civil_employee",
    )
    hired_on = models.DateField(_("hired on"))
    contract_ends_on = models.DateField(_("contract ends on"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    communities = models.ManyToManyField(
        Colonia,
        verbose_name=_("assigned communities"),
        through="Assignment",
        related_name="civil_employees",
    )

    objects = models.Manager()

    class Meta:
        verbose_name = _("civil employee")
        verbose_name_plural = _("civil employees")
        ordering = ["full_name"]

    def __str__(self):
        return self.full_name


class Assignment(models.Model):
    employee = models.ForeignKey(
        CivilEmployee, verbose_name=_("civil employee"), on_delete=models.CASCADE
    )
    colonia = models.ForeignKey(Colonia, verbose_name=_("community"), on_delete=models.CASCADE)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("assignment to a community")
        verbose_name_plural = _("assignments to communities")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="assignment_ends_after_start",
            )
        ]

    def __str__(self):
        return f"{self.employee} → {self.colonia}"


class Activity(models.Model):
    class Kind(models.TextChoices):
        FORUM = "forum", _("Forum or debate")
        VISIT = "visit", _("Community visit")
        MEETING = "meeting", _("Meeting with a committee")
        CAMPAIGN = "campaign", _("Information campaign")
        FOLLOW_UP = "follow_up", _("Follow-up of a need")
        OTHER = "other", _("Other")

    employee = models.ForeignKey(
        CivilEmployee,
        verbose_name=_("civil employee"),
        on_delete=models.CASCADE,
        related_name="activities",
    )
    colonia = models.ForeignKey(
        Colonia, verbose_name=_("community"), on_delete=models.SET_NULL, null=True, blank=True
    )
    done_on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.VISIT)
    description = models.TextField(_("description"))
    people_reached = models.PositiveIntegerField(_("people reached"), default=0)
    recorded_at = models.DateTimeField(_("recorded"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activity log")
        ordering = ["-done_on", "-id"]

    def __str__(self):
        return f"{self.done_on} {self.get_kind_display()}"


# --- Forums and community action debates ---------------------------------------------------


class ForumQuerySet(MunicipalityScopedQuerySet):
    def for_public_list(self):
        return self.select_related("colonia", "facilitator").order_by("starts_at")


class Forum(MunicipalityScoped):
    class Kind(models.TextChoices):
        FORUM = "forum", _("Forum")
        DEBATE = "debate", _("Community action debate")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.FORUM)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=200)
    colonia = models.ForeignKey(
        Colonia, verbose_name=_("community"), on_delete=models.PROTECT, related_name="forums"
    )
    committee = models.ForeignKey(
        CitizenCommittee,
        verbose_name=_("committee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="forums",
    )
    facilitator = models.ForeignKey(
        CivilEmployee,
        verbose_name=_("facilitator"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="forums",
    )
    agenda = models.TextField(_("agenda"))
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        help_text=_("How many people the place holds."),
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    attendance_women = models.PositiveIntegerField(_("women attending"), default=0)
    attendance_men = models.PositiveIntegerField(_("men attending"), default=0)
    attendance_total = models.PositiveIntegerField(
        _("total attending"),
        default=0,
        help_text=_("Can be more than women plus men when some attendees were not counted so."),
    )
    summary = models.TextField(_("summary of the minutes"), blank=True)
    minutes = models.FileField(
        _("minutes (PDF)"),
        upload_to=RandomName("committees/forums/"),
        blank=True,
        validators=[validate_pdf],
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ForumQuerySet.as_manager()

    class Meta:
        verbose_name = _("forum or debate")
        verbose_name_plural = _("forums and debates")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(attendance_total__gte=F("attendance_women") + F("attendance_men")),
                name="forum_total_covers_women_and_men",
            )
        ]
        indexes = [models.Index(fields=["municipality", "starts_at"])]

    def __str__(self):
        return f"{self.title} ({self.starts_at:%Y-%m-%d})"

    def get_absolute_url(self):
        return reverse("committees:forum_detail", kwargs={"pk": self.pk})


class ForumPhoto(models.Model):
    forum = models.ForeignKey(
        Forum, verbose_name=_("forum"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("photo"), upload_to="committees/forum-photos/")

    class Meta:
        verbose_name = _("forum photo")
        verbose_name_plural = _("forum photos")

    def __str__(self):
        return self.image.name


class Agreement(models.Model):
    """An agreement of a COPLADEM session or of a forum: what, who, by when, done."""

    session = models.ForeignKey(
        PlanningSession,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="agreements",
    )
    forum = models.ForeignKey(
        Forum,
        verbose_name=_("forum"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="agreements",
    )
    description = models.TextField(_("agreement"))
    owner = models.CharField(_("who is responsible"), max_length=200)
    due_on = models.DateField(_("due date"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_note = models.TextField(_("note on how it was done"), blank=True)
    done_evidence = models.FileField(
        _("evidence (photo or PDF)"),
        upload_to=RandomName("committees/agreements/"),
        blank=True,
        validators=[validate_evidence],
    )
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked done by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(session__isnull=False) & Q(forum__isnull=True))
                | (Q(session__isnull=True) & Q(forum__isnull=False)),
                name="agreement_belongs_to_session_or_forum",
            )
        ]

    def __str__(self):
        return self.description[:80]


# --- Community needs -----------------------------------------------------------------------


class NeedQuerySet(MunicipalityScopedQuerySet):
    def for_list(self):
        return self.select_related("colonia", "committee", "forum").order_by(
            "priority", "-created_at"
        )


class Need(MunicipalityScoped):
    class Category(models.TextChoices):
        WATER = "water", _("Water")
        DRAINAGE = "drainage", _("Drainage")
        ELECTRICITY = "electricity", _("Electricity")
        ROADS = "roads", _("Roads")
        HOUSING = "housing", _("Housing")
        HEALTH = "health", _("Health")
        EDUCATION = "education", _("Education")
        PRODUCTIVE = "productive", _("Productive projects")
        PUBLIC_SPACES = "public_spaces", _("Public spaces")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        IDENTIFIED = "identified", _("Identified")
        PRIORITISED = "prioritised", _("Prioritised")
        REQUISITIONED = "requisitioned", _("Requisitioned")
        APPROVED = "approved", _("Approved")
        IN_EXECUTION = "in_execution", _("In execution")
        DELIVERED = "delivered", _("Delivered")
        REJECTED = "rejected", _("Rejected")

    colonia = models.ForeignKey(
        Colonia, verbose_name=_("community"), on_delete=models.PROTECT, related_name="needs"
    )
    committee = models.ForeignKey(
        CitizenCommittee,
        verbose_name=_("committee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="needs",
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    description = models.TextField(_("description"))
    people_affected = models.PositiveIntegerField(_("people affected"))
    evidence = models.FileField(
        _("evidence (photo or PDF)"),
        upload_to=RandomName("committees/evidence/"),
        blank=True,
        validators=[validate_evidence],
    )
    estimated_cost = models.DecimalField(
        _("estimated cost (MXN)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    priority = models.PositiveSmallIntegerField(
        _("priority set by the committee"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text=_("1 is the most urgent."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.IDENTIFIED
    )
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    forum = models.ForeignKey(
        Forum,
        verbose_name=_("raised at forum"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="needs",
    )
    location = models.PointField(_("location"), srid=4326, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("filed"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = NeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("community need")
        verbose_name_plural = _("community needs")
        ordering = ["priority", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="rejected_need_has_reason",
            )
        ]
        indexes = [
            models.Index(fields=["municipality", "status"]),
            models.Index(fields=["colonia", "status"]),
        ]

    def __str__(self):
        return f"{self.get_category_display()}: {self.description[:60]}"

    def get_absolute_url(self):
        return reverse("committees:need_detail", kwargs={"pk": self.pk})


class NeedStatusChange(models.Model):
    need = models.ForeignKey(
        Need, verbose_name=_("need"), on_delete=models.CASCADE, related_name="history"
    )
    from_status = models.CharField(_("from"), max_length=20, choices=Need.Status.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=Need.Status.choices)
    note = models.TextField(_("note"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("need status change")
        verbose_name_plural = _("need status changes")
        ordering = ["changed_at", "id"]

    def __str__(self):
        return f"{self.from_status} → {self.to_status}"


# --- Institutions and requisitions ---------------------------------------------------------


class Institution(MunicipalityScoped):
    class Level(models.TextChoices):
        STATE = "state", _("State")
        FEDERAL = "federal", _("Federal")

    name = models.CharField(_("name"), max_length=250)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    addressee = models.CharField(
        _("addressee"),
        max_length=200,
        blank=True,
        help_text=_("Office holder the request goes to."),
    )

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="unique_institution")
        ]

    def __str__(self):
        return f"{self.acronym} · {self.name}" if self.acronym else self.name


class Program(models.Model):
    institution = models.ForeignKey(
        Institution,
        verbose_name=_("institution"),
        on_delete=models.CASCADE,
        related_name="programs",
    )
    name = models.CharField(_("name"), max_length=250)
    description = models.TextField(_("description"), blank=True)
    categories = models.CharField(
        _("need categories it funds"),
        max_length=200,
        blank=True,
        help_text=_("Comma-separated need categories, for example water,drainage."),
    )

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        ordering = ["institution", "name"]

    def __str__(self):
        return f"{self.name} ({self.institution.acronym or self.institution.name})"


class Requisition(MunicipalityScoped):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    folio = models.CharField(_("folio"), max_length=40)
    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.PROTECT
    )
    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.PROTECT, null=True, blank=True
    )
    subject = models.CharField(_("subject"), max_length=250)
    needs = models.ManyToManyField(Need, verbose_name=_("needs"), related_name="requisitions")
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    approved_amount = models.DecimalField(
        _("approved amount (MXN)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    answer_notes = models.TextField(_("answer"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("prepared by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = MunicipalityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("requisition")
        verbose_name_plural = _("requisitions")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "folio"], name="unique_requisition")
        ]

    def __str__(self):
        return f"{self.folio} · {self.institution}"

    def get_absolute_url(self):
        return reverse("committees:requisition_detail", kwargs={"pk": self.pk})


class RequisitionFolioSequence(MunicipalityScoped):
    """The last folio number given to a municipality's requisitions in a year.

    ``committees.services.requisition_create`` locks this row (``SELECT … FOR UPDATE``) to take
    the next number, so two requisitions created at once wait for each other instead of
    taking the same folio, and a folio is never given again after its requisition is deleted
    (it may already be on a letter sent to an institution).
    """

    year = models.PositiveSmallIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last folio number"), default=0)

    class Meta:
        verbose_name = _("requisition folio sequence")
        verbose_name_plural = _("requisition folio sequences")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "year"], name="unique_requisition_folio_sequence"
            )
        ]

    def __str__(self):
        return f"{self.municipality_id} {self.year}: {self.last_number}"


# --- Distribution and public works ---------------------------------------------------------


class Source(models.TextChoices):
    MUNICIPAL = "municipal", _("Municipal")
    STATE = "state", _("State program")
    FEDERAL = "federal", _("Federal program")


class Allocation(MunicipalityScoped):
    """Materials or works given to a community, signed for by its committee."""

    colonia = models.ForeignKey(
        Colonia, verbose_name=_("community"), on_delete=models.PROTECT, related_name="allocations"
    )
    item = models.CharField(_("item"), max_length=250)
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    unit = models.CharField(_("unit"), max_length=40)
    value = models.DecimalField(
        _("value (MXN)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    delivered_on = models.DateField(_("date"))
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.SET_NULL, null=True, blank=True
    )
    need = models.ForeignKey(
        Need,
        verbose_name=_("need it answers"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="allocations",
    )
    committee = models.ForeignKey(
        CitizenCommittee,
        verbose_name=_("received by committee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="allocations",
    )
    signed_by = models.CharField(
        _("signed for by"), max_length=200, blank=True, help_text=_("Name of the officer.")
    )
    work = models.ForeignKey(
        "PublicWork",
        verbose_name=_("public work"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="allocations",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["-delivered_on", "-id"]
        indexes = [models.Index(fields=["municipality", "delivered_on"])]

    def __str__(self):
        return f"{self.item} → {self.colonia}"


class PublicWork(MunicipalityScoped):
    name = models.CharField(_("name"), max_length=250)
    communities = models.ManyToManyField(
        Colonia, verbose_name=_("communities"), related_name="public_works"
    )
    budget = models.DecimalField(_("budget (MXN)"), max_digits=14, decimal_places=2)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.SET_NULL, null=True, blank=True
    )
    needs = models.ManyToManyField(
        Need, verbose_name=_("needs it answers"), related_name="works", blank=True
    )
    starts_on = models.DateField(_("start"), null=True, blank=True)
    ends_on = models.DateField(_("planned end"), null=True, blank=True)
    location = models.PointField(_("location"), srid=4326, null=True, blank=True)
    executing_committee = models.ForeignKey(
        CitizenCommittee,
        verbose_name=_("executing committee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="executed_works",
    )
    executing_association = models.ForeignKey(
        CivilAssociation,
        verbose_name=_("executing civil association"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="executed_works",
    )

    class Meta:
        verbose_name = _("public work")
        verbose_name_plural = _("public works")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(executing_committee__isnull=True)
                | Q(executing_association__isnull=True),
                name="work_one_executor",
            )
        ]

    def __str__(self):
        return self.name


class WorkProgress(models.Model):
    work = models.ForeignKey(
        PublicWork, verbose_name=_("work"), on_delete=models.CASCADE, related_name="progress"
    )
    reported_on = models.DateField(_("date"))
    percent = models.PositiveSmallIntegerField(
        _("progress (%)"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    photo = models.ImageField(
        _("photo"), upload_to=RandomName("committees/work-progress/"), blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # Who reported, as the public page says it: the executing committee or association, or
    # (both empty) the municipality's staff. Never the person's name.
    reported_by_committee = models.ForeignKey(
        CitizenCommittee,
        verbose_name=_("reported by committee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    reported_by_association = models.ForeignKey(
        CivilAssociation,
        verbose_name=_("reported by civil association"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["reported_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(percent__lte=100), name="progress_at_most_100")
        ]

    def __str__(self):
        return f"{self.reported_on}: {self.percent} %"


# --- Registration certificates of Committees of Citizen Participation -----------------------


class RegistrationCertificateQuerySet(MunicipalityScopedQuerySet):
    pass


class RegistrationCertificate(MunicipalityScoped):
    """A registration certificate issued to a committee. The PDF is drawn from this row, so
    what the paper says and what the public verification page says are the same facts; the
    code printed on it (and in its QR code) is random and unguessable."""

    committee = models.ForeignKey(
        CitizenCommittee,
        verbose_name=_("committee"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    code = models.CharField(_("verification code"), max_length=40, unique=True, editable=False)
    registration_number = models.CharField(_("registration number"), max_length=60)
    registered_on = models.DateField(_("registered on"))
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = RegistrationCertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration certificate")
        verbose_name_plural = _("registration certificates")
        ordering = ["-issued_at", "-id"]

    def __str__(self):
        return f"{self.registration_number} · {self.committee_id}"

    def get_absolute_url(self):
        return reverse("committees:certificate_verify", kwargs={"code": self.code})
