"""The demo archive with its search index built, once per test session and shared by every module
that asks (building it OCRs the demo's scans: ~20 s on 2 cores)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from custtui.core.archive.archive import Archive


def indexed_demo(demo_template: Path, tmp_path_factory) -> Path:
    """A read-only indexed copy of ``demo_template``; copy it before changing it."""
    done = tmp_path_factory.getbasetemp() / "indexed-demo"
    if not done.exists():
        building = tmp_path_factory.getbasetemp() / f"indexed-demo.{os.getpid()}.tmp"
        shutil.rmtree(building, ignore_errors=True)
        shutil.copytree(demo_template, building / "demo", symlinks=True)
        archive = Archive(building / "demo")
        archive.search_index().ensure()
        archive.close()
        os.rename(building, done)  # atomic: a half-built index is never seen
    return done / "demo"
