"""Taxpayer identification numbers and how certificates carry them.

Hacienda's and BCCR's certificates put the holder's id in the subject's serialNumber
attribute: ``CPF-01-0123-0456`` for the cédula física 101230456 (type 01) and
``CPJ-3-101-123456`` for the cédula jurídica 3101123456 (type 02).  Hacienda publishes no
form for the other types, so this project uses ``DIMEX-<11 or 12 digits>`` (03),
``NITE-<10 digits>`` (04), ``EXT-<id>`` (05, extranjero no domiciliado) and ``NC-<id>``
(06, no contribuyente), where ``<id>`` is 1-20 digits or capital letters.
"""

from __future__ import annotations

import re

from cryptography import x509
from cryptography.x509.oid import NameOID

from hacienda_cr.errors import InputError, Issue
from hacienda_cr.identification import ID_TYPES, identification_problem

_SERIAL_FORMS = (
    (re.compile(r"CPF-0(\d)-(\d{4})-(\d{4})", re.IGNORECASE), "01"),
    (re.compile(r"CPJ-(\d)-(\d{3})-(\d{6})", re.IGNORECASE), "02"),
    (re.compile(r"DIMEX-(\d{11,12})", re.IGNORECASE), "03"),
    (re.compile(r"NITE-(\d{10})", re.IGNORECASE), "04"),
    (re.compile(r"EXT-([0-9A-Z]{1,20})", re.IGNORECASE), "05"),
    (re.compile(r"NC-([0-9A-Z]{1,20})", re.IGNORECASE), "06"),
)

SERIAL_PREFIX = {"01": "CPF", "02": "CPJ", "03": "DIMEX", "04": "NITE", "05": "EXT", "06": "NC"}


def validate_taxpayer_id(id_type: object, id_number: object) -> tuple[str, str]:
    """Return (id_type, id_number) normalised, or raise InputError naming what is wrong."""
    issues = []
    id_type = str(id_type).strip() if id_type is not None else ""
    if id_type not in ID_TYPES:
        choices = ", ".join(f"{code} {name}" for code, name in ID_TYPES.items())
        issues.append(Issue("id_type", f"{id_type!r} is not an identification type ({choices})"))
        raise InputError(issues)
    number = str(id_number).strip().replace("-", "") if id_number is not None else ""
    if id_type in ("05", "06"):
        number = number.upper()
    problem = identification_problem(id_type, number)
    if problem:
        issues.append(Issue("id_number", problem))
        raise InputError(issues)
    return id_type, number


def certificate_serial_number(id_type: str, id_number: str) -> str:
    """The subject serialNumber value for a taxpayer id (see the module docstring)."""
    id_type, n = validate_taxpayer_id(id_type, id_number)
    if id_type == "01":
        return f"CPF-0{n[0]}-{n[1:5]}-{n[5:9]}"
    if id_type == "02":
        return f"CPJ-{n[0]}-{n[1:4]}-{n[4:10]}"
    return f"{SERIAL_PREFIX[id_type]}-{n}"


def parse_serial_number(value: str) -> tuple[str, str] | None:
    value = value.strip()
    for pattern, id_type in _SERIAL_FORMS:
        match = pattern.fullmatch(value)
        if match:
            return id_type, "".join(match.groups()).upper()
    return None


def taxpayer_id_from_certificate(cert: x509.Certificate) -> tuple[str, str] | None:
    """(id_type, id_number) from the certificate subject's serialNumber, or None."""
    if not isinstance(cert, x509.Certificate):
        raise InputError(f"expected an X.509 certificate, got {type(cert).__name__}")
    for attribute in cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER):
        if isinstance(attribute.value, str):
            found = parse_serial_number(attribute.value)
            if found:
                return found
    return None
