"""Documents as plain data shaped like the XSD, and their conversion to and from XML.

The data form mirrors the XML: element names as keys, nested as in the XML, lists for
elements that may repeat. An element with attributes (``OtroTexto``) is written either as
its text or as ``{"#text": ..., "@codigo": ...}``. ``normalize`` checks the shape against
the schema tree and converts values (Decimal, int, aware datetime); ``to_xml`` writes the
elements in the schema's order; ``from_xml`` reads a document back into the same form.
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, is_dataclass

from lxml import etree

from hacienda_cr.documents.schema_tree import Element, children_by_name
from hacienda_cr.documents.values import ValueProblem, format_value, parse_value, read_value
from hacienda_cr.errors import Issue

TEXT_KEY = "#text"


def _absent(value: object) -> bool:
    return value is None or value == "" or value == [] or value == {}


def child_path(path: str, name: str, index: int | None = None) -> str:
    step = name if index is None else f"{name}[{index + 1}]"
    return f"{path}/{step}" if path else step


def _unknown_key_issue(key: str, element: Element, path: str) -> Issue:
    names = [c.name for c in element.children if not c.signature]
    close = difflib.get_close_matches(key, names, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return Issue(child_path(path, key), f"unknown element {key!r} in {element.name}{hint}")


def normalize(data: object, element: Element, path: str, issues: list[Issue]) -> dict:
    """Check ``data`` against a complex element and return it with parsed values."""
    if is_dataclass(data) and not isinstance(data, type):
        data = asdict(data)
    if not isinstance(data, dict):
        issues.append(Issue(path, f"expected an object with the children of {element.name}"))
        return {}
    out: dict = {}
    known = children_by_name(element)
    for key, value in data.items():
        child = known.get(key)
        if child is None:
            issues.append(_unknown_key_issue(key, element, path))
            continue
        if child.signature:
            issues.append(Issue(child_path(path, key), "the signature is added by signing, not given as data"))
            continue
        if _absent(value):
            continue
        if child.repeated:
            items = value if isinstance(value, list) else [value]
            if child.max_occurs is not None and len(items) > child.max_occurs:
                issues.append(Issue(child_path(path, key), f"{len(items)} given; at most {child.max_occurs} allowed"))
            out[key] = [_normalize_one(item, child, child_path(path, key, i), issues) for i, item in enumerate(items)]
        else:
            if isinstance(value, list):
                issues.append(Issue(child_path(path, key), "appears once at most; a list was given"))
                continue
            out[key] = _normalize_one(value, child, child_path(path, key), issues)
    return out


def _normalize_one(value: object, element: Element, path: str, issues: list[Issue]):
    if element.children:
        return normalize(value, element, path, issues)
    if element.attributes:
        return _normalize_with_attributes(value, element, path, issues)
    try:
        return parse_value(value, element.simple)
    except ValueProblem as exc:
        issues.append(Issue(path, str(exc)))
        return None


def _normalize_with_attributes(value: object, element: Element, path: str, issues: list[Issue]) -> dict:
    if not isinstance(value, dict):
        value = {TEXT_KEY: value}
    out = {}
    attrs = {f"@{a.name}": a for a in element.attributes}
    for key, raw in value.items():
        if key == TEXT_KEY:
            try:
                out[key] = parse_value(raw, element.simple)
            except ValueProblem as exc:
                issues.append(Issue(path, str(exc)))
        elif key in attrs:
            if not _absent(raw):
                try:
                    out[key] = parse_value(raw, attrs[key].type)
                except ValueProblem as exc:
                    issues.append(Issue(f"{path}/{key}", str(exc)))
        else:
            issues.append(
                Issue(f"{path}/{key}", f"unknown attribute or key {key!r}; use '#text' and {', '.join(attrs)}")
            )
    for key, attr in attrs.items():
        if attr.required and key not in out:
            issues.append(Issue(f"{path}/{key}", "is required"))
    return out


def to_xml(data: dict, element: Element, namespace: str, path: str, issues: list[Issue]) -> etree._Element:
    """Build the XML element tree in schema order, reporting missing required elements."""
    root = etree.Element(f"{{{namespace}}}{element.name}", nsmap={None: namespace})
    _fill(root, data, element, namespace, path, issues)
    return root


# Per (element, namespace): what writing its children needs, computed once.
_PLANS: dict[tuple[int, str], tuple] = {}


def _plan(element: Element, ns: str) -> tuple:
    key = (id(element), ns)
    plan = _PLANS.get(key)
    if plan is None:
        plan = _PLANS[key] = tuple(
            (c, c.name, f"{{{ns}}}{c.name}", c.repeated) for c in element.children if not c.signature
        )
    return plan


def _fill(node, data: dict, element: Element, ns: str, path: str, issues: list[Issue]) -> None:
    sub_element = etree.SubElement
    for child, name, tag, repeated in _plan(element, ns):
        value = data.get(name)
        if value is None:
            if child.min_occurs > 0:
                issues.append(Issue(child_path(path, name), "is required"))
            continue
        items = value if repeated else (value,)
        if repeated and len(items) < child.min_occurs:
            issues.append(Issue(child_path(path, name), f"at least {child.min_occurs} required"))
        for i, item in enumerate(items):
            sub = sub_element(node, tag)
            if child.children:
                _fill(sub, item, child, ns, child_path(path, name, i if repeated else None), issues)
            elif child.attributes:
                for attr in child.attributes:
                    if f"@{attr.name}" in item:
                        sub.set(attr.name, format_value(item[f"@{attr.name}"], attr.type))
                if TEXT_KEY in item:
                    sub.text = format_value(item[TEXT_KEY], child.simple)
            else:
                sub.text = format_value(item, child.simple)


def from_xml(node: etree._Element, element: Element, path: str, issues: list[Issue]) -> dict:
    """Read an XML element into the data form, with parsed values."""
    out: dict = {}
    by_name = children_by_name(element)
    for sub in node:
        if not isinstance(sub.tag, str):
            continue  # comments, processing instructions
        name = etree.QName(sub).localname
        child = by_name.get(name)
        if child is None:
            issues.append(Issue(child_path(path, name), f"unexpected element {name!r} in {element.name}"))
            continue
        if child.signature:
            continue
        index = len(out.get(name, [])) if child.repeated else None
        item_path = child_path(path, name, index)
        if child.children:
            value = from_xml(sub, child, item_path, issues)
        elif child.attributes:
            value = {TEXT_KEY: _read(sub.text or "", child, item_path, issues)}
            for attr in child.attributes:
                if sub.get(attr.name) is not None:
                    value[f"@{attr.name}"] = sub.get(attr.name)
        else:
            value = _read(sub.text or "", child, item_path, issues)
        if child.repeated:
            out.setdefault(name, []).append(value)
        else:
            out[name] = value
    return out


def _read(text: str, element: Element, path: str, issues: list[Issue]):
    try:
        return read_value(text, element.simple)
    except ValueProblem as exc:
        issues.append(Issue(path, str(exc)))
        return None
