#!/usr/bin/env python3
"""Generate ``src/hacienda_cr/documents/xsd_model.py`` and ``src/hacienda_cr/codes_data.py``
from Hacienda's official v4.4 XSD sets.

Usage: tools/gen_xsd_model.py XSD_DIR   (XSD_DIR holds v4.4/ and v4.4-2026/)

The product never ships the XSD files themselves (they come from Hacienda, pinned by
hash); it ships what it needs to build documents: element order, cardinalities, value
types and the code lists with their descriptions. Re-run after a schema revision and
review the diff; tests/lib/test_xsd_model.py checks the committed output is current.
"""

from __future__ import annotations

import pprint
import re
import sys
from pathlib import Path

from lxml import etree

XS = "{http://www.w3.org/2001/XMLSchema}"
SETS = ("v4.4", "v4.4-2026")
DOCUMENT_FILES = {
    "01": "FacturaElectronica_V4.4.xsd",
    "02": "NotaDebitoElectronica_V4.4.xsd",
    "03": "NotaCreditoElectronica_V4.4.xsd",
    "04": "TiqueteElectronico_V4.4.xsd",
    "05": "MensajeReceptor_V4.4.xsd",
    "08": "FacturaElectronicaCompra_V4.4.xsd",
    "09": "FacturaElectronicaExportacion_V4.4.xsd",
    "10": "ReciboElectronicoPago_V4.4.xsd",
    "MH": "MensajeHacienda_V4.4.xsd",
}
FACETS = {
    "minLength": "min_length",
    "maxLength": "max_length",
    "length": None,
    "pattern": "pattern",
    "totalDigits": "total_digits",
    "fractionDigits": "fraction_digits",
    "minInclusive": "min_inclusive",
    "maxInclusive": "max_inclusive",
}
INT_FACETS = {"min_length", "max_length", "total_digits", "fraction_digits"}


def _doc(node) -> str:
    d = node.find(f"{XS}annotation/{XS}documentation")
    return " ".join((d.text or "").split()) if d is not None else ""


class SchemaReader:
    def __init__(self, path: Path):
        self.root = etree.parse(str(path)).getroot()
        self.simple_types = {}
        self.complex_types = {}
        for node in self.root:
            name = node.get("name")
            if node.tag == f"{XS}simpleType" and name:
                self.simple_types[name] = node
            elif node.tag == f"{XS}complexType" and name:
                self.complex_types[name] = node
        self.code_lists: dict[str, dict[str, str]] = {}
        # (element, enclosing type or element, values): named once all files are read
        self.anonymous_lists: list[tuple[str, str, dict[str, str]]] = []
        self.context = ""

    # -- simple types -------------------------------------------------------------
    def simple(self, st_node, type_name=None, element_name=None, element_doc="") -> dict:
        restriction = st_node.find(f"{XS}restriction")
        if restriction is None:
            raise SystemExit(f"unsupported simpleType {type_name or element_name}")
        base = restriction.get("base")
        if base.startswith("xs:"):
            spec = {"base": base[3:]}
        else:
            spec = dict(self.simple(self.simple_types[base], base))
            spec.pop("enum", None) if restriction.find(f"{XS}enumeration") is not None else None
        enums = []
        for facet in restriction:
            tag = etree.QName(facet).localname
            if tag == "enumeration":
                enums.append((facet.get("value"), _doc(facet)))
            elif tag in FACETS:
                value = facet.get("value")
                if tag == "length":
                    spec["min_length"] = spec["max_length"] = int(value)
                    continue
                key = FACETS[tag]
                spec[key] = int(value) if key in INT_FACETS else value
        if enums and not any(text for _, text in enums) and element_doc:
            # Some lists describe their codes only in the element's text ("01 General..., 02 ...")
            described = dict(re.findall(r"\b(\d{2})\s+([^,]+?)\s*(?=,\s*\d{2}\s|$)", element_doc))
            enums = [(v, described.get(v, "")) for v, _ in enums]
        if enums:
            spec["enum"] = tuple(v for v, _ in enums)
            if type_name:
                self.code_lists.setdefault(type_name.removesuffix("Type"), {}).update(dict(enums))
            else:
                self.anonymous_lists.append((element_name, self.context, dict(enums)))
        if type_name:
            spec["name"] = type_name
        return spec

    def simple_of(self, el) -> dict:
        t = el.get("type")
        if t is None:
            return self.simple(el.find(f"{XS}simpleType"), element_name=el.get("name"), element_doc=_doc(el))
        if t.startswith("xs:"):
            return {"base": t[3:]}
        return self.simple(self.simple_types[t], t)

    # -- elements -----------------------------------------------------------------
    def element(self, el) -> dict:
        name = el.get("name")
        min_occurs = int(el.get("minOccurs", "1"))
        max_raw = el.get("maxOccurs", "1")
        max_occurs = None if max_raw == "unbounded" else int(max_raw)
        if el.get("ref"):
            if el.get("ref") != "ds:Signature":
                raise SystemExit(f"unsupported ref {el.get('ref')}")
            return {"name": "Signature", "min": min_occurs, "max": max_occurs, "signature": True}
        node = {"name": name, "min": min_occurs, "max": max_occurs}
        t = el.get("type")
        ct = el.find(f"{XS}complexType")
        if t and t in self.complex_types:
            ct = self.complex_types[t]
        if ct is None:
            spec = self.simple_of(el)
            node["simple"] = spec
            return node
        content = ct.find(f"{XS}simpleContent")
        if content is not None:
            ext = content.find(f"{XS}extension")
            base = ext.get("base")
            node["simple"] = (
                {"base": base[3:]} if base.startswith("xs:") else self.simple(self.simple_types[base], base)
            )
            node["attributes"] = [
                {
                    "name": a.get("name"),
                    "type": {"base": a.get("type", "xs:string")[3:]},
                    "required": a.get("use") == "required",
                }
                for a in ext.findall(f"{XS}attribute")
            ]
            return node
        seq = ct.find(f"{XS}sequence")
        if seq is None or len(ct.findall(f"{XS}choice")):
            raise SystemExit(f"unsupported complexType content in {name}")
        outer = self.context
        self.context = t.removesuffix("Type") if t in self.complex_types else name
        node["children"] = [self.element(c) for c in seq.findall(f"{XS}element")]
        self.context = outer
        return node


class Emitter:
    """Writes the parsed trees as Python source, sharing identical subtrees."""

    def __init__(self):
        self.simple_names: dict[str, str] = {}
        self.element_names: dict[str, str] = {}
        self.lines: list[str] = []

    def simple(self, spec: dict) -> str:
        args = [f"{spec['base']!r}"]
        for key in (
            "min_length",
            "max_length",
            "pattern",
            "total_digits",
            "fraction_digits",
            "min_inclusive",
            "max_inclusive",
            "enum",
            "name",
        ):
            if spec.get(key) is not None:
                args.append(f"{key}={spec[key]!r}")
        src = f"Simple({', '.join(args)})"
        if src not in self.simple_names:
            var = f"_S{len(self.simple_names)}"
            self.simple_names[src] = var
            self.lines.append(f"{var} = {src}")
        return self.simple_names[src]

    def element(self, node: dict) -> str:
        args = [repr(node["name"])]
        if node["min"] != 1:
            args.append(f"min_occurs={node['min']}")
        if node["max"] != 1:
            args.append(f"max_occurs={node['max']!r}")
        if node.get("signature"):
            args.append("signature=True")
        if "simple" in node:
            args.append(f"simple={self.simple(node['simple'])}")
        if node.get("attributes"):
            attrs = ", ".join(
                f"Attribute({a['name']!r}, {self.simple(a['type'])}, required={a['required']})"
                for a in node["attributes"]
            )
            args.append(f"attributes=({attrs},)")
        if node.get("children"):
            kids = [self.element(c) for c in node["children"]]
            args.append(f"children=({', '.join(kids)},)")
        src = f"Element({', '.join(args)})"
        if src not in self.element_names:
            var = f"_E{len(self.element_names)}"
            self.element_names[src] = var
            self.lines.append(f"{var} = {src}")
        return self.element_names[src]


HEADER = '''"""GENERATED by tools/gen_xsd_model.py from Hacienda's official v4.4 XSDs. Do not edit.

{what}
"""

# ruff: noqa: E501
'''


def main(xsd_dir: Path, out_dir: Path) -> None:
    emitter = Emitter()
    documents: dict[str, dict[str, str]] = {}
    codes: dict[str, dict[str, dict[str, str]]] = {}
    for schema_set in SETS:
        documents[schema_set] = {}
        set_codes: dict[str, dict[str, str]] = {}
        anonymous: list[tuple[str, str, dict[str, str]]] = []
        for doc_type, filename in DOCUMENT_FILES.items():
            reader = SchemaReader(xsd_dir / schema_set / filename)
            roots = reader.root.findall(f"{XS}element")
            if len(roots) != 1:
                raise SystemExit(f"{filename}: expected one root element")
            tree = reader.element(roots[0])
            var = emitter.element(tree)
            ns = reader.root.get("targetNamespace")
            documents[schema_set][doc_type] = f"DocumentSchema({var}, {ns!r}, {filename!r})"
            for list_name, values in reader.code_lists.items():
                merged = set_codes.setdefault(list_name, {})
                for value, text in values.items():
                    merged.setdefault(value, text)
            anonymous.extend(reader.anonymous_lists)
        # An anonymous enumeration is named by its element, qualified by the enclosing type
        # only where one element name carries different lists (Identificacion.Tipo vs Codigo.Tipo).
        by_name: dict[str, set] = {}
        for element, _ctx, values in anonymous:
            by_name.setdefault(element, set()).add(tuple(sorted(values)))
        for element, ctx, values in anonymous:
            list_name = element if len(by_name[element]) == 1 else f"{ctx}.{element}"
            merged = set_codes.setdefault(list_name, {})
            for value, text in values.items():
                merged.setdefault(value, text)
        codes[schema_set] = {k: dict(sorted(v.items())) for k, v in sorted(set_codes.items())}

    model = [
        HEADER.format(what="Element trees of every document type, per schema set."),
        "from hacienda_cr.documents.schema_tree import Attribute, DocumentSchema, Element, Simple",
        "",
    ]
    model += emitter.lines
    model += ["", "DOCUMENTS = {"]
    for schema_set, docs in documents.items():
        model.append(f"    {schema_set!r}: {{")
        for doc_type, src in docs.items():
            model.append(f"        {doc_type!r}: {src},")
        model.append("    },")
    model.append("}")
    (out_dir / "documents" / "xsd_model.py").write_text("\n".join(model) + "\n", encoding="utf-8")

    data = [HEADER.format(what="Every enumeration of the XSDs (value -> Hacienda's description), per schema set."), ""]
    data.append("CODE_LISTS = " + pprint.pformat(codes, width=100, sort_dicts=False))
    (out_dir / "codes_data.py").write_text("\n".join(data) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(Path(sys.argv[1]), Path(__file__).resolve().parents[1] / "src" / "hacienda_cr")
