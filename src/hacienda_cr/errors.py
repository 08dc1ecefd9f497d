"""Errors a caller can act on.

Every error that reaches a user names the field (as a path such as
``DetalleServicio/LineaDetalle[2]/Impuesto[1]/Monto``) and says what is wrong with it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Issue:
    """One problem found in a document: where it is and what is wrong."""

    path: str
    message: str
    code: str = ""

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message, "code": self.code}


class HaciendaError(Exception):
    """Base of every error raised on purpose by this package."""


class InputError(HaciendaError):
    """The caller's input is wrong; ``issues`` lists every problem found, not just the first."""

    def __init__(self, issues: list[Issue] | Issue | str):
        if isinstance(issues, str):
            issues = [Issue("", issues)]
        elif isinstance(issues, Issue):
            issues = [issues]
        self.issues = list(issues)
        super().__init__("; ".join(str(i) for i in self.issues))


class ConfigurationError(HaciendaError):
    """Something the operator configured is missing or wrong (paths, credentials, keys)."""
