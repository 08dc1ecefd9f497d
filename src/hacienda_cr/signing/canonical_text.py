"""Escaping exactly as Canonical XML 1.0 writes text and attribute values.

The signer writes its own elements directly in canonical form, so these two functions
must agree byte for byte with libxml2's C14N (the tests check them against it).
"""

from __future__ import annotations

_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#xD;"})
_ATTRIBUTE = str.maketrans(
    {"&": "&amp;", "<": "&lt;", '"': "&quot;", "\t": "&#x9;", "\n": "&#xA;", "\r": "&#xD;"}
)


def text(value: str) -> str:
    return value.translate(_TEXT)


def attribute(value: str) -> str:
    return value.translate(_ATTRIBUTE)
