import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from accounts.models import Role, User
from accounts.services import user_create, user_set_roles, user_update
from territory.tests.factories import DirectorateFactory, MunicipalityFactory

PASSWORD = "a-long-Pass-phrase-42"

pytestmark = pytest.mark.django_db


def group_names(user: User) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def permission_names(group: Group) -> set[str]:
    return {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


class TestRoleGroups:
    def test_creates_one_group_per_role(self):
        assert set(Role.values) <= set(Group.objects.values_list("name", flat=True))

    def test_municipal_staff_manage_territory_and_contracts_but_not_municipalities(self):
        permissions = permission_names(Group.objects.get(name=Role.MUNICIPAL_STAFF))
        assert {
            "territory.add_publicspace",
            "territory.change_publicspace",
            "territory.delete_colonia",
            "territory.change_municipality",
            "contracts.add_contract",
            "contracts.delete_obligation",
            "contracts.change_company",
        } <= permissions
        assert "territory.add_municipality" not in permissions
        assert "territory.delete_municipality" not in permissions

    def test_directorate_staff_only_view(self):
        permissions = permission_names(Group.objects.get(name=Role.DIRECTORATE_STAFF))
        assert {"territory.view_publicspace", "contracts.view_contract"} <= permissions
        assert all(name.split(".")[1].startswith("view_") for name in permissions)

    def test_administrator_manages_records_and_users_but_not_municipalities(self):
        permissions = permission_names(Group.objects.get(name=Role.ADMINISTRATOR))
        assert {
            "territory.change_municipality",
            "territory.delete_publicspace",
            "contracts.delete_contract",
            "accounts.change_user",
            "auth.view_group",
        } <= permissions
        assert "territory.add_municipality" not in permissions
        assert "auth.change_group" not in permissions

    def test_citizen_roles_start_without_model_permissions(self):
        for role in (Role.GUARDIAN, Role.LEAD_GUARDIAN, Role.COMMITTEE_MEMBER):
            assert not Group.objects.get(name=role).permissions.exists()


class TestUserCreate:
    def test_creates_the_user_with_its_roles(self):
        municipality = MunicipalityFactory()
        user = user_create(
            username=" ana ",
            password=PASSWORD,
            email="Ana@Example.ORG",
            municipality=municipality,
            roles=[Role.MUNICIPAL_STAFF, Role.GUARDIAN],
            is_staff=True,
        )
        user.refresh_from_db()
        assert user.username == "ana"
        assert user.email == "Ana@example.org"
        assert user.check_password(PASSWORD)
        assert user.municipality == municipality
        assert user.is_staff and not user.is_superuser and not user.is_demo
        assert group_names(user) == {"municipal_staff", "guardian"}
        assert user.has_role(Role.MUNICIPAL_STAFF)
        assert user.has_perm("territory.change_publicspace")

    def test_no_password_leaves_it_unusable(self):
        user = user_create(username="invited", password=None)
        assert not user.has_usable_password()

    def test_rejects_an_unknown_role(self):
        with pytest.raises(ValidationError, match="Unknown role"):
            user_create(username="x", password=PASSWORD, roles=["mayor"])
        assert not User.objects.filter(username="x").exists()

    def test_rejects_a_taken_username(self):
        user_create(username="ana", password=PASSWORD)
        with pytest.raises(ValidationError) as error:
            user_create(username="ana", password=PASSWORD)
        assert "username" in error.value.message_dict

    def test_rejects_a_weak_password_unless_told_to_skip_validation(self):
        with pytest.raises(ValidationError):
            user_create(username="weak", password="12345678")
        user = user_create(username="weak", password="12345678", skip_password_validation=True)
        assert user.check_password("12345678")

    def test_directorate_binds_its_municipality(self):
        directorate = DirectorateFactory()
        user = user_create(
            username="dir",
            password=PASSWORD,
            directorate=directorate,
            roles=[Role.DIRECTORATE_STAFF],
        )
        assert user.municipality == directorate.municipality

    def test_rejects_a_directorate_of_another_municipality(self):
        directorate = DirectorateFactory()
        with pytest.raises(ValidationError) as error:
            user_create(
                username="dir",
                password=PASSWORD,
                municipality=MunicipalityFactory(),
                directorate=directorate,
            )
        assert "directorate" in error.value.message_dict

    def test_directorate_staff_need_a_directorate(self):
        with pytest.raises(ValidationError) as error:
            user_create(
                username="dir",
                password=PASSWORD,
                municipality=MunicipalityFactory(),
                roles=[Role.DIRECTORATE_STAFF],
            )
        assert "directorate" in error.value.message_dict

    def test_municipal_staff_need_a_municipality(self):
        with pytest.raises(ValidationError) as error:
            user_create(username="s", password=PASSWORD, roles=[Role.MUNICIPAL_STAFF])
        assert "municipality" in error.value.message_dict

    def test_a_superuser_must_be_staff(self):
        with pytest.raises(ValidationError) as error:
            user_create(username="root", password=PASSWORD, is_superuser=True)
        assert "is_staff" in error.value.message_dict
        user = user_create(username="root", password=PASSWORD, is_superuser=True, is_staff=True)
        assert user.is_deployment_admin


class TestUserSetRoles:
    def test_replaces_the_roles_and_keeps_other_groups(self):
        other = Group.objects.create(name="newsletter")
        user = user_create(username="ana", password=PASSWORD, roles=[Role.GUARDIAN])
        user.groups.add(other)
        user_set_roles(user=user, roles=[Role.LEAD_GUARDIAN, Role.CIVIL_EMPLOYEE])
        assert group_names(user) == {"lead_guardian", "civil_employee", "newsletter"}
        user_set_roles(user=user, roles=[])
        assert group_names(user) == {"newsletter"}

    def test_checks_the_bindings_a_role_needs(self):
        user = user_create(username="ana", password=PASSWORD)
        with pytest.raises(ValidationError):
            user_set_roles(user=user, roles=[Role.DIRECTORATE_STAFF])
        with pytest.raises(ValidationError):
            user_set_roles(user=user, roles=["mayor"])
        assert group_names(user) == set()


class TestUserUpdate:
    def test_changes_fields_and_password(self):
        user = user_create(username="ana", password=PASSWORD)
        municipality = MunicipalityFactory()
        user_update(user=user, municipality=municipality, is_staff=True, password=PASSWORD + "!")
        user.refresh_from_db()
        assert user.municipality == municipality
        assert user.is_staff
        assert user.check_password(PASSWORD + "!")

    def test_keeps_the_rules(self):
        user = user_create(
            username="s",
            password=PASSWORD,
            municipality=MunicipalityFactory(),
            roles=[Role.MUNICIPAL_STAFF],
        )
        with pytest.raises(ValidationError):
            user_update(user=user, municipality=None)
        with pytest.raises(TypeError):
            user_update(user=user, username="other")
