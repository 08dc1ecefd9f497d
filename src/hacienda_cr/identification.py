"""Costa Rican identification types (Hacienda's codes 01–06) and their number rules.

The one table every part of the project uses: document rules, test certificates and the
taxpayer id read from a certificate, the Odoo addon's partner checks.
"""

from __future__ import annotations

import re

ID_TYPES = {
    "01": "cédula física",
    "02": "cédula jurídica",
    "03": "DIMEX",
    "04": "NITE",
    "05": "extranjero no domiciliado",
    "06": "no contribuyente",
}

# Cédulas jurídicas start with 2 (State), 3 (companies, associations) or 4 (autonomous
# institutions), so only their length is checked.
NUMBER_RULES = {
    "01": (re.compile(r"[1-9]\d{8}"), "9 digits, not starting with 0 (e.g. 101230456)"),
    "02": (re.compile(r"\d{10}"), "10 digits (e.g. 3101123456)"),
    "03": (re.compile(r"[1-9]\d{10,11}"), "11 or 12 digits, not starting with 0"),
    "04": (re.compile(r"\d{10}"), "10 digits"),
    "05": (re.compile(r"[A-Za-z0-9]{1,20}"), "1 to 20 letters or digits"),
    "06": (re.compile(r"[A-Za-z0-9]{1,20}"), "1 to 20 letters or digits"),
}


def identification_problem(id_type: str | None, number: str | None) -> str | None:
    """Why (id_type, number) is not a valid identification, or None when it is."""
    if id_type not in ID_TYPES:
        choices = ", ".join(f"{code} {name}" for code, name in ID_TYPES.items())
        return f"{id_type!r} is not an identification type ({choices})"
    pattern, rule = NUMBER_RULES[id_type]
    if not isinstance(number, str) or not pattern.fullmatch(number):
        return f"{number!r} is not a valid {ID_TYPES[id_type]} (type {id_type}): {rule}"
    return None
