"""The default review checklist, as data: what a citizen checks in a contract's documents about
the tender, the contract and its obligations, each with the document that answers it (what a
transparency request asks for when the review does not find it).

Read by ``services.seed_review_template``. The texts are marked for translation and resolved
in the language active when a municipality's checklist is seeded (Spanish first): a stored
checklist keeps the words it was created with.
"""

from django.utils.translation import gettext_lazy as _

from .constants import Section

DEFAULT_NAME = _("Documentary review of a contract")

DEFAULT_ITEMS: list[dict] = [
    # The tender
    {
        "section": Section.TENDER,
        "code": "procurement-method",
        "text": _("Is the procurement method stated, with its legal basis?"),
        "help_text": _("Public tender, restricted invitation or direct award, and the article."),
        "document_asked": _("the procurement ruling with its legal basis (dictamen)"),
    },
    {
        "section": Section.TENDER,
        "code": "bidders-number",
        "text": _("Is the number of bidders known?"),
        "document_asked": _("the record of the opening of bids (acta de apertura)"),
    },
    {
        "section": Section.TENDER,
        "code": "dates-published",
        "text": _("Were the call, the clarification meeting and the award published with dates?"),
        "document_asked": _("the call for bids and the award ruling (convocatoria y fallo)"),
    },
    # The contract
    {
        "section": Section.CONTRACT,
        "code": "object",
        "text": _("Does the contract state clearly what is contracted?"),
        "document_asked": _("the signed contract"),
    },
    {
        "section": Section.CONTRACT,
        "code": "amount",
        "text": _("Is the amount stated with and without VAT?"),
        "document_asked": _("the signed contract and its economic proposal"),
    },
    {
        "section": Section.CONTRACT,
        "code": "term",
        "text": _("Is the term of the contract stated (start and end)?"),
        "document_asked": _("the signed contract"),
    },
    {
        "section": Section.CONTRACT,
        "code": "guarantees",
        "text": _("Are the performance guarantees (fianzas) stated?"),
        "document_asked": _("the performance bond (fianza de cumplimiento)"),
    },
    {
        "section": Section.CONTRACT,
        "code": "penalties",
        "text": _("Are the penalties for late or poor work stated?"),
        "document_asked": _("the signed contract"),
    },
    {
        "section": Section.CONTRACT,
        "code": "sites",
        "text": _("Does it list the sites where the service is given?"),
        "document_asked": _("the annex listing the sites served"),
    },
    # The obligations
    {
        "section": Section.OBLIGATIONS,
        "code": "frequency",
        "text": _("Is the frequency of the service stated?"),
        "document_asked": _("the technical annex (anexo técnico)"),
    },
    {
        "section": Section.OBLIGATIONS,
        "code": "response-times",
        "text": _("Are response times for reports stated?"),
        "document_asked": _("the technical annex (anexo técnico)"),
    },
    {
        "section": Section.OBLIGATIONS,
        "code": "measurable-criteria",
        "text": _("Are there measurable criteria to say the work was done well?"),
        "document_asked": _("the technical annex and its acceptance criteria"),
    },
]
