"""v4.4 documents as data: building XML from data shaped like the XSD, and reading it back."""

from hacienda_cr.documents.build import BuiltDocument, build_document, sale_summary
from hacienda_cr.documents.read import ParsedDocument, parse_document, parse_xml
from hacienda_cr.documents.types import (
    DOCUMENT_TYPES,
    SCHEMA_SETS,
    DocumentType,
    default_schema_set,
)

__all__ = [
    "DOCUMENT_TYPES",
    "SCHEMA_SETS",
    "BuiltDocument",
    "DocumentType",
    "ParsedDocument",
    "build_document",
    "default_schema_set",
    "parse_document",
    "parse_xml",
    "sale_summary",
]
