"""The document types of v4.4 and what distinguishes them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from hacienda_cr.costa_rica_time import now as cr_now
from hacienda_cr.costa_rica_time import to_costa_rica
from hacienda_cr.documents.schema_tree import DocumentSchema
from hacienda_cr.documents.xsd_model import DOCUMENTS
from hacienda_cr.errors import InputError, Issue

SCHEMA_SETS = tuple(DOCUMENTS)
# The 2026 revision (alphanumeric clave, new reference codes) is mandatory from this date;
# a document dated earlier defaults to the 2024 set.
SCHEMA_SET_2026_FROM = date(2026, 11, 1)


@dataclass(frozen=True)
class DocumentType:
    code: str  # the two digits in NumeroConsecutivo
    root: str  # the XML root element
    name: str  # the name users know
    schema_key: str  # key in xsd_model.DOCUMENTS
    family: str  # "sale" (lines + ResumenFactura), "receipt" (REP), "receptor" (Mensaje Receptor)

    @property
    def parties(self) -> tuple[str, str]:
        """The XML elements of the party who issues the document (whose id the clave and the
        envelope's emisor carry) and of the other one. A Factura Electrónica de Compra is issued by
        the buyer, its Receptor, on the seller's behalf (annex p. 59)."""
        return ("Receptor", "Emisor") if self.code == "08" else ("Emisor", "Receptor")


DOCUMENT_TYPES: dict[str, DocumentType] = {
    t.code: t
    for t in (
        DocumentType("01", "FacturaElectronica", "Factura Electrónica", "01", "sale"),
        DocumentType("02", "NotaDebitoElectronica", "Nota de Débito Electrónica", "02", "sale"),
        DocumentType("03", "NotaCreditoElectronica", "Nota de Crédito Electrónica", "03", "sale"),
        DocumentType("04", "TiqueteElectronico", "Tiquete Electrónico", "04", "sale"),
        DocumentType("05", "MensajeReceptor", "Mensaje Receptor: aceptación", "05", "receptor"),
        DocumentType("06", "MensajeReceptor", "Mensaje Receptor: aceptación parcial", "05", "receptor"),
        DocumentType("07", "MensajeReceptor", "Mensaje Receptor: rechazo", "05", "receptor"),
        DocumentType("08", "FacturaElectronicaCompra", "Factura Electrónica de Compra", "08", "sale"),
        DocumentType("09", "FacturaElectronicaExportacion", "Factura Electrónica de Exportación", "09", "sale"),
        DocumentType("10", "ReciboElectronicoPago", "Recibo Electrónico de Pago", "10", "receipt"),
    )
}
ROOTS = {t.root for t in DOCUMENT_TYPES.values()}
# Mensaje Receptor: the Mensaje value decides the document type of its consecutivo.
RECEPTOR_TYPE_BY_MENSAJE = {"1": "05", "2": "06", "3": "07"}
MENSAJE_HACIENDA_ROOT = "MensajeHacienda"


def type_for_root(root: str, mensaje: object = None) -> DocumentType:
    if root == "MensajeReceptor":
        code = RECEPTOR_TYPE_BY_MENSAJE.get(str(mensaje), "05")
        return DOCUMENT_TYPES[code]
    for t in DOCUMENT_TYPES.values():
        if t.root == root:
            return t
    raise InputError(Issue(root, f"unknown document root {root!r}; expected one of {', '.join(sorted(ROOTS))}"))


def check_schema_set(schema_set: str) -> str:
    if schema_set not in DOCUMENTS:
        raise InputError(Issue("schema_set", f"unknown schema set {schema_set!r}; use {' or '.join(SCHEMA_SETS)}"))
    return schema_set


def default_schema_set(when: date | datetime | None) -> str:
    """The set in force on the document's date in Costa Rica (today there when unknown). A
    date-time is taken in Costa Rica time (a naive one is Costa Rica local time), so a document
    issued on the evening of the last day, already the next day in UTC, keeps the old set."""
    if when is None:
        when = cr_now()
    if isinstance(when, datetime):
        when = to_costa_rica(when).date()
    return "v4.4-2026" if when >= SCHEMA_SET_2026_FROM else "v4.4"


def document_schema(doc_type: DocumentType, schema_set: str) -> DocumentSchema:
    return DOCUMENTS[check_schema_set(schema_set)][doc_type.schema_key]


def mensaje_hacienda_schema(schema_set: str) -> DocumentSchema:
    return DOCUMENTS[check_schema_set(schema_set)]["MH"]
