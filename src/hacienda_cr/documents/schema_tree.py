"""The shape of the v4.4 documents as data: element order, cardinality and value types.

``xsd_model`` (generated from the official XSDs by ``tools/gen_xsd_model.py``) is written
in terms of these classes. Building and checking documents walk these trees, so the
element order and the value rules come from Hacienda's schemas, not from hand-written code.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property


@dataclass(frozen=True)
class Simple:
    """A simple type: the XSD base type, its facets and enumeration (if any)."""

    base: str  # string | decimal | integer | positiveInteger | dateTime | date
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    total_digits: int | None = None
    fraction_digits: int | None = None
    min_inclusive: str | None = None
    max_inclusive: str | None = None
    enum: tuple[str, ...] | None = None
    name: str | None = None  # the XSD type name when it is a named type


@dataclass(frozen=True)
class Attribute:
    name: str
    type: Simple
    required: bool = False


@dataclass(frozen=True)
class Element:
    """An element of a sequence. Exactly one of ``simple`` / ``children`` is set, except for
    ``signature`` elements (``ds:Signature``, added by signing, never by the builder)."""

    name: str
    min_occurs: int = 1
    max_occurs: int | None = 1  # None = unbounded
    simple: Simple | None = None
    children: tuple[Element, ...] = ()
    attributes: tuple[Attribute, ...] = ()
    signature: bool = False

    @property
    def repeated(self) -> bool:
        return self.max_occurs is None or self.max_occurs > 1

    def child(self, name: str) -> Element | None:
        return self._children_by_name.get(name)

    @cached_property
    def _children_by_name(self) -> dict[str, Element]:
        # Amount reconciliation asks for children by name tens of times per line; a dict kept
        # on the element (cached_property writes __dict__, which a frozen dataclass allows)
        # answers without the id()-keyed table's extra lookups.
        return {c.name: c for c in self.children}


def children_by_name(element: Element) -> dict[str, Element]:
    return element._children_by_name


@dataclass(frozen=True)
class DocumentSchema:
    root: Element
    namespace: str
    xsd_file: str
