"""Cells that a spreadsheet shows as text and never runs: every CSV and XLSX export uses these.

Excel, LibreOffice and Google Sheets read a cell that begins with ``=``, ``+``, ``-`` or ``@``
(and, in some, after a tab or carriage return) as a formula, so text that a citizen, a
committee or an import wrote (a need's description, a community's name) could run a formula,
or a command through DDE, on the computer of whoever opens the download. Such text is
written with a leading apostrophe (OWASP's advice for CSV injection): the spreadsheet shows it
as text. Numbers stay numbers: only strings are changed, and a string that is just a number
(``-12.50``) is no formula, so it is kept too.
"""

import csv
import re

from django.utils.functional import Promise

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def safe_cell(value):
    """The value, or, for text a spreadsheet would run as a formula, that text after ``'``."""
    if isinstance(value, Promise):
        value = str(value)
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def safe_row(row) -> list:
    return [safe_cell(value) for value in row]


class SafeWriter:
    """``csv.writer`` whose rows go through :func:`safe_cell`."""

    def __init__(self, file, **kwargs):
        self._writer = csv.writer(file, **kwargs)

    def writerow(self, row):
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_writer(file, **kwargs) -> SafeWriter:
    """A CSV writer for exports: as ``csv.writer(file, **kwargs)``, formulas neutralised."""
    return SafeWriter(file, **kwargs)


def append_row(sheet, row) -> None:
    """``sheet.append(row)`` for an openpyxl worksheet, formulas neutralised (openpyxl would
    otherwise store a string that begins with ``=`` as a formula)."""
    sheet.append(safe_row(row))
