"""Files the project uses but does not ship (Hacienda's XSDs, the national PKI certificates):
the pin lists inside the package, and the per-user cache they are fetched into."""

from __future__ import annotations

import json
import os
from importlib import resources
from pathlib import Path


def pin_list(name: str) -> dict:
    """A JSON pin list shipped with the package (``schema_sources.json``, ``pki_sources.json``)."""
    return json.loads(resources.files("hacienda_cr").joinpath(name).read_text("utf-8"))


def user_cache_dir(kind: str) -> Path:
    """``$XDG_CACHE_HOME/hacienda-cr/<kind>`` (``~/.cache`` when XDG_CACHE_HOME is unset)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "hacienda-cr" / kind
