"""Closing a forum, COPLADEM sessions and their agreements, committee registration with its
certificate, and works progress reported by the executing committee or association."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from committees import selectors, services
from committees.models import (
    Agreement,
    CitizenCommittee,
    Forum,
    PlanningSession,
    RegistrationCertificate,
    WorkProgress,
)
from committees.permissions import Participant, participant_for
from territory.tests.factories import ColoniaFactory, MunicipalityFactory

from .factories import (
    AgreementFactory,
    CitizenCommitteeFactory,
    CivilAssociationFactory,
    CommitteeMemberFactory,
    ForumFactory,
    PlanningCommitteeFactory,
    PlanningSessionFactory,
    PublicWorkFactory,
    make_civil_employee_user,
    make_committee_member_user,
    make_staff,
)

TODAY = timezone.localdate()
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
STAFF = Participant(is_staff=True)


@pytest.fixture(autouse=True)
def english(settings, tmp_path):
    settings.LANGUAGE_CODE = "en"
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _pdf(name="acta.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _png(name="evidencia.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _open_forum(municipality, **extra):
    """A forum held two days ago and not closed yet."""
    extra.setdefault("starts_at", timezone.now() - datetime.timedelta(days=2))
    return ForumFactory(
        municipality=municipality,
        attendance_women=0,
        attendance_men=0,
        attendance_total=0,
        **extra,
    )


def _agreements(*rows, prefix="agreements"):
    data = {
        f"{prefix}-TOTAL_FORMS": "3",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "20",
    }
    for index, (description, owner, due_on) in enumerate(rows):
        data[f"{prefix}-{index}-description"] = description
        data[f"{prefix}-{index}-owner"] = owner
        data[f"{prefix}-{index}-due_on"] = due_on
    return data


# --- Closing a forum -----------------------------------------------------------------------


def _member_and_forum(municipality, **forum_extra):
    committee = CitizenCommitteeFactory(municipality=municipality)
    colonia = committee.communities.get()
    forum = _open_forum(municipality, colonia=colonia, committee=committee, **forum_extra)
    return make_committee_member_user(committee=committee), forum


def test_member_closes_a_held_forum_with_attendance_minutes_and_agreements(client, municipality):
    user, forum = _member_and_forum(municipality, capacity=80)
    client.force_login(user)
    listed = client.get(reverse("committees:forum_close_list")).content.decode()
    assert forum.title in listed

    data = {
        "attendance_women": "31",
        "attendance_men": "24",
        "summary": "Se priorizó la rehabilitación del pozo.",
        **_agreements(("Gestionar el pozo ante CONAGUA", "Presidenta del comité", "2030-01-31")),
    }
    response = client.post(reverse("committees:forum_close", args=[forum.pk]), data, follow=True)
    assert response.redirect_chain[-1][0] == forum.get_absolute_url()
    forum.refresh_from_db()
    assert forum.closed_at is not None
    assert (forum.attendance_women, forum.attendance_men, forum.attendance_total) == (31, 24, 55)
    agreement = forum.agreements.get()
    assert agreement.owner == "Presidenta del comité"
    assert agreement.due_on == datetime.date(2030, 1, 31)
    assert forum.title not in client.get(reverse("committees:forum_close_list")).content.decode()
    # Closing twice changes nothing.
    client.post(reverse("committees:forum_close", args=[forum.pk]), data)
    assert forum.agreements.count() == 1


def test_attendance_over_the_capacity_is_refused_and_nothing_is_saved(client, municipality):
    user, forum = _member_and_forum(municipality, capacity=40)
    client.force_login(user)
    data = {
        "attendance_women": "30",
        "attendance_men": "25",
        "summary": "Acta",
        **_agreements(("Acuerdo", "Tesorero", "")),
    }
    response = client.post(reverse("committees:forum_close", args=[forum.pk]), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "55 people attended but the place holds 40" in page
    assert 'value="30"' in page  # what was typed is kept
    forum.refresh_from_db()
    assert forum.closed_at is None and forum.attendance_total == 0
    assert not Agreement.objects.exists()


def test_a_missing_capacity_is_added_when_the_forum_is_closed(municipality):
    forum = _open_forum(municipality)
    assert forum.capacity is None
    services.forum_close(
        forum=forum,
        participant=STAFF,
        attendance_women=10,
        attendance_men=5,
        capacity=60,
        summary="Acta",
    )
    forum.refresh_from_db()
    assert forum.capacity == 60 and forum.attendance_total == 15
    with pytest.raises(ValidationError, match="already closed"):
        services.forum_close(
            forum=forum, participant=STAFF, attendance_women=1, attendance_men=1, summary="x"
        )


def test_closing_needs_minutes_and_a_responsible_person_for_each_agreement(municipality):
    forum = _open_forum(municipality, capacity=100)
    with pytest.raises(ValidationError) as error:
        services.forum_close(
            forum=forum,
            participant=STAFF,
            attendance_women=3,
            attendance_men=3,
            agreements=[{"description": "Limpiar el arroyo", "owner": " "}],
        )
    assert "summary" in error.value.message_dict
    assert "no responsible person" in " ".join(error.value.message_dict["__all__"])
    forum.refresh_from_db()
    assert forum.closed_at is None and not Agreement.objects.exists()


def test_the_form_asks_who_is_responsible_for_an_agreement(client, municipality):
    user, forum = _member_and_forum(municipality)
    client.force_login(user)
    data = {
        "attendance_women": "3",
        "attendance_men": "3",
        "summary": "Acta",
        **_agreements(("Limpiar el arroyo", "", "")),
    }
    response = client.post(reverse("committees:forum_close", args=[forum.pk]), data)
    assert "Say who is responsible for the agreement." in response.content.decode()
    forum.refresh_from_db()
    assert forum.closed_at is None


def test_a_forum_still_to_come_cannot_be_closed(municipality):
    forum = _open_forum(municipality, starts_at=timezone.now() + datetime.timedelta(days=3))
    with pytest.raises(ValidationError, match="still to come"):
        services.forum_close(
            forum=forum, participant=STAFF, attendance_women=1, attendance_men=1, summary="x"
        )


def test_forums_of_other_communities_and_municipalities_cannot_be_closed(client, municipality):
    user, _forum = _member_and_forum(municipality)
    other_community = _open_forum(municipality)
    other_municipality = _open_forum(MunicipalityFactory())
    client.force_login(user)
    listed = client.get(reverse("committees:forum_close_list")).content.decode()
    assert other_community.title not in listed and other_municipality.title not in listed
    url = reverse("committees:forum_close", args=[other_community.pk])
    assert client.get(url).status_code == 403
    url = reverse("committees:forum_close", args=[other_municipality.pk])
    assert client.get(url).status_code == 404
    with pytest.raises(PermissionDenied):
        services.forum_close(
            forum=other_community,
            participant=participant_for(user, municipality),
            attendance_women=1,
            attendance_men=1,
            summary="x",
        )


def test_recording_a_held_forum_with_its_attendance_closes_it(municipality):
    colonia = ColoniaFactory(municipality=municipality)
    forum = services.forum_record(
        municipality=municipality,
        participant=STAFF,
        title="Foro ya celebrado",
        kind="forum",
        starts_at=timezone.now() - datetime.timedelta(days=1),
        place="Escuela",
        colonia=colonia,
        agenda="1. Necesidades",
        attendance_women=5,
        attendance_men=5,
    )
    assert forum.closed_at is not None
    assert not selectors.forums_to_close(municipality, STAFF).exists()


# --- COPLADEM sessions and agreements ------------------------------------------------------


def _session_data(body, **extra):
    return {
        "body": body.pk,
        "held_on": (TODAY - datetime.timedelta(days=1)).isoformat(),
        "place": "Sala de Cabildo",
        "agenda": "1. Priorización de obras",
        "attendance": "18",
        "minutes_text": "Se aprobó la propuesta de obras.",
        **extra,
    }


def test_staff_record_a_session_with_agreements(client, municipality):
    body = PlanningCommitteeFactory(municipality=municipality, name="COPLADEM Villaflores")
    client.force_login(make_staff(municipality=municipality))
    due = (TODAY + datetime.timedelta(days=3)).isoformat()
    data = {
        **_session_data(body),
        **_agreements(("Integrar el padrón de obras", "Secretaría Técnica", due)),
    }
    response = client.post(reverse("committees:session_create"), data, follow=True)
    assert response.status_code == 200
    session = PlanningSession.objects.get()
    assert (session.attendance, session.minutes_text) == (18, "Se aprobó la propuesta de obras.")
    agreement = session.agreements.get()
    assert agreement.owner == "Secretaría Técnica"
    assert "Integrar el padrón de obras" in response.content.decode()


def test_a_session_agreement_without_a_responsible_person_saves_nothing(client, municipality):
    body = PlanningCommitteeFactory(municipality=municipality)
    client.force_login(make_staff(municipality=municipality))
    data = {**_session_data(body), **_agreements(("Integrar el padrón de obras", "", ""))}
    response = client.post(reverse("committees:session_create"), data)
    page = response.content.decode()
    assert "Say who is responsible for the agreement." in page
    assert "Integrar el padrón de obras" in page
    assert not PlanningSession.objects.exists() and not Agreement.objects.exists()
    # The service refuses it too, for the admin and any other caller.
    with pytest.raises(ValidationError, match="no responsible person"):
        services.planning_session_record(
            municipality=municipality,
            participant=STAFF,
            body=body,
            held_on=TODAY,
            agenda="x",
            minutes_text="x",
            agreements=[{"description": "Integrar el padrón", "owner": ""}],
        )
    assert not PlanningSession.objects.exists()


def test_sessions_are_for_staff_and_their_municipality_only(client, municipality):
    foreign = PlanningCommitteeFactory(municipality=MunicipalityFactory())
    committee = CitizenCommitteeFactory(municipality=municipality)
    client.force_login(make_committee_member_user(committee=committee))
    assert client.get(reverse("committees:session_create")).status_code == 403
    assert client.get(reverse("committees:agreement_list")).status_code == 403
    client.force_login(make_staff(municipality=municipality))
    response = client.post(reverse("committees:session_create"), _session_data(foreign))
    assert "Choose one of the options of this municipality." in response.content.decode()
    assert not PlanningSession.objects.exists()
    future = _session_data(
        PlanningCommitteeFactory(municipality=municipality),
        held_on=(TODAY + datetime.timedelta(days=2)).isoformat(),
    )
    response = client.post(reverse("committees:session_create"), {**future, **_agreements()})
    assert "once it has been held" in response.content.decode()


def _due_agreements(municipality, count):
    session = PlanningSessionFactory(body=PlanningCommitteeFactory(municipality=municipality))
    return [
        AgreementFactory(session=session, due_on=TODAY + datetime.timedelta(days=offset))
        for offset in [-(index + 1) for index in range(count - 1)] + [3]
    ]


def test_agreements_due_or_overdue_by_due_date_and_only_this_municipality(client, municipality):
    overdue, later_overdue, soon = _due_agreements(municipality, 3)
    far = AgreementFactory(session=soon.session, due_on=TODAY + datetime.timedelta(days=40))
    done = AgreementFactory(session=soon.session, due_on=TODAY - datetime.timedelta(days=9))
    done.done = True
    done.save()
    foreign = _due_agreements(MunicipalityFactory(), 2)
    client.force_login(make_staff(municipality=municipality))
    page = client.get(reverse("committees:agreement_list")).content.decode()
    positions = [page.index(a.description) for a in (later_overdue, overdue, soon)]
    assert positions == sorted(positions)
    assert far.description not in page and done.description not in page
    assert all(a.description not in page for a in foreign)
    assert page.count("Overdue</span>") == 2
    pending = client.get(reverse("committees:agreement_list") + "?show=pending").content.decode()
    assert far.description in pending
    summary = selectors.agreements_due_summary(municipality)
    assert summary == {"count": 3, "oldest": later_overdue.due_on, "overdue": 2}


@pytest.mark.parametrize(
    "url_name",
    [
        "committees:agreement_list",
        "committees:forum_close_list",
        "committees:registration_list",
        "committees:works_report_list",
        "committees:work_list",
    ],
)
def test_lists_cost_the_same_queries_at_two_sizes(client, municipality, url_name):
    client.force_login(make_staff(municipality=municipality))
    client.get(reverse(url_name))  # the session's first request caches the roles
    counts = []
    for size in (2, 20):
        _due_agreements(municipality, size)
        for _ in range(size):
            _open_forum(municipality)
            committee = CitizenCommitteeFactory(
                municipality=municipality, registration_number="", registered_on=TODAY
            )
            committee.registration_number = f"CPC-{committee.pk}"
            committee.save()
            services.certificate_issue(committee=committee, participant=STAFF)
            work = PublicWorkFactory(municipality=municipality, executing_committee=committee)
            services.work_progress_report(
                work=work, participant=STAFF, reported_on=TODAY, percent=10
            )
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(url_name)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_staff_mark_an_agreement_done_with_evidence_and_a_note(client, municipality):
    (agreement,) = _due_agreements(municipality, 1)
    client.force_login(make_staff(municipality=municipality))
    url = reverse("committees:agreement_done", args=[agreement.pk])
    response = client.post(url, {"done_on": TODAY.isoformat(), "note": ""})
    page = response.content.decode()
    assert "This field is required." in page
    agreement.refresh_from_db()
    assert not agreement.done

    html = SimpleUploadedFile("acta.pdf", b"<html><script>alert(1)</script></html>")
    response = client.post(url, {"done_on": TODAY.isoformat(), "note": "Hecho", "evidence": html})
    agreement.refresh_from_db()
    assert not agreement.done and response.status_code == 200

    response = client.post(
        url,
        {"done_on": TODAY.isoformat(), "note": "Se entregó el padrón", "evidence": _png()},
        follow=True,
    )
    agreement.refresh_from_db()
    assert agreement.done and agreement.done_on == TODAY
    assert agreement.done_note == "Se entregó el padrón"
    assert agreement.done_evidence.name.startswith("committees/agreements/")
    assert "evidencia" not in agreement.done_evidence.name  # a random name, not the upload's
    assert "The agreement was marked done." in response.content.decode()
    with pytest.raises(ValidationError, match="already done"):
        services.agreement_mark_done(
            agreement=agreement, participant=STAFF, note="x", evidence=_pdf()
        )


def test_another_municipality_agreement_cannot_be_marked_done(client, municipality):
    (foreign,) = _due_agreements(MunicipalityFactory(), 1)
    client.force_login(make_staff(municipality=municipality))
    response = client.post(
        reverse("committees:agreement_done", args=[foreign.pk]),
        {"done_on": TODAY.isoformat(), "note": "x", "evidence": _pdf()},
    )
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert not foreign.done


def test_a_member_follows_the_agreements_of_their_forum_not_copladem(client, municipality):
    user, forum = _member_and_forum(municipality)
    mine = AgreementFactory(session=None, forum=forum)
    (copladem,) = _due_agreements(municipality, 1)
    client.force_login(user)
    assert client.get(reverse("committees:agreement_done", args=[copladem.pk])).status_code == 403
    response = client.post(
        reverse("committees:agreement_done", args=[mine.pk]),
        {"done_on": TODAY.isoformat(), "note": "Listo", "evidence": _pdf()},
    )
    assert response.status_code == 302 and response["Location"] == forum.get_absolute_url()
    mine.refresh_from_db()
    assert mine.done


# --- Registration and certificate ----------------------------------------------------------


def _registration_data(**extra):
    data = {
        "assembly_date": (TODAY - datetime.timedelta(days=20)).isoformat(),
        "assembly_place": "Casa ejidal",
        "assembly_attendance": "64",
        "registration_number": "CPC-VFL-2025-031",
        "registered_on": (TODAY - datetime.timedelta(days=5)).isoformat(),
        "officers-TOTAL_FORMS": "4",
        "officers-INITIAL_FORMS": "0",
        "officers-MIN_NUM_FORMS": "0",
        "officers-MAX_NUM_FORMS": "15",
        "officers-0-full_name": "Rosa Gómez Toledo",
        "officers-0-position": "president",
        "officers-1-full_name": "Juan Pérez Cruz",
        "officers-1-position": "secretary",
        "officers-2-full_name": "",
        "officers-2-position": "treasurer",
        "officers-3-full_name": "",
        "officers-3-position": "vocal",
    }
    data.update(extra)
    return data


def _unregistered(municipality, **extra):
    return CitizenCommitteeFactory(
        municipality=municipality,
        status=CitizenCommittee.Status.IN_FORMATION,
        assembly_date=None,
        **extra,
    )


def test_staff_register_a_committee_then_issue_and_verify_its_certificate(client, municipality):
    committee = _unregistered(municipality, name="Comité de Participación Ciudadana El Paraíso")
    old_president = CommitteeMemberFactory(
        committee=committee, position="president", designated_on=datetime.date(2024, 1, 1)
    )
    client.force_login(make_staff(municipality=municipality))
    registrations = client.get(reverse("committees:registration_list")).content.decode()
    assert committee.name in registrations

    response = client.post(
        reverse("committees:committee_register", args=[committee.pk]), _registration_data()
    )
    assert response.status_code == 302
    committee.refresh_from_db()
    assert committee.is_registered and committee.assembly_attendance == 64
    assert committee.assembly_place == "Casa ejidal"
    current = {m.position: m.full_name for m in committee.members.filter(ceased_on__isnull=True)}
    assert current == {"president": "Rosa Gómez Toledo", "secretary": "Juan Pérez Cruz"}
    old_president.refresh_from_db()
    assert old_president.ceased_on == TODAY - datetime.timedelta(days=20)

    client.post(reverse("committees:certificate_issue", args=[committee.pk]))
    certificate = RegistrationCertificate.objects.get()
    assert len(certificate.code) >= 24 and certificate.registration_number == "CPC-VFL-2025-031"
    response = client.get(reverse("committees:certificate_pdf", args=[certificate.pk]))
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "CONSTANCIA DE REGISTRO" in text
    assert "CPC-VFL-2025-031" in text and certificate.code in text
    assert f"/committees/verify/{certificate.code}/" in text
    assert reader.pages[0].images  # the QR code

    client.logout()
    page = client.get(f"/committees/verify/{certificate.code}/").content.decode()
    assert "Valid: the committee is registered and active." in page
    assert committee.name in page and "CPC-VFL-2025-031" in page

    # A new certificate replaces the old one, whose page then says so.
    client.force_login(make_staff(municipality=municipality))
    client.post(reverse("committees:certificate_issue", args=[committee.pk]))
    newer = RegistrationCertificate.objects.exclude(pk=certificate.pk).get()
    assert newer.code != certificate.code
    page = client.get(certificate.get_absolute_url()).content.decode()
    assert "Not valid: a newer certificate replaced this one." in page


def test_registration_errors_are_per_field_and_save_nothing(client, municipality):
    CitizenCommitteeFactory(municipality=municipality, registration_number="CPC-1")
    committee = _unregistered(municipality)
    client.force_login(make_staff(municipality=municipality))
    url = reverse("committees:committee_register", args=[committee.pk])
    response = client.post(
        url,
        _registration_data(
            registration_number="CPC-1",
            **{"officers-0-position": "secretary"},
        ),
    )
    page = response.content.decode()
    assert "Another committee of the municipality has this registration number." in page
    assert "Only one person can be secretary." in page
    assert "The assembly must elect a president." in page
    assert "Rosa Gómez Toledo" in page  # kept as typed
    committee.refresh_from_db()
    assert committee.status == CitizenCommittee.Status.IN_FORMATION
    assert not committee.registration_number and not committee.members.exists()


def test_a_certificate_for_an_unregistered_committee_is_refused(client, municipality):
    committee = _unregistered(municipality, name="Comité sin registro")
    client.force_login(make_staff(municipality=municipality))
    response = client.post(
        reverse("committees:certificate_issue", args=[committee.pk]), follow=True
    )
    assert "Comité sin registro is not registered" in response.content.decode()
    assert not RegistrationCertificate.objects.exists()


def test_unknown_and_other_municipality_codes_are_not_found(client, municipality):
    other = MunicipalityFactory(slug="villaflores")
    committee = CitizenCommitteeFactory(
        municipality=other, registration_number="CPC-9", registered_on=TODAY
    )
    certificate = services.certificate_issue(committee=committee, participant=STAFF)
    response = client.get("/committees/verify/no-such-code/")
    assert response.status_code == 404
    assert "No registration certificate of this municipality has this" in (
        response.content.decode()
    )
    assert client.get(certificate.get_absolute_url()).status_code == 404
    response = client.get(certificate.get_absolute_url(), HTTP_HOST="villaflores.localhost")
    assert response.status_code == 200 and "CPC-9" in response.content.decode()
    client.force_login(make_staff(municipality=municipality))
    pdf_url = reverse("committees:certificate_pdf", args=[certificate.pk])
    assert client.get(pdf_url).status_code == 404
    registrations = client.get(reverse("committees:registration_list")).content.decode()
    assert committee.name not in registrations


def test_a_dissolved_committee_certificate_is_no_longer_valid(client, municipality):
    committee = CitizenCommitteeFactory(
        municipality=municipality, registration_number="CPC-2", registered_on=TODAY
    )
    certificate = services.certificate_issue(committee=committee, participant=STAFF)
    CitizenCommittee.objects.filter(pk=committee.pk).update(status="dissolved")
    page = client.get(certificate.get_absolute_url()).content.decode()
    assert "Not valid: the committee is no longer active." in page


# --- Works progress by the executing committee or association -------------------------------


def _progress(percent, **extra):
    return {"reported_on": TODAY.isoformat(), "percent": str(percent), "note": "Avance", **extra}


def test_the_executing_committee_reports_progress_and_the_public_page_says_so(client, municipality):
    committee = CitizenCommitteeFactory(municipality=municipality, name="Comité El Roblar")
    work = PublicWorkFactory(municipality=municipality, executing_committee=committee)
    other_work = PublicWorkFactory(municipality=municipality)
    foreign_work = PublicWorkFactory(municipality=MunicipalityFactory())
    member = make_committee_member_user(committee=committee)
    client.force_login(member)
    listed = client.get(reverse("committees:works_report_list")).content.decode()
    assert work.name in listed
    assert other_work.name not in listed and foreign_work.name not in listed

    url = reverse("committees:work_progress", args=[work.pk])
    response = client.post(url, _progress(30, photo=_png("obra.png")))
    assert response.status_code == 302
    report = WorkProgress.objects.get()
    assert report.reported_by_committee == committee and report.recorded_by == member
    assert report.photo.name.startswith("committees/work-progress/")

    public = client.get(reverse("committees:work_list")).content.decode()
    assert "Comité El Roblar" in public
    assert reverse("committees:work_progress", args=[other_work.pk]) not in public
    assert client.get(reverse("committees:work_progress", args=[other_work.pk])).status_code == 403
    assert client.get(reverse("committees:work_progress", args=[foreign_work.pk])).status_code == (
        404
    )


def test_a_civil_employee_of_the_executing_association_reports_progress(client, municipality):
    association = CivilAssociationFactory(municipality=municipality, name="Frailesca, A.C.")
    work = PublicWorkFactory(municipality=municipality, executing_association=association)
    user = make_civil_employee_user(
        municipality=municipality, communities=[ColoniaFactory(municipality=municipality)]
    )
    user.civil_employee.association = association
    user.civil_employee.save()
    client.force_login(user)
    response = client.post(reverse("committees:work_progress", args=[work.pk]), _progress(20))
    assert response.status_code == 302
    assert WorkProgress.objects.get().reported_by_association == association
    assert "Frailesca, A.C." in client.get(reverse("committees:work_list")).content.decode()


def test_a_member_of_another_committee_cannot_report(municipality):
    work = PublicWorkFactory(
        municipality=municipality,
        executing_committee=CitizenCommitteeFactory(municipality=municipality),
    )
    outsider = make_committee_member_user(
        committee=CitizenCommitteeFactory(municipality=municipality)
    )
    with pytest.raises(PermissionDenied):
        services.work_progress_report(
            work=work,
            participant=participant_for(outsider, municipality),
            reported_on=TODAY,
            percent=10,
        )
    report = services.work_progress_report(
        work=work, participant=STAFF, reported_on=TODAY, percent=10
    )
    assert report.reported_by_committee is None and report.reported_by_association is None


def test_a_forum_recorded_over_its_capacity_is_refused(municipality):
    with pytest.raises(ValidationError, match="the place holds 30"):
        services.forum_record(
            municipality=municipality,
            participant=STAFF,
            title="Foro lleno",
            kind="forum",
            starts_at=timezone.now() - datetime.timedelta(days=1),
            place="Escuela",
            colonia=ColoniaFactory(municipality=municipality),
            agenda="1. Necesidades",
            capacity=30,
            attendance_women=20,
            attendance_men=15,
        )
    assert not Forum.objects.exists()


# --- Workspace entries ---------------------------------------------------------------------


def _request(user, municipality):
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    request = RequestFactory().get("/workspace/")
    request.user = user or AnonymousUser()
    request.session = {}
    request.municipality = municipality
    return request


def test_staff_workspace_queue_counts_this_municipality_agreements(municipality):
    from committees.workspace_workflows import workflows_member_section, workflows_staff_section

    overdue, _older, _soon = _due_agreements(municipality, 3)
    _due_agreements(MunicipalityFactory(), 3)
    _open_forum(municipality)
    _open_forum(MunicipalityFactory())
    request = _request(make_staff(municipality=municipality), municipality)
    section = workflows_staff_section(request=request)
    queues = {queue.key: queue for queue in section.queues}
    agreements = queues["copladem_agreements_due"]
    assert (agreements.count, agreements.overdue) == (3, 2)
    assert agreements.oldest == TODAY - datetime.timedelta(days=2)
    assert agreements.url == reverse("committees:agreement_list") + "?show=due"
    assert queues["forums_to_close"].count == 1
    urls = {link.url for link in section.links}
    assert reverse("committees:registration_list") in urls
    assert reverse("committees:session_create") in urls
    assert workflows_member_section(request=request) is None


def test_member_workspace_shows_their_forums_and_works_not_staff_queues(municipality):
    from committees.workspace_workflows import workflows_member_section, workflows_staff_section

    user, _forum = _member_and_forum(municipality)
    _open_forum(municipality)  # another community's
    request = _request(user, municipality)
    assert workflows_staff_section(request=request) is None
    section = workflows_member_section(request=request)
    assert [(q.key, q.count) for q in section.queues] == [("forums_to_close", 1)]
    assert reverse("committees:works_report_list") in {link.url for link in section.links}
    assert workflows_member_section(request=_request(None, municipality)) is None
    assert workflows_staff_section(request=_request(None, municipality)) is None
    # A member of another municipality's committee sees nothing here.
    assert workflows_member_section(request=_request(user, MunicipalityFactory())) is None


def test_staff_workspace_section_costs_the_same_queries_at_two_sizes(municipality):
    from committees.workspace_workflows import workflows_staff_section

    request = _request(make_staff(municipality=municipality), municipality)
    workflows_staff_section(request=request)
    counts = []
    for size in (2, 30):
        _due_agreements(municipality, size)
        for _ in range(size):
            _open_forum(municipality)
        with CaptureQueriesContext(connection) as queries:
            workflows_staff_section(request=request)
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 6, counts
