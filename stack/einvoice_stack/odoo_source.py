"""Fetch Odoo 19's source when ODOO_SRC is not an Odoo tree (run before the venv exists,
so standard library only).

    python3 stack/einvoice_stack/odoo_source.py --dest DIR

URL: $ODOO_DOWNLOAD_URL (default: Odoo's nightly 19.0 source tarball). Set
$ODOO_DOWNLOAD_SHA256 to accept only that exact archive. The tree is unpacked beside DIR
and renamed into place only once it is checked to be Odoo 19.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

DEFAULT_URL = "https://nightly.odoo.com/19.0/nightly/src/odoo_19.0.latest.tar.gz"


def odoo_major(tree: Path) -> int | None:
    release = tree / "odoo" / "release.py"
    if not (tree / "odoo-bin").is_file() or not release.is_file():
        return None
    match = re.search(r"^version_info\s*=\s*\((\d+)", release.read_text(encoding="utf-8"), re.MULTILINE)
    return int(match.group(1)) if match else None


def fetch(url: str, dest: Path, sha256: str | None) -> None:
    if odoo_major(dest) == 19:
        print(f"Odoo 19 source already in {dest}")
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".odoo-src-", dir=dest.parent))
    try:
        archive = work / "odoo.tar.gz"
        print(f"downloading {url}", flush=True)
        digest = hashlib.sha256()
        with urllib.request.urlopen(url, timeout=60) as response, archive.open("wb") as out:
            for chunk in iter(lambda: response.read(1 << 20), b""):
                digest.update(chunk)
                out.write(chunk)
        if sha256 and digest.hexdigest() != sha256.lower():
            raise SystemExit(f"odoo_source: {url} has SHA-256 {digest.hexdigest()}, ODOO_DOWNLOAD_SHA256 "
                             f"expects {sha256}")
        with tarfile.open(archive) as tar:
            for member in tar.getmembers():
                if member.name.startswith("/") or ".." in Path(member.name).parts:
                    raise SystemExit(f"odoo_source: unsafe path in the archive: {member.name}")
                if member.issym() or member.islnk():
                    target = Path(member.linkname)
                    if target.is_absolute() or ".." in target.parts:
                        raise SystemExit(f"odoo_source: unsafe link in the archive: {member.name}")
            tar.extractall(work / "tree")
        roots = [p for p in (work / "tree").iterdir() if p.is_dir()]
        tree = next((p for p in roots if odoo_major(p)), None)
        if tree is None or odoo_major(tree) != 19:
            raise SystemExit(f"odoo_source: {url} does not hold an Odoo 19 source tree (odoo-bin, odoo/release.py)")
        if dest.exists():
            shutil.rmtree(dest)
        tree.rename(dest)
        os.chmod(dest, 0o755)
        print(f"Odoo 19 source unpacked into {dest}")
    except (urllib.error.URLError, OSError) as exc:
        raise SystemExit(f"odoo_source: cannot download {url}: {getattr(exc, 'reason', exc)}. "
                         "Set ODOO_SRC to an Odoo 19 checkout or ODOO_DOWNLOAD_URL to a reachable archive") from None
    except tarfile.TarError as exc:
        raise SystemExit(f"odoo_source: {url} is not a readable tar archive: {exc}") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Download and unpack Odoo 19's source.")
    parser.add_argument("--dest", required=True, type=Path)
    args = parser.parse_args(argv)
    fetch(os.environ.get("ODOO_DOWNLOAD_URL") or DEFAULT_URL, args.dest.absolute(),
          os.environ.get("ODOO_DOWNLOAD_SHA256"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
