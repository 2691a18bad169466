"""Factories of the contract reviews: trained guardians, a contract with a PDF, a review."""

import datetime

from django.core.files.base import ContentFile

from contracts.models import ContractDocument
from guardians.models import (
    Evaluation,
    EvaluationAttempt,
    Topic,
    TrainingModule,
    TrainingSession,
)
from guardians.tests.factories import GuardianFactory


def pdf_bytes(pages: int) -> bytes:
    """A minimal valid PDF of ``pages`` blank pages."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{3 + i} 0 R" for i in range(pages)).encode()
    objects.append(b"<< /Type /Pages /Kids [" + kids + b"] /Count " + str(pages).encode() + b" >>")
    for _ in range(pages):
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def contract_document(contract, *, pages: int = 3, title: str = "Contrato firmado"):
    document = ContractDocument(contract=contract, title=title)
    document.file.save("contrato.pdf", ContentFile(pdf_bytes(pages)), save=True)
    return document


def trained_guardian(municipality, *, topic=Topic.TENDERS, correct=8, total=10, **kwargs):
    """An active guardian who took the post-test of a session on ``topic``."""
    guardian = GuardianFactory(municipality=municipality, **kwargs)
    module, _ = TrainingModule.objects.get_or_create(
        municipality=municipality, topic=topic, title=f"Módulo {topic}"
    )
    session = TrainingSession.objects.filter(municipality=municipality, modules=module).first()
    if session is None:
        session = TrainingSession.objects.create(
            municipality=municipality, title="Contratos y licitaciones", date=datetime.date.today()
        )
        session.modules.add(module)
    evaluation, _ = Evaluation.objects.get_or_create(session=session, kind=Evaluation.Kind.POST)
    EvaluationAttempt.objects.create(
        evaluation=evaluation, guardian=guardian, correct=correct, total=total
    )
    return guardian
