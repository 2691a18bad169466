"""The questions a complaint about a service asks: Open311 service-definition attributes.

The questions themselves are rows (``ServiceQuestion`` and its ``ServiceQuestionChoice``),
edited by staff in the admin, published by Open311's ``services/<code>`` and asked by the web
form. This module holds:

- ``DEFAULT_QUESTIONS``: what a new service of a category starts with (the data migration
  seeded the existing services from the same definitions, with the same codes);
- ``answers_clean``: the one validation of the answers, for Open311 posts and the web form.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .constants import QuestionDatatype

MAX_STRING = 300
MAX_TEXT = 2000

DEFAULT_QUESTIONS = {
    "lighting": [
        {
            "code": "lamp_condition",
            "datatype": "singlevaluelist",
            "required": True,
            "description": gettext_lazy("What is wrong with the street light?"),
            "values": [
                ("off", gettext_lazy("It is off at night")),
                ("flickering", gettext_lazy("It flickers")),
                ("on_by_day", gettext_lazy("It stays on during the day")),
                ("damaged", gettext_lazy("The pole or the lamp is damaged")),
            ],
        }
    ],
    "garbage": [
        {
            "code": "problem",
            "datatype": "singlevaluelist",
            "required": False,
            "description": gettext_lazy("What happened?"),
            "values": [
                ("missed", gettext_lazy("The truck did not come")),
                ("dump", gettext_lazy("Illegal dumping")),
                ("overflowing", gettext_lazy("Overflowing container")),
            ],
        }
    ],
}


def default_questions(category: str) -> list[dict]:
    """The questions a new service of ``category`` starts with."""
    return DEFAULT_QUESTIONS.get(category, [])


@dataclass(frozen=True)
class AnswerError:
    code: str  # the question's code
    kind: str  # "required", "choice" or "invalid"
    message: str


def _one(values: list[str]) -> str:
    return next((value.strip() for value in values if value.strip()), "")


def _answer(question, values: list[str]) -> tuple[str | list[str], str | None]:
    """The stored answer (a string, or a list for a multivaluelist) and the error kind."""
    datatype = question.datatype
    if datatype == QuestionDatatype.MULTIVALUELIST:
        chosen = list(dict.fromkeys(value.strip() for value in values if value.strip()))
        return chosen, (None if set(chosen) <= question.keys else "choice")
    value = _one(values)
    if datatype == QuestionDatatype.SINGLEVALUELIST:
        return value, (None if value in question.keys else "choice")
    if datatype == QuestionDatatype.NUMBER:
        try:
            number = float(value.replace(",", "."))
        except ValueError:
            return value, "invalid"
        return value, (None if number == number and abs(number) != float("inf") else "invalid")
    if datatype == QuestionDatatype.DATETIME:
        try:
            when = parse_datetime(value) or parse_date(value)
        except ValueError:
            when = None
        if when is None:
            return value, "invalid"
        if isinstance(when, datetime.datetime):
            return when.isoformat(), None
        return when.isoformat(), None
    limit = MAX_TEXT if datatype == QuestionDatatype.TEXT else MAX_STRING
    return value, (None if len(value) <= limit else "invalid")


def _message(question, kind: str) -> str:
    if kind == "required":
        return _("Answer this question.")
    if kind == "choice":
        return _("Choose one of the answers offered.")
    if question.datatype == QuestionDatatype.NUMBER:
        return _("Write a number.")
    if question.datatype == QuestionDatatype.DATETIME:
        return _("Write a date (YYYY-MM-DD) or a date and time.")
    limit = MAX_TEXT if question.datatype == QuestionDatatype.TEXT else MAX_STRING
    return _("Write at most %(limit)d characters.") % {"limit": limit}


def answers_clean(
    questions: Iterable, values_for: Callable[[str], list[str]]
) -> tuple[dict, list[AnswerError]]:
    """The answers to ``questions`` (``complaints.selectors.Question``), read by
    ``values_for(code)`` (the raw strings sent for a question), as ``Complaint.attributes``
    stores them, and the errors: a required question left empty, an answer not offered, a
    number or date that is not one, a text too long. Empty optional answers are left out."""
    answers: dict = {}
    errors: list[AnswerError] = []
    for question in questions:
        value, kind = _answer(question, values_for(question.code))
        if not value:
            if question.required:
                errors.append(
                    AnswerError(question.code, "required", _message(question, "required"))
                )
            continue
        if kind:
            errors.append(AnswerError(question.code, kind, _message(question, kind)))
            continue
        answers[question.code] = value
    return answers, errors
