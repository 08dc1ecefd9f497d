"""XAdES-EPES signing for Hacienda v4.4, byte-stable and with one parse per document.

How a document is signed:

1. The input bytes are parsed once; the digest of the document reference is the SHA-256 of
   the whole document in inclusive C14N without comments, computed by libxml2 in the
   document's own context (whatever namespaces the root declares) - or, when the caller
   wrote the document and vouches that its bytes are already canonical
   (``canonical_document``, the builder's ``BuiltDocument.canonical``), of those bytes.
2. The signature is written directly in canonical form: every element this module emits has
   a fixed shape, so the canonical bytes of SignedInfo, KeyInfo and SignedProperties are
   produced by string formatting with the namespace declarations (and ``xml:*``
   attributes) they inherit from the root - no second parse, no re-serialisation.
3. The serialized ``ds:Signature`` is inserted immediately before the root's closing tag.
   Every input byte survives; the enveloped-signature transform removes exactly the
   inserted element, so the document digest is the one computed in step 1.
"""

from __future__ import annotations

import base64
import hashlib
import re
import uuid
from datetime import datetime

from lxml import etree

from hacienda_cr.errors import InputError
from hacienda_cr.signing import canonical_text as c14n
from hacienda_cr.signing.keys import SigningKey
from hacienda_cr.signing.policy import (
    C14N,
    COSTA_RICA,
    DS_NS,
    ENVELOPED,
    POLICY_V44,
    RSA_SHA256,
    SHA256,
    SIGNED_PROPERTIES_TYPE,
    XADES_NS,
    XML_NS,
)
from hacienda_cr.signing.references import C14N_FAILURE
from hacienda_cr.signing.xml_input import already_parsed, parse_document

_XML_ATTR_PREFIX = "{" + XML_NS + "}"
# libxml2 releases disagree on how C14N writes "&" in a namespace URI ("&", "&#38;"), so a
# document declaring one cannot be signed reproducibly; real documents never do.
_AMPERSAND_IN_NAMESPACE = re.compile(rb"""xmlns(?::[^\s=]+)?\s*=\s*(?:"[^"]*&|'[^']*&)""")
_DIGEST_METHOD = f'<ds:DigestMethod Algorithm="{SHA256}"></ds:DigestMethod>'


def signing_time_text(value: datetime | None) -> tuple[datetime, str]:
    """The SigningTime to write: the call time (or ``value``) in Costa Rica, -06:00 offset.

    A naive ``value`` is taken as Costa Rica local time, as everywhere in this project.
    """
    if value is None:
        value = datetime.now(COSTA_RICA)
    elif not isinstance(value, datetime):
        raise InputError(f"signing_time must be a datetime, got {type(value).__name__}")
    elif value.tzinfo is None:
        value = value.replace(tzinfo=COSTA_RICA)
    else:
        value = value.astimezone(COSTA_RICA)
    value = value.replace(microsecond=0)
    return value, value.isoformat()


def _namespace_declarations(in_scope: dict) -> str:
    """Canonical namespace declarations of an apex element: default first, then by prefix."""
    parts = []
    default = in_scope.get(None)
    if default:
        parts.append(f' xmlns="{c14n.attribute(default)}"')
    for prefix in sorted(p for p in in_scope if p is not None):
        parts.append(f' xmlns:{prefix}="{c14n.attribute(in_scope[prefix])}"')
    return "".join(parts)


def _inherited_xml_attributes(root: etree._Element) -> str:
    """``xml:lang`` and friends on the root: inclusive C14N copies them onto every apex."""
    found = sorted(
        (name[len(_XML_ATTR_PREFIX) :], value)
        for name, value in root.attrib.items()
        if name.startswith(_XML_ATTR_PREFIX)
    )
    return "".join(f' xml:{name}="{c14n.attribute(value)}"' for name, value in found)


_apex_cache: dict[tuple, tuple[str, str, str]] = {}


def _apex_context(root: etree._Element) -> tuple[str, str, str]:
    """What every apex of the signature inherits from the root, as canonical text.

    (declarations for ds: elements, for xades: elements, inherited xml:* attributes);
    documents of one kind share a root, so the result is cached by the root's shape.
    """
    shape = (
        tuple(root.nsmap.items()),
        tuple((k, v) for k, v in root.attrib.items() if k.startswith(_XML_ATTR_PREFIX)),
    )
    cached = _apex_cache.get(shape)
    if cached is not None:
        return cached
    in_scope = dict(root.nsmap)
    in_scope["ds"] = DS_NS
    ns_ds = _namespace_declarations(in_scope)
    in_scope["xades"] = XADES_NS
    result = (ns_ds, _namespace_declarations(in_scope), _inherited_xml_attributes(root))
    if len(_apex_cache) >= 256:
        _apex_cache.clear()
    _apex_cache[shape] = result
    return result


def _root_qname(root: etree._Element) -> bytes:
    local = etree.QName(root).localname
    return (f"{root.prefix}:{local}" if root.prefix else local).encode("utf-8")


def _insertion_point(data: bytes, root: etree._Element) -> tuple[int, int, bool]:
    """Where the root's content ends: (offset, end of the root element, self-closing?).

    Found from the end of the file: skip the comments and processing instructions that
    lxml says follow the root, then the root's end tag must be the last markup.
    """
    pos = len(data.rstrip(b" \t\r\n"))
    for node in reversed(list(root.itersiblings())):
        if isinstance(node, etree._Comment):
            start = data.rfind(b"<!--", 0, pos - 3) if data.endswith(b"-->", 0, pos) else -1
        elif isinstance(node, etree._ProcessingInstruction):
            start = (
                data.rfind(b"<?" + node.target.encode("utf-8"), 0, pos)
                if data.endswith(b"?>", 0, pos)
                else -1
            )
        else:
            start = -1
        if start < 0:
            break
        pos = len(data[:start].rstrip(b" \t\r\n"))
    qname = _root_qname(root)
    if pos > 0 and data[pos - 1 : pos] == b">":
        close = data.rfind(b"</", 0, pos)
        if close >= 0 and data[close + 2 : pos - 1].rstrip(b" \t\r\n") == qname:
            return close, pos, False
        if (
            len(root) == 0
            and not root.text
            and data[pos - 2 : pos] == b"/>"
            and data.rfind(b"<" + qname, 0, pos) >= 0
        ):
            return pos - 2, pos, True
    raise InputError(
        f"could not find the closing tag </{qname.decode()}> of the root element at the end "
        "of the document"
    )


def sign_xml(
    xml: bytes,
    key: SigningKey,
    *,
    signing_time: datetime | None = None,
    parsed_root: etree._Element | None = None,
    canonical_document: bytes | None = None,
) -> bytes:
    """Return ``xml`` with a Hacienda v4.4 XAdES-EPES signature appended to its root.

    The result is the input with one ``ds:Signature`` inserted before the root's closing
    tag; nothing else changes.  A document that already carries signatures gets one more.
    ``parsed_root``: the root element parsed from exactly these bytes, when the caller has
    it (``issuing`` does), so they are not parsed a second time.
    ``canonical_document``: the Canonical XML of exactly these bytes, when the caller wrote
    them in canonical form and knows it (``BuiltDocument.canonical``), so libxml2's C14N pass
    is not run again; the document digest is the SHA-256 of these bytes.
    """
    if not isinstance(key, SigningKey):
        raise InputError(f"key must be a SigningKey, got {type(key).__name__}")
    when, when_text = signing_time_text(signing_time)
    key.check_usable(when)
    parsed = parse_document(xml) if parsed_root is None else already_parsed(xml, parsed_root)
    if parsed.declaration_problem:
        raise InputError(parsed.declaration_problem)
    data, root = parsed.data, parsed.root
    if b"&" in data and _AMPERSAND_IN_NAMESPACE.search(data):
        raise InputError(
            "the document declares a namespace URI containing '&'; XML canonicalization "
            "implementations disagree on how to write it, so the signature could not be "
            "verified reliably (Hacienda documents use plain namespace URIs)"
        )
    offset, root_end, self_closing = _insertion_point(data, root)

    if canonical_document is None:
        try:
            canonical_document = etree.tostring(
                parsed.tree, method="c14n", exclusive=False, with_comments=False
            )
        except etree.C14NError:
            raise InputError(
                f"the document cannot be signed: {C14N_FAILURE}"
            ) from None
    document_digest = hashlib.sha256(canonical_document).digest()

    ids = uuid.uuid4().hex
    signature_id = f"Signature-{ids}"
    reference_id = f"Reference-{ids}"
    keyinfo_id = f"KeyInfo-{ids}"
    properties_id = f"SignedProperties-{ids}"

    ns_ds, ns_xades, xml_attrs = _apex_context(root)

    keyinfo_inner = (
        "<ds:X509Data><ds:X509Certificate>"
        f"{key._cert_b64}"
        "</ds:X509Certificate></ds:X509Data></ds:KeyInfo>"
    )
    keyinfo_digest = hashlib.sha256(
        f'<ds:KeyInfo{ns_ds} Id="{keyinfo_id}"{xml_attrs}>{keyinfo_inner}'.encode()
    ).digest()

    properties_inner = (
        "<xades:SignedSignatureProperties>"
        f"<xades:SigningTime>{when_text}</xades:SigningTime>"
        "<xades:SigningCertificate><xades:Cert><xades:CertDigest>"
        f"{_DIGEST_METHOD}<ds:DigestValue>{key._cert_sha256_b64}</ds:DigestValue>"
        "</xades:CertDigest><xades:IssuerSerial>"
        f"<ds:X509IssuerName>{c14n.text(key._issuer_name)}</ds:X509IssuerName>"
        f"<ds:X509SerialNumber>{key._serial_text}</ds:X509SerialNumber>"
        "</xades:IssuerSerial></xades:Cert></xades:SigningCertificate>"
        "<xades:SignaturePolicyIdentifier><xades:SignaturePolicyId><xades:SigPolicyId>"
        f"<xades:Identifier>{c14n.text(POLICY_V44.identifier)}</xades:Identifier>"
        "</xades:SigPolicyId><xades:SigPolicyHash>"
        f'<ds:DigestMethod Algorithm="{POLICY_V44.digest_algorithm}"></ds:DigestMethod>'
        f"<ds:DigestValue>{POLICY_V44.digest_value}</ds:DigestValue>"
        "</xades:SigPolicyHash></xades:SignaturePolicyId></xades:SignaturePolicyIdentifier>"
        "</xades:SignedSignatureProperties>"
        "<xades:SignedDataObjectProperties>"
        f'<xades:DataObjectFormat ObjectReference="#{reference_id}">'
        "<xades:MimeType>text/xml</xades:MimeType>"
        "</xades:DataObjectFormat></xades:SignedDataObjectProperties></xades:SignedProperties>"
    )
    properties_digest = hashlib.sha256(
        f'<xades:SignedProperties{ns_xades} Id="{properties_id}"{xml_attrs}>'
        f"{properties_inner}".encode()
    ).digest()

    signed_info_inner = (
        f'<ds:CanonicalizationMethod Algorithm="{C14N}"></ds:CanonicalizationMethod>'
        f'<ds:SignatureMethod Algorithm="{RSA_SHA256}"></ds:SignatureMethod>'
        f'<ds:Reference Id="{reference_id}" URI="">'
        f'<ds:Transforms><ds:Transform Algorithm="{ENVELOPED}"></ds:Transform></ds:Transforms>'
        f"{_DIGEST_METHOD}<ds:DigestValue>{_b64(document_digest)}</ds:DigestValue>"
        "</ds:Reference>"
        f'<ds:Reference URI="#{keyinfo_id}">'
        f"{_DIGEST_METHOD}<ds:DigestValue>{_b64(keyinfo_digest)}</ds:DigestValue>"
        "</ds:Reference>"
        f'<ds:Reference Type="{SIGNED_PROPERTIES_TYPE}" URI="#{properties_id}">'
        f"{_DIGEST_METHOD}<ds:DigestValue>{_b64(properties_digest)}</ds:DigestValue>"
        "</ds:Reference></ds:SignedInfo>"
    )
    signature_value = key.sign_rsa_sha256(
        f"<ds:SignedInfo{ns_ds}{xml_attrs}>{signed_info_inner}".encode()
    )

    signature = (
        f'<ds:Signature xmlns:ds="{DS_NS}" Id="{signature_id}">'
        f"<ds:SignedInfo>{signed_info_inner}"
        f"<ds:SignatureValue>{_b64(signature_value)}</ds:SignatureValue>"
        f'<ds:KeyInfo Id="{keyinfo_id}">{keyinfo_inner}'
        f'<ds:Object><xades:QualifyingProperties xmlns:xades="{XADES_NS}" '
        f'Target="#{signature_id}">'
        f'<xades:SignedProperties Id="{properties_id}">{properties_inner}'
        "</xades:QualifyingProperties></ds:Object></ds:Signature>"
    ).encode()

    if self_closing:
        return b"".join(
            (data[:offset], b">", signature, b"</", _root_qname(root), b">", data[root_end:])
        )
    return b"".join((data[:offset], signature, data[offset:]))


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")
