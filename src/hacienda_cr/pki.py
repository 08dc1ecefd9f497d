"""Costa Rica's national PKI: the certificates a supplier's signature must chain to.

A document signed with a certificate anyone can make proves nothing about who issued it. The
signers of Hacienda documents hold certificates of the national PKI (Firma Digital: CA RAIZ
NACIONAL - COSTA RICA v2 → CA POLITICA PERSONA FISICA/JURIDICA → CA SINPE) or keys issued by
ATV under Hacienda's own root (CA RAIZ MINISTERIO DE HACIENDA). Those certificates are
public but not ours to ship: like the XSDs, they come from a directory the user points at
(``--pki-dir`` / ``HACIENDA_PKI_DIR``) or from ``hacienda-cr pki fetch``, which downloads
those with a published address; either way a file is used only if the SHA-256 of its DER
certificate is the one pinned in ``pki_sources.json``.

The roots are trust anchors; the intermediates only help to build a chain when a signature
embeds the signer's certificate alone.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from hacienda_cr.errors import ConfigurationError
from hacienda_cr.pinned_files import pin_list, user_cache_dir

ENV_VAR = "HACIENDA_PKI_DIR"


def sources() -> dict:
    return pin_list("pki_sources.json")


def default_cache_dir() -> Path:
    return user_cache_dir("pki")


@dataclass(frozen=True)
class NationalPki:
    anchors: tuple[x509.Certificate, ...]
    intermediates: tuple[x509.Certificate, ...]
    directory: Path


def _has_anchor(path: Path) -> bool:
    return path.is_dir() and any((path / name).is_file() for name in sources()["anchors"])


def locate_pki_dir(pki_dir: str | os.PathLike | None = None) -> Path:
    """The directory to use: the argument, else $HACIENDA_PKI_DIR, else the fetch cache."""
    for candidate, origin in ((pki_dir, "--pki-dir"), (os.environ.get(ENV_VAR), ENV_VAR),
                              (default_cache_dir(), "the certificate cache")):
        if candidate in (None, ""):
            continue
        path = Path(candidate).expanduser()
        if _has_anchor(path):
            return path
        if origin != "the certificate cache":
            raise ConfigurationError(
                f"{origin} is {str(path)!r}, which holds none of the national PKI's root certificates "
                f"({', '.join(sources()['anchors'])})"
            )
    raise ConfigurationError(
        "Costa Rica's national PKI certificates were not found: pass --pki-dir DIR, set "
        f"{ENV_VAR}, or run 'hacienda-cr pki fetch' (each certificate is checked by SHA-256)"
    )


def _read_certificate(data: bytes) -> x509.Certificate:
    if b"-----BEGIN CERTIFICATE-----" in data:
        return x509.load_pem_x509_certificate(data)
    return x509.load_der_x509_certificate(data)


def fingerprint(cert: x509.Certificate) -> str:
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


def _entries() -> list[tuple[str, str, dict]]:
    src = sources()
    return [(role, name, info) for role in ("anchors", "intermediates") for name, info in src[role].items()]


def check_dir(pki_dir: str | os.PathLike) -> list[dict]:
    """Each pinned certificate: ``ok``, ``missing`` or ``mismatch`` in ``pki_dir``."""
    root = Path(pki_dir)
    report = []
    for role, name, info in _entries():
        path = root / name
        entry = {"file": name, "role": role[:-1], "expected": info["sha256"]}
        if not path.is_file():
            report.append({**entry, "status": "missing"})
            continue
        try:
            actual = fingerprint(_read_certificate(path.read_bytes()))
        except ValueError as exc:
            report.append({**entry, "path": str(path), "status": "mismatch", "sha256": f"unreadable: {exc}"})
            continue
        report.append({**entry, "path": str(path), "sha256": actual,
                       "status": "ok" if actual == info["sha256"] else "mismatch"})
    return report


_cache: dict[tuple[str, tuple], NationalPki] = {}
_cache_lock = threading.Lock()


def load_national_pki(pki_dir: str | os.PathLike | None = None) -> NationalPki:
    """The pinned certificates found in the directory (read once per process and file state).

    A file whose fingerprint is not the pinned one is an error (someone changed it); missing
    intermediates are tolerated (a chain needing one then fails), a missing root is not."""
    root = locate_pki_dir(pki_dir)
    state = tuple(
        (name, (root / name).stat().st_mtime_ns if (root / name).is_file() else None)
        for _role, name, _info in _entries()
    )
    key = (str(root), state)
    with _cache_lock:
        if key in _cache:
            return _cache[key]
    anchors, intermediates, problems = [], [], []
    for role, name, info in _entries():
        path = root / name
        if not path.is_file():
            continue
        try:
            cert = _read_certificate(path.read_bytes())
        except ValueError as exc:
            problems.append(f"{path} is not a certificate ({exc})")
            continue
        if fingerprint(cert) != info["sha256"]:
            problems.append(f"{path} is not the official certificate (SHA-256 {fingerprint(cert)}, "
                            f"expected {info['sha256']})")
            continue
        (anchors if role == "anchors" else intermediates).append(cert)
    if problems:
        raise ConfigurationError("; ".join(problems))
    if not anchors:
        raise ConfigurationError(f"{root} holds none of the national PKI's root certificates")
    loaded = NationalPki(tuple(anchors), tuple(intermediates), root)
    with _cache_lock:
        _cache[key] = loaded
    return loaded


def fetch(dest: str | os.PathLike | None = None, *, timeout: float = 60.0) -> list[dict]:
    """Download the certificates that have a published address into ``dest`` (default: the
    cache), keeping each only if its DER SHA-256 is the pinned one. Certificates without a
    known address are reported ``manual``: copy them into the directory by hand."""
    root = Path(dest).expanduser() if dest else default_cache_dir()
    results, failures = [], []
    for _role, name, info in _entries():
        target = root / name
        if target.is_file():
            try:
                if fingerprint(_read_certificate(target.read_bytes())) == info["sha256"]:
                    results.append({"file": str(target), "status": "present"})
                    continue
            except ValueError:
                pass
        if not info.get("url"):
            results.append({"file": str(target), "status": "manual", "sha256": info["sha256"]})
            continue
        try:
            with urllib.request.urlopen(info["url"], timeout=timeout) as response:  # noqa: S310 (pinned)
                cert = _read_certificate(response.read())
        except (OSError, ValueError) as exc:
            failures.append(f"{info['url']}: {exc}")
            continue
        if fingerprint(cert) != info["sha256"]:
            failures.append(f"{info['url']}: SHA-256 {fingerprint(cert)} is not the pinned {info['sha256']}; not kept")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as tmp:
            tmp.write(cert.public_bytes(serialization.Encoding.PEM))
        os.replace(tmp.name, target)
        results.append({"file": str(target), "status": "downloaded"})
    if failures:
        raise ConfigurationError("could not obtain every certificate:\n  " + "\n  ".join(failures))
    return results
