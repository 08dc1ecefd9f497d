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
from hacienda_cr.documents.values import (
    INLINE_NAMESPACE,
    ValueProblem,
    format_value,
    formatter_for,
    inline_format,
    parse_value,
    parser_for,
    read_value,
)
from hacienda_cr.errors import Issue

TEXT_KEY = "#text"


_EMPTIABLE = (str, list, dict)


def _absent(value: object) -> bool:
    """None, "", [] and {} mean "not given"; 0 and False are values."""
    return value is None or (not value and isinstance(value, _EMPTIABLE))


def child_path(path: str | tuple, name: str, index: int | None = None) -> str:
    if type(path) is not str:
        path = path_text(path)
    step = name if index is None else f"{name}[{index + 1}]"
    return f"{path}/{step}" if path else step


def path_text(path: str | tuple) -> str:
    """The text of a path. The hot paths (normalizing, writing, amounts, line rules) hand
    paths down lazily as ``(parent, name, index)``: most elements raise no issue, so their
    path is made only when one does (``child_path`` and ``Rule.issue`` accept both forms)."""
    if type(path) is str:
        return path
    parent, name, index = path
    return child_path(parent, name, index)


def _unknown_key_issue(key: str, element: Element, path: str) -> Issue:
    names = [c.name for c in element.children if not c.signature]
    close = difflib.get_close_matches(key, names, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return Issue(child_path(path, key), f"unknown element {key!r} in {element.name}{hint}")


# Per element: for each child, what normalizing it needs (kind 0 simple, 1 complex,
# 2 text with attributes, 3 the signature), computed once.
_NORMALIZE_PLANS: dict[int, dict] = {}
_SIMPLE, _COMPLEX, _ATTRIBUTED, _SIGNATURE = 0, 1, 2, 3


def _normalize_plan(element: Element) -> tuple[dict, dict]:
    """(the parser of each simple child that appears once: the common case, taken first;
    for every child, its entry)."""
    plan = _NORMALIZE_PLANS.get(id(element))
    if plan is None:
        entries = {
            c.name: (
                c,
                c.repeated,
                _SIGNATURE if c.signature else _COMPLEX if c.children else _ATTRIBUTED if c.attributes else _SIMPLE,
                parser_for(c.simple) if c.simple else None,
            )
            for c in element.children
        }
        simple = {name: e[3] for name, e in entries.items() if e[2] == _SIMPLE and not e[1]}
        plan = _NORMALIZE_PLANS[id(element)] = (simple, entries)
    return plan


def normalize(data: object, element: Element, path: str | tuple, issues: list[Issue]) -> dict:
    """Check ``data`` against a complex element and return it with parsed values. ``path``: its
    text, or ``(parent, name, index)`` when handed down lazily (``path_text``).

    Every value of every document passes through here, so the per-value steps are written
    inline (no helper call per value; the path of a value is only made for its issue)."""
    if type(data) is not dict:
        if is_dataclass(data) and not isinstance(data, type):
            data = asdict(data)
        if not isinstance(data, dict):
            issues.append(Issue(path_text(path), f"expected an object with the children of {element.name}"))
            return {}
    out: dict = {}
    simple, plan = _NORMALIZE_PLANS.get(id(element)) or _normalize_plan(element)
    for key, value in data.items():
        parse = simple.get(key)
        if parse is not None:  # a simple child that appears once: the same steps as below
            if value is None or (not value and isinstance(value, _EMPTIABLE)):
                continue
            if isinstance(value, list):
                issues.append(Issue(child_path(path, key), "appears once at most; a list was given"))
                continue
            try:
                out[key] = parse(value)
            except ValueProblem as exc:
                issues.append(Issue(child_path(path, key), str(exc)))
                out[key] = None
            continue
        entry = plan.get(key)
        if entry is None:
            issues.append(_unknown_key_issue(key, element, path_text(path)))
            continue
        child, repeated, kind, parse = entry
        if kind == _SIGNATURE:
            issues.append(Issue(child_path(path, key), "the signature is added by signing, not given as data"))
            continue
        if value is None or (not value and isinstance(value, _EMPTIABLE)):  # _absent, in fewer steps
            continue
        if repeated:
            items = value if isinstance(value, list) else [value]
            if child.max_occurs is not None and len(items) > child.max_occurs:
                issues.append(Issue(child_path(path, key), f"{len(items)} given; at most {child.max_occurs} allowed"))
            parsed = []
            if kind == _SIMPLE:
                for item in items:
                    try:
                        parsed.append(parse(item))
                    except ValueProblem as exc:
                        issues.append(Issue(child_path(path, key, len(parsed)), str(exc)))
                        parsed.append(None)
            elif kind == _COMPLEX:
                for item in items:
                    parsed.append(normalize(item, child, (path, key, len(parsed)), issues))
            else:
                for item in items:
                    parsed.append(_normalize_with_attributes(item, child, child_path(path, key, len(parsed)), issues))
            out[key] = parsed
        elif isinstance(value, list):
            issues.append(Issue(child_path(path, key), "appears once at most; a list was given"))
        elif kind == _SIMPLE:
            try:
                out[key] = parse(value)
            except ValueProblem as exc:
                issues.append(Issue(child_path(path, key), str(exc)))
                out[key] = None
        elif kind == _COMPLEX:
            out[key] = normalize(value, child, (path, key, None), issues)
        else:
            out[key] = _normalize_with_attributes(value, child, child_path(path, key), issues)
    return out


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


def to_xml(data: dict, element: Element, namespace: str, path: str, issues: list[Issue]) -> bytes:
    """The document's XML (without declaration) in schema order, reporting missing required
    elements. Written as text rather than through lxml's element API: this is the hot path of
    issuing documents, and building elements one by one cost more than the rest of the build."""
    parts = [f'<{element.name} xmlns="{_escape_attr(namespace)}">']
    _write(parts, data, element, path, issues)
    parts.append(f"</{element.name}>")
    return "".join(parts).encode("utf-8")


_ATTR_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;", "\n": "&#10;", "\t": "&#9;"}
)


def _escape_attr(text: str) -> str:
    return text.translate(_ATTR_ESCAPES)


# Per element, a writer compiled once from the schema: straight-line code with one step per
# child in schema order (its tags, formatter and cardinality fixed in the code), instead of a
# generic loop that unpacks a plan entry and branches on its kind for every child of every
# element. Documents are written this way on every build; the generated code does exactly
# what the loop did (same text, same issues in the same order).
_WRITERS: dict[int, object] = {}


def _write(parts: list, data: dict, element: Element, path: str, issues: list[Issue]) -> None:
    _writer_for(element)(parts, data, path, issues)


def _writer_for(element: Element):
    writer = _WRITERS.get(id(element))
    if writer is None:
        writer = _WRITERS[id(element)] = _compile_writer(element)
    return writer


def _compile_writer(element: Element):
    # A complex child's own writer is bound into the code (w<n>): called directly, not looked up.
    namespace: dict = {
        "Issue": Issue,
        "child_path": child_path,
        "_write_attributed": _write_attributed,
        **INLINE_NAMESPACE,
    }
    lines = ["def write(parts, data, path, issues):", "    append = parts.append", "    get = data.get"]
    for n, child in enumerate(c for c in element.children if not c.signature):
        name = child.name
        opening, closing = repr(f"<{name}>"), repr(f"</{name}>")
        namespace[f"c{n}"] = child
        lines.append(f"    value = get({name!r})")
        lines.append("    if value is None:")
        if child.min_occurs > 0:
            lines.append(f"        issues.append(Issue(child_path(path, {name!r}), 'is required'))")
        else:
            lines.append("        pass")
        lines.append("    else:")
        if not child.children and not child.attributes:
            namespace[f"f{n}"] = formatter_for(child.simple)
            if child.repeated:
                lines.append("        for item in value:")
                lines.append(f"            append({_text_expression(child, 'item', n)})")
            else:
                lines.append(f"        append({_text_expression(child, 'value', n)})")
            continue
        if child.repeated:
            if child.min_occurs > 0:
                lines.append(f"        if len(value) < {child.min_occurs}:")
                lines.append(
                    f"            issues.append(Issue(child_path(path, {name!r}), "
                    f"{f'at least {child.min_occurs} required'!r}))"
                )
            lines.append("        for i, item in enumerate(value):")
            item, item_path, indent = "item", f"(path, {name!r}, i)", "            "
        else:
            item, item_path, indent = "value", f"(path, {name!r}, None)", "        "
        if child.children:
            namespace[f"w{n}"] = _writer_for(child)
            lines.append(f"{indent}append({opening})")
            lines.append(f"{indent}w{n}(parts, {item}, {item_path}, issues)")
            lines.append(f"{indent}append({closing})")
        else:
            namespace[f"f{n}"] = formatter_for(child.simple) if child.simple else None
            lines.append(f"{indent}_write_attributed(append, {item}, c{n}, f{n})")
    exec("\n".join(lines), namespace)  # noqa: S102 (code generated from the schema tree, not from input)
    return namespace["write"]


def _text_expression(child: Element, item: str, n: int) -> str:
    """The element's text as one expression: an f-string doing the formatter's work inline
    (``inline_format``) where it can, else through the formatter ``f<n>``."""
    name = child.name
    field = inline_format(child.simple, item)
    if field is not None:
        return f'f"<{name}>{field}</{name}>"'
    return f"{f'<{name}>'!r} + f{n}({item}) + {f'</{name}>'!r}"


def _write_attributed(append, item: dict, child: Element, fmt) -> None:
    """An element with attributes (``OtroTexto``): ``{"#text": ..., "@codigo": ...}``."""
    attrs = "".join(
        f' {a.name}="{_escape_attr(format_value(item[f"@{a.name}"], a.type))}"'
        for a in child.attributes
        if f"@{a.name}" in item
    )
    text = fmt(item[TEXT_KEY]) if TEXT_KEY in item else ""
    append(f"<{child.name}{attrs}>{text}</{child.name}>")


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
