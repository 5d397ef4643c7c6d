"""Where the folders custtui ships with are: the default standard and the sample archive.

The repository keeps them at its top level (``schema/``, ``sample-archive/``); a built wheel
carries them inside the package as ``custtui/_bundled/<name>`` (copied at build time by
``setup.py``, so there is no second copy in the repository).
"""

from __future__ import annotations

from pathlib import Path

from .errors import CusttuiError

PACKAGE_DIR = Path(__file__).resolve().parents[2]  # custtui/
BUNDLED_DIR = "_bundled"  # inside an installed package: the folders setup.py copies in
SCHEMA_SOURCE = "schema"  # the default classification standard and policy
SAMPLE_SOURCE = "sample-archive"  # the demo archive's records and documents


def bundled_dir(name: str, missing: str) -> Path:
    """The shipped folder ``name``: the installed copy, else the repository's; ``missing`` names it in the error."""
    for found in (PACKAGE_DIR / BUNDLED_DIR / name, PACKAGE_DIR.parent / name):
        if found.is_dir():
            return found
    raise CusttuiError(f"找不到{missing} ({name}/ 目录): 安装包不完整, 请重新安装 custtui")
