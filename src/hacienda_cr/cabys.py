"""CABYS (Catálogo de Bienes y Servicios, BCCR): the code rule and the catalogue's VAT wording.

One reading of the catalogue's "Impuesto" column for every part of the project: the Odoo
import of the BCCR workbook and the simulator's catalogue file.
"""

from __future__ import annotations

import re

CODE = re.compile(r"\d{13}")


def catalogue_tax(value) -> tuple[float, str]:
    """(rate in %, the catalogue's wording) from an "Impuesto" cell.

    The workbook writes fractions (0.13), a few rows percentages ("13%", "1%"), exempt codes
    "Exento" and three "na": those read as 0 with their own wording."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = " ".join(str(value).split()) if value is not None else ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        rate = float(value) * 100 if float(value) <= 1 else float(value)
        return round(rate, 2), f"{round(rate, 2):g}%"
    match = re.fullmatch(r"(\d+(?:[.,]\d+)?)\s*%?", text)
    if match:
        rate = float(match[1].replace(",", "."))
        rate = rate * 100 if rate <= 1 and "%" not in text else rate
        return round(rate, 2), f"{round(rate, 2):g}%"
    return 0.0, text
