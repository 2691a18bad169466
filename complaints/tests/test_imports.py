import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.services import user_create
from complaints.imports import complaints_import_csv
from complaints.models import Complaint

pytestmark = pytest.mark.django_db

GOOD = (
    "Folio;Fecha;Servicio;Descripción;Colonia;Latitud;Longitud;Dirección;Estatus\n"
    "072-001;05/03/2026 14:30;Street lighting;Lámpara apagada;;28,63;-106,08;Juárez 10;Resuelta\n"
    "072-002;06/03/2026;lighting;Poste caído;Centro;;;;En proceso\n"
)
BAD_ROW = GOOD + "072-003;31/02/2026;Street lighting;Otra;;28.63;-106.08;;Recibida\n"


def test_a_good_file_is_imported_with_spanish_headers_and_mexican_dates(
    municipality, lighting, colonia
):
    result = complaints_import_csv(municipality=municipality, data=GOOD.encode("cp1252"))
    assert result.ok and result.created == 2
    first = Complaint.private_objects.get(external_id="072-001")
    assert first.status == "resolved" and first.source == "phone" and first.colonia == colonia
    assert first.created_at.astimezone(first.created_at.tzinfo).strftime("%d/%m/%Y") == "05/03/2026"
    assert (first.location.y, first.location.x) == (28.63, -106.08)
    second = Complaint.private_objects.get(external_id="072-002")
    assert second.status == "in_progress" and second.colonia == colonia and second.location is None
    assert first.updates.get().status == "resolved"


def test_importing_twice_skips_the_folios_already_there(municipality, lighting, colonia):
    complaints_import_csv(municipality=municipality, data=GOOD.encode())
    again = complaints_import_csv(municipality=municipality, data=GOOD.encode())
    assert again.ok and (again.created, again.skipped) == (0, 2)
    assert Complaint.private_objects.count() == 2


def test_a_bad_row_rejects_the_whole_file_with_reasons(municipality, lighting, colonia):
    data = (
        BAD_ROW
        + "072-004;07/03/2026;Drenaje;Fuga;;28.63;-106.08;;\n"
        + "072-001;07/03/2026;lighting;Dup;Nowhere;;;;\n"
    )
    result = complaints_import_csv(municipality=municipality, data=data.encode())
    assert not result.ok and result.created == 0
    reasons = {row.line: row.reason for row in result.rejected}
    assert "31/02/2026" in reasons[4]
    assert "unknown service Drenaje" in reasons[5]
    assert "twice" in reasons[6]
    assert not Complaint.private_objects.exists()


def test_missing_columns_are_reported(municipality, lighting):
    result = complaints_import_csv(municipality=municipality, data=b"folio,servicio\n1,lighting\n")
    assert result.errors == ["Missing columns: fecha, descripcion."]


def test_the_command_imports_and_fails_on_a_bad_file(
    municipality, lighting, colonia, tmp_path, capsys
):
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(GOOD, encoding="utf-8")
    bad.write_text(BAD_ROW, encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_complaints", str(bad))
    assert "line 4" in capsys.readouterr().err
    assert not Complaint.private_objects.exists()
    call_command("import_complaints", str(good))
    assert "2 complaints imported" in capsys.readouterr().out


def test_the_admin_upload_view(client, municipality, lighting, colonia):
    admin = user_create(
        username="admin", password=None, municipality=municipality, is_staff=True, is_superuser=True
    )
    client.force_login(admin)
    changelist = client.get("/admin/complaints/complaint/")
    assert (
        changelist.status_code == 200
        and b"/admin/complaints/complaint/import/" in changelist.content
    )
    response = client.post(
        "/admin/complaints/complaint/import/",
        {"file": SimpleUploadedFile("072.csv", BAD_ROW.encode())},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200 and b'id="rejected"' in response.content
    assert not Complaint.private_objects.exists()
    response = client.post(
        "/admin/complaints/complaint/import/",
        {"file": SimpleUploadedFile("072.csv", GOOD.encode())},
    )
    assert Complaint.private_objects.count() == 2


def test_admin_pages_render_and_issue_keys(client, municipality, lighting, colonia):
    from complaints.models import Open311Client
    from complaints.tests.factories import make_complaint

    complaint = make_complaint(municipality=municipality, service_type=lighting)
    admin = user_create(
        username="admin", password=None, municipality=municipality, is_staff=True, is_superuser=True
    )
    client.force_login(admin)
    for url in [
        "/admin/complaints/complaint/",
        f"/admin/complaints/complaint/{complaint.pk}/change/",
        "/admin/complaints/complaint/add/",
        "/admin/complaints/complaintupdate/",
        "/admin/complaints/complaintphoto/",
        "/admin/complaints/open311client/",
        "/admin/complaints/open311client/add/",
    ]:
        assert client.get(url).status_code == 200, url
    response = client.post("/admin/complaints/open311client/add/", {"name": "App 072"}, follow=True)
    assert response.status_code == 200
    issued = Open311Client.objects.get()
    assert issued.key_prefix.encode() in response.content
    client.post(
        "/admin/complaints/open311client/",
        {"action": "revoke_keys", "_selected_action": [issued.pk]},
    )
    issued.refresh_from_db()
    assert issued.revoked_at is not None
    added = client.post(
        "/admin/complaints/complaint/add/",
        {
            "service_type": lighting.pk,
            "description": "Por teléfono",
            "address": "Calle 3",
            "source": "phone",
            "updates-TOTAL_FORMS": 0,
            "updates-INITIAL_FORMS": 0,
            "photos-TOTAL_FORMS": 0,
            "photos-INITIAL_FORMS": 0,
        },
    )
    assert added.status_code == 302, added.content[:3000]
    assert Complaint.private_objects.filter(description="Por teléfono", source="phone").exists()
