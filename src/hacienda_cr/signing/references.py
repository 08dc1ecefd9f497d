"""Digests of ds:Reference targets, computed generically for any signer's choices.

Supported: same-document references (``URI=""`` and ``URI="#id"``), the
enveloped-signature transform, XPath Filter 2.0 ``subtract`` (ticofac's way of leaving
signatures out), and inclusive or exclusive C14N 1.0.  Anything else is reported as
unsupported rather than guessed at.

Removing nodes from a document changes it, so every computation that removes nodes runs
on its own fresh parse of the bytes, except the last one of a verification, which may use
the main tree because nothing reads it afterwards.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from lxml import etree

from hacienda_cr.signing.policy import (
    C14N,
    C14N_WITH_COMMENTS,
    DS_NS,
    ENVELOPED,
    EXC_C14N,
    EXC_C14N_WITH_COMMENTS,
    XML_NS,
    XPATH_FILTER2,
)
from hacienda_cr.signing.xml_input import ParsedXml, parse_document

DIGESTS = {
    "http://www.w3.org/2000/09/xmldsig#sha1": "sha1",
    "http://www.w3.org/2001/04/xmldsig-more#sha224": "sha224",
    "http://www.w3.org/2001/04/xmlenc#sha256": "sha256",
    "http://www.w3.org/2001/04/xmldsig-more#sha384": "sha384",
    "http://www.w3.org/2001/04/xmlenc#sha512": "sha512",
}
CANONICALIZATIONS = {
    C14N: False,
    C14N_WITH_COMMENTS: False,
    EXC_C14N: True,
    EXC_C14N_WITH_COMMENTS: True,
}
_EXC_NS = "http://www.w3.org/2001/10/xml-exc-c14n#"
_XML_ATTR_PREFIX = "{" + XML_NS + "}"
_DS_TRANSFORM = f"{{{DS_NS}}}Transform"


class ReferenceError_(Exception):
    """A reference that cannot be resolved or processed; the message says why."""


C14N_FAILURE = (
    "the XML cannot be canonicalized (C14N 1.0 refuses, for example, relative namespace URIs)"
)


@dataclass
class Canonicalization:
    exclusive: bool = False
    inclusive_prefixes: list[str] | None = None


@dataclass
class Plan:
    """What to digest: ``apex`` (None = the whole document) minus ``excluded`` subtrees."""

    apex: etree._Element | None
    excluded: list[etree._Element] = field(default_factory=list)
    method: Canonicalization = field(default_factory=Canonicalization)

    def needs_removal(self) -> bool:
        return bool(self.excluded)


def exclusive_prefixes(method_element: etree._Element) -> list[str] | None:
    inclusive = method_element.find(f"{{{_EXC_NS}}}InclusiveNamespaces")
    if inclusive is None:
        return None
    return (inclusive.get("PrefixList") or "").split() or None


class Document:
    """A parsed document plus the lookups verification needs (Id index, fresh copies)."""

    def __init__(self, parsed: ParsedXml):
        self.parsed = parsed
        self.root = parsed.root
        self._ids: dict[str, list[etree._Element]] | None = None
        self.main_tree_spent = False

    @property
    def ids(self) -> dict[str, list[etree._Element]]:
        if self._ids is None:
            index: dict[str, list[etree._Element]] = {}
            for value in self.root.getroottree().xpath("//@Id | //@ID | //@id | //@xml:id"):
                index.setdefault(str(value), []).append(value.getparent())
            self._ids = index
        return self._ids

    def resolve(self, uri: str) -> etree._Element | None:
        """The element a same-document URI names (None for the whole document)."""
        if uri == "":
            return None
        if not uri.startswith("#"):
            raise ReferenceError_(
                f"Reference URI {uri!r} points outside the document; only same-document "
                "references are accepted"
            )
        name = uri[1:]
        if name.startswith("xpointer("):
            raise ReferenceError_(f"XPointer reference {uri!r} is not supported")
        found = self.ids.get(name, [])
        if not found:
            raise ReferenceError_(f"Reference URI {uri!r} names no element in the document")
        if len(found) > 1:
            raise ReferenceError_(
                f"Reference URI {uri!r} is ambiguous: {len(found)} elements carry that Id"
            )
        return found[0]

    def plan(self, reference: etree._Element, signature: etree._Element) -> Plan:
        plan = Plan(apex=self.resolve(reference.get("URI", "")))
        transforms = reference.find(f"{{{DS_NS}}}Transforms")
        canonicalized = False
        for transform in transforms.iterchildren(_DS_TRANSFORM) if transforms is not None else ():
            algorithm = transform.get("Algorithm", "")
            if canonicalized:
                raise ReferenceError_(
                    f"transform {algorithm} after canonicalization is not supported"
                )
            if algorithm == ENVELOPED:
                plan.excluded.append(signature)
            elif algorithm == XPATH_FILTER2:
                plan.excluded.extend(self._filter2_subtractions(transform))
            elif algorithm in CANONICALIZATIONS:
                canonicalized = True
                exclusive = CANONICALIZATIONS[algorithm]
                plan.method = Canonicalization(
                    exclusive, exclusive_prefixes(transform) if exclusive else None
                )
            else:
                raise ReferenceError_(f"transform {algorithm or '(no Algorithm)'} is not supported")
        if plan.apex is None and not any(e is signature for e in plan.excluded):
            raise ReferenceError_(
                "the whole-document reference does not leave the signature out (no "
                "enveloped-signature transform), so it can never match"
            )
        if plan.apex is not None:
            for excluded in plan.excluded:
                if excluded is plan.apex or any(a is excluded for a in plan.apex.iterancestors()):
                    raise ReferenceError_(
                        f"the transforms remove the referenced element {reference.get('URI')!r}"
                    )
            plan.excluded = [e for e in plan.excluded if _inside(e, plan.apex)]
        return plan

    def _filter2_subtractions(self, transform: etree._Element) -> list[etree._Element]:
        found: list[etree._Element] = []
        for xpath in transform.iterchildren(f"{{{XPATH_FILTER2}}}XPath"):
            if xpath.get("Filter") != "subtract":
                raise ReferenceError_(
                    f"XPath Filter 2.0 with Filter={xpath.get('Filter')!r} is not supported "
                    "(only 'subtract')"
                )
            namespaces = {k: v for k, v in xpath.nsmap.items() if k is not None}
            try:
                nodes = self.root.getroottree().xpath(xpath.text or "", namespaces=namespaces)
            except etree.XPathError as exc:
                raise ReferenceError_(f"XPath Filter 2.0 expression failed: {exc}") from None
            if not isinstance(nodes, list) or not all(isinstance(n, etree._Element) for n in nodes):
                raise ReferenceError_("XPath Filter 2.0 expression must select elements")
            found.extend(nodes)
        if not found and not any(True for _ in transform.iterchildren(f"{{{XPATH_FILTER2}}}XPath")):
            raise ReferenceError_("XPath Filter 2.0 transform without an XPath element")
        return found

    # -- digests ---------------------------------------------------------------------

    def canonical_bytes(self, plan: Plan, *, last_use: bool = False) -> bytes:
        if not plan.needs_removal():
            return canonicalize(self.root, plan.apex, plan.method)
        if last_use and not self.main_tree_spent:
            self.main_tree_spent = True
            root, apex, excluded = self.root, plan.apex, plan.excluded
        else:
            tree = self.root.getroottree()
            paths = [tree.getelementpath(e) for e in plan.excluded]
            apex_path = tree.getelementpath(plan.apex) if plan.apex is not None else None
            root = parse_document(self.parsed.data).root
            fresh = root.getroottree()
            excluded = [fresh.find(p) for p in paths]
            apex = fresh.find(apex_path) if apex_path else None
        for element in _outermost(excluded):
            _remove_keeping_tail(element)
        return canonicalize(root, apex, plan.method)

    def digest(self, plan: Plan, algorithm: str, *, last_use: bool = False) -> bytes:
        return hashlib.new(algorithm, self.canonical_bytes(plan, last_use=last_use)).digest()


def canonicalize(
    root: etree._Element,
    apex: etree._Element | None,
    method: Canonicalization,
    *,
    with_comments: bool = False,
) -> bytes:
    """C14N 1.0 of the document (apex None) or of one element in its document context."""
    try:
        return _canonicalize(root, apex, method, with_comments)
    except etree.C14NError:
        raise ReferenceError_(C14N_FAILURE) from None


def _canonicalize(
    root: etree._Element,
    apex: etree._Element | None,
    method: Canonicalization,
    with_comments: bool,
) -> bytes:
    if apex is None:
        return etree.tostring(
            root.getroottree(),
            method="c14n",
            exclusive=method.exclusive,
            with_comments=with_comments,
            inclusive_ns_prefixes=method.inclusive_prefixes,
        )
    added = [] if method.exclusive else _import_xml_attributes(apex)
    try:
        return etree.tostring(
            apex,
            method="c14n",
            exclusive=method.exclusive,
            with_comments=with_comments,
            inclusive_ns_prefixes=method.inclusive_prefixes,
        )
    finally:
        for name in added:
            del apex.attrib[name]


def _import_xml_attributes(apex: etree._Element) -> list[str]:
    """Inclusive C14N 1.0 gives an apex the xml:* attributes of its ancestors.

    lxml canonicalizes a subtree as if it were a document of its own and would drop them,
    so they are set on the apex for the duration of the call (and removed after).
    """
    added = []
    for ancestor in apex.iterancestors():
        for name, value in ancestor.attrib.items():
            if name.startswith(_XML_ATTR_PREFIX) and name not in apex.attrib:
                apex.set(name, value)
                added.append(name)
    return added


def _inside(element: etree._Element, apex: etree._Element) -> bool:
    return element is apex or any(a is apex for a in element.iterancestors())


def _outermost(elements: list[etree._Element]) -> list[etree._Element]:
    chosen = {id(e) for e in elements}
    unique = {id(e): e for e in elements}.values()
    return [e for e in unique if not any(id(a) in chosen for a in e.iterancestors())]


def _remove_keeping_tail(element: etree._Element) -> None:
    """Remove ``element`` but keep the text that follows it (lxml would drop its tail)."""
    parent = element.getparent()
    if parent is None:
        raise ReferenceError_("a transform removes the document's root element")
    tail = element.tail
    previous = element.getprevious()
    element.tail = None
    parent.remove(element)
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
