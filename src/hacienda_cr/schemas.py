"""Hacienda's official XSDs: where they are, fetching them pinned by hash, validating.

The XSD files are Hacienda's, not ours: the product never ships them. A user points at a
directory (``--xsd-dir`` / ``HACIENDA_XSD_DIR``) laid out as ``DIR/v4.4/*.xsd`` and
``DIR/v4.4-2026/*.xsd`` (the XML-DSig schema they import may sit in DIR, in its parent or
beside the set's files), or runs ``hacienda-cr schemas fetch``, which downloads every file
from the address Hacienda publishes and keeps it only if its SHA-256 matches
``schema_sources.json``.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import tempfile
import threading
import urllib.request
from pathlib import Path

from lxml import etree

from hacienda_cr.documents.schema_tree import DocumentSchema
from hacienda_cr.errors import ConfigurationError, Issue
from hacienda_cr.pinned_files import pin_list, user_cache_dir

XMLDSIG = "xmldsig-core-schema.xsd"
ENV_VAR = "HACIENDA_XSD_DIR"


def sources() -> dict:
    return pin_list("schema_sources.json")


def default_cache_dir() -> Path:
    return user_cache_dir("xsd")


def locate_xsd_dir(xsd_dir: str | os.PathLike | None = None) -> Path:
    """The directory to use: the argument, else $HACIENDA_XSD_DIR, else the fetch cache."""
    for candidate, origin in (
        (xsd_dir, "--xsd-dir"),
        (os.environ.get(ENV_VAR), ENV_VAR),
        (default_cache_dir(), "the schema cache"),
    ):
        if candidate is None or candidate == "":
            continue
        path = Path(candidate).expanduser()
        if path.is_dir() and any((path / s).is_dir() for s in sources()["sets"]):
            return path
        if origin != "the schema cache":
            raise ConfigurationError(
                f"{origin} is {str(path)!r}, which has no v4.4/ or v4.4-2026/ directory of XSD files"
            )
    raise ConfigurationError(
        "no XSD schemas found: pass --xsd-dir DIR, set HACIENDA_XSD_DIR, or run "
        "'hacienda-cr schemas fetch' to download Hacienda's files (checked by SHA-256)"
    )


class _DsigResolver(etree.Resolver):
    """Hacienda's XSDs import ``../../xmldsig-core-schema.xsd``; find it wherever it sits."""

    def __init__(self, candidates: list[Path]):
        super().__init__()
        self.candidates = candidates

    def resolve(self, system_url, public_id, context):
        if system_url and system_url.endswith(XMLDSIG):
            for path in self.candidates:
                if path.is_file():
                    return self.resolve_filename(str(path), context)
        return None


_NS_IN_MESSAGE = re.compile(r"\{[^}]*\}")


class SchemaStore:
    """Compiles each XSD once (compiling costs ~7 ms, validating ~0.1 ms) and reuses it."""

    def __init__(self, xsd_dir: str | os.PathLike | None = None):
        self.xsd_dir = locate_xsd_dir(xsd_dir)
        self._compiled: dict[tuple[str, str, bool], etree.XMLSchema] = {}
        self._lock = threading.Lock()

    def set_dir(self, schema_set: str) -> Path:
        path = self.xsd_dir / schema_set
        if not path.is_dir():
            raise ConfigurationError(f"{self.xsd_dir} has no {schema_set}/ directory for schema set {schema_set}")
        return path

    def schema(self, schema_set: str, filename: str, *, signed: bool = True) -> etree.XMLSchema:
        """The compiled XSD; ``signed=False`` gives the same schema with ``ds:Signature``
        optional, for documents checked before signing (signing is what adds it)."""
        key = (schema_set, filename, signed)
        compiled = self._compiled.get(key)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(key)
                if compiled is None:
                    compiled = self._compile(schema_set, filename, signed)
                    self._compiled[key] = compiled
        return compiled

    def _compile(self, schema_set: str, filename: str, signed: bool) -> etree.XMLSchema:
        set_dir = self.set_dir(schema_set)
        path = set_dir / filename
        if not path.is_file():
            raise ConfigurationError(f"schema file {path} is missing")
        parser = etree.XMLParser(no_network=True)
        parser.resolvers.add(_DsigResolver([set_dir / XMLDSIG, self.xsd_dir / XMLDSIG, self.xsd_dir.parent / XMLDSIG]))
        try:
            doc = etree.parse(str(path), parser)
            if not signed:
                for ref in doc.iter("{http://www.w3.org/2001/XMLSchema}element"):
                    if ref.get("ref") == "ds:Signature":
                        ref.set("minOccurs", "0")
            return etree.XMLSchema(doc)
        except (etree.XMLSchemaParseError, etree.XMLSyntaxError) as exc:
            raise ConfigurationError(f"cannot load schema {path}: {exc}") from None

    def validate(
        self, tree: etree._Element, doc_schema: DocumentSchema, schema_set: str, *, signed: bool = True
    ) -> list[Issue]:
        """XSD problems of a parsed document, each with the path of the element."""
        schema = self.schema(schema_set, doc_schema.xsd_file, signed=signed)
        if schema.validate(tree):
            return []
        issues = []
        doc = tree.getroottree()
        for entry in schema.error_log:
            path = _friendly_path(doc, entry.path, doc_schema) if entry.path else f"line {entry.line}"
            issues.append(Issue(path, _NS_IN_MESSAGE.sub("", entry.message), "xsd"))
        return issues


def _friendly_path(doc: etree._ElementTree, xpath: str, doc_schema: DocumentSchema) -> str:
    try:
        found = doc.xpath(xpath)
    except etree.XPathError:
        return xpath
    if not found or not isinstance(found[0], etree._Element):
        return xpath
    chain = []
    node = found[0]
    while node is not None:
        chain.append(node)
        node = node.getparent()
    chain.reverse()
    parts = [etree.QName(chain[0]).localname]
    element = doc_schema.root
    for parent, node in itertools.pairwise(chain):
        name = etree.QName(node).localname
        element = element.child(name) if element is not None else None
        if element is not None and element.repeated:
            same = [c for c in parent if isinstance(c.tag, str) and etree.QName(c).localname == name]
            parts.append(f"{name}[{same.index(node) + 1}]")
        else:
            parts.append(name)
    return "/".join(parts)


_stores: dict[str, SchemaStore] = {}
_stores_lock = threading.Lock()


def store_for(xsd_dir: str | os.PathLike | None = None) -> SchemaStore:
    """A process-wide store per directory, so schemas compile once per process."""
    key = str(locate_xsd_dir(xsd_dir))
    with _stores_lock:
        if key not in _stores:
            _stores[key] = SchemaStore(key)
        return _stores[key]


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_dir(xsd_dir: str | os.PathLike) -> list[dict]:
    """Compare every file of a schema directory with the official SHA-256."""
    root = Path(xsd_dir)
    src = sources()
    report = []
    candidates = [root / XMLDSIG, root.parent / XMLDSIG]
    dsig = next((p for p in candidates if p.is_file()), None)
    expected = src["common"][XMLDSIG]["sha256"]
    report.append(_entry(XMLDSIG, dsig, expected))
    for schema_set, info in src["sets"].items():
        for filename, digest in info["files"].items():
            path = root / schema_set / filename
            report.append(_entry(f"{schema_set}/{filename}", path if path.is_file() else None, digest))
    return report


def _entry(name: str, path: Path | None, expected: str) -> dict:
    if path is None:
        return {"file": name, "status": "missing"}
    actual = sha256_file(path)
    return {
        "file": name,
        "path": str(path),
        "status": "ok" if actual == expected else "mismatch",
        "sha256": actual,
        "expected": expected,
    }


def fetch(
    dest: str | os.PathLike | None = None,
    *,
    sets: list[str] | None = None,
    timeout: float = 60.0,
    mirror: str | None = None,
) -> list[dict]:
    """Download the official XSDs into ``dest`` (default: the cache), keeping only files whose
    SHA-256 matches. ``mirror`` replaces Hacienda's addresses with ``MIRROR/xmldsig-core-schema.xsd``
    and ``MIRROR/<set>/<file>`` (a proxy or an internal copy; the hashes still decide).
    Returns one entry per file; raises ``ConfigurationError`` if any failed."""
    root = Path(dest).expanduser() if dest else default_cache_dir()
    src = sources()
    wanted = sets or list(src["sets"])
    unknown = [s for s in wanted if s not in src["sets"]]
    if unknown:
        raise ConfigurationError(f"unknown schema set(s): {', '.join(unknown)}; known: {', '.join(src['sets'])}")
    base = mirror.rstrip("/") + "/" if mirror else None
    jobs = [
        (base + XMLDSIG if base else src["common"][XMLDSIG]["url"], src["common"][XMLDSIG]["sha256"], root / XMLDSIG)
    ]
    for schema_set in wanted:
        info = src["sets"][schema_set]
        for filename, digest in info["files"].items():
            url = f"{base}{schema_set}/{filename}" if base else info["base_url"] + filename
            jobs.append((url, digest, root / schema_set / filename))
    results, failures = [], []
    for url, digest, target in jobs:
        if target.is_file() and sha256_file(target) == digest:
            results.append({"file": str(target), "status": "present"})
            continue
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (https/http URLs from config)
                body = response.read()
        except OSError as exc:
            failures.append(f"{url}: {exc}")
            continue
        actual = hashlib.sha256(body).hexdigest()
        if actual != digest:
            failures.append(f"{url}: SHA-256 {actual} is not the official {digest}; file not kept")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as tmp:
            tmp.write(body)
        os.replace(tmp.name, target)
        results.append({"file": str(target), "status": "downloaded"})
    if failures:
        raise ConfigurationError("could not obtain every schema:\n  " + "\n  ".join(failures))
    return results
