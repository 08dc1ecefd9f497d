"""From data shaped like the XSD to a v4.4 XML document, deriving what can be derived.

Input: ``{"<Root>": {...}, "Numeracion": {...}}`` where ``<Root>`` is the document's root
element (``FacturaElectronica``, ``TiqueteElectronico``, ``MensajeReceptor``, …) and the
optional ``Numeracion`` gives what the XSD does not carry but the numbering needs:
``Sucursal`` (establishment), ``Terminal``, ``Numero`` (sequence number), ``Situacion``
(1 normal, 2 contingencia, 3 sin internet; default 1) and ``CodigoSeguridad`` (8
characters; drawn at random when absent).

Derived when absent (and checked when given): FechaEmision (now, -06:00),
NumeroConsecutivo (NumeroConsecutivoReceptor for a Mensaje Receptor), Clave, NumeroLinea,
every line amount and every total (see ``totals``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from hacienda_cr.clave import Clave, Consecutivo
from hacienda_cr.costa_rica_time import now as cr_now
from hacienda_cr.costa_rica_time import parse_datetime, to_costa_rica
from hacienda_cr.documents import annex, rules, totals
from hacienda_cr.documents.tree_data import normalize, to_xml
from hacienda_cr.documents.types import (
    RECEPTOR_TYPE_BY_MENSAJE,
    ROOTS,
    DocumentType,
    check_schema_set,
    default_schema_set,
    document_schema,
    type_for_root,
)
from hacienda_cr.errors import InputError, Issue

NUMERACION_KEYS = ("Sucursal", "Terminal", "Numero", "Situacion", "CodigoSeguridad")
XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'


@dataclass
class BuiltDocument:
    doc_type: DocumentType
    schema_set: str
    root: str
    data: dict  # the document under its root, complete and with parsed values
    tree: etree._Element
    xml: bytes
    clave: str
    consecutivo: str  # NumeroConsecutivo, or NumeroConsecutivoReceptor for a Mensaje Receptor
    fecha: datetime
    warnings: list[Issue] = field(default_factory=list)
    # The document's Canonical XML (inclusive C14N 1.0, what its signature digests) when the
    # writer's output is already canonical (``canonical_body``), else None.
    canonical: bytes | None = None

    @property
    def emisor(self) -> tuple[str, str] | None:
        ident = (self.data.get("Emisor") or {}).get("Identificacion") or {}
        return (ident["Tipo"], ident["Numero"]) if ident.get("Numero") else None

    @property
    def receptor(self) -> tuple[str, str] | None:
        ident = (self.data.get("Receptor") or {}).get("Identificacion") or {}
        return (ident["Tipo"], ident["Numero"]) if ident.get("Numero") else None


def _split_input(data: object) -> tuple[str, dict, dict]:
    if not isinstance(data, dict):
        raise InputError(Issue("", 'the document must be an object such as {"FacturaElectronica": {...}}'))
    roots = [k for k in data if k in ROOTS]
    others = [k for k in data if k not in ROOTS and k != "Numeracion"]
    issues = [
        Issue(
            k,
            f"unknown top-level key {k!r}; expected a document root ({', '.join(sorted(ROOTS))}) and optionally Numeracion",
        )
        for k in others
    ]
    if len(roots) != 1:
        issues.append(
            Issue(
                "",
                f"exactly one document root expected at the top level, found {len(roots)}: {', '.join(roots) or 'none'}",
            )
        )
    if issues:
        raise InputError(issues)
    numeracion = data.get("Numeracion") or {}
    if not isinstance(numeracion, dict):
        raise InputError(Issue("Numeracion", "must be an object"))
    return roots[0], data[roots[0]], numeracion


def _numeracion(raw: dict, issues: list[Issue]) -> dict:
    out = {}
    for key, value in raw.items():
        if key not in NUMERACION_KEYS:
            issues.append(Issue(f"Numeracion/{key}", f"unknown key; expected {', '.join(NUMERACION_KEYS)}"))
        elif key in ("Sucursal", "Terminal", "Numero"):
            try:
                out[key] = int(value)
            except (TypeError, ValueError):
                issues.append(Issue(f"Numeracion/{key}", f"{value!r} is not a whole number"))
        else:
            out[key] = str(value)
    return out


def _consecutivo(doc_type_code: str, numeracion: dict, path: str, issues: list[Issue]) -> Consecutivo | None:
    missing = [k for k in ("Sucursal", "Terminal", "Numero") if k not in numeracion]
    if missing:
        issues.append(Issue(path, f"is required, or give Numeracion with {', '.join(missing)} to derive it"))
        return None
    try:
        return Consecutivo(numeracion["Sucursal"], numeracion["Terminal"], doc_type_code, numeracion["Numero"])
    except InputError as exc:
        issues.extend(Issue(f"Numeracion/{i.path}", i.message) for i in exc.issues)
        return None


def _raw_date(doc: dict, key: str):
    value = doc.get(key)
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return parse_datetime(value)
        except ValueError:
            return None
    return None


def _document_schema(root: str, raw_doc: object, schema_set: str | None, now: datetime | None):
    """(document type, schema set, its schema, the key of the issue date) of a document's data."""
    if not isinstance(raw_doc, dict):
        raise InputError(Issue(root, "must be an object with the document's elements"))
    doc_type = type_for_root(root, raw_doc.get("Mensaje"))
    date_key = "FechaEmisionDoc" if doc_type.family == "receptor" else "FechaEmision"
    if schema_set is None:
        schema_set = default_schema_set(_raw_date(raw_doc, date_key) or now)
    check_schema_set(schema_set)
    return doc_type, schema_set, document_schema(doc_type, schema_set), date_key


def sale_summary(data: object, *, schema_set: str | None = None, now: datetime | None = None) -> dict:
    """The ResumenFactura of a sale document (Factura, Notas, Tiquete, Compra, Exportación) as
    ``build_document`` derives it from the lines and other charges, with parsed values
    (``TotalComprobante`` a Decimal) -- and nothing else: no numbering, rules, XML or signature.
    For a caller that needs a total before the document is complete (e.g. to share it among
    MedioPago entries). Raises ``InputError`` on problems of shape, values or amounts."""
    root, raw_doc, _numeracion_data = _split_input(data)
    doc_type, schema_set, schema, _date_key = _document_schema(root, raw_doc, schema_set, now)
    if doc_type.family != "sale":
        raise InputError(Issue(root, "has no sale totals (ResumenFactura of a sale document)"))
    issues: list[Issue] = []
    doc = normalize(raw_doc, schema.root, root, issues)
    if not issues:
        totals.reconcile_sale(doc, schema.root, root, issues, fill=True)
    issues = annex.drop_disabled(issues)
    if issues:
        raise InputError(issues)
    return doc["ResumenFactura"]


def build_document(data: object, *, schema_set: str | None = None, now: datetime | None = None) -> BuiltDocument:
    """Build one document; raises ``InputError`` listing every problem found."""
    root, raw_doc, raw_numeracion = _split_input(data)
    doc_type, schema_set, schema, date_key = _document_schema(root, raw_doc, schema_set, now)

    issues: list[Issue] = []
    numeracion = _numeracion(raw_numeracion, issues)
    doc = normalize(raw_doc, schema.root, root, issues)
    if issues:  # shape and value problems first: derivations on bad values mislead
        raise InputError(issues)

    if doc.get(date_key) is None:
        doc[date_key] = to_costa_rica(now) if now else cr_now()
    fecha = doc[date_key]

    if doc_type.family == "receptor":
        if doc.get("NumeroConsecutivoReceptor") is None:
            derived = _consecutivo(doc_type.code, numeracion, f"{root}/NumeroConsecutivoReceptor", issues)
            if derived:
                doc["NumeroConsecutivoReceptor"] = str(derived)
        clave = doc.get("Clave")
        if doc.get("Mensaje") is not None and str(doc["Mensaje"]) not in RECEPTOR_TYPE_BY_MENSAJE:
            issues.append(Issue(f"{root}/Mensaje", "must be 1 (aceptado), 2 (aceptado parcialmente) or 3 (rechazado)"))
        consecutivo = doc.get("NumeroConsecutivoReceptor")
    else:
        derived = None
        if doc.get("NumeroConsecutivo") is None:
            derived = _consecutivo(doc_type.code, numeracion, f"{root}/NumeroConsecutivo", issues)
            if derived:
                doc["NumeroConsecutivo"] = str(derived)
        consecutivo = doc.get("NumeroConsecutivo")
        if doc.get("Clave") is None and consecutivo:
            issuer_key = doc_type.parties[0]
            emitter = ((doc.get(issuer_key) or {}).get("Identificacion") or {}).get("Numero")
            if not emitter:
                issues.append(Issue(f"{root}/{issuer_key}/Identificacion/Numero", "is required to derive the Clave"))
            else:
                try:
                    doc["Clave"] = str(
                        Clave.new(
                            fecha.date(),
                            emitter,
                            derived or Consecutivo.parse(consecutivo),
                            numeracion.get("Situacion", "1"),
                            numeracion.get("CodigoSeguridad"),
                            alphanumeric=schema_set != "v4.4",
                        )
                    )
                except InputError as exc:
                    issues.extend(
                        Issue(f"Numeracion/{i.path}" if "/" not in i.path else f"{root}/{i.path}", i.message)
                        for i in exc.issues
                    )
        clave = doc.get("Clave")
        if doc_type.family == "sale":
            totals.reconcile_sale(doc, schema.root, root, issues, fill=True)
        else:
            totals.reconcile_receipt(doc, schema.root, root, issues, fill=True)

    issues.extend(rules.check_document(doc_type, root, doc, schema_set=schema_set))
    body = to_xml(doc, schema.root, schema.namespace, root, issues)
    issues = annex.drop_disabled(issues)
    if issues:
        raise InputError(issues)
    xml = XML_DECLARATION + body
    tree = etree.fromstring(xml)
    return BuiltDocument(
        doc_type, schema_set, root, doc, tree, xml, clave, consecutivo, fecha, canonical=canonical_body(body)
    )


def canonical_body(body: bytes) -> bytes | None:
    """``body`` itself when it is its own Canonical XML (inclusive C14N 1.0), else None.

    What ``to_xml`` writes differs from C14N in two places only: character references (it
    writes ``&#13;`` where C14N writes ``&#xD;``, and ``&#9;``/``&#10;`` in attributes) and
    attributes (C14N sorts them, writes ``>`` in them unescaped). The root's start tag, with
    its ``xmlns="…"``, is the only place of a document without attributes where a ``"`` is
    written, unless a text holds one; when nothing after the root's start tag has a ``"`` and
    there is no character reference, every element is written as C14N writes it (start and end
    tags, no whitespace between, text with ``&`` ``<`` ``>`` escaped, UTF-8) and the
    declaration, which C14N drops, is not part of ``body``. Anything else (rare: an
    ``OtroTexto`` with its ``codigo``, a carriage return, a quotation mark in a text) returns
    None and is canonicalised by libxml2 when signed. Only single-byte searches are made
    (memchr-fast: this runs on every document). ``tests/lib/test_canonical_body.py`` holds
    this against libxml2."""
    if body.find(b'"', body.find(b">")) < 0 and (b"&" not in body or b"&#" not in body):
        return body
    return None
