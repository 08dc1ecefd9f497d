"""`scripts/stack backup|restore`: the staging database (pg_dump custom format) and its
filestore (tar), restored into the same database name.

A backup is a directory `STACK_HOME/backups/<db>-<UTC time>/` (or `--output DIR`) with
`database.dump`, `filestore.tar.gz` and `manifest.json` (what, when, SHA-256 of each).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tarfile
import time
from datetime import datetime, timezone
from pathlib import Path

from einvoice_stack import health, postgres
from einvoice_stack.layout import Layout
from einvoice_stack.operate import ensure_running
from einvoice_stack.programs import programs
from einvoice_stack.progress import StackError, Steps
from einvoice_stack.runtime_user import chown

FORMAT = 1


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def backup(layout: Layout, output: Path | None) -> int:
    settings = layout.load_settings()
    db = settings["stack"]["database"]
    ensure_running(layout, ["postgresql"])
    steps = Steps()
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target = (output or layout.backups / f"{db}-{stamp}").absolute()
    if target.exists() and any(target.iterdir()):
        raise StackError(f"{target} exists and is not empty: choose another --output")
    target.mkdir(parents=True, exist_ok=True)
    chown(target)
    os.chmod(target, 0o700)
    with steps.step(f"pg_dump {db}") as out:
        postgres.dump(layout, settings, target / "database.dump")
        out.did(f"{(target / 'database.dump').stat().st_size / 1e6:.1f} MB")
    filestore = layout.filestore(db)
    with steps.step(f"filestore {filestore}") as out:
        archive = target / "filestore.tar.gz"
        # Taken after the dump: a file written in between is extra, never missing.
        with tarfile.open(archive, "w:gz") as tar:
            if filestore.is_dir():
                tar.add(filestore, arcname="filestore")
        chown(archive)
        out.did(f"{archive.stat().st_size / 1e6:.1f} MB")
    manifest = {
        "format": FORMAT,
        "database": db,
        "created": stamp,
        "stack": settings["stack"]["name"],
        "files": {name: _sha256(target / name) for name in ("database.dump", "filestore.tar.gz")},
    }
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    chown(target / "manifest.json")
    print(f"Backup written to {target} in {steps.elapsed:.1f} s.")
    return 0


def _check_backup(source: Path, db: str) -> dict:
    manifest_path = source / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StackError(f"{source} is not a backup made by scripts/stack backup (no manifest.json)") from None
    except ValueError as exc:
        raise StackError(f"{manifest_path}: not valid JSON ({exc})") from None
    if manifest.get("format") != FORMAT:
        raise StackError(f"{manifest_path}: unknown backup format {manifest.get('format')!r}")
    if manifest.get("database") != db:
        raise StackError(f"{source} holds database {manifest.get('database')!r}, this stack's is {db!r}")
    for name, expected in manifest.get("files", {}).items():
        path = source / name
        if not path.is_file():
            raise StackError(f"{path} is missing from the backup")
        if _sha256(path) != expected:
            raise StackError(f"{path} does not match the SHA-256 in manifest.json (corrupt or altered)")
    return manifest


def restore(layout: Layout, source: Path, assume_yes: bool) -> int:
    settings = layout.load_settings()
    db = settings["stack"]["database"]
    source = source.absolute()
    manifest = _check_backup(source, db)
    if not assume_yes:
        if not sys.stdin.isatty():
            raise StackError("restore replaces the database and filestore: confirm with --yes when not "
                             "running interactively")
        answer = input(f"Replace database {db} and its filestore with the backup of {manifest['created']}? "
                       "Type 'yes' to confirm: ")
        if answer.strip().lower() != "yes":
            print("Cancelled; nothing changed.")
            return 1
    sup = ensure_running(layout, ["postgresql"])
    steps = Steps()
    odoo_was_running = sup.state("odoo") == "RUNNING"
    with steps.step("stop Odoo") as out:
        if odoo_was_running:
            sup.stop("odoo")
            out.did()
    with steps.step(f"restore database {db}") as out:
        # Readable by the runtime account, which runs pg_restore.
        staged = layout.run / f"restore-{os.getpid()}.dump"
        shutil.copyfile(source / "database.dump", staged)
        chown(staged)
        try:
            postgres.restore(layout, settings, staged)
        finally:
            staged.unlink(missing_ok=True)
        out.did()
    with steps.step("restore filestore") as out:
        filestore = layout.filestore(db)
        incoming = filestore.with_name(f".{db}.restoring")
        shutil.rmtree(incoming, ignore_errors=True)
        incoming.mkdir(parents=True)
        chown(filestore.parent)
        with tarfile.open(source / "filestore.tar.gz", "r:gz") as tar:
            for member in tar.getmembers():
                if not (member.isfile() or member.isdir()) or member.name.startswith("/") or ".." in member.name:
                    raise StackError(f"{source / 'filestore.tar.gz'}: unexpected member {member.name!r}")
            tar.extractall(incoming)
        restored = incoming / "filestore"
        restored.mkdir(exist_ok=True)
        chown(restored, recursive=True)
        old = filestore.with_name(f".{db}.old-{int(time.time())}")
        if filestore.exists():
            filestore.rename(old)
        restored.rename(filestore)
        shutil.rmtree(old, ignore_errors=True)
        shutil.rmtree(incoming, ignore_errors=True)
        out.did()
    if odoo_was_running:
        with steps.step("start Odoo") as out:
            sup.start(["odoo"])
            odoo = [p for p in programs(settings, layout) if p.name == "odoo"]
            health.wait_healthy(odoo, layout, settings, sup, 180)
            out.did()
    print(f"Restored {db} from {source} in {steps.elapsed:.1f} s.")
    return 0
