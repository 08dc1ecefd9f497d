"""Verification of XAdES signatures on Hacienda documents, ours or any other signer's.

Every ``ds:Signature`` in the document is checked:

* cryptography: each Reference digest, and the SignatureValue over C14N(SignedInfo) with
  the certificate in KeyInfo (a bare KeyValue proves nothing about who signed, so a
  certificate is required; a KeyValue next to it must be the certificate's key);
* coverage: one Reference is the whole document (``URI=""``) and one the XAdES
  SignedProperties of this very signature;
* XAdES: SigningTime present and inside the certificate's validity, SigningCertificate
  naming this certificate (digest, serial, issuer);
* strictness on what no digest covers: the XML declaration (version 1.0, UTF-8), text in
  the signature's element-only content, comments inside the signature;
* Hacienda v4.4 profile when ``require_v44_policy``: the v4.4 policy identifier and
  digest, RSA-SHA256 and SHA-256 digests, the signature as a child of the root,
  QualifyingProperties targeting the signature, a DataObjectFormat for the document;
* trust when ``trusted_certs`` is given: the signer is one of them or issued by one.

The input is untrusted (a supplier's e-mail, an answer from the network), so the work is
bounded before it is done: the document's size, the number of signatures, references,
transforms and certificates are capped; only the transforms Hacienda's signatures use are
accepted and no expression from the document is ever evaluated; a certificate that does
not hold an RSA key is refused before its key is parsed. The cheap checks come first
(structure, algorithms, transforms, the SignatureValue over SignedInfo); the document's
digest is computed only for a signature whose SignatureValue verifies.

Several signatures: v4.4 allows up to five, each appended after the previous ones. The
enveloped-signature transform removes only the signature that contains it, so an earlier
signature is checked against the document as it stood when it was made - without the
root-level signatures that follow it - if the standard reading does not match.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import PublicKeyAlgorithmOID
from lxml import etree

from hacienda_cr.errors import InputError
from hacienda_cr.signing.distinguished_names import name_pairs, parse_name_text, rfc4514
from hacienda_cr.signing.keys import certificate_validity
from hacienda_cr.signing.policy import (
    COSTA_RICA,
    DS_NS,
    POLICY_V44,
    RSA_SHA256,
    SHA256,
    SIGNED_PROPERTIES_TYPE,
    XADES_NS,
)
from hacienda_cr.signing.references import (
    CANONICALIZATIONS,
    DIGESTS,
    Canonicalization,
    Document,
    Plan,
    ReferenceError_,
    canonicalize,
    exclusive_prefixes,
)
from hacienda_cr.signing.taxpayer_ids import taxpayer_id_from_certificate
from hacienda_cr.signing.trust import chains_to, load_trusted
from hacienda_cr.signing.xml_input import as_bytes, parse_document

# Limits on untrusted input (the cheapest checks, made before anything is parsed or computed).
# Hacienda's API takes documents up to a few MB; 10 MiB is the simulator's request limit.
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# v4.4 allows up to five signatures (ds:Signature maxOccurs="5"; Anexos y Estructuras p. 59).
MAX_SIGNATURES = 5
# Hacienda's XAdES-EPES signature has three References (document, KeyInfo, SignedProperties).
MAX_REFERENCES = 4
# KeyInfo: the signer's certificate and at most its chain up to the national root.
MAX_CERTIFICATES = 5
MAX_CERTIFICATE_BYTES = 16 * 1024
# Costa Rica's signing keys are RSA-2048 (BCCR) or RSA-2048/4096; a larger modulus only costs time.
MAX_RSA_BITS = 8192

_SIGNATURE_METHODS = {
    "http://www.w3.org/2000/09/xmldsig#rsa-sha1": hashes.SHA1,
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha224": hashes.SHA224,
    RSA_SHA256: hashes.SHA256,
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384": hashes.SHA384,
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512": hashes.SHA512,
}
_WITH_COMMENTS = {
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments",
    "http://www.w3.org/2001/10/xml-exc-c14n#WithComments",
}
_XML_WHITESPACE = re.compile(r"[ \t\r\n]+")
_NOT_XML_WHITESPACE = re.compile(r"[^ \t\r\n]")
_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?"
)


# Attributes the XML-DSig and XAdES 1.3.2 schemas allow on the elements Hacienda signers
# write.  Outside SignedInfo and the referenced elements nothing covers attribute names,
# so an attribute the schema does not know is treated as tampering.
_ALLOWED_ATTRIBUTES = {
    (DS_NS, "Signature"): {"Id"},
    (DS_NS, "SignedInfo"): {"Id"},
    (DS_NS, "CanonicalizationMethod"): {"Algorithm"},
    (DS_NS, "SignatureMethod"): {"Algorithm"},
    (DS_NS, "Reference"): {"Id", "URI", "Type"},
    (DS_NS, "Transforms"): set(),
    (DS_NS, "Transform"): {"Algorithm"},
    (DS_NS, "DigestMethod"): {"Algorithm"},
    (DS_NS, "DigestValue"): set(),
    (DS_NS, "SignatureValue"): {"Id"},
    (DS_NS, "KeyInfo"): {"Id"},
    (DS_NS, "KeyValue"): set(),
    (DS_NS, "RSAKeyValue"): set(),
    (DS_NS, "Modulus"): set(),
    (DS_NS, "Exponent"): set(),
    (DS_NS, "X509Data"): set(),
    (DS_NS, "X509Certificate"): set(),
    (DS_NS, "X509IssuerSerial"): set(),
    (DS_NS, "X509IssuerName"): set(),
    (DS_NS, "X509SerialNumber"): set(),
    (DS_NS, "X509SubjectName"): set(),
    (DS_NS, "Object"): {"Id", "MimeType", "Encoding"},
    (XADES_NS, "QualifyingProperties"): {"Id", "Target"},
    (XADES_NS, "SignedProperties"): {"Id"},
    (XADES_NS, "SignedSignatureProperties"): {"Id"},
    (XADES_NS, "SignedDataObjectProperties"): {"Id"},
    (XADES_NS, "UnsignedProperties"): {"Id"},
    (XADES_NS, "SigningTime"): set(),
    (XADES_NS, "SigningCertificate"): set(),
    (XADES_NS, "Cert"): {"URI"},
    (XADES_NS, "CertDigest"): set(),
    (XADES_NS, "IssuerSerial"): set(),
    (XADES_NS, "SignaturePolicyIdentifier"): set(),
    (XADES_NS, "SignaturePolicyId"): set(),
    (XADES_NS, "SigPolicyId"): set(),
    (XADES_NS, "Identifier"): {"Qualifier"},
    (XADES_NS, "Description"): set(),
    (XADES_NS, "SigPolicyHash"): set(),
    (XADES_NS, "SignerRole"): set(),
    (XADES_NS, "ClaimedRoles"): set(),
    (XADES_NS, "ClaimedRole"): set(),
    (XADES_NS, "DataObjectFormat"): {"ObjectReference"},
    (XADES_NS, "MimeType"): set(),
    (XADES_NS, "Encoding"): set(),
}
_ALLOWED_BY_TAG = {f"{{{ns}}}{local}": names for (ns, local), names in _ALLOWED_ATTRIBUTES.items()}
_NCNAME = re.compile(r"[^\W\d][\w.\-]*")


def _ds(name: str) -> str:
    return f"{{{DS_NS}}}{name}"


def _xades(name: str) -> str:
    return f"{{{XADES_NS}}}{name}"


# -- results -------------------------------------------------------------------------


@dataclass
class SignatureReport:
    """What was found about one ds:Signature."""

    index: int
    signature_id: str | None = None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    signer: x509.Certificate | None = None
    signing_time: datetime | None = None
    policy_identifier: str | None = None
    trusted: bool | None = None

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def taxpayer_id(self) -> tuple[str, str] | None:
        return taxpayer_id_from_certificate(self.signer) if self.signer is not None else None

    def as_dict(self) -> dict:
        return {
            "index": self.index,
            "id": self.signature_id,
            "valid": self.valid,
            "errors": list(self.errors),
            "warnings": list(self.warnings),
            "signer": _certificate_dict(self.signer),
            "signing_time": self.signing_time.isoformat() if self.signing_time else None,
            "policy_identifier": self.policy_identifier,
            "taxpayer_id": _taxpayer_dict(self.taxpayer_id),
            "trusted": self.trusted,
        }


@dataclass
class VerificationResult:
    """The verdict on a document; ``signer`` and friends describe its first signature."""

    valid: bool
    errors: list[str]
    warnings: list[str] = field(default_factory=list)
    signatures: list[SignatureReport] = field(default_factory=list)

    @property
    def _first(self) -> SignatureReport | None:
        return self.signatures[0] if self.signatures else None

    @property
    def signer(self) -> x509.Certificate | None:
        return self._first.signer if self._first else None

    @property
    def signing_time(self) -> datetime | None:
        return self._first.signing_time if self._first else None

    @property
    def policy_identifier(self) -> str | None:
        return self._first.policy_identifier if self._first else None

    @property
    def taxpayer_id(self) -> tuple[str, str] | None:
        return self._first.taxpayer_id if self._first else None

    def __bool__(self) -> bool:
        return self.valid

    def as_dict(self) -> dict:
        return {
            "valid": self.valid,
            "errors": list(self.errors),
            "warnings": list(self.warnings),
            "signer": _certificate_dict(self.signer),
            "signing_time": self.signing_time.isoformat() if self.signing_time else None,
            "policy_identifier": self.policy_identifier,
            "taxpayer_id": _taxpayer_dict(self.taxpayer_id),
            "signatures": [s.as_dict() for s in self.signatures],
        }


def _certificate_dict(cert: x509.Certificate | None) -> dict | None:
    if cert is None:
        return None
    before, after = certificate_validity(cert)
    der = cert.public_bytes(serialization.Encoding.DER)
    return {
        "subject": rfc4514(cert.subject),
        "issuer": rfc4514(cert.issuer),
        "serial_number": str(cert.serial_number),
        "not_valid_before": before.isoformat(),
        "not_valid_after": after.isoformat(),
        "sha256": hashlib.sha256(der).hexdigest(),
    }


def _taxpayer_dict(taxpayer: tuple[str, str] | None) -> dict | None:
    return {"id_type": taxpayer[0], "id_number": taxpayer[1]} if taxpayer else None


# -- helpers -------------------------------------------------------------------------


class _Invalid(Exception):
    """Stops checking one signature: what follows depends on what just failed."""


def _base64(text: str | None, what: str) -> bytes:
    """Strict Base64: XML whitespace allowed, anything non-canonical refused."""
    compact = _XML_WHITESPACE.sub("", text or "")
    if not compact:
        raise ValueError(f"{what} is empty")
    try:
        raw = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{what} is not valid Base64") from None
    if base64.b64encode(raw).decode("ascii") != compact:
        raise ValueError(f"{what} is not canonical Base64")
    return raw


@lru_cache(maxsize=64)
def _certificate(der: bytes) -> x509.Certificate:
    """Load and read every field verification uses now: older cryptography releases
    parse lazily and would otherwise fail later, in the middle of a check.

    Only RSA certificates are read to the end: the key algorithm is checked before the key
    is parsed, because parsing crafted elliptic-curve parameters is where OpenSSL has hung
    (CVE-2022-0778) and Hacienda's signatures are RSA."""
    if len(der) > MAX_CERTIFICATE_BYTES:
        raise ValueError(
            f"a certificate of {len(der)} bytes (certificates of Costa Rica's PKI are under "
            f"{MAX_CERTIFICATE_BYTES // 1024} KiB)"
        )
    with warnings.catch_warnings():
        # Malformed names (e.g. a 16-letter country) only warn; the certificate digest
        # checks decide, and a warning must not become an exception under -W error.
        warnings.simplefilter("ignore")
        try:
            cert = x509.load_der_x509_certificate(der)
            algorithm = cert.public_key_algorithm_oid
            if algorithm != PublicKeyAlgorithmOID.RSAES_PKCS1_v1_5:
                raise ValueError(
                    f"the certificate holds a {getattr(algorithm, '_name', None) or algorithm.dotted_string} "
                    "key, not an RSA key (Hacienda's signatures are RSA)"
                )
            certificate_validity(cert)
            key = cert.public_key()
            _ = (cert.serial_number, cert.issuer, cert.subject)
            if isinstance(key, rsa.RSAPublicKey) and key.key_size > MAX_RSA_BITS:
                raise ValueError(f"an RSA key of {key.key_size} bits (at most {MAX_RSA_BITS} are accepted)")
        except (KeyError, TypeError, OverflowError) as exc:
            # cryptography 46 raises KeyError for a name attribute of an unknown ASN.1 string
            # tag: as unreadable as any other malformed certificate.
            raise ValueError(f"malformed certificate ({type(exc).__name__}: {exc})") from None
    return cert


def _parse_signing_time(text: str) -> tuple[datetime, bool]:
    """(time, had an offset); a time without offset is read as Costa Rica time."""
    match = _DATETIME.fullmatch(text.strip())
    if not match:
        raise ValueError(f"SigningTime {text.strip()!r} is not an xs:dateTime")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    if zone is None:
        tz = COSTA_RICA
    elif zone == "Z":
        tz = timezone.utc
    else:
        sign = -1 if zone[0] == "-" else 1
        tz = timezone(sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6])))
    value = datetime(
        int(year), int(month), int(day), int(hour), int(minute), int(second), micro, tzinfo=tz
    )
    return value, zone is not None


# -- one signature -------------------------------------------------------------------


class _SignatureCheck:
    def __init__(self, doc: Document, signature: etree._Element, report: SignatureReport,
                 *, require_v44: bool, trusted: list[x509.Certificate] | None,
                 intermediates: list[x509.Certificate] = ()):
        self.intermediates = list(intermediates)
        self.doc = doc
        self.signature = signature
        self.report = report
        self.require_v44 = require_v44
        self.trusted = trusted
        # (plan, reference, digest algorithm, expected digest, label) for digests that
        # remove nodes; they run after every other check (see verify_xml).
        self.document_jobs: list[tuple[Plan, etree._Element, str, bytes, str]] = []

    def error(self, message: str) -> None:
        self.report.errors.append(message)

    def profile(self, message: str) -> None:
        """A departure from Hacienda's v4.4 profile: an error only when it is required."""
        if self.require_v44:
            self.report.errors.append(message)
        else:
            self.report.warnings.append(message + " (accepted: v4.4 policy not required)")

    def run(self) -> None:
        try:
            self._check()
        except _Invalid:
            pass
        except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
            # Damaged input that got past the specific checks (e.g. a certificate field
            # cryptography cannot decode) makes the signature invalid, never a crash.
            self.error(f"the signature could not be checked: {exc}")

    def _check(self) -> None:
        sig = self.signature
        self._check_unsigned_parts()
        if self.signature.getparent() is not self.doc.root:
            self.profile("the signature is not a child of the document's root element")
        signed_info = sig.find(_ds("SignedInfo"))
        value_element = sig.find(_ds("SignatureValue"))
        if signed_info is None or value_element is None or sig[0] is not signed_info:
            self.error("the signature has no SignedInfo/SignatureValue")
            raise _Invalid

        c14n_element = signed_info.find(_ds("CanonicalizationMethod"))
        c14n_algorithm = c14n_element.get("Algorithm", "") if c14n_element is not None else ""
        if c14n_algorithm not in CANONICALIZATIONS:
            self.error(f"unsupported canonicalization method {c14n_algorithm or '(none)'}")
            raise _Invalid
        exclusive = CANONICALIZATIONS[c14n_algorithm]
        method = Canonicalization(exclusive, exclusive_prefixes(c14n_element) if exclusive else None)
        method_element = signed_info.find(_ds("SignatureMethod"))
        sig_algorithm = method_element.get("Algorithm", "") if method_element is not None else ""
        hash_class = _SIGNATURE_METHODS.get(sig_algorithm)
        if hash_class is None:
            self.error(f"unsupported signature method {sig_algorithm or '(none)'}")
            raise _Invalid
        if sig_algorithm != RSA_SHA256:
            self.profile(f"the signature method is {sig_algorithm}; Hacienda v4.4 requires RSA-SHA256")
        # Cheap before costly: every Reference and transform is accepted (or not) before a
        # certificate is parsed or anything of the document is canonicalized.
        planned = self._plan_references(signed_info)
        cert = self._signer_certificate(sig.find(_ds("KeyInfo")))
        try:
            signature_value = _base64(value_element.text, "SignatureValue")
        except ValueError as exc:
            self.error(str(exc))
            raise _Invalid from None
        try:
            canonical_signed_info = canonicalize(
                self.doc.root, signed_info, method, with_comments=c14n_algorithm in _WITH_COMMENTS
            )
        except ReferenceError_ as exc:
            self.error(f"SignedInfo: {exc}")
            raise _Invalid from None
        public_key = cert.public_key()
        if not isinstance(public_key, rsa.RSAPublicKey):
            self.error("the signer's certificate does not hold an RSA key")
            raise _Invalid
        try:
            public_key.verify(signature_value, canonical_signed_info, padding.PKCS1v15(), hash_class())
        except (InvalidSignature, ValueError):
            # Nothing SignedInfo says can be believed: its digests are not computed.
            self.error(
                "the SignatureValue does not match SignedInfo: the signed part was changed, "
                "or the signature was not made with the certificate's key"
            )
            raise _Invalid from None

        properties = self._check_references(planned)
        if properties is not None:
            self._check_properties(properties, cert, signed_info)
        if self.trusted is not None:
            intermediates = [c for c in self._embedded_certs if c is not cert] + self.intermediates
            self.report.trusted = chains_to(cert, self.trusted, intermediates)
            if not self.report.trusted:
                self.error(
                    "the signer's certificate is not one of the trusted certificates and was "
                    f"not issued by one ({rfc4514(cert.subject)}, issued by "
                    f"{rfc4514(cert.issuer)})"
                )

    def _check_unsigned_parts(self) -> None:
        """What no digest covers must at least be what the schemas allow."""
        for element in self.signature.iter():
            if not isinstance(element.tag, str):
                self.error(
                    "the signature contains a comment or processing instruction, which no "
                    "digest covers"
                )
                return
            attributes = element.attrib
            if attributes:
                allowed = _ALLOWED_BY_TAG.get(element.tag)
                if allowed is not None:
                    unexpected = [name for name in attributes if name not in allowed]
                    if unexpected:
                        self.error(
                            f"unexpected attribute {unexpected[0]!r} on "
                            f"{etree.QName(element).localname} in the signature (not allowed "
                            "by the XML-DSig/XAdES schemas)"
                        )
                        return
                identifier = attributes.get("Id")
                if identifier is not None and not _NCNAME.fullmatch(identifier):
                    self.error(
                        f"Id {identifier!r} on {etree.QName(element).localname} is not a "
                        "valid XML name"
                    )
                    return
            if len(element):
                texts = [element.text, *(child.tail for child in element)]
                if any(t and _NOT_XML_WHITESPACE.search(t) for t in texts):
                    self.error(
                        f"text inside {etree.QName(element).localname} of the signature, "
                        "where only elements belong (it is covered by no digest)"
                    )
                    return

    def _signer_certificate(self, key_info: etree._Element | None) -> x509.Certificate:
        self._embedded_certs: list[x509.Certificate] = []
        if key_info is None:
            self.error("the signature has no KeyInfo, so the signer cannot be identified")
            raise _Invalid
        embedded = list(key_info.iter(_ds("X509Certificate")))
        if len(embedded) > MAX_CERTIFICATES:
            self.error(
                f"KeyInfo holds {len(embedded)} certificates; at most {MAX_CERTIFICATES} (the "
                "signer's and its chain) are accepted"
            )
            raise _Invalid
        for element in embedded:
            try:
                der = _base64(element.text, "X509Certificate")
                self._embedded_certs.append(_certificate(der))
            except ValueError as exc:
                self.error(f"KeyInfo holds an unreadable certificate: {exc}")
                raise _Invalid from None
        if not self._embedded_certs:
            self.error(
                "KeyInfo holds no X509Certificate; a bare KeyValue does not say who signed"
            )
            raise _Invalid
        cert = self._choose_signer(self._embedded_certs)
        self.report.signer = cert
        for rsa_value in key_info.iter(_ds("RSAKeyValue")):
            try:
                modulus = int.from_bytes(_base64(rsa_value.findtext(_ds("Modulus")), "Modulus"), "big")
                exponent = int.from_bytes(
                    _base64(rsa_value.findtext(_ds("Exponent")), "Exponent"), "big"
                )
            except ValueError as exc:
                self.error(f"KeyInfo holds an unreadable RSAKeyValue: {exc}")
                raise _Invalid from None
            numbers = cert.public_key().public_numbers() if isinstance(
                cert.public_key(), rsa.RSAPublicKey) else None
            if numbers is None or (numbers.n, numbers.e) != (modulus, exponent):
                self.error("the KeyValue in KeyInfo is not the key of the certificate")
                raise _Invalid
        return cert

    def _choose_signer(self, certs: list[x509.Certificate]) -> x509.Certificate:
        """The embedded certificate named by SigningCertificate, else the only/first one."""
        if len(certs) == 1:
            return certs[0]
        wanted = set()
        for digest_value in self.signature.iter(_ds("DigestValue")):
            parent = digest_value.getparent()
            if parent is not None and parent.tag == _xades("CertDigest"):
                try:
                    wanted.add(_base64(digest_value.text, "CertDigest"))
                except ValueError:
                    continue
        for cert in certs:
            der = cert.public_bytes(serialization.Encoding.DER)
            if any(hashlib.new(alg, der).digest() in wanted for alg in ("sha256", "sha1", "sha512")):
                return cert
        return certs[0]

    def _plan_references(self, signed_info: etree._Element) -> list[tuple]:
        """(label, reference, digest algorithm, expected digest, plan) of each acceptable
        Reference; nothing is digested yet."""
        references = list(signed_info.iterchildren(_ds("Reference")))
        if not references:
            self.error("SignedInfo has no Reference")
            raise _Invalid
        if len(references) > MAX_REFERENCES:
            self.error(
                f"SignedInfo has {len(references)} References; a Hacienda signature has three "
                f"(at most {MAX_REFERENCES} are accepted)"
            )
            raise _Invalid
        planned = []
        for number, reference in enumerate(references, 1):
            uri = reference.get("URI")
            label = f"Reference {number} (URI={uri if uri is None else uri[:80]!r})"
            if uri is None:
                self.error(f"{label} has no URI attribute")
                continue
            digest_method = reference.find(_ds("DigestMethod"))
            algorithm_uri = digest_method.get("Algorithm", "") if digest_method is not None else ""
            algorithm = DIGESTS.get(algorithm_uri)
            if algorithm is None:
                self.error(f"{label} uses an unsupported digest method {algorithm_uri[:100] or '(none)'}")
                continue
            if algorithm_uri != SHA256:
                self.profile(f"{label} uses {algorithm_uri}; Hacienda v4.4 requires SHA-256")
            try:
                expected = _base64(reference.findtext(_ds("DigestValue")), f"{label} DigestValue")
                plan = self.doc.plan(reference, self.signature)
            except (ValueError, ReferenceError_) as exc:
                self.error(f"{label}: {exc}")
                continue
            planned.append((label, reference, algorithm, expected, plan))
        return planned

    def _check_references(self, planned: list[tuple]) -> etree._Element | None:
        """Digest each planned Reference (those that remove nodes later, see verify_xml);
        return the SignedProperties element they cover."""
        properties = None
        covers_document = False
        for label, reference, algorithm, expected, plan in planned:
            if plan.apex is None:
                covers_document = True
            elif plan.apex.tag == _xades("SignedProperties"):
                if properties is not None and properties is not plan.apex:
                    self.error("more than one SignedProperties is referenced")
                properties = plan.apex
            elif reference.get("Type") == SIGNED_PROPERTIES_TYPE:
                self.error(f"{label} is typed SignedProperties but points to another element")
            if plan.needs_removal():
                self.document_jobs.append((plan, reference, algorithm, expected, label))
                continue
            try:
                digest = self.doc.digest(plan, algorithm)
            except ReferenceError_ as exc:
                self.error(f"{label}: {exc}")
                continue
            if digest != expected:
                self.error(f"{label}: the digest does not match; the referenced content was changed")
        if not covers_document:
            self.error('no Reference covers the whole document (URI=""): the document is not signed')
        if properties is None:
            self.error("no Reference covers XAdES SignedProperties: this is not a XAdES signature")
        elif not self._belongs_here(properties):
            self.error("the referenced SignedProperties belong to another signature")
            properties = None
        return properties

    def _belongs_here(self, properties: etree._Element) -> bool:
        qualifying = properties.getparent()
        obj = qualifying.getparent() if qualifying is not None else None
        return (
            qualifying is not None
            and qualifying.tag == _xades("QualifyingProperties")
            and obj is not None
            and obj.tag == _ds("Object")
            and obj.getparent() is self.signature
        )

    def _check_properties(self, properties: etree._Element, cert: x509.Certificate,
                          signed_info: etree._Element) -> None:
        qualifying = properties.getparent()
        signature_id = self.signature.get("Id")
        if not signature_id or qualifying.get("Target") != f"#{signature_id}":
            self.profile(
                f"QualifyingProperties Target={qualifying.get('Target')!r} does not point to "
                f"this signature (Id={signature_id!r})"
            )
        signed_signature = properties.find(_xades("SignedSignatureProperties"))
        if signed_signature is None:
            self.error("SignedProperties has no SignedSignatureProperties")
            return
        self._check_signing_time(signed_signature.find(_xades("SigningTime")), cert)
        self._check_signing_certificate(signed_signature.find(_xades("SigningCertificate")), cert)
        self._check_policy(signed_signature.find(_xades("SignaturePolicyIdentifier")))
        self._check_data_object_format(properties, signed_info)

    def _check_signing_time(self, element: etree._Element | None, cert: x509.Certificate) -> None:
        if element is None or not (element.text or "").strip():
            self.error("SignedProperties has no SigningTime")
            return
        try:
            when, had_offset = _parse_signing_time(element.text)
        except ValueError as exc:
            self.error(str(exc))
            return
        self.report.signing_time = when
        if not had_offset:
            self.profile(f"SigningTime {element.text.strip()!r} has no UTC offset")
        before, after = certificate_validity(cert)
        if not before <= when <= after:
            self.error(
                f"SigningTime {when.isoformat()} is outside the certificate's validity "
                f"({before.isoformat()} to {after.isoformat()})"
            )

    def _check_signing_certificate(self, element: etree._Element | None,
                                   cert: x509.Certificate) -> None:
        if element is None:
            self.error("SignedProperties has no SigningCertificate")
            return
        der = cert.public_bytes(serialization.Encoding.DER)
        for cert_element in element.iterchildren(_xades("Cert")):
            method = cert_element.find(f"{_xades('CertDigest')}/{_ds('DigestMethod')}")
            algorithm_uri = method.get("Algorithm", "") if method is not None else ""
            algorithm = DIGESTS.get(algorithm_uri)
            try:
                value = _base64(
                    cert_element.findtext(f"{_xades('CertDigest')}/{_ds('DigestValue')}"),
                    "CertDigest",
                )
            except ValueError as exc:
                self.error(f"SigningCertificate: {exc}")
                return
            if algorithm is None or hashlib.new(algorithm, der).digest() != value:
                continue
            if algorithm_uri != SHA256:
                self.profile(
                    f"SigningCertificate uses digest {algorithm_uri}; Hacienda v4.4 requires SHA-256"
                )
            self._check_issuer_serial(cert_element.find(_xades("IssuerSerial")), cert)
            return
        self.error(
            "SigningCertificate does not name the certificate in KeyInfo (no CertDigest matches)"
        )

    def _check_issuer_serial(self, element: etree._Element | None, cert: x509.Certificate) -> None:
        if element is None:
            self.error("SigningCertificate has no IssuerSerial")
            return
        serial_text = (element.findtext(_ds("X509SerialNumber")) or "").strip()
        if not serial_text.isdigit() or int(serial_text) != cert.serial_number:
            self.error(
                f"SigningCertificate serial number {serial_text!r} is not the certificate's "
                f"({cert.serial_number})"
            )
        issuer_text = element.findtext(_ds("X509IssuerName")) or ""
        written = parse_name_text(issuer_text)
        if written is None:
            self.report.warnings.append(
                f"SigningCertificate issuer name {issuer_text!r} could not be interpreted"
            )
        elif written != name_pairs(cert.issuer):
            self.error(
                f"SigningCertificate issuer {issuer_text!r} is not the certificate's issuer "
                f"({rfc4514(cert.issuer)})"
            )

    def _check_policy(self, element: etree._Element | None) -> None:
        policy_id = element.find(_xades("SignaturePolicyId")) if element is not None else None
        if policy_id is None:
            self.profile("the signature names no signature policy (Hacienda v4.4 requires its policy)")
            return
        identifier = (policy_id.findtext(f"{_xades('SigPolicyId')}/{_xades('Identifier')}") or "").strip()
        self.report.policy_identifier = identifier or None
        method = policy_id.find(f"{_xades('SigPolicyHash')}/{_ds('DigestMethod')}")
        digest_algorithm = method.get("Algorithm", "") if method is not None else ""
        digest_value = _XML_WHITESPACE.sub(
            "", policy_id.findtext(f"{_xades('SigPolicyHash')}/{_ds('DigestValue')}") or ""
        )
        if identifier != POLICY_V44.identifier:
            self.profile(
                f"the signature policy is {identifier!r}, not Hacienda's v4.4 policy "
                f"({POLICY_V44.identifier})"
            )
        elif (digest_algorithm, digest_value) != (POLICY_V44.digest_algorithm, POLICY_V44.digest_value):
            self.profile(
                f"the v4.4 signature policy digest is {digest_value!r} ({digest_algorithm}); "
                f"expected the SHA-256 digest {POLICY_V44.digest_value}"
            )

    def _check_data_object_format(self, properties: etree._Element,
                                  signed_info: etree._Element) -> None:
        reference_ids = {
            r.get("Id"): r.get("URI") for r in signed_info.iterchildren(_ds("Reference")) if r.get("Id")
        }
        formats = list(properties.iter(_xades("DataObjectFormat")))
        document_formatted = False
        for data_format in formats:
            target = data_format.get("ObjectReference", "")
            if not target.startswith("#") or target[1:] not in reference_ids:
                self.error(f"DataObjectFormat ObjectReference={target!r} names no Reference here")
                continue
            if reference_ids[target[1:]] == "":
                document_formatted = True
                mime = (data_format.findtext(_xades("MimeType")) or "").strip()
                if mime != "text/xml":
                    self.profile(f"the document's DataObjectFormat MimeType is {mime!r}, not text/xml")
        if not document_formatted:
            self.profile("no DataObjectFormat describes the signed document (text/xml)")


# -- the document --------------------------------------------------------------------


def _later_root_signatures(doc: Document, signature: etree._Element) -> list[etree._Element]:
    if signature.getparent() is not doc.root:
        return []
    return [s for s in signature.itersiblings() if isinstance(s.tag, str) and s.tag == _ds("Signature")]


def _check_document_digest(doc: Document, check: _SignatureCheck, plan: Plan, algorithm: str,
                           expected: bytes, label: str) -> None:
    later = _later_root_signatures(doc, check.signature)
    try:
        if doc.digest(plan, algorithm) == expected:
            return
        if later and any(e is check.signature for e in plan.excluded):
            earlier = Plan(plan.apex, [*plan.excluded, *later], plan.method)
            if doc.digest(earlier, algorithm) == expected:
                check.report.warnings.append(
                    f"{label}: verified over the document as it was before the "
                    f"{len(later)} later signature(s) were appended"
                )
                return
    except ReferenceError_ as exc:
        check.report.errors.append(f"{label}: {exc}")
        return
    check.report.errors.append(
        f"{label}: the digest does not match; the document was changed after signing"
    )


def verify_xml(
    xml: bytes,
    *,
    trusted_certs: list | None = None,
    require_v44_policy: bool = True,
    intermediate_certs: list | None = None,
) -> VerificationResult:
    """Verify every signature of ``xml``; raise InputError only for unreadable input.

    ``trusted_certs`` are trust anchors; ``intermediate_certs`` (not trusted themselves)
    complete a chain from a signer whose signature embeds its own certificate only."""
    data = as_bytes(xml)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise InputError(
            f"the XML document has {len(data)} bytes; documents over {MAX_DOCUMENT_BYTES // (1024 * 1024)} "
            "MiB are not verified"
        )
    parsed = parse_document(data)
    trusted = load_trusted(trusted_certs) if trusted_certs is not None else None
    intermediates = load_trusted(intermediate_certs) if intermediate_certs else []
    doc = Document(parsed)
    errors: list[str] = []
    warnings: list[str] = []
    if parsed.declaration_problem:
        errors.append(parsed.declaration_problem)
    signatures = doc.signatures
    if not signatures:
        return VerificationResult(False, ["the document carries no signature (ds:Signature)"])
    if len(signatures) > MAX_SIGNATURES:
        return VerificationResult(False, [
            f"the document carries {len(signatures)} signatures; Hacienda's documents have at "
            f"most {MAX_SIGNATURES}"
        ])
    if b"<!--" in parsed.data and doc.root.getroottree().xpath("//comment()"):
        warnings.append("the document contains comments, which no signature covers")

    checks = []
    for index, signature in enumerate(signatures, 1):
        report = SignatureReport(index=index, signature_id=signature.get("Id"))
        check = _SignatureCheck(doc, signature, report, require_v44=require_v44_policy,
                                trusted=trusted, intermediates=intermediates)
        check.run()
        checks.append(check)

    # Digests that remove nodes come last, once every signature's cheap checks are done.
    for check in checks:
        for plan, _reference, algorithm, expected, label in check.document_jobs:
            _check_document_digest(doc, check, plan, algorithm, expected, label)

    reports = [c.report for c in checks]
    many = len(reports) > 1
    for report in reports:
        prefix = f"signature {report.index} of {len(reports)}: " if many else ""
        errors.extend(prefix + e for e in report.errors)
        warnings.extend(prefix + w for w in report.warnings)
    return VerificationResult(valid=not errors, errors=errors, warnings=warnings, signatures=reports)
