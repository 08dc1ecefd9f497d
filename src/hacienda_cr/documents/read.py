"""Reading a v4.4 XML document back into the data form (for validation, the simulator and
imports of supplier documents)."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from hacienda_cr.clave import Clave
from hacienda_cr.costa_rica_time import parse_datetime, to_costa_rica
from hacienda_cr.documents.schema_tree import DocumentSchema
from hacienda_cr.documents.tree_data import from_xml
from hacienda_cr.documents.types import (
    MENSAJE_HACIENDA_ROOT,
    DocumentType,
    check_schema_set,
    default_schema_set,
    document_schema,
    mensaje_hacienda_schema,
    type_for_root,
)
from hacienda_cr.errors import InputError, Issue

# XXE and billion-laughs protection: documents come from outside (suppliers, users).
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=False)


@dataclass
class ParsedDocument:
    doc_type: DocumentType | None  # None for a MensajeHacienda
    schema_set: str
    root: str
    namespace: str
    schema: DocumentSchema
    data: dict
    tree: etree._Element
    issues: list[Issue] = field(default_factory=list)  # values that do not fit their element

    @property
    def clave(self) -> str | None:
        return self.data.get("Clave")


def parse_xml(xml: bytes) -> etree._Element:
    """Parse bytes, turning syntax errors into an ``InputError`` with the line."""
    if not isinstance(xml, (bytes, bytearray)):
        raise InputError(Issue("", "the XML must be given as bytes"))
    try:
        return etree.fromstring(bytes(xml), PARSER)
    except etree.XMLSyntaxError as exc:
        raise InputError(Issue(f"line {exc.lineno}", f"not well-formed XML: {exc.msg}")) from None


def detect_schema_set(tree: etree._Element, date_key: str) -> str:
    """The 2026 set when the clave has letters or the date falls in its period."""
    clave = tree.findtext("{*}Clave") or ""
    if any(c.isalpha() for c in clave):
        return "v4.4-2026"
    when = tree.findtext(f"{{*}}{date_key}")
    if when:
        try:
            return default_schema_set(to_costa_rica(parse_datetime(when)))
        except ValueError:
            pass
    try:
        return default_schema_set(Clave.parse(clave).issued)
    except InputError:
        return default_schema_set(None)


def parse_document(xml: bytes | etree._Element, schema_set: str | None = None) -> ParsedDocument:
    tree = xml if isinstance(xml, etree._Element) else parse_xml(xml)
    qname = etree.QName(tree)
    root = qname.localname
    if root == MENSAJE_HACIENDA_ROOT:
        doc_type = None
        schema_set = check_schema_set(schema_set) if schema_set else detect_schema_set(tree, "FechaEmision")
        schema = mensaje_hacienda_schema(schema_set)
    else:
        doc_type = type_for_root(root, tree.findtext("{*}Mensaje"))
        date_key = "FechaEmisionDoc" if doc_type.family == "receptor" else "FechaEmision"
        schema_set = check_schema_set(schema_set) if schema_set else detect_schema_set(tree, date_key)
        schema = document_schema(doc_type, schema_set)
    issues: list[Issue] = []
    if qname.namespace != schema.namespace:
        issues.append(Issue(root, f"namespace is {qname.namespace!r}; v4.4 expects {schema.namespace!r}"))
    data = from_xml(tree, schema.root, root, issues)
    return ParsedDocument(doc_type, schema_set, root, qname.namespace or "", schema, data, tree, issues)
