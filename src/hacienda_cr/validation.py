"""Validating a v4.4 XML document: the XSD, then the business rules the XSD cannot express."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from lxml import etree

from hacienda_cr.costa_rica_time import format_datetime
from hacienda_cr.documents import annex, rules, totals
from hacienda_cr.documents.annex import A
from hacienda_cr.documents.read import ParsedDocument, parse_document
from hacienda_cr.documents.tree_data import child_path
from hacienda_cr.errors import Issue
from hacienda_cr.schemas import SchemaStore, store_for

_OFFSET = re.compile(r"(?:[+-]\d\d:\d\d|Z)$")
CLOCK_TOLERANCE = timedelta(minutes=5)  # between the issuer's clock and Hacienda's
MESSAGE_YEARS = 10


@dataclass
class ValidationResult:
    document: ParsedDocument
    issues: list[Issue]

    @property
    def valid(self) -> bool:
        return not self.issues

    def as_dict(self) -> dict:
        doc = self.document
        return {
            "valid": self.valid,
            "document_type": doc.doc_type.code if doc.doc_type else "MensajeHacienda",
            "root": doc.root,
            "schema_set": doc.schema_set,
            "clave": doc.clave,
            "issues": [i.as_dict() for i in self.issues],
        }


def check_business_rules(doc: ParsedDocument) -> list[Issue]:
    """Rules and totals of a parsed document (nothing is filled in: everything is checked)."""
    if doc.doc_type is None:
        return []
    issues: list[Issue] = []
    data = doc.data
    if doc.doc_type.family == "sale":
        totals.reconcile_sale(data, doc.schema.root, doc.root, issues, fill=False)
    elif doc.doc_type.family == "receipt":
        totals.reconcile_receipt(data, doc.schema.root, doc.root, issues, fill=False)
    date_key = "FechaEmisionDoc" if doc.doc_type.family == "receptor" else "FechaEmision"
    text = doc.tree.findtext(f"{{*}}{date_key}")
    if text and not _OFFSET.search(text.strip()):
        issues.append(
            A.FECHA_FORMATO.issue(
                child_path(doc.root, date_key), f"{text.strip()!r} has no UTC offset; write Costa Rica time as …-06:00"
            )
        )
    issues.extend(rules.check_document(doc.doc_type, doc.root, data, schema_set=doc.schema_set))
    return annex.drop_disabled(issues)


def check_reception(doc: ParsedDocument, received: datetime) -> list[Issue]:
    """The rules that depend on when Hacienda receives the document (``received``, aware)."""
    if doc.doc_type is None:
        return []
    issues: list[Issue] = []
    date_key = "FechaEmisionDoc" if doc.doc_type.family == "receptor" else "FechaEmision"
    fecha = doc.data.get(date_key)
    if not isinstance(fecha, datetime):
        return issues
    path = child_path(doc.root, date_key)
    if fecha > received + CLOCK_TOLERANCE:
        issues.append(
            A.FECHA_FUTURA.issue(path, f"{format_datetime(fecha)} is after the document was received ({format_datetime(received)})")
        )
    if doc.doc_type.family == "receptor" and fecha < received - timedelta(days=365 * MESSAGE_YEARS + MESSAGE_YEARS // 4):
        issues.append(A.MR_FECHA.issue(path, f"{format_datetime(fecha)} is more than {MESSAGE_YEARS} years old"))
    return annex.drop_disabled(issues)


def validate_document(
    xml: bytes | etree._Element,
    *,
    schema_set: str | None = None,
    store: SchemaStore | None = None,
    xsd_dir: str | None = None,
    xsd: bool = True,
    signed: bool = True,
) -> ValidationResult:
    """XSD + business rules. Raises ``InputError`` only when the XML cannot be parsed.

    ``signed=False`` accepts a document without its signature yet (before signing)."""
    doc = parse_document(xml, schema_set)
    issues = list(doc.issues)
    if xsd:
        issues.extend((store or store_for(xsd_dir)).validate(doc.tree, doc.schema, doc.schema_set, signed=signed))
    issues.extend(check_business_rules(doc))
    return ValidationResult(doc, _dedupe(issues))


def _dedupe(issues: list[Issue]) -> list[Issue]:
    seen, out = set(), []
    for issue in issues:
        key = (issue.path, issue.message)
        if key not in seen:
            seen.add(key)
            out.append(issue)
    return out
