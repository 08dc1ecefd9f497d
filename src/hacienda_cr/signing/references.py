"""Digests of ds:Reference targets, for the references Hacienda's documents use.

Supported: same-document references (``URI=""`` and ``URI="#id"``), the
enveloped-signature transform, the two ways signers leave every signature out of the
document (the XPath 1.0 transform ``not(ancestor-or-self::ds:Signature)`` of the annex's
example, Anexo 2 p. 85, and XPath Filter 2.0 ``subtract`` of ``/descendant::ds:Signature``,
ticofac's), and inclusive or exclusive C14N 1.0.  Anything else is refused rather than
guessed at: an XPath expression from the document is never evaluated (a crafted one
can take minutes of CPU), it is only recognised as one of those fixed forms.

Removing nodes from a document changes it, so a digest that leaves nodes out detaches
them from the one parsed tree, canonicalizes, and puts them back exactly where they were
(text included): no document is parsed twice.
"""

from __future__ import annotations

import hashlib
import re
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
    XPATH,
    XPATH_FILTER2,
)
from hacienda_cr.signing.xml_input import ParsedXml

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
# Hacienda's signatures have one or two transforms per reference (enveloped or an XPath
# form, then C14N); a few more are tolerated, a long list is an attack on CPU time.
MAX_TRANSFORMS = 4
_EXC_NS = "http://www.w3.org/2001/10/xml-exc-c14n#"
_XML_ATTR_PREFIX = "{" + XML_NS + "}"
_DS_TRANSFORM = f"{{{DS_NS}}}Transform"
_DS_SIGNATURE = f"{{{DS_NS}}}Signature"
_PREFIX = r"([A-Za-z_][\w.\-]*)"
# The only XPath texts accepted, each meaning "every ds:Signature of the document".
_XPATH_NO_SIGNATURES = re.compile(r"not\(\s*ancestor-or-self::" + _PREFIX + r":Signature\s*\)")
_FILTER2_SIGNATURES = re.compile(r"(?:/descendant::|//)" + _PREFIX + r":Signature")


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
    """A parsed document plus the lookups verification needs (Id index, its signatures)."""

    def __init__(self, parsed: ParsedXml):
        self.parsed = parsed
        self.root = parsed.root
        self._ids: dict[str, list[etree._Element]] | None = None
        self._signatures: list[etree._Element] | None = None

    @property
    def ids(self) -> dict[str, list[etree._Element]]:
        if self._ids is None:
            index: dict[str, list[etree._Element]] = {}
            for value in self.root.getroottree().xpath("//@Id | //@ID | //@id | //@xml:id"):
                index.setdefault(str(value), []).append(value.getparent())
            self._ids = index
        return self._ids

    @property
    def signatures(self) -> list[etree._Element]:
        """Every ds:Signature element of the document, in document order."""
        if self._signatures is None:
            self._signatures = list(self.root.iter(_DS_SIGNATURE))
        return self._signatures

    def resolve(self, uri: str) -> etree._Element | None:
        """The element a same-document URI names (None for the whole document)."""
        if uri == "":
            return None
        if not uri.startswith("#"):
            raise ReferenceError_(
                f"Reference URI {uri[:80]!r} points outside the document; only same-document "
                "references are accepted"
            )
        name = uri[1:]
        if name.startswith("xpointer("):
            raise ReferenceError_(f"XPointer reference {uri[:80]!r} is not supported")
        found = self.ids.get(name, [])
        if not found:
            raise ReferenceError_(f"Reference URI {uri[:80]!r} names no element in the document")
        if len(found) > 1:
            raise ReferenceError_(
                f"Reference URI {uri[:80]!r} is ambiguous: {len(found)} elements carry that Id"
            )
        return found[0]

    def plan(self, reference: etree._Element, signature: etree._Element) -> Plan:
        """What ``reference`` digests; nothing of the document is evaluated or computed here."""
        plan = Plan(apex=self.resolve(reference.get("URI", "")))
        transforms = reference.find(f"{{{DS_NS}}}Transforms")
        steps = list(transforms.iterchildren(_DS_TRANSFORM)) if transforms is not None else []
        if len(steps) > MAX_TRANSFORMS:
            raise ReferenceError_(
                f"{len(steps)} transforms; Hacienda's signatures use at most two (at most "
                f"{MAX_TRANSFORMS} are accepted)"
            )
        canonicalized = False
        for transform in steps:
            algorithm = transform.get("Algorithm", "")
            if canonicalized:
                raise ReferenceError_(
                    f"transform {algorithm} after canonicalization is not supported"
                )
            if algorithm == ENVELOPED:
                plan.excluded.append(signature)
            elif algorithm == XPATH:
                _check_xpath(transform)
                plan.excluded.extend(self.signatures)
            elif algorithm == XPATH_FILTER2:
                _check_filter2(transform)
                plan.excluded.extend(self.signatures)
            elif algorithm in CANONICALIZATIONS:
                canonicalized = True
                exclusive = CANONICALIZATIONS[algorithm]
                plan.method = Canonicalization(
                    exclusive, exclusive_prefixes(transform) if exclusive else None
                )
            else:
                raise ReferenceError_(
                    f"transform {algorithm[:100] or '(no Algorithm)'} is not supported"
                )
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

    # -- digests ---------------------------------------------------------------------

    def canonical_bytes(self, plan: Plan) -> bytes:
        if not plan.needs_removal():
            return canonicalize(self.root, plan.apex, plan.method)
        # Put back in the reverse order: each restore then sees the tree as its removal left it.
        removed = []
        try:
            for element in _outermost(plan.excluded):
                removed.append(_detach(element))
            return canonicalize(self.root, plan.apex, plan.method)
        finally:
            for detached in reversed(removed):
                detached.restore()

    def digest(self, plan: Plan, algorithm: str) -> bytes:
        return hashlib.new(algorithm, self.canonical_bytes(plan)).digest()


def _namespace_of(element: etree._Element, text: str, pattern: re.Pattern) -> bool:
    match = pattern.fullmatch(text.strip())
    return bool(match) and element.nsmap.get(match.group(1)) == DS_NS


def _check_xpath(transform: etree._Element) -> None:
    """Only the annex's XPath (leave every signature out) is accepted: it is never run."""
    expressions = list(transform.iterchildren(f"{{{DS_NS}}}XPath"))
    if len(expressions) != 1 or not _namespace_of(
        expressions[0], expressions[0].text or "", _XPATH_NO_SIGNATURES
    ):
        raise ReferenceError_(
            "XPath transforms are accepted only as not(ancestor-or-self::ds:Signature), "
            "the form of Hacienda's example (ds bound to the XML-DSig namespace)"
        )


def _check_filter2(transform: etree._Element) -> None:
    """Only "subtract every signature" is accepted: the expression is never run."""
    expressions = list(transform.iterchildren(f"{{{XPATH_FILTER2}}}XPath"))
    if len(expressions) != 1:
        raise ReferenceError_(
            f"XPath Filter 2.0 transform with {len(expressions)} XPath elements; exactly one "
            "is accepted"
        )
    xpath = expressions[0]
    if xpath.get("Filter") != "subtract" or not _namespace_of(
        xpath, xpath.text or "", _FILTER2_SIGNATURES
    ):
        raise ReferenceError_(
            "XPath Filter 2.0 is accepted only as Filter=\"subtract\" of "
            "/descendant::ds:Signature (every signature left out)"
        )


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
    """The distinct elements not inside another one of them."""
    chosen = {id(e) for e in elements}
    unique = {id(e): e for e in elements}.values()
    return [e for e in unique if not any(id(a) in chosen for a in e.iterancestors())]


@dataclass
class _Detached:
    """A removed element and what it takes to put it back byte for byte."""

    element: etree._Element
    parent: etree._Element
    index: int
    tail: str | None
    previous: etree._Element | None
    text_before: str | None  # previous.tail, or parent.text when there is no previous

    def restore(self) -> None:
        if self.previous is not None:
            self.previous.tail = self.text_before
        else:
            self.parent.text = self.text_before
        self.parent.insert(self.index, self.element)
        self.element.tail = self.tail


def _detach(element: etree._Element) -> _Detached:
    """Remove ``element`` but keep the text that follows it (lxml would drop its tail)."""
    parent = element.getparent()
    if parent is None:
        raise ReferenceError_("a transform removes the document's root element")
    previous = element.getprevious()
    detached = _Detached(
        element, parent, parent.index(element), element.tail, previous,
        previous.tail if previous is not None else parent.text,
    )
    tail = element.tail
    element.tail = None
    parent.remove(element)
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    return detached
