"""Running things as the unprivileged runtime account (Odoo and PostgreSQL never run as root)."""

from __future__ import annotations

import os
import pwd
import subprocess
from pathlib import Path

from einvoice_stack.layout import RUNTIME_USER
from einvoice_stack.progress import StackError


def account() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(RUNTIME_USER)
    except KeyError:
        raise StackError(f"account '{RUNTIME_USER}' does not exist: run scripts/bootstrap") from None


def is_root() -> bool:
    return os.geteuid() == 0


def require_root_or_runtime_user(command: str) -> None:
    if is_root() or os.geteuid() == account().pw_uid:
        return
    raise StackError(f"scripts/stack {command} must run as root or as '{RUNTIME_USER}'")


def chown(path: Path, recursive: bool = False) -> None:
    if not is_root():
        return
    user = account()
    targets = [path]
    if recursive and path.is_dir():
        targets += list(path.rglob("*"))
    for target in targets:
        os.lchown(target, user.pw_uid, user.pw_gid)


def _demote_kwargs() -> dict:
    if not is_root():
        return {}
    user = account()
    return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}


def run_as(argv: list[str | os.PathLike], *, env: dict | None = None, cwd: Path | None = None,
           check: bool = True, capture: bool = False, input: str | None = None,
           timeout: float | None = None) -> subprocess.CompletedProcess:
    """Run argv as the runtime account with a clean, predictable environment."""
    user = account()
    full_env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": user.pw_dir,
        "USER": user.pw_name,
        "LOGNAME": user.pw_name,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
    }
    full_env.update(env or {})
    try:
        result = subprocess.run(
            [str(a) for a in argv], env=full_env, cwd=cwd or user.pw_dir, check=False,
            capture_output=capture, text=True, input=input, timeout=timeout,
            **_demote_kwargs(),
        )
    except FileNotFoundError as exc:
        raise StackError(f"{argv[0]}: not found ({exc.strerror})") from None
    except subprocess.TimeoutExpired:
        raise StackError(f"{Path(str(argv[0])).name} did not finish within {timeout:.0f} s") from None
    if check and result.returncode != 0:
        detail = ""
        if capture:
            tail = (result.stderr or result.stdout or "").strip().splitlines()[-15:]
            detail = "\n" + "\n".join(tail) if tail else ""
        raise StackError(f"{Path(str(argv[0])).name} exited with status {result.returncode}{detail}")
    return result


def grant_traverse(path: Path) -> list[Path]:
    """Let the runtime account reach `path`: search (x) permission, by ACL, on each ancestor
    that blocks it (a clone under /root), top-down so no existing access is shadowed -- what
    scripts/lib/common.sh does for the checkout and the venv. Returns the directories changed."""
    if not is_root():
        return []
    user = account().pw_name
    changed = []
    current = Path("/")
    for part in path.resolve().parts[1:]:
        current = current / part
        if not current.is_dir():
            break
        if subprocess.run(["runuser", "-u", user, "--", "test", "-x", str(current)], check=False).returncode == 0:
            continue
        result = subprocess.run(["setfacl", "-m", f"u:{user}:--x", str(current)], capture_output=True, text=True,
                                check=False)
        if result.returncode != 0:
            raise StackError(f"cannot let '{user}' reach {current}: setfacl: {result.stderr.strip()}")
        changed.append(current)
    return changed
