"""Distinguished names as XAdES writes them in IssuerSerial/X509IssuerName.

Writing: RFC 4514 (most specific RDN first, ``,`` between RDNs, dotted OIDs for attribute
types RFC 4514 gives no keyword), done here rather than with ``Name.rfc4514_string()`` so
the bytes do not depend on the installed cryptography release.

Reading: signers in the wild write the same name in several styles (``CN=…, O=…``,
``C=CR, O=…`` in reverse order, ``commonName=…``, ``2.5.4.5=…`` or ``serialNumber=…``), so
a name is compared as the multiset of its (attribute type, value) pairs (cached: treat the
returned Counters as read-only).
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from cryptography import x509

_RFC4514_KEYWORDS = {
    "2.5.4.3": "CN",
    "2.5.4.7": "L",
    "2.5.4.8": "ST",
    "2.5.4.10": "O",
    "2.5.4.11": "OU",
    "2.5.4.6": "C",
    "2.5.4.9": "STREET",
    "0.9.2342.19200300.100.1.25": "DC",
    "0.9.2342.19200300.100.1.1": "UID",
}

_KEYWORD_OIDS = {
    "cn": "2.5.4.3",
    "commonname": "2.5.4.3",
    "sn": "2.5.4.4",
    "surname": "2.5.4.4",
    "serialnumber": "2.5.4.5",
    "c": "2.5.4.6",
    "countryname": "2.5.4.6",
    "l": "2.5.4.7",
    "localityname": "2.5.4.7",
    "st": "2.5.4.8",
    "s": "2.5.4.8",
    "stateorprovincename": "2.5.4.8",
    "street": "2.5.4.9",
    "streetaddress": "2.5.4.9",
    "o": "2.5.4.10",
    "organizationname": "2.5.4.10",
    "ou": "2.5.4.11",
    "organizationalunitname": "2.5.4.11",
    "t": "2.5.4.12",
    "title": "2.5.4.12",
    "g": "2.5.4.42",
    "gn": "2.5.4.42",
    "givenname": "2.5.4.42",
    "initials": "2.5.4.43",
    "generationqualifier": "2.5.4.44",
    "dnq": "2.5.4.46",
    "dnqualifier": "2.5.4.46",
    "pseudonym": "2.5.4.65",
    "organizationidentifier": "2.5.4.97",
    "uid": "0.9.2342.19200300.100.1.1",
    "userid": "0.9.2342.19200300.100.1.1",
    "dc": "0.9.2342.19200300.100.1.25",
    "domaincomponent": "0.9.2342.19200300.100.1.25",
    "e": "1.2.840.113549.1.9.1",
    "email": "1.2.840.113549.1.9.1",
    "emailaddress": "1.2.840.113549.1.9.1",
}

_OID = re.compile(r"(?:oid\.)?(\d+(?:\.\d+)+)", re.IGNORECASE)


def _escape_value(value: str) -> str:
    out = []
    for i, ch in enumerate(value):
        if ch in ',+"\\<>;' or (ch == "#" and i == 0) or (ch == " " and i in (0, len(value) - 1)):
            out.append("\\" + ch)
        elif ch == "\x00":
            out.append("\\00")
        else:
            out.append(ch)
    return "".join(out)


def rfc4514(name: x509.Name) -> str:
    rdns = []
    for rdn in reversed(name.rdns):
        parts = []
        for attribute in rdn:
            oid = attribute.oid.dotted_string
            if isinstance(attribute.value, str):
                keyword = _RFC4514_KEYWORDS.get(oid, oid)
                parts.append(f"{keyword}={_escape_value(attribute.value)}")
            else:  # binary values (rare): cryptography knows their DER encoding
                parts.append(attribute.rfc4514_string())
        rdns.append("+".join(parts))
    return ",".join(rdns)


def _split(text: str, separators: str) -> list[str]:
    """Split at unescaped, unquoted separator characters."""
    parts, current, i, quoted = [], [], 0, False
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            current.append(text[i : i + 2])
            i += 2
            continue
        if ch == '"':
            quoted = not quoted
        elif ch in separators and not quoted:
            parts.append("".join(current))
            current = []
            i += 1
            continue
        current.append(ch)
        i += 1
    parts.append("".join(current))
    return parts


def _unescape(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    if value.startswith("#"):
        return _decode_hex_der_string(value[1:])
    out = bytearray()
    i = 0
    while i < len(value):
        ch = value[i]
        if ch == "\\" and i + 1 < len(value):
            pair = value[i + 1 : i + 3]
            if re.fullmatch(r"[0-9A-Fa-f]{2}", pair):
                out += bytes.fromhex(pair)
                i += 3
            else:
                out += value[i + 1].encode("utf-8")
                i += 2
            continue
        out += ch.encode("utf-8")
        i += 1
    return out.decode("utf-8", "replace")


def _decode_hex_der_string(hex_text: str) -> str:
    try:
        der = bytes.fromhex(hex_text)
    except ValueError:
        return "#" + hex_text
    # A DER string: tag, short or long length, content.
    if len(der) < 2:
        return "#" + hex_text
    length_byte = der[1]
    offset = 2 + (length_byte & 0x7F if length_byte & 0x80 else 0)
    content = der[offset:]
    encoding = "utf-16-be" if der[0] == 0x1E else "utf-8"
    return content.decode(encoding, "replace")


def _normalise(value: str) -> str:
    return " ".join(value.split()).casefold()


@lru_cache(maxsize=256)
def name_pairs(name: x509.Name) -> Counter:
    return Counter(
        (attribute.oid.dotted_string, _normalise(attribute.value))
        for attribute in name
        if isinstance(attribute.value, str)
    )


@lru_cache(maxsize=256)
def parse_name_text(text: str) -> Counter | None:
    """The (attribute OID, normalised value) pairs of a written DN, or None if unreadable."""
    pairs: Counter = Counter()
    if not text.strip():
        return None
    for rdn in _split(text, ",;"):
        for assertion in _split(rdn, "+"):
            key, sep, value = assertion.partition("=")
            if not sep:
                return None
            key = key.strip()
            oid = _KEYWORD_OIDS.get(key.lower())
            if oid is None:
                match = _OID.fullmatch(key)
                if not match:
                    return None
                oid = match.group(1)
            pairs[(oid, _normalise(_unescape(value)))] += 1
    return pairs
