"""Reading a document to sign or verify: UTF-8 only, well-formed, no DTD.

Signing and verification must see the document exactly as Hacienda will, so the parser
never resolves entities, never touches the network and keeps every text node; a DOCTYPE is
refused because a DTD can change attribute values and entity text behind the signature.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from lxml import etree

from hacienda_cr.errors import InputError

_BOM = b"\xef\xbb\xbf"
_S = rb"[ \t\r\n]+"
_EQ = rb"[ \t\r\n]*=[ \t\r\n]*"
# The XML declaration production of XML 1.0, narrowed to what Hacienda accepts: version
# 1.0 and, when an encoding is declared, UTF-8.  The XML declaration is outside every
# signature's digest, so this check is what makes a changed declaration detectable.
_GOOD_DECLARATION = re.compile(
    rb"<\?xml" + _S + rb"version" + _EQ + rb"(?:\"1\.0\"|'1\.0')"
    rb"(?:" + _S + rb"encoding" + _EQ + rb"(?:\"(?i:utf-8)\"|'(?i:utf-8)'))?"
    rb"(?:" + _S + rb"standalone" + _EQ + rb"(?:\"(?:yes|no)\"|'(?:yes|no)'))?"
    rb"[ \t\r\n]*\?>"
)
_DECLARATION_START = re.compile(rb"<\?xml[ \t\r\n]")

_local = threading.local()


def _parser() -> etree.XMLParser:
    # lxml parsers keep per-parse state: one per thread is safe under threaded servers.
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            remove_blank_text=False,
            collect_ids=False,
        )
        _local.parser = parser
    return parser


@dataclass
class ParsedXml:
    data: bytes
    root: etree._Element
    declaration_problem: str | None  # why the XML declaration is not acceptable, if it is not

    @property
    def tree(self) -> etree._ElementTree:
        return self.root.getroottree()


def as_bytes(xml: object, what: str = "the XML document") -> bytes:
    if isinstance(xml, bytes):
        return xml
    if isinstance(xml, (bytearray, memoryview)):
        return bytes(xml)
    if isinstance(xml, str):
        raise InputError(
            f"{what} must be given as bytes (the UTF-8 file content), not as a str: "
            "decoding and re-encoding could change the signed bytes"
        )
    raise InputError(f"{what} must be bytes, got {type(xml).__name__}")


def _check_declaration(data: bytes) -> str | None:
    body = data[len(_BOM) :] if data.startswith(_BOM) else data
    if body.startswith((b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")):
        return "the document is not UTF-8 (it looks like UTF-16); Hacienda accepts only UTF-8"
    if not _DECLARATION_START.match(body):
        return None
    if _GOOD_DECLARATION.match(body):
        return None
    end = body.find(b"?>")
    shown = body[: end + 2 if 0 <= end < 200 else 60].decode("utf-8", "replace")
    return (
        f"the XML declaration {shown!r} is not acceptable: it must declare version 1.0 and, "
        "if it names an encoding, UTF-8 (Hacienda accepts only UTF-8)"
    )


def parse_document(xml: object, what: str = "the XML document") -> ParsedXml:
    """Parse ``xml``; raise InputError when it is not well-formed XML with a root element."""
    data = as_bytes(xml, what)
    if not data.strip():
        raise InputError(f"{what} is empty")
    declaration_problem = _check_declaration(data)
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        message = str(exc.msg or exc).replace("(<string>, ", "(").strip()
        if "Document is empty" in message or "Start tag expected" in message:
            raise InputError(f"{what} has no root element ({message})") from None
        raise InputError(f"{what} is not well-formed XML: {message}") from None
    except ValueError as exc:  # e.g. unsupported encodings reported outside the XML parser
        raise InputError(f"{what} could not be read as XML: {exc}") from None
    if root is None:
        raise InputError(f"{what} has no root element")
    return _checked(data, root, declaration_problem, what)


def already_parsed(xml: object, root: etree._Element, what: str = "the XML document") -> ParsedXml:
    """``parse_document`` for bytes the caller has just parsed into ``root`` itself (the
    builder parses what it writes, for the XSD): the same checks, without parsing twice."""
    data = as_bytes(xml, what)
    return _checked(data, root, _check_declaration(data), what)


def _checked(data: bytes, root: etree._Element, declaration_problem: str | None, what: str) -> ParsedXml:
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise InputError(
            f"{what} has a DOCTYPE declaration; Hacienda documents have none and a DTD can "
            "change the signed content"
        )
    return ParsedXml(data=data, root=root, declaration_problem=declaration_problem)
