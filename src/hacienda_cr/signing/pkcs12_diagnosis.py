"""Why a .p12 file did not open: not PKCS#12 at all, wrong PIN, or damaged.

OpenSSL (through cryptography) answers every failure with the same "invalid password or
PKCS12 data".  A taxpayer who typed the wrong PIN needs to hear exactly that, so on failure
the outer PFX structure is read here and its MAC is recomputed with the PIN (RFC 7292
appendix B key derivation): a MAC that does not match means the PIN is wrong.
"""

from __future__ import annotations

import hashlib
import hmac

_OID_DATA = "1.2.840.113549.1.7.1"
_MAC_DIGESTS = {
    "1.3.14.3.2.26": ("sha1", 64),
    "2.16.840.1.101.3.4.2.4": ("sha224", 64),
    "2.16.840.1.101.3.4.2.1": ("sha256", 64),
    "2.16.840.1.101.3.4.2.2": ("sha384", 128),
    "2.16.840.1.101.3.4.2.3": ("sha512", 128),
}
_MAX_ITERATIONS = 10_000_000


class _BerError(ValueError):
    pass


class _Node:
    __slots__ = ("children", "constructed", "content", "tag")

    def __init__(self, tag: int, constructed: bool, content: bytes, children: list):
        self.tag = tag
        self.constructed = constructed
        self.content = content
        self.children = children


def _read(buf: bytes, pos: int, depth: int = 0) -> tuple[_Node, int]:
    """One BER element at ``pos`` (definite or indefinite length); returns it and the end."""
    if depth > 32 or pos + 2 > len(buf):
        raise _BerError("truncated")
    tag = buf[pos]
    if tag & 0x1F == 0x1F:
        raise _BerError("multi-byte tags are not used by PKCS#12")
    constructed = bool(tag & 0x20)
    length_byte = buf[pos + 1]
    pos += 2
    if length_byte == 0x80:
        if not constructed:
            raise _BerError("indefinite length on a primitive element")
        children = []
        while True:
            if buf[pos : pos + 2] == b"\x00\x00":
                return _Node(tag, True, b"", children), pos + 2
            child, pos = _read(buf, pos, depth + 1)
            children.append(child)
    if length_byte & 0x80:
        count = length_byte & 0x7F
        if count == 0 or count > 4 or pos + count > len(buf):
            raise _BerError("bad length")
        length = int.from_bytes(buf[pos : pos + count], "big")
        pos += count
    else:
        length = length_byte
    end = pos + length
    if end > len(buf):
        raise _BerError("truncated")
    children = []
    if constructed:
        child_pos = pos
        while child_pos < end:
            child, child_pos = _read(buf, child_pos, depth + 1)
            children.append(child)
        if child_pos != end:
            raise _BerError("element overruns its parent")
    return _Node(tag, constructed, buf[pos:end], children), end


def _oid(node: _Node) -> str:
    if node.tag != 0x06 or not node.content:
        raise _BerError("OID expected")
    first = node.content[0]
    arcs = [min(first // 40, 2), first - 40 * min(first // 40, 2)]
    value = 0
    for byte in node.content[1:]:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    return ".".join(str(a) for a in arcs)


def _octets(node: _Node) -> bytes:
    if node.tag == 0x04:
        return node.content
    if node.tag == 0x24:  # BER constructed OCTET STRING: the concatenation of its pieces
        return b"".join(_octets(child) for child in node.children)
    raise _BerError("OCTET STRING expected")


def _integer(node: _Node) -> int:
    if node.tag != 0x02:
        raise _BerError("INTEGER expected")
    return int.from_bytes(node.content, "big", signed=True)


def _parse_pfx(data: bytes) -> tuple[bytes, tuple | None]:
    """(authSafe content, (digest name, block size, mac, salt, iterations) or None)."""
    pfx, end = _read(data, 0)
    if pfx.tag != 0x30 or end != len(data) or len(pfx.children) not in (2, 3):
        raise _BerError("not a PFX")
    if _integer(pfx.children[0]) != 3:
        raise _BerError("not a version 3 PFX")
    content_info = pfx.children[1]
    if content_info.tag != 0x30 or len(content_info.children) != 2:
        raise _BerError("bad ContentInfo")
    if _oid(content_info.children[0]) != _OID_DATA:
        raise _BerError("authSafe is not id-data")  # public-key integrity mode: no MAC to test
    explicit = content_info.children[1]
    if explicit.tag != 0xA0 or len(explicit.children) != 1:
        raise _BerError("bad ContentInfo content")
    auth_safe = _octets(explicit.children[0])
    if len(pfx.children) == 2:
        return auth_safe, None
    mac_data = pfx.children[2]
    if mac_data.tag != 0x30 or len(mac_data.children) not in (2, 3):
        raise _BerError("bad MacData")
    digest_info, salt_node = mac_data.children[0], mac_data.children[1]
    iterations = _integer(mac_data.children[2]) if len(mac_data.children) == 3 else 1
    algorithm, mac = digest_info.children
    digest = _MAC_DIGESTS.get(_oid(algorithm.children[0]))
    if digest is None or not 1 <= iterations <= _MAX_ITERATIONS:
        return auth_safe, None  # e.g. PBMAC1: we cannot recompute it, so we cannot tell
    return auth_safe, (digest[0], digest[1], _octets(mac), _octets(salt_node), iterations)


def _pkcs12_kdf(hash_name: str, block: int, password: bytes, salt: bytes, iterations: int,
                size: int, purpose: int) -> bytes:
    """RFC 7292 appendix B.2 key derivation (purpose 3 = MAC key)."""
    def stretch(value: bytes) -> bytes:
        if not value:
            return b""
        length = block * ((len(value) + block - 1) // block)
        return (value * (length // len(value) + 1))[:length]

    diversifier = bytes([purpose]) * block
    i_bytes = bytearray(stretch(salt) + stretch(password))
    out = b""
    while len(out) < size:
        a = hashlib.new(hash_name, diversifier + bytes(i_bytes)).digest()
        for _ in range(iterations - 1):
            a = hashlib.new(hash_name, a).digest()
        out += a
        b = int.from_bytes(stretch(a)[:block], "big")
        for j in range(0, len(i_bytes), block):
            chunk = int.from_bytes(i_bytes[j : j + block], "big")
            i_bytes[j : j + block] = ((chunk + b + 1) % (1 << (8 * block))).to_bytes(block, "big")
    return out[:size]


def looks_like_pkcs12(data: bytes) -> bool:
    try:
        _parse_pfx(data)
    except (_BerError, IndexError, ValueError):
        return False
    return True


def pin_matches(data: bytes, pin: str) -> bool | None:
    """True/False when the file's MAC proves the PIN right/wrong; None when it cannot tell."""
    try:
        auth_safe, mac_info = _parse_pfx(data)
    except (_BerError, IndexError, ValueError):
        return None
    if mac_info is None:
        return None
    hash_name, block, expected, salt, iterations = mac_info
    # The password is a NUL-terminated BMPString (UTF-16BE) for the key derivation.
    password = (pin.encode("utf-16-be") + b"\x00\x00") if pin else b""
    key = _pkcs12_kdf(hash_name, block, password, salt, iterations,
                      hashlib.new(hash_name).digest_size, 3)
    return hmac.compare_digest(hmac.new(key, auth_safe, hash_name).digest(), expected)
