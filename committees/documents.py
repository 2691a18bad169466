"""The requisition document, as a PDF, CSV and XLSX.

The document goes to a Mexican state or federal institution, so it is always written in Spanish
whatever the language of the portal's interface; its wording is therefore literal here rather
than in the translation catalogue.
"""

import io
from decimal import Decimal

import qrcode
from fpdf import FPDF
from fpdf.fonts import FontFace
from openpyxl import Workbook
from openpyxl.styles import Font

from core.pdf import latin1
from core.spreadsheets import append_row, csv_writer

from .models import CommitteeMember, RegistrationCertificate, Requisition

MONTHS = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
]
HEADERS = [
    "Núm.",
    "Comunidad",
    "Categoría",
    "Descripción",
    "Prioridad",
    "Personas beneficiadas",
    "Costo estimado (MXN)",
    "Evidencia",
]
CATEGORY_ES = {
    "water": "Agua potable",
    "drainage": "Drenaje",
    "electricity": "Electrificación",
    "roads": "Caminos y calles",
    "housing": "Vivienda",
    "health": "Salud",
    "education": "Educación",
    "productive": "Proyectos productivos",
    "public_spaces": "Espacios públicos",
    "other": "Otro",
}


def spanish_date(value) -> str:
    return f"{value.day} de {MONTHS[value.month - 1]} de {value.year}" if value else ""


def money(value: Decimal) -> str:
    return f"${value:,.2f}"


def requisition_rows(requisition: Requisition, *, base_url: str = "") -> list[list[str]]:
    rows = []
    needs = requisition.needs.select_related("colonia").order_by("colonia__name", "priority")
    for number, need in enumerate(needs, start=1):
        rows.append(
            [
                str(number),
                need.colonia.name,
                CATEGORY_ES.get(need.category, need.category),
                need.description,
                str(need.priority or ""),
                str(need.people_affected),
                f"{need.estimated_cost:.2f}",
                (base_url + need.evidence.url) if need.evidence else "",
            ]
        )
    return rows


def requisition_csv(requisition: Requisition, *, base_url: str = "") -> str:
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows(requisition_rows(requisition, base_url=base_url))
    return buffer.getvalue()


def requisition_xlsx(requisition: Requisition, *, base_url: str = "") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Solicitud"
    append_row(sheet, [f"Solicitud de apoyo {requisition.folio}"])
    append_row(sheet, ["Institución", str(requisition.institution.name)])
    append_row(sheet, ["Programa", requisition.program.name if requisition.program else ""])
    append_row(sheet, [])
    append_row(sheet, HEADERS)
    for cell in sheet[5]:
        cell.font = Font(bold=True)
    for row in requisition_rows(requisition, base_url=base_url):
        row[0], row[4], row[5] = int(row[0]), int(row[4]) if row[4] else None, int(row[5])
        row[6] = Decimal(row[6])
        append_row(sheet, row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def requisition_pdf(requisition: Requisition, *, base_url: str = "") -> bytes:
    municipality = requisition.municipality
    institution = requisition.institution
    rows = requisition_rows(requisition, base_url=base_url)
    total_people = sum(int(r[5]) for r in rows)
    total_cost = sum((Decimal(r[6]) for r in rows), Decimal("0"))

    pdf = FPDF(orientation="L", unit="mm", format="Letter")
    pdf.set_title(latin1(f"Solicitud de apoyo {requisition.folio}"))
    pdf.set_author(latin1(f"Municipio de {municipality.name}"))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 8, latin1(f"H. Ayuntamiento de {municipality.name}, {municipality.state}"))
    pdf.ln(8)
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(0, 6, latin1("Comité de Planeación para el Desarrollo Municipal (COPLADEM)"))
    pdf.ln(6)
    place_date = spanish_date(requisition.submitted_on or requisition.created_at.date())
    pdf.cell(0, 6, latin1(f"Folio: {requisition.folio}    {municipality.name}, a {place_date}"))
    pdf.ln(10)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 6, latin1(institution.addressee or "A quien corresponda"))
    pdf.ln(6)
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(
        0,
        6,
        latin1(
            f"{institution.name}" + (f" ({institution.acronym})" if institution.acronym else "")
        ),
    )
    pdf.ln(6)
    if requisition.program:
        pdf.cell(0, 6, latin1(f"Programa: {requisition.program.name}"))
        pdf.ln(6)
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 10)
    pdf.multi_cell(0, 5, latin1(f"Asunto: Solicitud de apoyo. {requisition.subject}"))
    pdf.set_font("Helvetica", "", 10)
    pdf.ln(2)
    pdf.multi_cell(
        0,
        5,
        latin1(
            f"Por medio del presente, el Municipio de {municipality.name} solicita su apoyo para "
            "atender las siguientes necesidades, identificadas y priorizadas por los Comités de "
            "Participación Ciudadana en foros y debates de acción comunitaria, registradas en la "
            'base de datos de necesidades comunitarias del programa "Unidos para Planear el '
            'Desarrollo":'
        ),
    )
    pdf.ln(3)
    pdf.set_font("Helvetica", "", 8)
    table_rows = [[*r[:7], "Sí" if r[7] else "No"] for r in rows]
    with pdf.table(
        col_widths=(8, 34, 26, 88, 16, 22, 30, 16),
        text_align=("RIGHT", "LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "CENTER"),
        headings_style=FontFace(emphasis="BOLD", fill_color=(230, 230, 230)),
        line_height=4.5,
    ) as table:
        header = table.row()
        for title in HEADERS:
            header.cell(latin1(title))
        for values in table_rows:
            row = table.row()
            for index, value in enumerate(values):
                if index == 6:
                    value = money(Decimal(value))
                row.cell(latin1(value))
        total = table.row()
        total.cell("Total", colspan=5)
        total.cell(f"{total_people:,}")
        total.cell(money(total_cost))
        total.cell("")
    evidence = [(r[0], r[7]) for r in rows if r[7]]
    if evidence:
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 9)
        pdf.cell(0, 5, "Evidencia documental")
        pdf.ln(5)
        pdf.set_font("Helvetica", "", 8)
        for number, url in evidence:
            pdf.multi_cell(0, 4, latin1(f"{number}. {url}"))

    presidents = list(
        CommitteeMember.public_objects.current()
        .filter(
            position=CommitteeMember.Position.PRESIDENT, committee__needs__requisitions=requisition
        )
        .select_related("committee")
        .distinct()
        .order_by("committee__name")
    )
    signers = [
        ("Presidente(a) Municipal", ""),
        ("Coordinador(a) General del COPLADEM", ""),
    ] + [(f"Presidente(a) del {p.committee.name}", p.full_name) for p in presidents]
    pdf.ln(6)
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(0, 6, "Atentamente")
    pdf.ln(16)
    pdf.set_font("Helvetica", "", 8)
    width = 80
    for index, (role, name) in enumerate(signers):
        if index and index % 3 == 0:
            pdf.ln(26)
        if pdf.will_page_break(24):
            pdf.add_page()
        x = pdf.l_margin + (index % 3) * (width + 8)
        y = pdf.get_y()
        pdf.line(x, y, x + width, y)
        pdf.set_xy(x, y + 1)
        pdf.multi_cell(width, 4, latin1(f"{name}\n{role}" if name else role), align="C")
        pdf.set_xy(pdf.l_margin, y)
    return bytes(pdf.output())


# --- Registration certificate of a Committee of Citizen Participation ----------------------


def _qr_png(url: str) -> io.BytesIO:
    image = qrcode.make(url, box_size=8, border=2)
    output = io.BytesIO()
    image.save(output, format="PNG")
    output.seek(0)
    return output


def certificate_pdf(certificate: RegistrationCertificate, *, verify_url: str) -> bytes:
    """The certificate a registered committee keeps and shows: its registration, its officers
    on the day of issue, the verification code and a QR code of the public verification page."""
    committee = certificate.committee
    municipality = certificate.municipality
    officers = list(
        CommitteeMember.public_objects.current()
        .filter(committee=committee)
        .exclude(position=CommitteeMember.Position.VOCAL)
        .order_by("position", "full_name")
    )
    communities = ", ".join(c.name for c in committee.communities.order_by("name"))

    pdf = FPDF(orientation="P", unit="mm", format="Letter")
    pdf.set_title(latin1(f"Constancia de registro {certificate.registration_number}"))
    pdf.set_author(latin1(f"Municipio de {municipality.name}"))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(
        0,
        8,
        latin1(f"H. Ayuntamiento de {municipality.name}, {municipality.state}"),
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(
        0,
        6,
        latin1('Programa "Unidos para Planear el Desarrollo"'),
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(6)
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 9, latin1("CONSTANCIA DE REGISTRO"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(
        0, 6, latin1("Comité de Participación Ciudadana"), align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(6)
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(
        0,
        6,
        latin1(
            f"Se hace constar que el {committee.name}"
            + (f", de la comunidad de {communities}," if communities else "")
            + f" quedó registrado con el número {certificate.registration_number} el "
            f"{spanish_date(certificate.registered_on)}"
            + (
                f", tras su asamblea constitutiva del {spanish_date(committee.assembly_date)}"
                + (f" en {committee.assembly_place}" if committee.assembly_place else "")
                if committee.assembly_date
                else ""
            )
            + "."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(4)
    if officers:
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(0, 6, latin1("Mesa directiva"))
        pdf.ln(7)
        pdf.set_font("Helvetica", "", 11)
        positions = {
            CommitteeMember.Position.PRESIDENT: "Presidente(a)",
            CommitteeMember.Position.SECRETARY: "Secretario(a)",
            CommitteeMember.Position.TREASURER: "Tesorero(a)",
        }
        for officer in officers:
            pdf.cell(0, 6, latin1(f"{positions.get(officer.position, '')}: {officer.full_name}"))
            pdf.ln(6)
    pdf.ln(4)
    issued = spanish_date(certificate.issued_at.date())
    pdf.multi_cell(
        0,
        6,
        latin1(f"Expedida en {municipality.name}, a {issued}."),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(8)
    top = pdf.get_y()
    pdf.image(_qr_png(verify_url), x=pdf.l_margin, y=top, w=40, h=40)
    pdf.set_xy(pdf.l_margin + 46, top + 4)
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(0, 5, latin1("Código de verificación"))
    pdf.set_xy(pdf.l_margin + 46, top + 10)
    pdf.set_font("Courier", "B", 12)
    pdf.cell(0, 6, latin1(certificate.code))
    pdf.set_xy(pdf.l_margin + 46, top + 18)
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(
        0,
        5,
        latin1(f"Verifique la vigencia de esta constancia en {verify_url} o con el código QR."),
    )
    return bytes(pdf.output())
