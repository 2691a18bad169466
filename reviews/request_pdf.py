"""The access-to-information request as a PDF, to file on the Plataforma Nacional de
Transparencia (in Spanish, as every document addressed to an authority: see
``committees.documents``)."""

from __future__ import annotations

from django.utils import timezone
from fpdf import FPDF

from committees.documents import spanish_date
from core.pdf import latin1

from .models import TransparencyRequest
from .requests import PLATFORM_URL, transparency_unit


def _paragraph(pdf: FPDF, text: str, *, height: float = 5, style: str = "") -> None:
    pdf.set_font("Helvetica", style, 10)
    pdf.multi_cell(0, height, latin1(text), new_x="LMARGIN", new_y="NEXT")


def request_pdf(request: TransparencyRequest) -> bytes:
    contract = request.contract
    municipality = contract.municipality
    pdf = FPDF(orientation="P", unit="mm", format="Letter")
    pdf.set_title(latin1("Solicitud de acceso a la información"))
    pdf.set_author(latin1(f"Contraloría ciudadana, Municipio de {municipality.name}"))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 13)
    pdf.multi_cell(
        0,
        7,
        latin1("SOLICITUD DE ACCESO A LA INFORMACIÓN PÚBLICA"),
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    day = request.filed_on or timezone.localdate(request.created_at)
    _paragraph(pdf, f"{municipality.name}, {municipality.state}, a {spanish_date(day)}")
    if request.folio:
        _paragraph(pdf, f"Folio: {request.folio}", style="B")
    pdf.ln(3)
    _paragraph(pdf, transparency_unit(contract), style="B")
    _paragraph(pdf, "Presente")
    pdf.ln(3)
    _paragraph(pdf, request.text)
    pdf.ln(3)
    _paragraph(pdf, "Fundamento legal", style="B")
    _paragraph(pdf, request.legal_basis)
    pdf.ln(3)
    _paragraph(
        pdf,
        "Esta solicitud se presenta a través de la Plataforma Nacional de Transparencia "
        f"({PLATFORM_URL}); el plazo de respuesta corre a partir del día hábil siguiente a su "
        "presentación.",
    )
    return bytes(pdf.output())
