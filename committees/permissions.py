"""Who may do what: staff of the municipality see and change everything of it; committee
members and civil employees act only for the communities of their committee or assignment."""

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from accounts.models import Role
from accounts.selectors import is_municipal_staff, role_names


@dataclass(frozen=True)
class Participant:
    """What one user may act on in one municipality, read once per request."""

    is_staff: bool = False
    committee_ids: frozenset[int] = field(default_factory=frozenset)
    colonia_ids: frozenset[int] = field(default_factory=frozenset)
    civil_employee_id: int | None = None

    @property
    def can_participate(self) -> bool:
        # A civil employee between assignments still sees their page and past log.
        return self.is_staff or bool(self.colonia_ids) or self.civil_employee_id is not None

    @property
    def is_civil_employee(self) -> bool:
        return self.civil_employee_id is not None

    def can_edit_colonia(self, colonia_id: int | None) -> bool:
        return self.is_staff or (colonia_id is not None and colonia_id in self.colonia_ids)

    def can_edit_need(self, need) -> bool:
        return need.municipality_id is not None and self.can_edit_colonia(need.colonia_id)

    def can_edit_forum(self, forum) -> bool:
        return self.can_edit_colonia(forum.colonia_id)


NOBODY = Participant()


def participant_for(user, municipality) -> Participant:
    """Staff of the municipality, or the communities a committee member or civil employee
    serves today. Costs a few queries; call once per request."""
    from .models import Assignment, CitizenCommittee

    if municipality is None or not user.is_authenticated or not user.is_active:
        return NOBODY
    # The role groups and the municipality decide, never is_staff (an admin login) alone.
    if is_municipal_staff(user, municipality):
        return Participant(is_staff=True)
    if user.municipality_id != municipality.pk:
        return NOBODY
    groups = role_names(user)
    committee_ids: set[int] = set()
    colonia_ids: set[int] = set()
    employee_id = None
    if Role.COMMITTEE_MEMBER in groups:
        committees = CitizenCommittee.objects.for_municipality(municipality).filter(
            members__user=user, members__ceased_on__isnull=True
        )
        committee_ids = set(committees.values_list("pk", flat=True))
        colonia_ids |= set(
            CitizenCommittee.communities.through.objects.filter(
                citizencommittee_id__in=committee_ids
            ).values_list("colonia_id", flat=True)
        )
    if Role.CIVIL_EMPLOYEE in groups:
        today = timezone.localdate()
        employee = getattr(user, "civil_employee", None)
        if employee is not None and employee.association.municipality_id == municipality.pk:
            employee_id = employee.pk
            colonia_ids |= set(
                Assignment.objects.filter(employee=employee, starts_on__lte=today)
                .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
                .values_list("colonia_id", flat=True)
            )
    return Participant(
        committee_ids=frozenset(committee_ids),
        colonia_ids=frozenset(colonia_ids),
        civil_employee_id=employee_id,
    )
