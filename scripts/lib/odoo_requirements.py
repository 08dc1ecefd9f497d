"""Odoo 19's Python requirements for the venv the addons run in.

Odoo's ``requirements.txt`` pins per Python version. Debian 12's interpreter is 3.11, for which
it pins old libraries with known vulnerabilities (cryptography 3.4.8 bundles OpenSSL 1.1.1l,
CVE-2022-0778: a crafted certificate hangs certificate loading). Odoo 19 itself is released and
tested on Python 3.12 (Ubuntu 24.04) with newer pins, which run on 3.11 too. So the markers are
evaluated as on Python 3.12, and the packages listed in ``requirements/odoo-overrides.txt``
(each with the advisory it closes) replace Odoo's pin of the same name.

    python odoo_requirements.py ODOO_REQUIREMENTS OVERRIDES   # prints the resolved list
"""

from __future__ import annotations

import sys
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

# The interpreter Odoo 19's pins are chosen for (its reference platform, Ubuntu 24.04).
TARGET_PYTHON = "3.12"


def _requirements(path: Path) -> list[Requirement]:
    found = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.split(" #", 1)[0].split("\t#", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        try:
            found.append(Requirement(line))
        except ValueError as exc:
            raise SystemExit(f"{path}:{number}: not a requirement ({exc}): {raw!r}") from exc
    return found


def resolve(odoo_requirements: Path, overrides: Path) -> list[str]:
    environment = default_environment()
    environment.update(python_version=TARGET_PYTHON, python_full_version=f"{TARGET_PYTHON}.0")
    replaced = {canonicalize_name(req.name): req for req in _requirements(overrides)}
    lines, seen = [], set()
    for req in _requirements(odoo_requirements):
        if req.marker is not None and not req.marker.evaluate(environment):
            continue
        name = canonicalize_name(req.name)
        seen.add(name)
        lines.append(_pin(replaced.get(name, req)))
    # Overrides of packages Odoo does not list itself (its libraries' dependencies).
    lines.extend(_pin(req) for name, req in replaced.items() if name not in seen)
    return lines


def _pin(req: Requirement) -> str:
    """The requirement without its marker: markers were evaluated for this platform above."""
    extras = f"[{','.join(sorted(req.extras))}]" if req.extras else ""
    return f"{req.name}{extras}{req.specifier}"


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    for line in resolve(Path(argv[1]), Path(argv[2])):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
