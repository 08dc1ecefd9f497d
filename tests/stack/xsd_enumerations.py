"""The code lists as Hacienda's XSDs define them, read with the standard library only.

The XSDs are Hacienda's (never in this repository): $HACIENDA_XSD_DIR, else
$HACIENDA_SHARED_DIR/xsd, else <repo>/../shared/hacienda/xsd, else the stack's copy
($STACK_HOME/xsd).
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

from einvoice_stack.stack_env import stack_env

REPO = Path(__file__).resolve().parents[2]  # the checkout (in the NixOS VM: its copy of the suites)

XS = "{http://www.w3.org/2001/XMLSchema}"
NAMED = (XS + "element", XS + "simpleType", XS + "complexType")


def xsd_dir() -> Path:
    candidates = []
    if os.environ.get("HACIENDA_XSD_DIR"):
        candidates.append(Path(os.environ["HACIENDA_XSD_DIR"]))
    if os.environ.get("HACIENDA_SHARED_DIR"):
        candidates.append(Path(os.environ["HACIENDA_SHARED_DIR"]) / "xsd")
    candidates += [REPO.parent / "shared" / "hacienda" / "xsd", stack_env().stack_home / "xsd"]
    for path in candidates:
        if (path / "v4.4").is_dir() or (path / "v4.4-2026").is_dir():
            return path
    raise AssertionError(f"no Hacienda XSDs in {', '.join(map(str, candidates))}: set HACIENDA_XSD_DIR")


def enumerations(directory: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    files = sorted(directory.glob("v4.4*/*.xsd"))
    assert files, f"no XSD files under {directory}/v4.4*/"
    for path in files:
        root = ET.parse(path).getroot()
        parent = {child: node for node in root.iter() for child in node}
        for enum in root.iter(XS + "enumeration"):
            names: list[str] = []
            node = enum
            while node is not None:
                if node.tag in NAMED and node.get("name"):
                    names.append(node.get("name"))
                    # An element inside a named type: keep "Type.element"; a named type ends it.
                    if len(names) == 2 or node.tag != XS + "element":
                        break
                node = parent.get(node)
            found.setdefault(".".join(reversed(names)), set()).add(enum.get("value"))
    return found
