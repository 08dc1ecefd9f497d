"""Clave (the 50-character key of a document) and NumeroConsecutivo (its 20-digit number).

Clave layout: ``506`` country code · ``DDMMYY`` date of issue · the emitter's id padded to
12 characters · the 20-digit NumeroConsecutivo · situación (1 normal, 2 contingencia,
3 sin internet) · an 8-character security code.

NumeroConsecutivo layout: establishment (3) · terminal (5) · document type (2) ·
sequence number (10).

The 2024 schema set allows digits only; the 2026 revision allows letters too in the
clave (the id and security-code positions).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date

from hacienda_cr.errors import InputError, Issue

COUNTRY_CODE = "506"
SITUATIONS = {"1": "Normal", "2": "Contingencia", "3": "Sin internet"}
CONSECUTIVO_DOC_TYPES = ("01", "02", "03", "04", "05", "06", "07", "08", "09", "10")
_DIGITS_50 = re.compile(r"\d{50}", re.ASCII)
_ALNUM_50 = re.compile(r"[A-Za-z0-9]{50}", re.ASCII)
_DIGITS_20 = re.compile(r"\d{20}", re.ASCII)
_ALNUM = re.compile(r"[A-Za-z0-9]+", re.ASCII)
_DIGITS = re.compile(r"\d+", re.ASCII)


@dataclass(frozen=True)
class Consecutivo:
    branch: int
    terminal: int
    doc_type: str
    number: int

    def __post_init__(self):
        issues = []
        if not 1 <= self.branch <= 999:
            issues.append(Issue("Sucursal", f"establishment {self.branch} must be 1 to 999"))
        if not 1 <= self.terminal <= 99999:
            issues.append(Issue("Terminal", f"terminal {self.terminal} must be 1 to 99999"))
        if self.doc_type not in CONSECUTIVO_DOC_TYPES:
            issues.append(Issue("TipoDocumento", f"document type {self.doc_type!r} must be 01 to 10"))
        if not 1 <= self.number <= 9_999_999_999:
            issues.append(Issue("Numero", f"sequence number {self.number} must be 1 to 9999999999"))
        if issues:
            raise InputError(issues)

    def __str__(self) -> str:
        return f"{self.branch:03d}{self.terminal:05d}{self.doc_type}{self.number:010d}"

    @classmethod
    def parse(cls, text: str, path: str = "NumeroConsecutivo") -> Consecutivo:
        if not isinstance(text, str) or not _DIGITS_20.fullmatch(text):
            raise InputError(Issue(path, f"{text!r} is not a 20-digit NumeroConsecutivo"))
        try:
            return cls(int(text[:3]), int(text[3:8]), text[8:10], int(text[10:]))
        except InputError as exc:
            raise InputError([Issue(path, i.message) for i in exc.issues]) from None

    def as_dict(self) -> dict:
        return {
            "consecutivo": str(self),
            "branch": self.branch,
            "terminal": self.terminal,
            "doc_type": self.doc_type,
            "number": self.number,
        }


def _id_ok(value: str, alphanumeric: bool) -> bool:
    return bool((_ALNUM if alphanumeric else _DIGITS).fullmatch(value))


@dataclass(frozen=True)
class Clave:
    issued: date
    emitter_id: str
    consecutivo: Consecutivo
    situation: str = "1"
    security_code: str = ""
    country: str = COUNTRY_CODE

    @classmethod
    def new(
        cls,
        issued: date,
        emitter_id: str,
        consecutivo: Consecutivo,
        situation: str = "1",
        security_code: str | None = None,
        *,
        alphanumeric: bool = False,
    ) -> Clave:
        """A new clave; a random security code is drawn when none is given."""
        if security_code is None:
            security_code = new_security_code()
        clave = cls(issued, str(emitter_id), consecutivo, str(situation), str(security_code))
        clave.check(alphanumeric=alphanumeric)
        return clave

    def check(self, *, alphanumeric: bool = False) -> None:
        issues = []
        if not self.emitter_id or len(self.emitter_id) > 12 or not _id_ok(self.emitter_id, alphanumeric):
            kind = "letters and digits" if alphanumeric else "digits"
            issues.append(
                Issue("Emisor/Identificacion/Numero", f"{self.emitter_id!r} must be 1 to 12 {kind} to fit the clave")
            )
        if self.situation not in SITUATIONS:
            issues.append(
                Issue("Situacion", f"{self.situation!r} must be 1 (normal), 2 (contingencia) or 3 (sin internet)")
            )
        if len(self.security_code) != 8 or not _id_ok(self.security_code, alphanumeric):
            kind = "letters or digits" if alphanumeric else "digits"
            issues.append(Issue("CodigoSeguridad", f"{self.security_code!r} must be 8 {kind}"))
        if issues:
            raise InputError(issues)

    def __str__(self) -> str:
        return (
            f"{self.country}{self.issued:%d%m%y}{self.emitter_id.rjust(12, '0')}"
            f"{self.consecutivo}{self.situation}{self.security_code}"
        )

    @classmethod
    def parse(cls, text: str, *, alphanumeric: bool = True, path: str = "Clave") -> Clave:
        """Split a clave into its parts (letters allowed unless ``alphanumeric`` is False)."""
        pattern = _ALNUM_50 if alphanumeric else _DIGITS_50
        if not isinstance(text, str) or not pattern.fullmatch(text):
            kind = "letters and digits" if alphanumeric else "digits"
            raise InputError(Issue(path, f"{text!r} is not a clave: 50 {kind} expected"))
        issues = []
        if text[:3] != COUNTRY_CODE:
            issues.append(Issue(path, f"starts with {text[:3]!r}; a clave starts with country code 506"))
        try:
            issued = date(2000 + int(text[7:9]), int(text[5:7]), int(text[3:5]))
        except ValueError:
            issues.append(Issue(path, f"positions 4-9 ({text[3:9]!r}) are not a valid DDMMYY date"))
            issued = None
        try:
            consecutivo = Consecutivo.parse(text[21:41], path=path)
        except InputError as exc:
            issues.extend(Issue(path, f"positions 22-41 (NumeroConsecutivo): {i.message}") for i in exc.issues)
            consecutivo = None
        if text[41] not in SITUATIONS:
            issues.append(Issue(path, f"position 42 (situación) is {text[41]!r}; expected 1, 2 or 3"))
        if issues:
            raise InputError(issues)
        emitter = text[9:21].lstrip("0") or "0"
        return cls(issued, emitter, consecutivo, text[41], text[42:], text[:3])

    def as_dict(self) -> dict:
        return {
            "clave": str(self),
            "country": self.country,
            "issued": self.issued.isoformat(),
            "emitter_id": self.emitter_id,
            "emitter_id_padded": self.emitter_id.rjust(12, "0"),
            **{k: v for k, v in self.consecutivo.as_dict().items()},
            "situation": self.situation,
            "situation_name": SITUATIONS[self.situation],
            "security_code": self.security_code,
        }


def new_security_code() -> str:
    return f"{secrets.randbelow(10**8):08d}"
