"""One call from a document's data to a validated, signed document.

``issue_document`` is the only place that strings the stages together: build (shape, values,
derivations and the annex rules, ``documents.build``), Hacienda's XSD (``schemas``), then the
XAdES-EPES signature (``signing``). The addon, the CLI and the benchmarks all go through it,
so what "a document ready to send" means is written once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime

from hacienda_cr.documents.build import BuiltDocument, build_document
from hacienda_cr.documents.types import document_schema
from hacienda_cr.errors import InputError, Issue
from hacienda_cr.schemas import SchemaStore, store_for
from hacienda_cr.signing import SigningKey, sign_xml

BUILD = "build"  # the data's shape or values, or an annex rule
XSD = "xsd"  # Hacienda's schema


class DocumentRefused(InputError):
    """The data cannot become a document; ``stage`` says which check refused it (``BUILD`` or
    ``XSD``), so a caller can tell its user whether a rule or the schema was broken."""

    def __init__(self, stage: str, issues: list[Issue]):
        super().__init__(issues)
        self.stage = stage


@dataclass
class IssuedDocument:
    built: BuiltDocument  # the data as built (clave, consecutivo, dates, the unsigned XML)
    xml: bytes  # the signed document, or the unsigned one when no key was given
    signed: bool


def issue_document(
    data: object,
    key: SigningKey | None,
    *,
    schema_set: str | None = None,
    store: SchemaStore | None = None,
    xsd_dir: str | os.PathLike | None = None,
    xsd: bool = True,
    now: datetime | None = None,
    signing_time: datetime | None = None,
) -> IssuedDocument:
    """Build, check against the XSD and sign one document.

    Raises ``DocumentRefused`` (an ``InputError``) naming the stage and every problem,
    ``ConfigurationError`` when no XSD directory can be found (looked up only once the data
    has passed its rules, so a user first hears about their data), and ``InputError`` when the
    key cannot sign. ``key=None`` returns the validated document unsigned; ``xsd=False`` skips
    the schema (the rules still apply)."""
    try:
        built = build_document(data, schema_set=schema_set, now=now)
    except InputError as exc:
        raise DocumentRefused(BUILD, exc.issues) from None
    if xsd:
        schemas = store or store_for(xsd_dir)
        issues = schemas.validate(
            built.tree, document_schema(built.doc_type, built.schema_set), built.schema_set, signed=False
        )
        if issues:
            raise DocumentRefused(XSD, issues)
    if key is None:
        return IssuedDocument(built, built.xml, signed=False)
    signed = sign_xml(
        built.xml, key, signing_time=signing_time, parsed_root=built.tree, canonical_document=built.canonical
    )
    return IssuedDocument(built, signed, signed=True)
